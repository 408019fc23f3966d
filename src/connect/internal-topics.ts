import type { KafkaAdmin } from '../kafka/index.ts';
import { MirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';

/** A compacted internal topic MM2 creates on start-up (offset syncs, checkpoints, heartbeats, offsets). */
export interface CompactedTopicSpec {
  name: string;
  partitions: number;
  /** -1: the broker's default. */
  replicationFactor: number;
}

/** How {@link ensureCompactedTopic} ended: created now, already there, or assumed to exist (see there). */
export type EnsureTopicOutcome = 'created' | 'exists' | 'assumed';

/**
 * Creating an internal topic failed in a way that Java turns into a `ConnectException`. Codes:
 * `ERR_INTERNAL_TOPIC_CONFIG` (invalid configuration), `ERR_INTERNAL_TOPIC_TIMEOUT`, and
 * `ERR_INTERNAL_TOPIC` for anything else (e.g. a replication factor above the broker count).
 */
export class InternalTopicError extends MirrorError {
  constructor(code: string, message: string, details: Record<string, unknown>) {
    super(code, message, details);
  }
}

// Java's MirrorUtils.createCompactedTopic swallows these: the topic exists, or we cannot know and
// fall back to assuming it exists (or that the broker auto-creates it).
const ASSUME_EXISTS = new Set(['UNSUPPORTED_VERSION', 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']);
const INVALID_CONFIG = new Set(['INVALID_CONFIG']);
// The port reports Kafka's error name, or the text of a client-side failure (which says "timed out").
const TIMEOUT = new Set(['REQUEST_TIMED_OUT']);

/**
 * Java's `MirrorUtils.createCompactedTopic`: creates `spec.name` with `cleanup.policy=compact`.
 * An existing topic is left as it is (partitions and configs are not checked, as in Java). An
 * unsupported CreateTopics API or missing authorization is logged and the topic assumed to
 * exist. Invalid configuration, a timeout and every other error throw {@link InternalTopicError}.
 */
export async function ensureCompactedTopic(
  admin: KafkaAdmin,
  spec: CompactedTopicSpec,
  logger: Logger,
): Promise<EnsureTopicOutcome> {
  const [result] = await admin.createTopics([
    {
      name: spec.name,
      partitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      configs: { 'cleanup.policy': 'compact' },
    },
  ]);
  const error = result?.error;
  if (error === undefined) {
    logger.info({ topic: spec.name, partitions: spec.partitions }, `Created topic '${spec.name}'`);
    return 'created';
  }
  if (error === 'TOPIC_ALREADY_EXISTS') {
    logger.debug({ topic: spec.name }, `Unable to create topic '${spec.name}' since it already exists.`);
    return 'exists';
  }
  const details = { topic: spec.name, kafkaError: error };
  if (ASSUME_EXISTS.has(error)) {
    // Java logs these at debug; an operator debugging a missing topic wants to see them, so warn.
    logger.warn(
      details,
      `Unable to create topic '${spec.name}' (${error}); assuming it exists or will be auto-created by the broker`,
    );
    return 'assumed';
  }
  if (INVALID_CONFIG.has(error)) {
    throw new InternalTopicError(
      'ERR_INTERNAL_TOPIC_CONFIG',
      `Unable to create topic '${spec.name}': ${error}`,
      details,
    );
  }
  if (TIMEOUT.has(error) || /timed? ?out/i.test(error)) {
    throw new InternalTopicError(
      'ERR_INTERNAL_TOPIC_TIMEOUT',
      `Timed out while checking for or creating topic '${spec.name}'. This could indicate a connectivity issue, ` +
        'unavailable topic partitions, or if this is your first use of the topic it may have taken too long to create.',
      details,
    );
  }
  throw new InternalTopicError(
    'ERR_INTERNAL_TOPIC',
    `Error while attempting to create/find topic '${spec.name}': ${error}`,
    details,
  );
}
