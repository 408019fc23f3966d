/**
 * The Kafka port's retry delay: Java's clients' `retry.backoff.ms` (100 ms) doubling per retry up
 * to a cap (`retry.backoff.max.ms`, KIP-580). `retry` counts from 0 (the first retry waits 100 ms).
 * The worker layer has its own (src/connect/retry.ts); the port cannot import it.
 */
export function doublingBackoffMs(retry: number, capMs: number): number {
  return Math.min(100 * 2 ** retry, capMs);
}
