import { KafkaPortError, MirrorError } from '../util/errors.ts';

/**
 * What the rest of the appliance may ask about a failed Kafka port call. Every error a port method
 * lets escape is a {@link KafkaPortError} (or another MirrorError raised on purpose), so these read
 * only our own error shape, never a client library's.
 */

/**
 * Kafka's name for the error behind a failed port call (e.g. `UNKNOWN_TOPIC_OR_PARTITION`,
 * `SECURITY_DISABLED`): the `KAFKA_<NAME>` code of a KafkaPortError, found on `err` or along the
 * `cause`s of MirrorErrors wrapping it. Undefined if it is not a Kafka error.
 */
export function kafkaErrorName(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof MirrorError; depth++) {
    if (current instanceof KafkaPortError && current.code.startsWith('KAFKA_')) {
      return current.code.slice('KAFKA_'.length);
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * Whether retrying an operation that failed with `err` can help. A port error says so itself
 * (`details.retriable`: Kafka's own flag for protocol errors; true for a broken connection, a
 * timeout, missing metadata); anything else — a bug, an authorization error, a record too large,
 * an error of ours — is not, and fails the task with a trace (as Java's task fails on a non-Kafka
 * exception) instead of retrying forever.
 */
export function isRetriable(err: unknown): boolean {
  if (!(err instanceof KafkaPortError)) return false;
  // A produce whose connection broke: resending may duplicate, never reorder or lose.
  if (err.code === 'ERR_PRODUCE_CONNECTION') return true;
  return err.details['retriable'] === true;
}
