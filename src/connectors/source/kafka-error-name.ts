import { MirrorError } from '../../util/errors.ts';

const KAFKA_ERROR_NAME = /^[A-Z][A-Z0-9_]+$/;

/**
 * Kafka's name for the error behind a failed port call (e.g. `UNKNOWN_TOPIC_OR_PARTITION`,
 * `SECURITY_DISABLED`), or undefined if it is not a Kafka error.
 *
 * The port throws `KafkaPortError` (`KAFKA_<NAME>`) for the calls it frames itself, but some admin
 * calls still surface the client library's error, which carries the name in `type` and may wrap
 * the protocol error in `cause`. Reading both shapes here, by duck typing, keeps the decisions
 * that depend on the error kind (skip a deleted topic, a cluster without an authorizer) out of
 * the message text and free of the client library.
 */
export function kafkaErrorName(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof MirrorError) {
      if (current.code.startsWith('KAFKA_')) return current.code.slice('KAFKA_'.length);
    } else {
      const type = (current as { type?: unknown }).type;
      if (typeof type === 'string' && KAFKA_ERROR_NAME.test(type)) return type;
    }
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.cause ?? next.originalError;
  }
  return undefined;
}
