import { describe, expect, it } from 'vitest';
import { LoadMeter } from '../../../src/runtime/membership-load.ts';

describe('LoadMeter (the load a scale-out member reports)', () => {
  it('reports bytes/s per partition unit between reports, the last lag, and forgets a removed partition', () => {
    let now = 0;
    const meter = new LoadMeter(() => now);
    const metrics = meter.wrap('A->B', undefined);
    const p0 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 0 });
    const p1 = metrics.partition({ source: 'A', target: 'B', topic: 'orders', partition: 1 });
    expect(meter.report()).toEqual({ load: {}, lag: {} });
    p0.polled(10, 4_000, 0, 0, 0);
    p1.polled(1, 1_000, 0, 0, 0);
    p0.lag(42);
    now = 2_000;
    expect(meter.report()).toEqual({
      load: { 'A->B:orders:0': 2_000, 'A->B:orders:1': 500 },
      lag: { 'A->B:orders:0': 42 },
    });
    // A join sooner than the window after the last one reports the same rates.
    now = 2_500;
    expect(meter.report().load).toEqual({ 'A->B:orders:0': 2_000, 'A->B:orders:1': 500 });
    p1.remove();
    now = 4_000;
    expect(meter.report()).toEqual({ load: { 'A->B:orders:0': 0 }, lag: { 'A->B:orders:0': 42 } });
  });
});
