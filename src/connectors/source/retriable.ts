import { KafkaPortError, MirrorError } from '../../util/errors.ts';

/**
 * Whether retrying an operation that failed with `err` can help. Kafka errors say so themselves;
 * connection-level failures (a broker down, a timeout) are retriable; anything else — a bug, an
 * authorization error, a record too large — is not, and fails the task with a trace (as Java's
 * task fails on a non-Kafka exception) instead of retrying forever.
 */
export function isRetriable(err: unknown): boolean {
  if (err instanceof KafkaPortError) {
    if (err.code === 'ERR_PRODUCE_CONNECTION') return true;
    return err.details['retriable'] === true;
  }
  if (err instanceof MirrorError) return false;
  if (err instanceof Error) {
    // kafkajs's own network and metadata errors carry a `retriable` flag or a KafkaJS* name.
    const flagged = (err as { retriable?: unknown }).retriable;
    if (typeof flagged === 'boolean')
      return flagged || /Connection|Timeout|BrokerNotFound|NumberOfRetriesExceeded/.test(err.name);
    return /^KafkaJS/.test(err.name);
  }
  return false;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
