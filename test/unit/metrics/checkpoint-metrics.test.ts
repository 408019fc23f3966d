import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CheckpointMetrics } from '../../../src/metrics/checkpoint-metrics.ts';
import { series, value } from './scrape.ts';

const P = 'kafka_connect_mirror_checkpoint_connector_';

function setup() {
  const clock = { now: 1_700_000_000_000 };
  const registry = new Registry();
  const metrics = new CheckpointMetrics(registry, { clock: () => clock.now });
  return { clock, registry, metrics };
}

describe('CheckpointMetrics', () => {
  it('keeps checkpoint latency per group partition (no Java shared-sensor quirk)', async () => {
    const { registry, metrics } = setup();
    const g1 = metrics.partition({ source: 'A', target: 'B', group: 'g1', topic: 'A.t', partition: 0 });
    const g2 = metrics.partition({ source: 'A', target: 'B', group: 'g2', topic: 'A.t', partition: 0 });
    g1.checkpointed(10);
    g1.checkpointed(30);
    g2.checkpointed(500);
    // In Java every recording lands in every group's stats; here g1 does not see g2's 500 ms.
    expect(await value(registry, P + 'checkpoint_latency_ms_max', { group: 'g1' })).toBe(30);
    expect(await value(registry, P + 'checkpoint_latency_ms_min', { group: 'g1' })).toBe(10);
    expect(await value(registry, P + 'checkpoint_latency_ms_avg', { group: 'g1' })).toBe(20);
    expect(await value(registry, P + 'checkpoint_latency_ms', { group: 'g1' })).toBe(30);
    expect(await value(registry, P + 'checkpoint_latency_ms_max', { group: 'g2' })).toBe(500);
    expect((await series(registry, P + 'checkpoint_latency_ms'))[0]?.labels).toEqual({
      source: 'A',
      target: 'B',
      group: 'g1',
      topic: 'A.t',
      partition: '0',
    });
  });

  it('reports failover re-read and missed records once the runtime computed them', async () => {
    const { registry, metrics } = setup();
    const g = metrics.partition({ source: 'A', target: 'B', group: 'g', topic: 'A.t', partition: 2 });
    expect(await value(registry, 'mm2ts_checkpoint_failover_reread_records')).toBeUndefined();
    g.failover(12, 0);
    expect(await value(registry, 'mm2ts_checkpoint_failover_reread_records')).toBe(12);
    expect(await value(registry, 'mm2ts_checkpoint_failover_missed_records')).toBe(0);
    g.remove();
    expect(await series(registry, 'mm2ts_checkpoint_failover_reread_records')).toEqual([]);
  });

  it('tracks the newest offset-sync and checkpoint timestamps per route, never going back', async () => {
    const { registry, metrics } = setup();
    const r = metrics.route({ source: 'A', target: 'B' });
    expect(await value(registry, 'mm2ts_checkpoint_newest_offset_sync_timestamp_seconds')).toBeUndefined();
    r.offsetSync(5_000);
    r.offsetSync(4_000);
    r.checkpoint(7_500);
    expect(await value(registry, 'mm2ts_checkpoint_newest_offset_sync_timestamp_seconds')).toBe(5);
    expect(await value(registry, 'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds')).toBe(7.5);
    r.remove();
    expect(await series(registry, 'mm2ts_checkpoint_newest_checkpoint_timestamp_seconds')).toEqual([]);
  });
});
