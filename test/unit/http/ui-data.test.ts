import { describe, expect, it } from 'vitest';
import { statusPageData } from '../../../src/cli/status-page-data.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/index.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import type { RouteStatus } from '../../../src/runtime/route-runtime.ts';

const NOW = 1_800_000_000_000;

const config = loadMirrorMakerConfigText(
  [
    'clusters = A, B, C',
    'A.bootstrap.servers = a:9092',
    'B.bootstrap.servers = b:9092',
    'C.bootstrap.servers = c:9092',
    'B->C.enabled = true',
    'A->B.enabled = true',
  ].join('\n'),
);

function route(source: string, target: string, extra: Partial<RouteStatus> = {}): RouteStatus {
  return {
    route: `${source}->${target}`,
    source,
    target,
    enabled: true,
    state: 'RUNNING',
    connectors: [
      {
        name: 'MirrorSourceConnector',
        state: 'RUNNING',
        tasks: [{ id: 0, state: 'FAILED', trace: 'TopicAuthorizationException: denied\n  at …' }],
      },
    ],
    ...extra,
  } as RouteStatus;
}

describe('status page data', () => {
  it('adds each route’s totals, rate, lag, recovery point age and heartbeat hops to its status', async () => {
    let now = NOW;
    const metrics = createApplianceMetrics({ processMetrics: false, clock: () => now });
    const orders = metrics.source.partition({ source: 'B', target: 'C', topic: 'B.orders', partition: 0 });
    orders.lag(0);
    orders.polled(10, 100, 5, 5, 50);
    orders.acked(10, 1000, 1000, 10_000);
    const beats = metrics.source.partition({ source: 'B', target: 'C', topic: 'B.A.heartbeats', partition: 0 });
    beats.lag(3);
    beats.polled(2, 20, 1, 1, 2);
    beats.acked(2, 1, 1, 2);
    const local = metrics.source.partition({ source: 'B', target: 'C', topic: 'B.heartbeats', partition: 0 });
    local.lag(0);
    local.acked(1, 1, 1, 1);
    now += 5000;
    const data = await statusPageData({
      version: '1.2.3',
      routes: () => [
        route('B', 'C'),
        route('A', 'B', { state: 'FAILED', error: 'cannot reach <b>A</b>', connectors: [] }),
      ],
      configs: () => config.routes,
      metrics,
      clock: () => now,
    })();
    expect(data.generatedAt).toBe(new Date(now).toISOString());
    expect(data.version).toBe('1.2.3');
    expect(data.clusters).toEqual(['A', 'B', 'C']);
    const bc = data.routes.find((r) => r.route === 'B->C')!;
    expect(bc.replication).toMatchObject({ partitions: 3, records: 13, lagRecords: 3 });
    // The windowed record-rate of every partition of the route, summed: 13 records in the window.
    expect(bc.replication.recordsPerSecond).toBeGreaterThan(0);
    // Recovery point: the oldest partition's (the A heartbeats', not caught up: its newest acked record, 5 s ago).
    expect(bc.replication.recoveryPointAgeSeconds).toBe(5);
    expect(bc.heartbeats).toEqual([
      { topic: 'B.A.heartbeats', origin: 'A', hops: 2, records: 2 },
      { topic: 'B.heartbeats', origin: 'B', hops: 1, records: 1 },
    ]);
    expect(bc.connectors[0]!.tasks[0]).toEqual({
      id: 0,
      state: 'FAILED',
      trace: 'TopicAuthorizationException: denied\n  at …',
    });
    const ab = data.routes.find((r) => r.route === 'A->B')!;
    expect(ab).toMatchObject({ state: 'FAILED', error: 'cannot reach <b>A</b>', heartbeats: [] });
    // Nothing assigned yet: unknown, not zero.
    expect(ab.replication).toEqual({
      partitions: 0,
      records: 0,
      recordsPerSecond: null,
      lagRecords: null,
      recoveryPointAgeSeconds: null,
    });
  });
});
