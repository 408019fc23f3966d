import { describe, expect, it } from 'vitest';
import { LoadMeter } from '../../../src/runtime/membership-load.ts';

describe('LoadMeter (the load a scale-out member reports)', () => {
  it('reports bytes/s and records/s per partition unit between reports, the last lag, and forgets a removed partition', () => {
    let now = 0;
    const meter = new LoadMeter(() => now);
    const metrics = meter.wrap('A->B', undefined);
    const p0 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 0 });
    const p1 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 1 });
    expect(meter.report()).toEqual({ load: {}, records: {}, lag: {} });
    p0.polled(10, 8_000, 0, 0, 0);
    p1.polled(1, 2_000, 0, 0, 0);
    p0.lag(42);
    now = 4_000;
    expect(meter.report()).toEqual({
      load: { 'A->B:orders:0': 2_000, 'A->B:orders:1': 500 },
      records: { 'A->B:orders:0': 2.5, 'A->B:orders:1': 0.25 },
      lag: { 'A->B:orders:0': 42 },
    });
    // A join sooner than the window after the last one reports the same rates.
    now = 4_500;
    expect(meter.report().load).toEqual({ 'A->B:orders:0': 2_000, 'A->B:orders:1': 500 });
    p1.remove();
    now = 8_000;
    expect(meter.report()).toEqual({
      load: { 'A->B:orders:0': 0 },
      records: { 'A->B:orders:0': 0 },
      lag: { 'A->B:orders:0': 42 },
    });
  });

  it('does not report a partition copied here for less than 3 s, then measures it from its start', () => {
    let now = 0;
    const meter = new LoadMeter(() => now);
    const metrics = meter.wrap('A->B', undefined);
    const p0 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 0 });
    meter.report();
    now = 10_000;
    p0.polled(1, 10_000, 0, 0, 0);
    // A partition taken over 1 s before the join: its 1 s of copying would read as nearly idle.
    now = 19_000;
    const p1 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 1 });
    now = 20_000;
    p1.polled(1, 3_000, 0, 0, 0);
    expect(meter.report().load).toEqual({ 'A->B:orders:0': 500 });
    // The next window (3 s): p1 is measured like any other partition.
    now = 23_000;
    p1.polled(1, 6_000, 0, 0, 0);
    expect(meter.report().load).toEqual({ 'A->B:orders:0': 0, 'A->B:orders:1': 2_000 });
  });
});
