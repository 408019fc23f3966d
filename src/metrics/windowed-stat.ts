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

export class WindowedStat {
  private readonly samples: number;
  private readonly windowMs: number;
  private readonly start: Float64Array;
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
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
    this.start = new Float64Array(this.samples).fill(Number.NaN);
    this.count = new Float64Array(this.samples);
    this.sum = new Float64Array(this.samples);
    this.lo = new Float64Array(this.samples);
    this.hi = new Float64Array(this.samples);
  }

  /**
   * Records `count` values at once, given their sum, min, max and the last one (in recording
   * order). Equivalent to `count` calls of Java's `Sensor.record(v)` at the same instant.
   */
  record(count: number, sum: number, min: number, max: number, last: number, nowMs: number): void {
    if (!(count > 0)) return;
    const i = this.slotFor(nowMs);
    this.count[i]! += count;
    this.sum[i]! += sum;
    if (min < this.lo[i]!) this.lo[i] = min;
    if (max > this.hi[i]!) this.hi[i] = max;
    this.last = last;
  }

  /** Adds to the windowed sum only (for `-rate` stats, where min/max are not read). */
  add(amount: number, nowMs: number): void {
    const i = this.slotFor(nowMs);
    this.count[i]! += 1;
    this.sum[i]! += amount;
  }

  /** Java `Max`: the largest value in the live samples, NaN when none was recorded. */
  max(nowMs: number): number {
    let n = 0;
    let m = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.count[i]!;
      if (this.hi[i]! > m) m = this.hi[i]!;
    }
    return n === 0 ? Number.NaN : m;
  }

  /** Java `Min`: the smallest value in the live samples, NaN when none was recorded. */
  min(nowMs: number): number {
    let n = 0;
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.count[i]!;
      if (this.lo[i]! < m) m = this.lo[i]!;
    }
    return n === 0 ? Number.NaN : m;
  }

  /** Java `Avg`: sum over count of the live samples, NaN when none was recorded. */
  avg(nowMs: number): number {
    let n = 0;
    let s = 0;
    for (let i = 0; i < this.samples; i++) {
      if (!this.live(i, nowMs)) continue;
      n += this.count[i]!;
      s += this.sum[i]!;
    }
    return n === 0 ? Number.NaN : s / n;
  }

  /** Values recorded in the live samples (the weight of `avg` when averaging several stats). */
  liveCount(nowMs: number): number {
    let n = 0;
    for (let i = 0; i < this.samples; i++) if (this.live(i, nowMs)) n += this.count[i]!;
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
      s += this.sum[i]!;
      if (this.start[i]! < oldest) oldest = this.start[i]!;
    }
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.windowMs);
    const minFullWindows = this.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.windowMs;
    return elapsed > 0 ? s / (elapsed / 1000) : 0;
  }

  /** Java's `purgeObsoleteSamples` as a read-only test: a sample older than the whole window is ignored. */
  private live(i: number, nowMs: number): boolean {
    const start = this.start[i]!;
    return start === start && nowMs - start < this.samples * this.windowMs;
  }

  /** The sample to record into, advancing (and resetting) the ring when the current one is complete. */
  private slotFor(nowMs: number): number {
    let i = this.current;
    if (i < 0 || nowMs - this.start[i]! >= this.windowMs) {
      i = this.current = (i + 1) % this.samples;
      this.start[i] = nowMs;
      this.count[i] = 0;
      this.sum[i] = 0;
      this.lo[i] = Number.POSITIVE_INFINITY;
      this.hi[i] = Number.NEGATIVE_INFINITY;
    }
    return i;
  }
}
