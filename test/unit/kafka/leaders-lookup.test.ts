import { describe, expect, it } from 'vitest';
import { KafkajsConnection } from '../../../src/kafka/kafkajs/connection.ts';
import type { PartitionMetadata } from '../../../src/kafka/kafkajs/internals.d.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/**
 * Leader lookups of a fetch round cost one metadata pass, whatever the number of topics
 * (docs/benchmarks/2026-11-30-scale.md).
 */

/** A kafkajs internal cluster stand-in knowing `topics` topics of 2 partitions (leaders 1 and 2). */
function fakeCluster(topics: number) {
  const topicMetadata = Array.from({ length: topics }, (_, i) => ({
    topic: `t${i}`,
    partitionMetadata: [0, 1].map((p): PartitionMetadata => ({
      partitionId: p,
      leader: p + 1,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    })),
  }));
  const calls = { add: [] as string[][], refresh: 0, ifNecessary: 0 };
  const cluster = {
    targetTopics: new Set<string>(),
    brokerPool: { metadata: { brokers: [], topicMetadata } },
    addMultipleTargetTopics: async (names: string[]) => {
      calls.add.push([...names]);
      for (const n of names) cluster.targetTopics.add(n);
      await Promise.resolve();
    },
    refreshMetadata: () => {
      calls.refresh++;
      return Promise.resolve();
    },
    refreshMetadataIfNecessary: () => {
      calls.ifNecessary++;
      return Promise.resolve();
    },
  };
  const connection = new KafkajsConnection(
    { clientId: 'c', clusterAlias: 'A', bootstrapServers: ['h:1'], securityProtocol: 'PLAINTEXT' },
    silentLogger(),
  );
  Object.assign(connection, { cluster });
  return { connection, calls, cluster };
}

describe('leader lookups with many topics', () => {
  it('looks up every topic of a fetch round at once; known topics add nothing', async () => {
    const { connection, calls } = fakeCluster(1000);
    const names = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const leaders = await connection.leadersOf([...names, 'gone']);
    expect(calls.add).toEqual([[...names, 'gone']]);
    expect(leaders.get('t999')).toEqual(
      new Map([
        [0, 1],
        [1, 2],
      ]),
    );
    expect(leaders.get('gone')).toEqual(new Map());
    await connection.leadersOf(names);
    expect(calls.add.length).toBe(1);
    expect(calls.ifNecessary).toBe(1);
    await connection.leadersOf(['t1'], true);
    expect(calls.refresh).toBe(1);
  });

  it('concurrent lookups of new topics (a first produce to many remote topics) add them in one refresh', async () => {
    const { connection, calls } = fakeCluster(1000);
    const names = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const leaders = await Promise.all(names.map((t) => connection.leaders(t)));
    expect(calls.add).toEqual([names]);
    expect(leaders[999]).toEqual(
      new Map([
        [0, 1],
        [1, 2],
      ]),
    );
  });

  it('a failed joint refresh (one topic missing) lets each caller look up its own topics, as before', async () => {
    const { connection, calls, cluster } = fakeCluster(3);
    const add = cluster.addMultipleTargetTopics;
    cluster.addMultipleTargetTopics = async (names: string[]) => {
      if (names.includes('gone') && names.length > 1) {
        calls.add.push([...names]);
        throw Object.assign(new Error('unknown topic'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
      }
      await add(names);
    };
    cluster.targetTopics.add('t2'); // known before: the fallback may run
    const [t0, t1] = await Promise.all([
      connection.leaders('t0'),
      connection.leaders('t1'),
      connection.leaders('gone'),
    ]);
    expect(calls.add[0]).toEqual(['t0', 't1', 'gone']);
    expect(t0!.get(1)).toBe(2);
    expect(t1!.get(0)).toBe(1);
  });

  it('fresh metadata holding every topic asked about: no kafkajs refresh check (its topics × topics scan), leaders from one table per snapshot', async () => {
    const { connection, calls, cluster } = fakeCluster(1000);
    const names = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    for (const n of names) cluster.targetTopics.add(n);
    const pool = cluster.brokerPool as { metadata: object; metadataExpireAt?: number };
    pool.metadataExpireAt = Date.now() + 60_000;
    const first = await connection.leadersOf(names);
    const second = await connection.leadersOf(names);
    expect(calls.ifNecessary).toBe(0);
    expect(second.get('t7')).toBe(first.get('t7')); // the same table, not rebuilt per round
    expect(second.get('t7')?.get(1)).toBe(2);

    // A topic asked about but missing from the metadata: kafkajs decides, as before.
    cluster.targetTopics.add('gone');
    const withGone = await connection.leadersOf(['t1', 'gone']);
    expect(calls.ifNecessary).toBe(1);
    expect(withGone.get('gone')).toEqual(new Map());
    expect(withGone.get('t1')?.get(0)).toBe(1);

    // Expired metadata: kafkajs' check runs; a new snapshot gets a new table.
    pool.metadataExpireAt = Date.now() - 1;
    await connection.leadersOf(['t7']);
    expect(calls.ifNecessary).toBe(2);
    pool.metadata = {
      brokers: [],
      topicMetadata: [{ topic: 't7', partitionMetadata: [{ partitionId: 0, leader: 3 }] }],
    };
    pool.metadataExpireAt = Date.now() + 60_000;
    expect((await connection.leadersOf(['t7'])).get('t7')?.get(0)).toBe(3);
    expect(calls.ifNecessary).toBe(2);
  });

  it('the same topics array under the same fresh metadata gets the same answer back; a refresh, new metadata or expiry asks again', async () => {
    const { connection, calls, cluster } = fakeCluster(3);
    const names = ['t0', 't1', 't2'];
    for (const n of names) cluster.targetTopics.add(n);
    const pool = cluster.brokerPool as { metadata: object; metadataExpireAt?: number };
    pool.metadataExpireAt = Date.now() + 60_000;
    const first = await connection.leadersOf(names);
    expect(await connection.leadersOf(names)).toBe(first);
    // Another array with the same topics is looked up (only the caller knows it did not change).
    const copy = await connection.leadersOf([...names]);
    expect(copy).not.toBe(first);
    expect(copy).toEqual(first);
    expect(await connection.leadersOf(names)).not.toBe(first); // the last answer was for the copy
    const again = await connection.leadersOf(names);
    expect(await connection.leadersOf(names)).toBe(again);
    // Asked to refresh: kafkajs refreshes, whatever the cache.
    await connection.leadersOf(names, true);
    expect(calls.refresh).toBe(1);
    // A new snapshot (a refresh elsewhere): the new leaders.
    const moved = await connection.leadersOf(names);
    pool.metadata = {
      brokers: [],
      topicMetadata: names.map((topic) => ({ topic, partitionMetadata: [{ partitionId: 0, leader: 9 }] })),
    };
    const after = await connection.leadersOf(names);
    expect(after).not.toBe(moved);
    expect(after.get('t1')?.get(0)).toBe(9);
    // Expired: kafkajs' check runs.
    const checks = calls.ifNecessary;
    pool.metadataExpireAt = Date.now() - 1;
    await connection.leadersOf(names);
    expect(calls.ifNecessary).toBe(checks + 1);
  });
});
