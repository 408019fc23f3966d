import type { Registry } from 'prom-client';
import {
  registerGroupedFamily,
  SeriesSet,
  seriesKey,
  type GroupedFamilySpec,
  type MetricsLevel,
  type SeriesLabels,
} from './family.ts';
import { KAFKA_DEFAULT_WINDOW, WindowedStat, type WindowConfig } from './windowed-stat.ts';

/**
 * Java's `MirrorCheckpointMetrics` (JMX `kafka.connect.mirror:type=MirrorCheckpointConnector,…`)
 * as `kafka_connect_mirror_checkpoint_connector_*`, without Java's shared-sensor quirk (in Java
 * every group/partition metric set of a task hangs off one sensor, so each recording updates
 * every group's values; here each group/partition has its own window). Plus the failover view
 * Java lacks. docs/metrics.md has the table.
 */

export interface CheckpointPartitionLabels {
  source: string;
  target: string;
  group: string;
  /** The downstream (remote) topic name, as Java tags it. */
  topic: string;
  partition: number;
}

export interface RouteLabels {
  source: string;
  target: string;
}

/** One consumer group partition's recorder; every call is a few number writes. */
export interface CheckpointPartitionMetrics {
  /** A checkpoint for this group partition was acknowledged; latency = now − checkpoint record timestamp. */
  checkpointed(latencyMs: number): void;
  /**
   * What a failover of this group now would cost on this partition, as computed by the
   * checkpoint runtime: `rereadRecords` it already consumed on the source and would consume
   * again on the target; `missedRecords` it has not consumed yet that the target does not
   * hold (docs/metrics.md defines both).
   */
  failover(rereadRecords: number, missedRecords: number): void;
  remove(): void;
}

/** One route's checkpoint freshness. */
export interface CheckpointRouteMetrics {
  /** The newest offset-sync read from the offset-syncs topic has this record timestamp (ms). */
  offsetSync(timestampMs: number): void;
  /** The newest checkpoint written has this record timestamp (ms). */
  checkpoint(timestampMs: number): void;
  remove(): void;
}

export interface CheckpointMetricsOptions {
  clock?: () => number;
  window?: WindowConfig;
  /** One series per group partition (default, Java's), per group and topic, or per group (`route`). */
  level?: MetricsLevel;
}

export const CHECKPOINT_LABELS = ['source', 'target', 'group', 'topic', 'partition'] as const;

/** The labels of the group-partition families at `level`: the group is always kept. */
export function checkpointLabelNames(level: MetricsLevel): readonly string[] {
  return CHECKPOINT_LABELS.slice(0, level === 'partition' ? 5 : level === 'topic' ? 4 : 3);
}
const JAVA_PREFIX = 'kafka_connect_mirror_checkpoint_connector_';

class GroupPartitionHandle implements CheckpointPartitionMetrics {
  readonly labels: SeriesLabels;
  readonly latency: WindowedStat;
  reread = Number.NaN;
  missed = Number.NaN;
  private readonly detach: () => void;
  private readonly clock: () => number;

  constructor(labels: SeriesLabels, window: WindowConfig, clock: () => number, detach: () => void) {
    this.labels = labels;
    this.latency = new WindowedStat(window);
    this.clock = clock;
    this.detach = detach;
  }

  checkpointed(latencyMs: number): void {
    this.latency.record(1, latencyMs, latencyMs, latencyMs, latencyMs, this.clock());
  }

  failover(rereadRecords: number, missedRecords: number): void {
    this.reread = rereadRecords;
    this.missed = missedRecords;
  }

  remove(): void {
    this.detach();
  }
}

class RouteHandle implements CheckpointRouteMetrics {
  readonly labels: SeriesLabels;
  newestSyncMs = Number.NaN;
  newestCheckpointMs = Number.NaN;
  private readonly detach: () => void;

  constructor(labels: SeriesLabels, detach: () => void) {
    this.labels = labels;
    this.detach = detach;
  }

  offsetSync(timestampMs: number): void {
    if (!(timestampMs <= this.newestSyncMs)) this.newestSyncMs = timestampMs;
  }

  checkpoint(timestampMs: number): void {
    if (!(timestampMs <= this.newestCheckpointMs)) this.newestCheckpointMs = timestampMs;
  }

  remove(): void {
    this.detach();
  }
}

const definedOr = (v: number): number | undefined => (v === v ? v : undefined);

/** The checkpoint metric families of one registry, shared by every route. Construct once per registry. */
export class CheckpointMetrics {
  private readonly partitions: SeriesSet<GroupPartitionHandle>;
  private readonly routes = new SeriesSet<RouteHandle>(['source', 'target']);
  private readonly clock: () => number;
  private readonly window: WindowConfig;

  constructor(registry: Registry, options: CheckpointMetricsOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.window = options.window ?? KAFKA_DEFAULT_WINDOW;
    this.partitions = new SeriesSet<GroupPartitionHandle>(checkpointLabelNames(options.level ?? 'partition'));
    for (const spec of partitionFamilies()) registerGroupedFamily(registry, spec, this.partitions, this.clock);
    for (const spec of routeFamilies()) registerGroupedFamily(registry, spec, this.routes, this.clock);
  }

  /** The recorder for one group partition; create when the group's partition is first checkpointed. */
  partition(labels: CheckpointPartitionLabels): CheckpointPartitionMetrics {
    const values = [labels.source, labels.target, labels.group, labels.topic, String(labels.partition)];
    const key = seriesKey(values);
    const frozen = Object.freeze({
      source: values[0]!,
      target: values[1]!,
      group: values[2]!,
      topic: values[3]!,
      partition: values[4]!,
    });
    const handle: GroupPartitionHandle = new GroupPartitionHandle(frozen, this.window, this.clock, () =>
      this.partitions.delete(key, handle),
    );
    this.partitions.put(key, handle);
    return handle;
  }

  /** The recorder for one route's offset-sync and checkpoint freshness. */
  route(labels: RouteLabels): CheckpointRouteMetrics {
    const key = seriesKey([labels.source, labels.target]);
    const handle: RouteHandle = new RouteHandle(Object.freeze({ source: labels.source, target: labels.target }), () =>
      this.routes.delete(key, handle),
    );
    this.routes.put(key, handle);
    return handle;
  }
}

/** Coarser levels: latency as in SourceMetrics (last: the largest; avg weighted by count); failover costs add up. */
function partitionFamilies(): GroupedFamilySpec<GroupPartitionHandle>[] {
  const window = ' over the sample window (Java default 2 × 30 s); NaN when nothing was recorded in it';
  return [
    {
      name: JAVA_PREFIX + 'checkpoint_latency_ms',
      help: 'Time from checkpoint record timestamp to its acknowledgement, last value, ms (Java checkpoint-latency-ms, per group partition)',
      type: 'gauge',
      combine: 'max',
      read: (p) => p.latency.last,
    },
    {
      name: JAVA_PREFIX + 'checkpoint_latency_ms_min',
      help: 'Minimum checkpoint latency, ms' + window,
      type: 'gauge',
      combine: 'min',
      read: (p, now) => p.latency.min(now),
    },
    {
      name: JAVA_PREFIX + 'checkpoint_latency_ms_max',
      help: 'Maximum checkpoint latency, ms' + window,
      type: 'gauge',
      combine: 'max',
      read: (p, now) => p.latency.max(now),
    },
    {
      name: JAVA_PREFIX + 'checkpoint_latency_ms_avg',
      help: 'Average checkpoint latency, ms' + window,
      type: 'gauge',
      combine: 'mean',
      weight: (p, now) => p.latency.liveCount(now),
      read: (p, now) => p.latency.avg(now),
    },
    {
      name: 'mm2ts_checkpoint_failover_reread_records',
      help: 'Records of this partition the group already consumed on the source that a failover now would deliver again on the target',
      type: 'gauge',
      combine: 'sum',
      read: (p) => definedOr(p.reread),
    },
    {
      name: 'mm2ts_checkpoint_failover_missed_records',
      help: 'Records of this partition the group has not consumed yet that a failover now would not find on the target',
      type: 'gauge',
      combine: 'sum',
      read: (p) => definedOr(p.missed),
    },
  ];
}

function routeFamilies(): GroupedFamilySpec<RouteHandle>[] {
  return [
    {
      name: 'mm2ts_checkpoint_newest_offset_sync_timestamp_seconds',
      help: 'Record timestamp of the newest offset-sync the checkpoint runtime has read (Unix seconds)',
      type: 'gauge',
      combine: 'max',
      read: (r) => (r.newestSyncMs === r.newestSyncMs ? r.newestSyncMs / 1000 : undefined),
    },
    {
      name: 'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds',
      help: 'Record timestamp of the newest checkpoint written (Unix seconds)',
      type: 'gauge',
      combine: 'max',
      read: (r) => (r.newestCheckpointMs === r.newestCheckpointMs ? r.newestCheckpointMs / 1000 : undefined),
    },
  ];
}
