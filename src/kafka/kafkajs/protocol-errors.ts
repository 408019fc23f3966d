import kafkajsErrors from 'kafkajs/src/protocol/error.js';
import { KafkaPortError } from '../../util/errors.ts';

interface KafkaErrorCode {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

/**
 * Codes of the topic-id era (KIP-516) that kafkajs does not list, with Kafka's names; retriable as
 * in Java's `Errors` (`UnknownTopicIdException` and `InconsistentTopicIdException` are
 * `InvalidMetadataException`s, so refreshing metadata helps; a session-level topic id mismatch is
 * cured by a new session).
 */
const TOPIC_ID_ERRORS: readonly KafkaErrorCode[] = [
  { type: 'UNKNOWN_TOPIC_ID', code: 100, retriable: true, message: 'This server does not host this topic ID.' },
  {
    type: 'INCONSISTENT_TOPIC_ID',
    code: 103,
    retriable: true,
    message: "The log's topic ID did not match the topic ID in the request.",
  },
  {
    type: 'FETCH_SESSION_TOPIC_ID_ERROR',
    code: 106,
    retriable: true,
    message: 'The fetch session encountered inconsistent topic ID usage.',
  },
];

const byCode = new Map<number, KafkaErrorCode>(
  [...(kafkajsErrors as { errorCodes: KafkaErrorCode[] }).errorCodes, ...TOPIC_ID_ERRORS].map((e) => [e.code, e]),
);

/** Kafka's name for an error code (e.g. 6 → NOT_LEADER_OR_FOLLOWER), and whether retrying can help. */
export function kafkaErrorInfo(code: number): { name: string; retriable: boolean; message: string } {
  const known = byCode.get(code);
  if (!known) return { name: `UNKNOWN_ERROR_CODE_${code}`, retriable: false, message: `Kafka error code ${code}` };
  // kafkajs still calls code 6 by its pre-2.x name.
  const name = known.type === 'NOT_LEADER_FOR_PARTITION' ? 'NOT_LEADER_OR_FOLLOWER' : known.type;
  return { name, retriable: known.retriable, message: known.message };
}

/** Errors that mean our metadata is stale: refresh it and retry against the new leader. */
export function isStaleMetadata(code: number): boolean {
  const name = kafkaErrorInfo(code).name;
  return [
    'NOT_LEADER_OR_FOLLOWER',
    'LEADER_NOT_AVAILABLE',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'FENCED_LEADER_EPOCH',
    'UNKNOWN_TOPIC_ID',
    'INCONSISTENT_TOPIC_ID',
  ].includes(name);
}

/** `op=fetch topic=t partition=0`: where a port call failed, for error messages. */
export function contextText(context: Record<string, unknown>): string {
  return Object.entries(context)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

export function protocolError(code: number, context: Record<string, unknown>): KafkaPortError {
  const info = kafkaErrorInfo(code);
  const where = contextText(context);
  return new KafkaPortError(`KAFKA_${info.name}`, `${info.name}: ${info.message} (${where})`, {
    ...context,
    kafkaErrorCode: code,
    retriable: info.retriable,
  });
}
