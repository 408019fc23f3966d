import { describe, expect, it } from 'vitest';
import {
  MirrorClient,
  MirrorClientError,
  encodeCheckpointKey,
  encodeCheckpointValue,
  type Checkpoint,
  type KafkaClientSettings,
} from '../../../src/index.ts';
import { InMemoryKafka, type InMemoryCluster } from '../../support/in-memory-kafka.ts';

function clientOn(topics: string[], props: Record<string, string> = {}, defaultTimeoutMs?: number) {
  const kafka = new InMemoryKafka();
  kafka.maxRecordsPerFetch = 2; // reads take several rounds
  for (const t of topics) kafka.addTopic(t);
  const opened: InMemoryCluster[] = [];
  const open = (settings: KafkaClientSettings): InMemoryCluster => {
    const cluster = kafka.cluster(settings);
    opened.push(cluster);
    return cluster;
  };
  const client = new MirrorClient(
    { 'bootstrap.servers': 'local:9092', ...props },
    { openCluster: open, ...(defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs }) },
  );
  return { client, opened, kafka };
}

/** Creates a one-partition topic holding `records`. */
function addTopic(kafka: InMemoryKafka, name: string, records: { key: Buffer | null; value: Buffer | null }[]): void {
  kafka.addTopic(name);
  kafka.produce(
    name,
    records.map((r, i) => ({ partition: 0, ...r, timestamp: 1_700_000_000_000 + i })),
  );
}

const checkpointRecord = (group: string, topic: string, partition: number, upstream: bigint, downstream: bigint) => {
  const c: Checkpoint = {
    consumerGroupId: group,
    topicPartition: { topic, partition },
    upstreamOffset: upstream,
    downstreamOffset: downstream,
    metadata: '',
  };
  return { key: encodeCheckpointKey(c), value: encodeCheckpointValue(c) };
};

describe('MirrorClient topology calls (Java MirrorClientTest cases)', () => {
  const topics = ['heartbeats', 'source1.heartbeats', 'source1.source2.heartbeats', 'source3.heartbeats', 'topic1'];

  it('replicationHops, upstreamClusters, heartbeatTopics', async () => {
    const { client } = clientOn([...topics, 'source1.checkpoints.internal', 'checkpoints.internal', 'source1.topic1']);
    expect(await client.replicationHops('source1')).toBe(1);
    expect(await client.replicationHops('source2')).toBe(2);
    expect(await client.replicationHops('source3')).toBe(1);
    expect(await client.replicationHops('source4')).toBe(-1);
    expect(await client.upstreamClusters()).toEqual(new Set(['source1', 'source2', 'source3']));
    expect(await client.heartbeatTopics()).toEqual(new Set(topics.slice(0, 4)));
    expect(await client.checkpointTopics()).toEqual(new Set(['source1.checkpoints.internal']));
    expect(await client.remoteTopics()).toEqual(
      new Set(['source1.heartbeats', 'source1.source2.heartbeats', 'source3.heartbeats', 'source1.topic1']),
    );
    expect(await client.remoteTopics('source1')).toEqual(
      new Set(['source1.heartbeats', 'source1.source2.heartbeats', 'source1.topic1']),
    );
    await client.close();
  });

  it('honours a custom separator', async () => {
    const { client } = clientOn(['heartbeats', 'a_heartbeats', 'b_a_heartbeats', 'a.heartbeats'], {
      'replication.policy.separator': '_',
    });
    expect(await client.upstreamClusters()).toEqual(new Set(['a', 'b']));
    expect(await client.replicationHops('a')).toBe(1);
    expect(await client.replicationHops('b')).toBe(1);
    await client.close();
  });

  it('Identity policy: heartbeats still count hops; remote topics need source.cluster.alias', async () => {
    const identity = { 'replication.policy.class': 'IdentityReplicationPolicy' };
    const { client } = clientOn(['heartbeats', 'a.heartbeats', 'orders'], identity);
    expect(await client.replicationHops('a')).toBe(1);
    expect(await client.remoteTopics()).toEqual(new Set(['a.heartbeats']));
    const withAlias = clientOn(['a.heartbeats', 'orders'], { ...identity, 'source.cluster.alias': 'a' }).client;
    expect(await withAlias.remoteTopics('a')).toEqual(new Set(['a.heartbeats', 'orders']));
  });
});

describe('MirrorClient.remoteConsumerOffsets', () => {
  it('reads the policy-named checkpoints topic to its end; newest checkpoint per partition', async () => {
    const { client, opened, kafka } = clientOn([], { 'replication.policy.separator': '_' });
    await client.listTopics(); // opens the cluster
    addTopic(kafka, 'A_checkpoints_internal', [
      checkpointRecord('g', 'A_t', 0, 10n, 9n),
      checkpointRecord('h', 'A_t', 0, 1n, 1n),
      checkpointRecord('g', 'A_t', 1, 3n, 3n),
      checkpointRecord('g', 'A_t', 0, 12n, 11n),
      { key: Buffer.from('junk'), value: Buffer.from('junk') },
    ]);
    const offsets = await client.remoteConsumerOffsets('g', 'A', 5_000);
    expect([...offsets.values()].map((o) => [o.topic, o.partition, o.downstreamOffset, o.upstreamOffset])).toEqual([
      ['A_t', 0, 11n, 12n],
      ['A_t', 1, 3n, 3n],
    ]);
    expect(kafka.calls('fetch')).toBe(3);
    const all = await client.checkpoints('A');
    expect([...all.groups.keys()]).toEqual(['g', 'h']);
    expect(all).toMatchObject({ topic: 'A_checkpoints_internal', complete: true, records: 5, skipped: 1 });
    await client.close();
    expect(opened[0]!.closed).toBe(true);
    await expect(client.listTopics()).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });

  it('a missing checkpoints topic is ERR_UNKNOWN_TOPIC naming the topics that exist', async () => {
    const { client } = clientOn(['B.checkpoints.internal']);
    const err: unknown = await client.remoteConsumerOffsets('g', 'A', 1_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MirrorClientError);
    expect(err).toMatchObject({ code: 'ERR_UNKNOWN_TOPIC' });
    expect((err as Error).message).toContain(
      "checkpoints topic 'A.checkpoints.internal' (checkpoints from cluster 'A') does not exist on local:9092; checkpoints topics there: B.checkpoints.internal",
    );
  });

  it('on timeout returns what was read (Java), or throws with requireComplete', async () => {
    const { client, kafka } = clientOn([]);
    await client.listTopics();
    const records = Array.from({ length: 20 }, (_, i) => checkpointRecord('g', 'A.t', i, 1n, 1n));
    addTopic(kafka, 'A.checkpoints.internal', records);
    kafka.inject({ op: 'fetch', afterMs: 40, times: Infinity });
    kafka.maxRecordsPerFetch = 1;
    const partial = await client.remoteConsumerOffsets('g', 'A', 150);
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(20);
    await expect(
      client.remoteConsumerOffsets('g', 'A', { timeoutMs: 150, requireComplete: true }),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_TIMEOUT', details: { partial: true } });
    await expect(client.remoteConsumerOffsets('g', 'A', -1)).rejects.toThrow(RangeError);
  });
});
