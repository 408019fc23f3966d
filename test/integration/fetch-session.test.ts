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

  /** The record source's session with the topic's one leader. */
  function session(): FetchSession {
    const sessions = (source as unknown as { sessions: Map<number, FetchSession> }).sessions;
    expect(sessions.size).toBe(1);
    return [...sessions.values()][0]!;
  }

  it('after the first round, idle partitions are not listed and are still answered', async () => {
    expect(await round()).toBe(0); // the first fetch is sessionless: no session yet
    expect((source as unknown as { sessions: Map<number, FetchSession> }).sessions.size).toBe(1);
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
    const otherSessions = (other as unknown as { sessions: Map<number, FetchSession> }).sessions;
    const otherSession = [...otherSessions.values()][0]!;
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
    expect([...seen].sort()).toEqual(['a1', 'a2', 'b1', 'c1', 'd1', 'e1', 'e2', 'w1', 'x1']); // one round may read both
  }, 150_000);
});
