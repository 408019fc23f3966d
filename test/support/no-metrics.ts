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
