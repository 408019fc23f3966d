import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  CheckpointMetrics,
  createApplianceMetrics,
  DEFAULT_METRICS_LEVEL,
  METRICS_LEVELS,
  parseMetricsLevel,
  SourceMetrics,
  type MetricsLevel,
} from '../../../src/metrics/index.ts';
import { isMirrorError } from '../../../src/util/errors.ts';
import { series, value } from './scrape.ts';

const P = 'kafka_connect_mirror_source_connector_';
const START = 1_700_000_000_000;

function setup(level: MetricsLevel) {
  const clock = { now: START };
  const registry = new Registry();
  const metrics = new SourceMetrics(registry, { clock: () => clock.now, level });
  return { clock, registry, metrics };
}

/** A source with `topics` topics of `partitions` partitions each, every partition with a record copied. */
function estate(topics: number, partitions: number, level: MetricsLevel) {
  const metrics = createApplianceMetrics({ processMetrics: false, version: '0.0.0-test', level });
  for (let t = 0; t < topics; t++) {
    for (let p = 0; p < partitions; p++) {
      const m = metrics.source.partition({ source: 'A', target: 'B', topic: `A.s-${t}`, partition: p });
      m.polled(1, 100, 5, 5, 5);
      m.lag(0);
      m.acked(1, 7, 7, 7);
    }
  }
  return metrics;
}

const SOURCE_FAMILIES = 15;

describe('mm2ts.metrics.level: how finely the per-partition families are exported', () => {
  it('exports one series per partition, per topic or per route', async () => {
    const expected: Record<MetricsLevel, number> = { partition: 6 * 8, topic: 6, route: 1 };
    for (const level of METRICS_LEVELS) {
      const { registry } = estate(6, 8, level);
      for (const name of [
        P + 'record_count',
        P + 'replication_latency_ms_avg',
        'mm2ts_source_replication_lag_records',
      ]) {
        const got = await series(registry, name);
        expect(got.length, `${level} ${name}`).toBe(expected[level]);
        const labels = Object.keys(got[0]!.labels).sort();
        expect(labels, level).toEqual(
          level === 'partition'
            ? ['partition', 'source', 'target', 'topic']
            : level === 'topic'
              ? ['source', 'target', 'topic']
              : ['source', 'target'],
        );
      }
    }
  });

  it('at the default level (topic), 8,000 partitions make a scrape under 2 MB; per partition it is several times larger', async () => {
    expect(DEFAULT_METRICS_LEVEL).toBe('topic');
    const topicText = await estate(1000, 8, 'topic').registry.metrics();
    const topicSeries = topicText.split('\n').filter((l) => l.startsWith(P) || l.startsWith('mm2ts_source_')).length;
    expect(topicSeries).toBe(1000 * SOURCE_FAMILIES);
    expect(Buffer.byteLength(topicText)).toBeLessThan(2_000_000);
    const routeText = await estate(1000, 8, 'route').registry.metrics();
    expect(Buffer.byteLength(routeText)).toBeLessThan(20_000);
    // Per partition: the same 1,000 topics with 8 partitions, measured on 100 topics (linear).
    const partitionText = await estate(100, 8, 'partition').registry.metrics();
    expect(Buffer.byteLength(partitionText) * 10).toBeGreaterThan(8 * 1_000_000);
  });

  it('adds counts, rates and lag; keeps the extremes of min/max and last values; weights averages by count', async () => {
    const { clock, registry, metrics } = setup('topic');
    const a = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 0 });
    const b = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 1 });
    const other = metrics.partition({ source: 'A', target: 'B', topic: 'A.u', partition: 0 });
    a.polled(3, 300, 10, 30, 60, 30);
    b.polled(1, 50, 100, 100, 100);
    other.polled(1, 1, 1, 1, 1);
    a.lag(5);
    b.lag(2);
    a.lost(4);
    clock.now += 1_000;
    a.acked(3, 20, 40, 90, 40);
    b.acked(1, 200, 200, 200);
    const t = { source: 'A', target: 'B', topic: 'A.t' };
    expect(await value(registry, P + 'record_count', t)).toBe(4);
    expect(await value(registry, P + 'byte_count', t)).toBe(350);
    expect(await value(registry, P + 'record_rate', t)).toBeCloseTo(4 / 30);
    expect(await value(registry, P + 'record_age_ms', t)).toBe(100);
    expect(await value(registry, P + 'record_age_ms_min', t)).toBe(10);
    expect(await value(registry, P + 'record_age_ms_max', t)).toBe(100);
    // (60 + 100) / 4 records, not the mean of the partitions' averages (20 and 100).
    expect(await value(registry, P + 'record_age_ms_avg', t)).toBe(40);
    expect(await value(registry, P + 'replication_latency_ms_avg', t)).toBe(72.5);
    expect(await value(registry, P + 'replication_latency_ms', t)).toBe(200);
    expect(await value(registry, 'mm2ts_source_replication_lag_records', t)).toBe(7);
    expect(await value(registry, 'mm2ts_source_records_lost_to_retention_total', t)).toBe(4);
    // The other topic is its own series.
    expect(await value(registry, P + 'byte_count', { topic: 'A.u' })).toBe(1);
  });

  it('takes the oldest recovery point, skips partitions without one, and leaves NaN windows out of min/max/avg', async () => {
    const { clock, registry, metrics } = setup('route');
    const a = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 0 });
    const b = metrics.partition({ source: 'A', target: 'B', topic: 'A.u', partition: 0 });
    const r = { source: 'A', target: 'B' };
    // Nothing known yet: no lag, no recovery point, NaN windows, zero counts.
    expect(await value(registry, 'mm2ts_source_replication_lag_records', r)).toBeUndefined();
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', r)).toBeUndefined();
    expect(await value(registry, P + 'replication_latency_ms_max', r)).toBeNaN();
    expect(await value(registry, P + 'replication_latency_ms_avg', r)).toBeNaN();
    expect(await value(registry, P + 'record_count', r)).toBe(0);
    a.lag(0); // a caught up at START
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', r)).toBe(START / 1000);
    expect(await value(registry, 'mm2ts_source_replication_lag_records', r)).toBe(0);
    clock.now += 5_000;
    b.lag(0); // b caught up 5 s later: the route's recovery point is still a's
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', r)).toBe(START / 1000);
    a.polled(1, 1, 3, 3, 3);
    a.acked(1, 9, 9, 9); // a's newest copied record was written 9 ms ago: now a is just older than b
    expect(await value(registry, 'mm2ts_source_recovery_point_timestamp_seconds', r)).toBe((START + 4_991) / 1000);
    expect(await value(registry, P + 'replication_latency_ms_max', r)).toBe(9);
    expect(await value(registry, P + 'replication_latency_ms_min', r)).toBe(9);
    expect(await value(registry, P + 'replication_latency_ms_avg', r)).toBe(9);
  });

  it('follows assignment: a removed partition leaves its topic series, the last one takes the series away', async () => {
    const { registry, metrics } = setup('topic');
    const a = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 0 });
    const b = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 1 });
    a.polled(2, 20, 1, 1, 2);
    b.polled(3, 30, 1, 1, 3);
    expect(await value(registry, P + 'byte_count', { topic: 'A.t' })).toBe(50);
    a.remove();
    expect(await value(registry, P + 'byte_count', { topic: 'A.t' })).toBe(30);
    // A reassigned partition replaces its handle without counting twice.
    const b2 = metrics.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 1 });
    b2.polled(1, 5, 1, 1, 1);
    expect(await value(registry, P + 'byte_count', { topic: 'A.t' })).toBe(5);
    b.remove(); // the replaced handle's removal does not take the new one
    expect(await value(registry, P + 'byte_count', { topic: 'A.t' })).toBe(5);
    b2.remove();
    expect(await series(registry, P + 'byte_count')).toEqual([]);
  });

  it('aggregates checkpoint group partitions per group and topic, or per group, adding failover costs', async () => {
    for (const [level, keys] of [
      ['topic', { topic: 'A.t' }],
      ['route', {}],
    ] as const) {
      const registry = new Registry();
      const metrics = new CheckpointMetrics(registry, { clock: () => START, level });
      for (const partition of [0, 1, 2]) {
        const g = metrics.partition({ source: 'A', target: 'B', group: 'g', topic: 'A.t', partition });
        g.failover(partition, 1);
        g.checkpointed(10 * (partition + 1));
      }
      metrics.partition({ source: 'A', target: 'B', group: 'h', topic: 'A.t', partition: 0 }).failover(7, 7);
      const sel = { group: 'g', ...keys };
      expect(await value(registry, 'mm2ts_checkpoint_failover_reread_records', sel), level).toBe(3);
      expect(await value(registry, 'mm2ts_checkpoint_failover_missed_records', sel), level).toBe(3);
      expect(await value(registry, 'kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_max', sel)).toBe(
        30,
      );
      expect(await value(registry, 'kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms_avg', sel)).toBe(
        20,
      );
      expect((await series(registry, 'mm2ts_checkpoint_failover_reread_records')).length, level).toBe(2);
    }
  });

  it('reads the key: topic by default, any level by name, anything else a configuration error', () => {
    expect(parseMetricsLevel(undefined)).toBe('topic');
    expect(parseMetricsLevel('  ')).toBe('topic');
    expect(parseMetricsLevel('Partition')).toBe('partition');
    expect(parseMetricsLevel('route')).toBe('route');
    let caught: unknown;
    try {
      parseMetricsLevel('group');
    } catch (err) {
      caught = err;
    }
    expect(isMirrorError(caught) && caught.code).toBe('ERR_CONFIG');
    expect(String(caught)).toContain('partition, topic, route');
  });
});
