import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { SourceTaskMetrics } from '../../../src/connectors/source/source-task-ports.ts';
import { SourceMetrics } from '../../../src/metrics/source-metrics.ts';
import { isMirrorError } from '../../../src/util/errors.ts';
import { series, value } from './scrape.ts';

const P = 'kafka_connect_mirror_source_connector_';
const labels = { source: 'A', target: 'B', topic: 'A.orders', partition: 3 };
const sel = { source: 'A', target: 'B', topic: 'A.orders', partition: '3' };

function setup(start = 1_700_000_000_000) {
  const clock = { now: start };
  const registry = new Registry();
  const metrics = new SourceMetrics(registry, { clock: () => clock.now });
  return { clock, registry, metrics };
}

describe('SourceMetrics: Java MirrorSourceMetrics equivalents', () => {
  it('shows an assigned partition at zero before any record, like Java does from task start', async () => {
    const { registry, metrics } = setup();
    metrics.partition(labels);
    expect(await value(registry, P + 'record_count', sel)).toBe(0);
    expect(await value(registry, P + 'byte_count', sel)).toBe(0);
    expect(await value(registry, P + 'record_age_ms', sel)).toBe(0);
    expect(await value(registry, P + 'replication_latency_ms_max', sel)).toBeNaN();
    expect(await value(registry, 'mm2ts_source_records_lost_to_retention_total', sel)).toBe(0);
    // Unknown until the first fetch says where the source ends.
    expect(await value(registry, 'mm2ts_source_replication_lag_records', sel)).toBeUndefined();
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBeUndefined();
  });

  it('counts bytes and ages at poll, records and latency at acknowledgement (Java record points)', async () => {
    const { clock, registry, metrics } = setup();
    const p = metrics.partition(labels);
    p.polled(4, 400, 10, 40, 100);
    expect(await value(registry, P + 'byte_count', sel)).toBe(400);
    expect(await value(registry, P + 'record_count', sel)).toBe(0); // not acknowledged yet
    expect(await value(registry, P + 'record_age_ms_min', sel)).toBe(10);
    expect(await value(registry, P + 'record_age_ms_max', sel)).toBe(40);
    expect(await value(registry, P + 'record_age_ms_avg', sel)).toBe(25);
    expect(await value(registry, P + 'record_age_ms', sel)).toBe(10); // last record: the newest
    clock.now += 1_000;
    p.acked(4, 50, 1_040, 2_200, 60);
    expect(await value(registry, P + 'record_count', sel)).toBe(4);
    expect(await value(registry, P + 'replication_latency_ms', sel)).toBe(60);
    expect(await value(registry, P + 'replication_latency_ms_min', sel)).toBe(50);
    expect(await value(registry, P + 'replication_latency_ms_max', sel)).toBe(1_040);
    expect(await value(registry, P + 'replication_latency_ms_avg', sel)).toBe(550);
    // Rates over Java's window: 1 s elapsed, padded by one 30 s window.
    expect(await value(registry, P + 'record_rate', sel)).toBeCloseTo(4 / 30);
    expect(await value(registry, P + 'byte_rate', sel)).toBeCloseTo(400 / 31);
  });

  it('exposes record_count and byte_count as counters and the rest as gauges', async () => {
    const { registry, metrics } = setup();
    metrics.partition(labels);
    const text = await registry.metrics();
    expect(text).toContain(`# TYPE ${P}record_count counter`);
    expect(text).toContain(`# TYPE ${P}byte_count counter`);
    expect(text).toContain(`# TYPE ${P}record_rate gauge`);
    expect(text).toContain(`# TYPE ${P}replication_latency_ms_avg gauge`);
    expect(text).toContain(`${P}record_count{source="A",target="B",topic="A.orders",partition="3"} 0`);
  });

  it('ignores empty batches instead of polluting min/max', async () => {
    const { registry, metrics } = setup();
    const p = metrics.partition(labels);
    p.polled(0, 0, Number.MAX_SAFE_INTEGER, 0, 0);
    p.acked(0, Number.MAX_SAFE_INTEGER, 0, 0);
    expect(await value(registry, P + 'record_age_ms_min', sel)).toBeNaN();
    expect(await value(registry, P + 'replication_latency_ms_min', sel)).toBeNaN();
  });

  it('drops the series of a removed partition; a replaced handle cannot remove its successor', async () => {
    const { registry, metrics } = setup();
    const old = metrics.partition(labels);
    const other = metrics.partition({ ...labels, partition: 4 });
    const fresh = metrics.partition(labels); // reassigned before the old task let go
    old.acked(1, 1, 1, 1); // the replaced handle no longer reports
    old.remove();
    expect(await value(registry, P + 'record_count', sel)).toBe(0);
    fresh.remove();
    other.remove();
    expect(await series(registry, P + 'record_count')).toEqual([]);
    expect(metrics.size).toBe(0);
  });

  it('plugs into the source task as its metrics port', async () => {
    const { registry, metrics } = setup();
    const port: SourceTaskMetrics = metrics; // compile-time check of the contract
    port.partition(labels).acked(1, 1, 1, 1);
    expect(await value(registry, P + 'record_count', sel)).toBe(1);
  });

  it('refuses a second SourceMetrics on the same registry with a typed error', () => {
    const { registry } = setup();
    let thrown: unknown;
    try {
      new SourceMetrics(registry);
    } catch (err) {
      thrown = err;
    }
    expect(isMirrorError(thrown) && thrown.code).toBe('ERR_METRICS_DUPLICATE');
  });

  it('keeps separate routes apart in one registry', async () => {
    const { registry, metrics } = setup();
    metrics.partition(labels).acked(2, 1, 1, 2);
    metrics.partition({ ...labels, source: 'C', topic: 'C.orders' }).acked(5, 1, 1, 5);
    expect(await value(registry, P + 'record_count', sel)).toBe(2);
    expect(await value(registry, P + 'record_count', { source: 'C' })).toBe(5);
  });
});

describe('SourceMetrics beyond Java: lag, retention loss, recovery point', () => {
  it('reports as lag the records not yet fetched plus those fetched but not acknowledged', async () => {
    const { registry, metrics } = setup();
    const p = metrics.partition(labels);
    p.polled(100, 0, 0, 0, 0);
    p.lag(50); // the fetch left 50 behind the high watermark
    expect(await value(registry, 'mm2ts_source_replication_lag_records', sel)).toBe(150);
    p.acked(60, 0, 0, 0);
    expect(await value(registry, 'mm2ts_source_replication_lag_records', sel)).toBe(90);
    p.acked(40, 0, 0, 0);
    p.lag(0);
    expect(await value(registry, 'mm2ts_source_replication_lag_records', sel)).toBe(0);
  });

  it('counts records lost to retention', async () => {
    const { registry, metrics } = setup();
    const p = metrics.partition(labels);
    p.lost(7);
    p.lost(3);
    expect(await value(registry, 'mm2ts_source_records_lost_to_retention_total', sel)).toBe(10);
  });

  it('moves the recovery point to the last caught-up fetch when everything up to it is acknowledged', async () => {
    const { clock, registry, metrics } = setup(1_000_000);
    const p = metrics.partition(labels);
    p.lag(0); // idle and caught up
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(1_000);
    clock.now = 1_010_000;
    p.polled(5, 0, 200, 400, 1_500); // records written at 1 009 600 … 1 009 800
    p.lag(0); // fetched up to the end seen at 1 010 000
    clock.now = 1_010_050;
    p.acked(5, 250, 450, 1_750); // newest acknowledged record: written at 1 009 800
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(1_010);
  });

  it('a caught-up partition left out of later fetch rounds (nothing new) follows the latest round', async () => {
    const { clock, registry, metrics } = setup(4_000_000);
    const rounds = { lastMs: 4_000_000 };
    const p = metrics.partition(labels, rounds);
    const behind = metrics.partition({ ...labels, partition: 4 }, rounds);
    const sel4 = { ...sel, partition: '4' };
    p.lag(0); // caught up at 4 000 000; later rounds leave it out
    behind.lag(7); // 7 records behind: a round leaving it out does not make it caught up
    clock.now = rounds.lastMs = 4_030_000;
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(4_030);
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel4)).toBeUndefined();
    // Records fetched and in flight: not caught up until acknowledged.
    p.polled(2, 0, 5, 5, 10);
    p.lag(0);
    clock.now = rounds.lastMs = 4_031_000;
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(4_030);
    p.acked(2, 10, 10, 20);
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(4_031);
    // The partition's fetch fails (no leader): later rounds say nothing about it.
    p.lagUnknown();
    clock.now = rounds.lastMs = 4_040_000;
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(4_031);
  });

  it('under continuous load follows the newest acknowledged record timestamp', async () => {
    const { clock, registry, metrics } = setup(2_000_000);
    const p = metrics.partition(labels);
    p.polled(10, 0, 5, 50, 200);
    p.lag(0);
    p.polled(10, 0, 1, 9, 50); // the next fetch is in flight while the first is acknowledged
    p.lag(3);
    clock.now = 2_000_100;
    p.acked(10, 120, 160, 1_400); // newest acknowledged: written at 1 999 980
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(1_999.98);
    expect(await value(registry, 'mm2ts_source_replication_lag_records', sel)).toBe(13);
  });

  it('never moves the recovery point backwards on an older acknowledged batch', async () => {
    const { clock, registry, metrics } = setup(3_000_000);
    const p = metrics.partition(labels);
    p.polled(2, 0, 0, 0, 0);
    p.lag(5);
    p.acked(1, 10, 10, 10); // written at 2 999 990
    clock.now = 3_000_010;
    p.acked(1, 500, 500, 500); // an older record (timestamps are not monotonic)
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', sel)).toBe(2_999.99);
  });
});
