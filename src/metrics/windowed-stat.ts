/**
 * Kafka's sampled statistics (`SampledStat`, `Max`, `Min`, `Avg`, `Rate`, `Value`) over a ring of
 * time windows, so the `-min`, `-max`, `-avg` and `-rate` gauges mean what the JMX attributes of
 * Java MM2 mean. Java's default metric config is 2 samples of 30 s (`metrics.num.samples`,
 * `metrics.sample.window.ms`).
 *
 * Cost: recording is a few float writes into preallocated typed arrays (no allocation, no
 * hashing); reading walks `samples` slots. Reads never mutate, so a scrape cannot disturb the
 * hot path's windows.
 */

export interface WindowConfig {
  /** Number of samples kept (Java `metrics.num.samples`, default 2). */
  readonly samples: number;
  /** Length of one sample in ms (Java `metrics.sample.window.ms`, default 30000). */
  readonly windowMs: number;
}

/** Java's defaults: 2 × 30 s. */
export const KAFKA_DEFAULT_WINDOW: WindowConfig = Object.freeze({ samples: 2, windowMs: 30_000 });

/** Layout of one sample in {@link WindowedStat}'s array. */
const START = 0;
const COUNT = 1;
const SUM = 2;
const LO = 3;
const HI = 4;
const FIELDS = 5;

export class WindowedStat {
  private readonly samples: number;
  private readonly windowMs: number;
  /**
   * Sample i's start, count, sum, min and max at `i * FIELDS + START` … `+ HI`: one typed array
   * per stat. A mirror keeps four stats per partition, and at thousands of partitions an array
   * (and ArrayBuffer) per field weighed more than the numbers in it.
   */
  private readonly data: Float64Array;
  /** Slot of the current sample; -1 until the first recording (Java creates samples lazily). */
  private current = -1;
  /** Java's `Value` stat: the last recorded value, 0 before any recording, never windowed. */
  last = 0;

  constructor(config: WindowConfig = KAFKA_DEFAULT_WINDOW) {
    if (!(config.samples >= 1) || !(config.windowMs > 0)) {
      throw new RangeError(`window needs samples >= 1 and windowMs > 0, got ${config.samples} × ${config.windowMs}`);
    }
    this.samples = Math.floor(config.samples);
    this.windowMs = config.windowMs;
    this.data = new Float64Array(this.samples * FIELDS);
    for (let i = 0; i < this.samples; i++) this.data[i * FIELDS + START] = Number.NaN;
  }

  /**
   * Records `count` values at once, given their sum, min, max and the last one (in recording
   * order). Equivalent to `count` calls of Java's `Sensor.record(v)` at the same instant.
   */
  record(count: number, sum: number, min: number, max: number, last: number, nowMs: number): void {
    if (!(count > 0)) return;
    const i = this.slotFor(nowMs);
    this.data[i * FIELDS + COUNT]! += count;
    this.data[i * FIELDS + SUM]! += sum;
    if (min < this.data[i * FIELDS + LO]!) this.data[i * FIELDS + LO] = min;
    if (max > this.data[i * FIELDS + HI]!) this.data[i * FIELDS + HI] = max;
    this.last = last;
  }

  /** Adds to the windowed sum only (for `-rate` stats, where min/max are not read). */
  add(amount: number, nowMs: number): void {
    const i = this.slotFor(nowMs);
    this.data[i * FIELDS + COUNT]! += 1;
    this.data[i * FIELDS + SUM]! += amount;
  }

  /** Java `Max`: the largest value in the live samples, NaN when none was recorded. */
  max(nowMs: number): number {
    let n = 0;
    let m = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.data[i * FIELDS + COUNT]!;
      if (this.data[i * FIELDS + HI]! > m) m = this.data[i * FIELDS + HI]!;
    }
    return n === 0 ? Number.NaN : m;
  }

  /** Java `Min`: the smallest value in the live samples, NaN when none was recorded. */
  min(nowMs: number): number {
    let n = 0;
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.data[i * FIELDS + COUNT]!;
      if (this.data[i * FIELDS + LO]! < m) m = this.data[i * FIELDS + LO]!;
    }
    return n === 0 ? Number.NaN : m;
  }

  /** Java `Avg`: sum over count of the live samples, NaN when none was recorded. */
  avg(nowMs: number): number {
    let n = 0;
    let s = 0;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.data[i * FIELDS + COUNT]!;
      s += this.data[i * FIELDS + SUM]!;
    }
    return n === 0 ? Number.NaN : s / n;
  }

  /** Values recorded in the live samples (the weight of `avg` when averaging several stats). */
  liveCount(nowMs: number): number {
    let n = 0;
    for (let i = 0; i < this.samples; i++) if (this.live(i, nowMs)) n += this.data[i * FIELDS + COUNT]!;
    return n;
  }

  /**
   * Java `Rate` (per second, over a `WindowedSum`): the live sum divided by the elapsed window,
   * which is never shorter than `samples - 1` full windows, so a fresh stat does not spike.
   */
  ratePerSecond(nowMs: number): number {
    let s = 0;
    let oldest = nowMs;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      s += this.data[i * FIELDS + SUM]!;
      if (this.data[i * FIELDS + START]! < oldest) oldest = this.data[i * FIELDS + START]!;
    }
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.windowMs);
    const minFullWindows = this.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.windowMs;
    return elapsed > 0 ? s / (elapsed / 1000) : 0;
  }

  /** Java's `purgeObsoleteSamples` as a read-only test: a sample older than the whole window is ignored. */
  private live(i: number, nowMs: number): boolean {
    const start = this.data[i * FIELDS + START]!;
    return start === start && nowMs - start < this.samples * this.windowMs;
  }

  /** The sample to record into, advancing (and resetting) the ring when the current one is complete. */
  private slotFor(nowMs: number): number {
    let i = this.current;
    if (i < 0 || nowMs - this.data[i * FIELDS + START]! >= this.windowMs) {
      i = this.current = (i + 1) % this.samples;
      this.data[i * FIELDS + START] = nowMs;
      this.data[i * FIELDS + COUNT] = 0;
      this.data[i * FIELDS + SUM] = 0;
      this.data[i * FIELDS + LO] = Number.POSITIVE_INFINITY;
      this.data[i * FIELDS + HI] = Number.NEGATIVE_INFINITY;
    }
    return i;
  }
}
