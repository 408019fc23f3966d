/**
 * Incremental fetch sessions (KIP-227) against real brokers: after the first round a fetch lists
 * only the partitions whose position moved, idle partitions are still answered, and records keep
 * flowing when the broker loses the session (its epoch out of step, an id it never gave, a broker
 * restart): the record source falls back to a full fetch and opens a new session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchSession } from '../../src/kafka/fetch-session.ts';
import {
  isRetriable,
  type KafkaCluster,
  type RecordSink,
  type RecordSource,
  type UndecodedFetchedPartition,
} from '../../src/kafka/index.ts';
import { KafkajsRecordSource } from '../../src/kafka/kafkajs/record-source.ts';
import { useBrokerFaults } from '../support/broker-faults.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';

const PARTITIONS = 6;

describe('fetch sessions (KIP-227) on real brokers', () => {
  const { clusters, version } = testKafka();
  const faults = useBrokerFaults();
  const topic = uniqueName('fetch-session');
  let cluster: KafkaCluster;
  let sink: RecordSink;
  let source: KafkajsRecordSource;
  const positions = new Array<bigint>(PARTITIONS).fill(0n);
  const seen: string[] = [];

  beforeAll(async () => {
    cluster = openTestCluster(clusters['B']!, 'fetch-session-test');
    const admin = await cluster.admin();
    await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
    await admin.close();
    sink = await cluster.recordSink({ acks: -1 });
    const recordSource: RecordSource = await cluster.recordSource({ maxWaitMs: 50 });
    expect(recordSource).toBeInstanceOf(KafkajsRecordSource);
    source = recordSource as KafkajsRecordSource;
  });

  afterAll(async () => {
    await sink?.close();
    await source?.close();
    await cluster?.close();
  });

  /** One fetch round over every partition; positions advance like the source task's. */
  async function round(): Promise<number> {
    const fetched = await source.fetch(positions.map((offset, partition) => ({ topic, partition, offset })));
    expect(fetched.map((f) => f.partition).sort()).toEqual([...positions.keys()]);
    for (const f of fetched) {
      positions[f.partition] = f.nextOffset;
      for (const r of f.records) seen.push(r.value!.toString());
    }
    return fetched.reduce((n, f) => n + f.records.length, 0);
  }

  async function sendTo(partition: number, values: string[]): Promise<void> {
    await sink.send(
      topic,
      values.map((v) => ({ partition, key: null, value: Buffer.from(v) })),
    );
  }

  /** Rounds until `values` have all been read (bounded). */
  async function readUntilSeen(values: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!values.every((v) => seen.includes(v))) {
      if (Date.now() > deadline) throw new Error(`not read within 30 s: ${values.filter((v) => !seen.includes(v))}`);
      await round().catch((err: unknown) => {
        // Retriable while a broker comes back (connection refused, leader unknown), as the source task retries.
        if (!isRetriable(err)) throw err;
      });
    }
  }

  /** A record source's sessions with the topic's one leader, and their size. */
  function leaderSessions(reader: KafkajsRecordSource): { size: number; sessions: FetchSession[] } {
    const sessions = (reader as unknown as { sessions: Map<number, { size: number; sessions: FetchSession[] }> })
      .sessions;
    expect(sessions.size).toBe(1);
    return [...sessions.values()][0]!;
  }

  /** The record source's one session with the topic's one leader. */
  function session(): FetchSession {
    const { sessions } = leaderSessions(source);
    expect(sessions).toHaveLength(1);
    return sessions[0]!;
  }

  it('after the first round, idle partitions are not listed and are still answered', async () => {
    expect(await round()).toBe(0); // the first fetch is sessionless: no session yet
    expect(session().id).toBe(0);
    await sendTo(0, ['a1', 'a2']);
    await readUntilSeen(['a1', 'a2']);
    const s = session();
    expect(s.id).toBeGreaterThan(0); // the broker opened a session
    // The round after a read lists the partitions whose position moved (partition 0 only).
    const listed = s.stats.partitionsSent;
    expect(await round()).toBe(0);
    expect(s.stats.partitionsSent - listed).toBe(1);
    const before = { ...s.stats };
    for (let i = 0; i < 3; i++) expect(await round()).toBe(0);
    // Three idle rounds: incremental, nothing listed, all six partitions answered (round() checks).
    expect(s.stats.incrementalFetches - before.incrementalFetches).toBe(3);
    expect(s.stats.partitionsSent - before.partitionsSent).toBe(0);
    await sendTo(3, ['b1']);
    await readUntilSeen(['b1']);
    expect(seen).toEqual(['a1', 'a2', 'b1']);
    expect(s.stats.resets).toBe(0);
    console.log(`[fetch-session] kafka ${version}: ${JSON.stringify(s.stats)}`);
  });

  it('a session the broker does not know, or an epoch out of step, falls back to a full fetch', async () => {
    const s = session();
    const state = s as unknown as { sessionId: number; epoch: number };
    // What the broker answers after it evicted the session: FETCH_SESSION_ID_NOT_FOUND.
    state.sessionId = 0x7ffffff0;
    await sendTo(1, ['c1']);
    // One round, no error reaching the caller: the record source re-fetches in full at once.
    expect(await round()).toBe(1);
    expect(s.stats.resets).toBe(1);
    // A lost response leaves the epochs out of step: INVALID_FETCH_SESSION_EPOCH.
    state.epoch += 5;
    await sendTo(2, ['d1']);
    expect(await round()).toBe(1);
    expect(s.stats.resets).toBe(2);
    expect(s.id).toBeGreaterThan(0);
    expect(seen).toEqual(['a1', 'a2', 'b1', 'c1', 'd1']);
  });

  it('changedOnly: an idle round answers no partition; a round after one record answers that partition alone', async () => {
    const requests = () => positions.map((offset, partition) => ({ topic, partition, offset }));
    expect(await round()).toBe(0); // the positions the previous test moved are listed once
    expect(await source.fetchUndecoded(requests(), { changedOnly: true })).toEqual([]);
    await sendTo(5, ['w1']);
    let answered: UndecodedFetchedPartition[] = [];
    const deadline = Date.now() + 10_000;
    while (answered.length === 0 && Date.now() < deadline)
      answered = await source.fetchUndecoded(requests(), { changedOnly: true });
    expect(answered.map((f) => f.partition)).toEqual([5]);
    expect((await answered[0]!.decode()).map((r) => r.value!.toString())).toEqual(['w1']);
    positions[5] = answered[0]!.nextOffset;
    seen.push('w1');
    expect(await source.fetchUndecoded(requests(), { changedOnly: true })).toEqual([]);
  });

  it('close() closes the session on the broker: its id is unknown afterwards', async () => {
    const s = session();
    const id = s.id;
    expect(id).toBeGreaterThan(0);
    const other = (await cluster.recordSource({ maxWaitMs: 50 })) as KafkajsRecordSource;
    await other.fetch([{ topic, partition: 0, offset: 0n }]);
    await other.fetch([{ topic, partition: 0, offset: 0n }]); // the second fetch opens a session
    const otherSession = leaderSessions(other).sessions[0]!;
    const otherId = otherSession.id;
    const otherEpoch = (otherSession as unknown as { epoch: number }).epoch;
    expect(otherId).toBeGreaterThan(0);
    await other.close();
    // Continue the closed session from our own (id and the epoch it expects next): were it still
    // open, the broker would answer its partition 0 from offset 0; closed, it does not know the id.
    const state = s as unknown as { sessionId: number; epoch: number };
    state.sessionId = otherId;
    state.epoch = otherEpoch;
    const resets = s.stats.resets;
    await sendTo(5, ['x1']);
    expect(await round()).toBe(1);
    expect(s.stats.resets).toBe(resets + 1);
  });

  it('a leader with more partitions than sessionPartitions is fetched through several sessions, each incremental', async () => {
    const reader = (await cluster.recordSource({ maxWaitMs: 50, sessionPartitions: 2 })) as KafkajsRecordSource;
    try {
      const at = [...positions];
      const requests = () => at.map((offset, partition) => ({ topic, partition, offset }));
      await reader.fetchUndecoded(requests(), { changedOnly: true }); // sessionless first fetches
      await reader.fetchUndecoded(requests(), { changedOnly: true }); // each opens its session
      const { sessions } = leaderSessions(reader);
      expect(sessions).toHaveLength(3); // 6 partitions, 2 per session
      expect(new Set(sessions.map((s) => s.id)).size).toBe(3);
      expect(sessions.every((s) => s.id > 0)).toBe(true);
      const sent = reader.fetchSessionStats().get(1)!.partitionsSent;
      expect(await reader.fetchUndecoded(requests(), { changedOnly: true })).toEqual([]);
      expect(reader.fetchSessionStats().get(1)!.partitionsSent).toBe(sent); // idle: nothing listed
      // Records on partitions of the first and the last session: both answered, nothing else.
      await sendTo(0, ['m1']);
      await sendTo(5, ['m2']);
      const read = new Map<number, string[]>();
      const deadline = Date.now() + 10_000;
      while (read.size < 2 && Date.now() < deadline)
        for (const f of await reader.fetchUndecoded(requests(), { changedOnly: true })) {
          read.set(
            f.partition,
            (await f.decode()).map((r) => r.value!.toString()),
          );
          at[f.partition] = f.nextOffset;
        }
      expect([...read].sort()).toEqual([
        [0, ['m1']],
        [5, ['m2']],
      ]);
      expect(reader.fetchSessionStats().get(1)!.resets).toBe(0);
    } finally {
      await reader.close();
    }
    // The main reader reads them as well (it keeps its own positions).
    await readUntilSeen(['m1', 'm2']);
  });

  it('a fetch through a session that times out (the broker stopped) halves the sessions; records flow once it answers', async () => {
    // A fetch times out after kafkajs' request timeout (30 s; a longer one per request only).
    const reader = (await cluster.recordSource({ maxWaitMs: 50, sessionPartitions: 6 })) as KafkajsRecordSource;
    const at = [...positions];
    const requests = () => at.map((offset, partition) => ({ topic, partition, offset }));
    try {
      await reader.fetchUndecoded(requests(), { changedOnly: true });
      await reader.fetchUndecoded(requests(), { changedOnly: true });
      expect(leaderSessions(reader).sessions[0]!.id).toBeGreaterThan(0);
      faults.pause('B');
      let failure: unknown;
      try {
        await reader.fetchUndecoded(requests(), { changedOnly: true });
      } catch (err) {
        failure = err;
      } finally {
        faults.resume('B');
      }
      expect(isRetriable(failure)).toBe(true);
      expect(String(failure)).toMatch(/timed out/);
      expect(leaderSessions(reader).size).toBe(3);
      await sendTo(2, ['p1']);
      await sendTo(4, ['p2']);
      const read: string[] = [];
      const deadline = Date.now() + 30_000;
      while (read.length < 2 && Date.now() < deadline) {
        const fetched = await reader.fetchUndecoded(requests(), { changedOnly: true }).catch((err: unknown) => {
          if (!isRetriable(err)) throw err;
          return [];
        });
        for (const f of fetched) {
          for (const r of await f.decode()) read.push(r.value!.toString());
          at[f.partition] = f.nextOffset;
        }
      }
      expect(read.sort()).toEqual(['p1', 'p2']);
      expect(leaderSessions(reader).sessions).toHaveLength(2);
    } finally {
      await reader.close();
    }
    await readUntilSeen(['p1', 'p2']);
  }, 90_000);

  it('records flow across a broker restart (the session is gone with it)', async () => {
    const s = session();
    const resets = s.stats.resets;
    await faults.kill('B');
    await faults.restart('B');
    await sendTo(4, ['e1']);
    await sendTo(0, ['e2']);
    await readUntilSeen(['e1', 'e2']);
    expect(s.stats.resets).toBeGreaterThan(resets);
    expect(await round()).toBe(0); // lists partitions 0 and 4, which moved
    const sent = s.stats.partitionsSent;
    expect(await round()).toBe(0);
    expect(s.stats.partitionsSent).toBe(sent); // incremental again: nothing listed
    expect([...seen].sort()).toEqual(['a1', 'a2', 'b1', 'c1', 'd1', 'e1', 'e2', 'm1', 'm2', 'p1', 'p2', 'w1', 'x1']); // one round may read both
  }, 150_000);
});
