import type { PartitionMetrics } from '../../src/connectors/source/source-task-ports.ts';

/** Source-task metrics that record nothing, for tests that assert on other outcomes. */
export const noTaskMetrics = {
  partition: (): PartitionMetrics => ({
    polled: () => {},
    acked: () => {},
    lag: () => {},
    lost: () => {},
    remove: () => {},
  }),
};

/** Source-task metrics that count only the batches copied as they are (`shallow`) and re-encoded (`deep`). */
export function batchCountingMetrics(): {
  metrics: typeof noTaskMetrics;
  batches: { shallow: number; deep: number };
} {
  const batches = { shallow: 0, deep: 0 };
  const metrics = {
    partition: (): PartitionMetrics => ({
      ...noTaskMetrics.partition(),
      batches: (shallow, deep) => {
        batches.shallow += shallow;
        batches.deep += deep;
      },
    }),
  };
  return { metrics, batches };
}
