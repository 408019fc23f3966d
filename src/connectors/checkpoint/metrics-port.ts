/**
 * What the checkpoint runtime records, as structural interfaces (src/metrics/CheckpointMetrics
 * implements them); tests and metric-less wiring pass nothing.
 */
export interface CheckpointPartitionRecorder {
  checkpointed(latencyMs: number): void;
  failover(rereadRecords: number, missedRecords: number): void;
  remove(): void;
}

export interface CheckpointRouteRecorder {
  offsetSync(timestampMs: number): void;
  checkpoint(timestampMs: number): void;
  remove(): void;
}

export interface CheckpointTaskMetrics {
  partition(labels: {
    source: string;
    target: string;
    group: string;
    topic: string;
    partition: number;
  }): CheckpointPartitionRecorder;
}

export interface CheckpointConnectorMetrics extends CheckpointTaskMetrics {
  route(labels: { source: string; target: string }): CheckpointRouteRecorder;
}
