import type { Registry } from 'prom-client';
import {
  registerFamily,
  registerGroupedFamily,
  SeriesSet,
  seriesKey,
  type GroupedFamilySpec,
  type MetricsLevel,
  type SeriesGroup,
  type SeriesLabels,
} from './family.ts';
import { KAFKA_DEFAULT_WINDOW, WindowedStat, type WindowConfig } from './windowed-stat.ts';

/**
 * Java's `MirrorSourceMetrics` (JMX `kafka.connect.mirror:type=MirrorSourceConnector,…`) as
 * Prometheus families named like the JMX exporter rules MM2 dashboards use
 * (`kafka_connect_mirror_source_connector_<attribute with _>`), plus what Java lacks: lag in
 * records, records lost to source retention, and the recovery point. docs/metrics.md has the
 * table and the reasons.
 */

/**
 * When the task's latest fetch round was answered (Date.now() clock); rounds leave out partitions
 * with nothing new (incremental fetch sessions), so a caught-up partition stays caught up through
 * them. src/connectors/source/source-task-ports.ts has the same shape.
 */
export interface FetchRounds {
  readonly lastMs: number;
}

export interface SourcePartitionLabels {
  source: string;
  target: string;
  /** The remote (target) topic name, as Java tags it. */
  topic: string;
  partition: number;
}

/**
 * One assigned source partition's recorder. Every call is a batch aggregate and costs a few
 * number writes: no allocation, no label hashing, no Prometheus work (that happens at scrape).
 */
export interface SourcePartitionMetrics {
  /**
   * Records fetched from the source, before they are sent. Java records `byte-count`/`byte-rate`
   * (value bytes) and `record-age-ms` (now − record timestamp) here.
   * `lastAgeMs` is the age of the batch's last record (Java's `record-age-ms` value); it
   * defaults to `minAgeMs`, which is the same when timestamps increase with offsets.
   */
  polled(count: number, bytes: number, minAgeMs: number, maxAgeMs: number, sumAgeMs: number, lastAgeMs?: number): void;
  /**
   * Records the target acknowledged. Java records `record-count`/`record-rate` and
   * `replication-latency-ms` (now − record timestamp) here. Latencies must be measured with the
   * same clock as the metrics (Date.now() by default): the newest acknowledged source timestamp,
   * which feeds the recovery point, is taken as now − `minLatencyMs`.
   */
  acked(count: number, minLatencyMs: number, maxLatencyMs: number, sumLatencyMs: number, lastLatencyMs?: number): void;
  /**
   * Records between the next offset to fetch and the source partition's end (high watermark)
   * seen by the latest fetch. The exported lag adds the records fetched but not yet acknowledged.
   */
  lag(records: number): void;
  /**
   * The latest fetch did not reach the partition's end (an error, no leader): until the next
   * {@link lag}, later fetch rounds do not move its recovery point.
   */
  lagUnknown(): void;
  /** Records the source's retention deleted before they were replicated (the gap that was skipped). */
  lost(records: number): void;
  /** Source batches copied as they are (`shallow`, pass-through) and decoded and re-encoded (`deep`). */
  batches(shallow: number, deep: number): void;
  /** The partition is no longer assigned: its series disappear from the next scrape. */
  remove(): void;
}

export interface SourceMetricsOptions {
  /** Milliseconds since the epoch; the same clock the caller measures ages and latencies with. */
  clock?: () => number;
  /** Window of the `-min`/`-max`/`-avg`/`-rate` gauges; Java's default 2 × 30 s. */
  window?: WindowConfig;
  /**
   * One series per partition (default, Java's granularity), per remote topic, or per route
   * (docs/metrics.md, "Aggregation level").
   */
  level?: MetricsLevel;
}

export const SOURCE_LABELS = ['source', 'target', 'topic', 'partition'] as const;

/** The labels of the source families at `level`. */
export function sourceLabelNames(level: MetricsLevel): readonly string[] {
  return level === 'partition'
    ? SOURCE_LABELS
    : level === 'topic'
      ? SOURCE_LABELS.slice(0, 3)
      : SOURCE_LABELS.slice(0, 2);
}
const JAVA_PREFIX = 'kafka_connect_mirror_source_connector_';

class PartitionHandle implements SourcePartitionMetrics {
  readonly labels: SeriesLabels;
  records = 0;
  bytes = 0;
  lostRecords = 0;
  shallowBatches = 0;
  deepBatches = 0;
  readonly recordRate: WindowedStat;
  readonly byteRate: WindowedStat;
  readonly age: WindowedStat;
  readonly latency: WindowedStat;
  /** High watermark − next fetch offset at the latest fetch; NaN until the first one. */
  fetchLag = Number.NaN;
  /** Fetched (polled) but not yet acknowledged by the target. */
  inFlight = 0;
  /** Latest instant at which everything the source held was known to be on the target. */
  caughtUpMs = Number.NaN;
  /** Source timestamp of the newest record the target acknowledged. */
  newestAckedMs = Number.NaN;
  private lagObservedMs = Number.NaN;
  /** The latest {@link lag} is still current: rounds that left the partition out found it unchanged. */
  private lagCurrent = false;
  private readonly detach: () => void;
  private readonly clock: () => number;
  private readonly rounds: FetchRounds | undefined;

  constructor(
    labels: SeriesLabels,
    window: WindowConfig,
    clock: () => number,
    detach: () => void,
    rounds?: FetchRounds,
  ) {
    this.rounds = rounds;
    this.detach = detach;
    this.labels = labels;
    this.clock = clock;
    this.recordRate = new WindowedStat(window);
    this.byteRate = new WindowedStat(window);
    this.age = new WindowedStat(window);
    this.latency = new WindowedStat(window);
  }

  polled(
    count: number,
    bytes: number,
    minAgeMs: number,
    maxAgeMs: number,
    sumAgeMs: number,
    lastAgeMs = minAgeMs,
  ): void {
    if (!(count > 0)) return;
    this.settleRounds();
    const now = this.clock();
    this.bytes += bytes;
    this.byteRate.add(bytes, now);
    this.age.record(count, sumAgeMs, minAgeMs, maxAgeMs, lastAgeMs, now);
    this.inFlight += count;
  }

  acked(
    count: number,
    minLatencyMs: number,
    maxLatencyMs: number,
    sumLatencyMs: number,
    lastLatencyMs = minLatencyMs,
  ): void {
    if (!(count > 0)) return;
    const now = this.clock();
    this.records += count;
    this.recordRate.add(count, now);
    this.latency.record(count, sumLatencyMs, minLatencyMs, maxLatencyMs, lastLatencyMs, now);
    this.inFlight = this.inFlight > count ? this.inFlight - count : 0;
    const newest = now - minLatencyMs;
    if (!(newest <= this.newestAckedMs)) this.newestAckedMs = newest;
    // Everything up to the end seen by the latest fetch is now on the target.
    if (this.inFlight === 0 && this.fetchLag === 0) this.caughtUpMs = this.lagObservedMs;
  }

  lag(records: number): void {
    this.settleRounds();
    const now = this.clock();
    this.fetchLag = records > 0 ? records : 0;
    this.lagObservedMs = now;
    this.lagCurrent = true;
    if (this.fetchLag === 0 && this.inFlight === 0) this.caughtUpMs = now;
  }

  lagUnknown(): void {
    this.settleRounds();
    this.lagCurrent = false;
  }

  /**
   * Caught up at the last lag reading and nothing in flight: every later fetch round, which left
   * the partition out because nothing was new, confirmed it caught up as of that round.
   */
  private caughtUpThroughRounds(): number {
    const a = this.caughtUpMs;
    const round = this.rounds?.lastMs;
    return round !== undefined && this.lagCurrent && this.fetchLag === 0 && this.inFlight === 0 && round > a
      ? round
      : a;
  }

  /** Takes what the rounds confirmed into {@link caughtUpMs} before the state they depend on changes. */
  private settleRounds(): void {
    this.caughtUpMs = this.caughtUpThroughRounds();
  }

  lost(records: number): void {
    if (records > 0) this.lostRecords += records;
  }

  batches(shallow: number, deep: number): void {
    this.shallowBatches += shallow;
    this.deepBatches += deep;
  }

  remove(): void {
    this.detach();
  }

  /** Records a failover now would lose: not yet fetched, or fetched and not yet acknowledged. */
  replicationLag(): number | undefined {
    return this.fetchLag === this.fetchLag ? this.fetchLag + this.inFlight : undefined;
  }

  /** Everything the source received before this instant (ms) is on the target; undefined if unknown. */
  recoveryPointMs(): number | undefined {
    const a = this.caughtUpThroughRounds();
    const b = this.newestAckedMs;
    if (a !== a) return b === b ? b : undefined;
    return b === b && b > a ? b : a;
  }
}

/**
 * The source-replication metric families of one registry, shared by every route and task.
 * Construct once per registry (a second construction on the same registry throws
 * `ERR_METRICS_DUPLICATE`).
 */
export class SourceMetrics {
  private readonly partitions: SeriesSet<PartitionHandle>;
  private readonly clock: () => number;
  private readonly window: WindowConfig;

  constructor(registry: Registry, options: SourceMetricsOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.window = options.window ?? KAFKA_DEFAULT_WINDOW;
    this.partitions = new SeriesSet<PartitionHandle>(sourceLabelNames(options.level ?? 'partition'));
    for (const spec of sourceFamilies()) registerGroupedFamily(registry, spec, this.partitions, this.clock);
    registerBatchModes(registry, this.partitions);
  }

  /**
   * The recorder for one assigned partition; call when the partition is assigned (its series
   * appear at 0 like Java's, which are created at task start) and keep it for the hot path.
   */
  partition(labels: SourcePartitionLabels, rounds?: FetchRounds): SourcePartitionMetrics {
    const values = [labels.source, labels.target, labels.topic, String(labels.partition)];
    const key = seriesKey(values);
    const frozen = Object.freeze({ source: values[0]!, target: values[1]!, topic: values[2]!, partition: values[3]! });
    const handle: PartitionHandle = new PartitionHandle(
      frozen,
      this.window,
      this.clock,
      () => this.partitions.delete(key, handle),
      rounds,
    );
    this.partitions.put(key, handle);
    return handle;
  }

  /** Number of partitions currently reporting. */
  get size(): number {
    return this.partitions.size;
  }

  /**
   * One route's totals over its partitions (the progress log line): records acknowledged so far,
   * lag in records (undefined until every partition fetched once), and the oldest partition's
   * recovery point (undefined while some partition has none).
   */
  routeTotals(source: string, target: string): RouteTotals {
    let records = 0;
    let lag: number | undefined = 0;
    let recoveryPointMs: number | undefined = Number.POSITIVE_INFINITY;
    let partitions = 0;
    for (const p of this.partitions.values()) {
      if (p.labels['source'] !== source || p.labels['target'] !== target) continue;
      partitions++;
      records += p.records;
      const l = p.replicationLag();
      lag = l === undefined || lag === undefined ? undefined : lag + l;
      const rp = p.recoveryPointMs();
      recoveryPointMs = rp === undefined || recoveryPointMs === undefined ? undefined : Math.min(recoveryPointMs, rp);
    }
    if (partitions === 0) return { partitions, records, lag: 0, recoveryPointMs: undefined };
    return { partitions, records, lag, recoveryPointMs };
  }
}

export interface RouteTotals {
  partitions: number;
  records: number;
  lag: number | undefined;
  recoveryPointMs: number | undefined;
}

/**
 * At a coarser level than partition, counts, rates and lag add up; a windowed min/max is the
 * topic's (route's) min/max; an average is weighted by each partition's records in the window;
 * a last value is the worst partition's (largest); the recovery point is the oldest partition's.
 */
function sourceFamilies(): GroupedFamilySpec<PartitionHandle>[] {
  type Spec = GroupedFamilySpec<PartitionHandle>;
  const java = (
    suffix: string,
    help: string,
    type: 'counter' | 'gauge',
    combine: Spec['combine'],
    read: Spec['read'],
    weight?: Spec['weight'],
  ): Spec => ({
    name: JAVA_PREFIX + suffix,
    help,
    type,
    combine,
    read,
    ...(weight ? { weight } : {}),
  });
  const rateWindow = ' over the sample window (Java default 2 × 30 s)';
  const window = rateWindow + '; NaN when nothing was recorded in it';
  return [
    java(
      'record_count',
      'Records replicated and acknowledged by the target (Java record-count)',
      'counter',
      'sum',
      (p) => p.records,
    ),
    java('record_rate', 'Records acknowledged per second (Java record-rate)' + rateWindow, 'gauge', 'sum', (p, now) =>
      p.recordRate.ratePerSecond(now),
    ),
    java('byte_count', 'Value bytes fetched for replication (Java byte-count)', 'counter', 'sum', (p) => p.bytes),
    java('byte_rate', 'Value bytes fetched per second (Java byte-rate)' + rateWindow, 'gauge', 'sum', (p, now) =>
      p.byteRate.ratePerSecond(now),
    ),
    java(
      'record_age_ms',
      'Age (now minus record timestamp) of the last fetched record, ms (Java record-age-ms)',
      'gauge',
      'max',
      (p) => p.age.last,
    ),
    java('record_age_ms_min', 'Minimum fetched record age, ms' + window, 'gauge', 'min', (p, now) => p.age.min(now)),
    java('record_age_ms_max', 'Maximum fetched record age, ms' + window, 'gauge', 'max', (p, now) => p.age.max(now)),
    java(
      'record_age_ms_avg',
      'Average fetched record age, ms' + window,
      'gauge',
      'mean',
      (p, now) => p.age.avg(now),
      (p, now) => p.age.liveCount(now),
    ),
    java(
      'replication_latency_ms',
      'Time from record timestamp to target acknowledgement of the last acknowledged record, ms (Java replication-latency-ms)',
      'gauge',
      'max',
      (p) => p.latency.last,
    ),
    java('replication_latency_ms_min', 'Minimum replication latency, ms' + window, 'gauge', 'min', (p, now) =>
      p.latency.min(now),
    ),
    java('replication_latency_ms_max', 'Maximum replication latency, ms' + window, 'gauge', 'max', (p, now) =>
      p.latency.max(now),
    ),
    java(
      'replication_latency_ms_avg',
      'Average replication latency, ms' + window,
      'gauge',
      'mean',
      (p, now) => p.latency.avg(now),
      (p, now) => p.latency.liveCount(now),
    ),
    {
      name: 'mm2ts_source_replication_lag_records',
      help: 'Records on the source partition not yet acknowledged by the target: what a failover now would lose',
      type: 'gauge',
      combine: 'sum',
      read: (p) => p.replicationLag(),
    },
    {
      name: 'mm2ts_source_records_lost_to_retention_total',
      help: 'Records deleted by source retention before they were replicated',
      type: 'counter',
      combine: 'sum',
      read: (p) => p.lostRecords,
    },
    {
      name: 'mm2ts_source_recovery_point_timestamp_seconds',
      help: 'Every record written to the source partition before this time is on the target (Unix seconds)',
      type: 'gauge',
      combine: 'min',
      read: (p) => {
        const ms = p.recoveryPointMs();
        return ms === undefined ? undefined : ms / 1000;
      },
    },
  ];
}

/**
 * `mm2ts_source_batches_total{…, mode="shallow"|"deep"}`: source record batches copied as they
 * are (pass-through, `mm2ts.shallow.mirroring`) or decoded and re-encoded, at the set's level
 * plus a `mode` label (the grouped families have no room for an extra label, hence its own). A
 * series appears once its mode has happened, so idle partitions cost nothing at scrape time.
 */
function registerBatchModes(registry: Registry, set: SeriesSet<PartitionHandle>): void {
  const name = 'mm2ts_source_batches_total';
  if (registry.getSingleMetric(name)) return;
  // One label set per group and mode, made once: the scrape renders each one's text once.
  const seriesOf = new WeakMap<SeriesGroup<PartitionHandle>, { shallow: ModeSeries; deep: ModeSeries }>();
  function* series(): Iterable<ModeSeries> {
    for (const group of set.seriesGroups()) {
      let shallow = 0;
      let deep = 0;
      for (const m of group.members) {
        shallow += m.shallowBatches;
        deep += m.deepBatches;
      }
      // Only modes that happened: thousands of idle topics add nothing to a scrape.
      if (shallow === 0 && deep === 0) continue;
      let modes = seriesOf.get(group);
      if (modes === undefined) {
        modes = {
          shallow: { labels: Object.freeze({ ...group.labels, mode: 'shallow' }), value: 0 },
          deep: { labels: Object.freeze({ ...group.labels, mode: 'deep' }), value: 0 },
        };
        seriesOf.set(group, modes);
      }
      modes.shallow.value = shallow;
      modes.deep.value = deep;
      if (shallow > 0) yield modes.shallow;
      if (deep > 0) yield modes.deep;
    }
  }
  registerFamily(
    registry,
    {
      name,
      help: 'Source record batches copied as they are (mode="shallow") or decoded and re-encoded (mode="deep")',
      labelNames: [...set.labelNames, 'mode'],
      type: 'counter',
      read: (s: ModeSeries) => s.value,
    },
    series,
    () => 0,
  );
}

/** One series of `mm2ts_source_batches_total`: a group's batches of one mode. */
interface ModeSeries {
  readonly labels: SeriesLabels;
  value: number;
}
