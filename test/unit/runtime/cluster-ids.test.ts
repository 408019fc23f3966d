import { describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/index.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster } from '../../../src/kafka/index.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/index.ts';
import { ClusterIdReader, routeClusters } from '../../../src/runtime/cluster-ids.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/** A cluster whose DescribeCluster answers when the test says so (or never: unreachable). */
function fakeClusters() {
  const pending = new Map<string, { resolve: (id: string) => void; reject: (e: Error) => void }[]>();
  const opened: string[] = [];
  const closed: string[] = [];
  const open = (settings: KafkaClientSettings): KafkaCluster => {
    const bootstrap = settings.bootstrapServers.join(',');
    opened.push(bootstrap);
    const admin = {
      clusterId: () =>
        new Promise<string>((resolve, reject) => {
          pending.set(bootstrap, [...(pending.get(bootstrap) ?? []), { resolve, reject }]);
        }),
    } as unknown as KafkaAdmin;
    return {
      settings,
      admin: async () => admin,
      recordSource: () => Promise.reject(new Error('not used')),
      recordSink: () => Promise.reject(new Error('not used')),
      close: async () => {
        closed.push(bootstrap);
      },
    };
  };
  const answer = async (bootstrap: string, outcome: string | Error): Promise<void> => {
    await new Promise((r) => setImmediate(r)); // the read has reached DescribeCluster
    for (const p of pending.get(bootstrap) ?? []) {
      if (outcome instanceof Error) p.reject(outcome);
      else p.resolve(outcome);
    }
    pending.delete(bootstrap);
    await new Promise((r) => setImmediate(r));
  };
  return { open, answer, opened, closed };
}

const settings = (bootstrap: string): KafkaClientSettings => ({
  clientId: 'x',
  bootstrapServers: [bootstrap],
  securityProtocol: 'PLAINTEXT',
});

describe('ClusterIdReader (GET /: Kafka cluster ids)', () => {
  it('answers at once, null while a cluster has not answered, then its id; one read per cluster', async () => {
    const fake = fakeClusters();
    let now = 0;
    const clusters = new Map([
      ['A', settings('a:9092')],
      ['B', settings('b:9092')],
    ]);
    const reader = new ClusterIdReader({
      clusters: () => clusters,
      logger: silentLogger(),
      open: fake.open,
      now: () => now,
    });
    expect(reader.ids()).toEqual({ A: null, B: null });
    await fake.answer('a:9092', 'id-of-A');
    expect(reader.ids()).toEqual({ A: 'id-of-A', B: null });
    // B is still being read: no second read while one runs, and none for A (known).
    expect(fake.opened).toEqual(['a:9092', 'b:9092']);
    expect(fake.closed).toEqual(['a:9092']);

    // B fails (unreachable): asked again only after the retry interval.
    await fake.answer('b:9092', new Error('connection refused'));
    now = 10_000;
    expect(reader.ids()).toEqual({ A: 'id-of-A', B: null });
    expect(fake.opened).toHaveLength(2);
    now = 30_000;
    reader.ids();
    expect(fake.opened).toEqual(['a:9092', 'b:9092', 'b:9092']);
    await fake.answer('b:9092', 'id-of-B');
    expect(reader.ids()).toEqual({ A: 'id-of-A', B: 'id-of-B' });

    // A reload moved A's bootstrap: read again; a removed cluster is no longer reported.
    clusters.set('A', settings('a2:9092'));
    clusters.delete('B');
    expect(reader.ids()).toEqual({ A: null });
    await fake.answer('a2:9092', 'id-of-A2');
    expect(reader.ids()).toEqual({ A: 'id-of-A2' });
    await reader.settled();
    expect(fake.closed).toHaveLength(4);
  });

  it('a cluster that never answers times out; after close nothing is read', async () => {
    const fake = fakeClusters();
    const clusters = new Map([['A', settings('a:9092')]]);
    const reader = new ClusterIdReader({
      clusters: () => clusters,
      logger: silentLogger(),
      open: fake.open,
      timeoutMs: 20,
      retryMs: 0,
    });
    expect(reader.ids()).toEqual({ A: null });
    await reader.settled();
    expect(fake.closed).toEqual(['a:9092']);
    reader.close();
    expect(reader.ids()).toEqual({ A: null });
    expect(fake.opened).toHaveLength(1);
  });

  it('routeClusters: the clusters of the routes, with their cluster-level settings', () => {
    const config = loadMirrorMakerConfigText(
      'clusters = A, B, C\nA.bootstrap.servers = a:1\nB.bootstrap.servers = b:1\nC.bootstrap.servers = c:1\n' +
        'A->B.enabled = true\nB.security.protocol = SSL\n',
      { clusters: ['B'] },
    );
    const clusters = routeClusters(config);
    expect([...clusters.keys()].sort()).toEqual(['A', 'B', 'C']);
    expect(clusters.get('B')).toMatchObject({ bootstrapServers: ['b:1'], securityProtocol: 'SSL', clusterAlias: 'B' });
  });

  it("GET / keeps Connect's fields and adds kafka_clusters; kafka_cluster_id is the one target's", async () => {
    const metrics = createApplianceMetrics({ processMetrics: false, version: '0.0.0-test' });
    let info: { ids: Record<string, string | null>; worker?: string } = { ids: { A: 'id-A', B: null }, worker: 'B' };
    const app = await buildHttpApp({
      registry: metrics.registry,
      health: () => ({ status: 'healthy', message: '' }),
      logger: silentLogger(),
      version: '0.0.0-test',
      commit: 'abc',
      kafkaClusters: () => info,
    });
    try {
      expect((await app.inject({ url: '/' })).json()).toEqual({
        version: '0.0.0-test',
        commit: 'abc',
        kafka_cluster_id: null,
        kafka_clusters: { A: 'id-A', B: null },
      });
      info = { ids: { A: 'id-A', B: 'id-B' }, worker: 'B' };
      expect((await app.inject({ url: '/' })).json()).toMatchObject({ kafka_cluster_id: 'id-B' });
      info = { ids: { A: 'id-A', B: 'id-B' } };
      expect((await app.inject({ url: '/' })).json()).toMatchObject({ kafka_cluster_id: null });
    } finally {
      await app.close();
    }
  });
});
