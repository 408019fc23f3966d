import { NO_METRICS, type PartitionMetrics, type SourceTaskMetrics } from '../connectors/source/source-task-ports.ts';
import { partitionUnit } from './membership-assignor.ts';

/** Rates are measured over at least this long; a join sooner after the last one reports the last rates. */
const MIN_WINDOW_MS = 1_000;
/**
 * A partition copied here for less than this is not reported: its task may still be starting, and a
 * rate over a few hundred milliseconds would weigh it as nearly idle, so the leader would pile
 * partitions on the member that just took some. Unreported, it weighs as the average partition.
 */
const MIN_UNIT_WINDOW_MS = 3_000;

/**
 * The load a scale-out member reports in its metadata (src/runtime/membership-assignor.ts balances
 * it): bytes/s copied and lag per partition unit, measured between two joins. It taps the source
 * tasks' per-partition metric calls (batch aggregates, so the hot path gains one call per batch),
 * and only when scale-out is on: a single process never builds it.
 */
export class LoadMeter {
  private readonly bytes = new Map<string, number>();
  private readonly records = new Map<string, number>();
  private readonly lags = new Map<string, number>();
  /** When each partition's task started reporting here: its rate is measured from then at the earliest. */
  private readonly since = new Map<string, number>();
  private last: { at: number; bytes: Map<string, number>; records: Map<string, number> } | undefined;
  private rates: Record<string, number> = {};
  private recordRates: Record<string, number> = {};
  private readonly clock: () => number;

  constructor(clock: () => number = () => performance.now()) {
    this.clock = clock;
  }

  /** `metrics` (or none) for the source tasks of `route`, counting bytes and lag per partition on the way. */
  wrap(route: string, metrics: SourceTaskMetrics | undefined): SourceTaskMetrics {
    const inner = metrics ?? NO_METRICS;
    return {
      partition: (labels, rounds): PartitionMetrics => {
        const p = inner.partition(labels, rounds);
        const unit = partitionUnit(route, labels.topic, labels.partition);
        if (!this.since.has(unit)) this.since.set(unit, this.clock());
        return {
          polled: (count, bytes, minAgeMs, maxAgeMs, sumAgeMs) => {
            this.bytes.set(unit, (this.bytes.get(unit) ?? 0) + bytes);
            this.records.set(unit, (this.records.get(unit) ?? 0) + count);
            p.polled(count, bytes, minAgeMs, maxAgeMs, sumAgeMs);
          },
          acked: (count, minLatencyMs, maxLatencyMs, sumLatencyMs) =>
            p.acked(count, minLatencyMs, maxLatencyMs, sumLatencyMs),
          lag: (records) => {
            this.lags.set(unit, records);
            p.lag(records);
          },
          lagUnknown: () => p.lagUnknown?.(),
          lost: (records) => p.lost(records),
          remove: () => {
            // The partition's task stopped here (it moved, or the route stopped): no longer ours to report.
            this.bytes.delete(unit);
            this.records.delete(unit);
            this.lags.delete(unit);
            this.since.delete(unit);
            p.remove();
          },
        };
      },
    };
  }

  /** Bytes/s and records/s per partition unit since the previous report, and the last lag seen. */
  report(): { load: Record<string, number>; records: Record<string, number>; lag: Record<string, number> } {
    const now = this.clock();
    if (this.last === undefined || now - this.last.at >= MIN_WINDOW_MS) {
      const previous = this.last;
      if (previous !== undefined) {
        const rates: Record<string, number> = {};
        const recordRates: Record<string, number> = {};
        for (const [unit, total] of this.bytes) {
          const from = Math.max(previous.at, this.since.get(unit) ?? previous.at);
          if (now - from < MIN_UNIT_WINDOW_MS) continue;
          const seconds = (now - from) / 1000;
          rates[unit] = Math.round(Math.max(0, total - (previous.bytes.get(unit) ?? 0)) / seconds);
          const records = Math.max(0, (this.records.get(unit) ?? 0) - (previous.records.get(unit) ?? 0));
          recordRates[unit] = Math.round((records / seconds) * 100) / 100;
        }
        this.rates = rates;
        this.recordRates = recordRates;
      }
      this.last = { at: now, bytes: new Map(this.bytes), records: new Map(this.records) };
    }
    return { load: { ...this.rates }, records: { ...this.recordRates }, lag: Object.fromEntries(this.lags) };
  }
}
