import { describe, expect, it } from 'vitest';
import { KAFKA_DEFAULT_WINDOW, WindowedStat } from '../../../src/metrics/windowed-stat.ts';

describe('WindowedStat (Kafka SampledStat semantics, 2 × 30 s)', () => {
  it('reports NaN for min/max/avg and 0 for the last value before any recording, like Java', () => {
    const s = new WindowedStat();
    expect(s.min(0)).toBeNaN();
    expect(s.max(0)).toBeNaN();
    expect(s.avg(0)).toBeNaN();
    expect(s.last).toBe(0);
    expect(s.ratePerSecond(0)).toBe(0);
  });

  it('combines batches as if every value had been recorded one by one', () => {
    const s = new WindowedStat();
    s.record(3, 60, 10, 30, 30, 1_000); // 10, 20, 30
    s.record(2, 10, 4, 6, 4, 2_000); // 6, 4
    expect(s.min(2_000)).toBe(4);
    expect(s.max(2_000)).toBe(30);
    expect(s.avg(2_000)).toBe(14);
    expect(s.last).toBe(4);
  });

  it('forgets a sample once it is older than samples × window, keeping the last value', () => {
    const s = new WindowedStat(KAFKA_DEFAULT_WINDOW);
    s.record(1, 100, 100, 100, 100, 0); // sample 0 starts at 0
    s.record(1, 5, 5, 5, 5, 30_000); // sample 0 is complete: sample 1 starts at 30 000
    expect(s.max(59_999)).toBe(100);
    expect(s.max(60_000)).toBe(5); // sample 0 is 60 s old: obsolete
    expect(s.min(60_000)).toBe(5);
    expect(s.max(90_000)).toBeNaN(); // both obsolete
    expect(s.last).toBe(5);
  });

  it('reuses the oldest slot when the ring is full', () => {
    const s = new WindowedStat({ samples: 2, windowMs: 10 });
    s.record(1, 1, 1, 1, 1, 0);
    s.record(1, 2, 2, 2, 2, 10);
    s.record(1, 3, 3, 3, 3, 20); // overwrites the sample started at 0
    expect(s.min(20)).toBe(2);
    expect(s.max(20)).toBe(3);
    expect(s.avg(20)).toBe(2.5);
  });

  it('divides a rate by at least samples − 1 full windows, like Java Rate', () => {
    const s = new WindowedStat();
    s.add(300, 0);
    // 1 s after the first event Java divides by 1 s + one extra 30 s window.
    expect(s.ratePerSecond(1_000)).toBeCloseTo(300 / 31);
    s.add(300, 45_000);
    // 45 s elapsed since the oldest live sample: one full window, no padding.
    expect(s.ratePerSecond(45_000)).toBeCloseTo(600 / 45);
    // The first sample has expired at 60 s; the second (started at 45 s) remains.
    expect(s.ratePerSecond(61_000)).toBeCloseTo(300 / 46);
  });

  it('rejects a window without samples', () => {
    expect(() => new WindowedStat({ samples: 0, windowMs: 1 })).toThrow(RangeError);
  });
});
