/**
 * Fetch v13 (topics named by id, KIP-516) against real brokers: the record source looks topic ids
 * up (Metadata v12) and names topics by id where the broker answers v13, reading the same bytes as
 * by name; a session opened by name and continued by id is refused by the broker
 * (FETCH_SESSION_TOPIC_ID_ERROR) and opened again without an error reaching the caller; a topic
 * deleted and created again under its name gets a new id, which the reader finds and fetches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchSession } from '../../src/kafka/fetch-session.ts';
import { isRetriable, type KafkaCluster, type RecordSink } from '../../src/kafka/index.ts';
import { KafkajsRecordSource } from '../../src/kafka/kafkajs/record-source.ts';
import { FETCH_TOPIC_IDS_VERSION, FETCH_VERSION } from '../../src/kafka/wire/fetch.ts';
import { deleteTopic } from '../support/broker-faults.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';

const PARTITIONS = 3;

describe('fetching by topic id (Fetch v13) on real brokers', () => {
  const { clusters, version } = testKafka();
  let cluster: KafkaCluster;
  let sink: RecordSink;
  const readers: KafkajsRecordSource[] = [];

  beforeAll(async () => {
    cluster = openTestCluster(clusters['B']!, 'fetch-topic-ids-test');
    sink = await cluster.recordSink({ acks: -1 });
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await sink?.close();
    await cluster?.close();
  });

  async function createTopic(topic: string): Promise<void> {
    const admin = await cluster.admin();
    try {
      const [result] = await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
      expect(result?.error).toBeUndefined();
    } finally {
      await admin.close();
    }
  }

  async function reader(options: { topicIds?: boolean } = {}): Promise<KafkajsRecordSource> {
    const r = (await cluster.recordSource({ maxWaitMs: 50, ...options })) as KafkajsRecordSource;
    readers.push(r);
    return r;
  }

  /** A reader's positions on one topic, read round by round (as a source task does). */
  function follow(r: KafkajsRecordSource, topic: string) {
    const positions = new Array<bigint>(PARTITIONS).fill(0n);
    const seen: string[] = [];
    const round = async (): Promise<number> => {
      const fetched = await r.fetch(positions.map((offset, partition) => ({ topic, partition, offset })));
      let n = 0;
      for (const f of fetched) {
        positions[f.partition] = f.nextOffset;
        for (const rec of f.records) seen.push(`${f.partition}:${rec.offset}:${rec.value!.toString()}`);
        n += f.records.length;
      }
      return n;
    };
    /** Rounds until `count` records were read in all, retriable errors as retries (bounded). */
    const readUntil = async (count: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`read ${seen.length} of ${count} records in 30 s: ${seen}`);
        await round().catch((err: unknown) => {
          if (!isRetriable(err)) throw err;
        });
      }
    };
    return { positions, seen, round, readUntil };
  }

  function sessionsOf(r: KafkajsRecordSource): FetchSession[] {
    const byLeader = (r as unknown as { sessions: Map<number, { sessions: FetchSession[] }> }).sessions;
    return [...byLeader.values()].flatMap((l) => l.sessions);
  }

  async function send(topic: string, partition: number, values: string[]): Promise<void> {
    await sink.send(
      topic,
      values.map((v) => ({ partition, key: null, value: Buffer.from(v) })),
    );
  }

  it('names topics by id where the broker answers v13, and reads what a reader by name reads', async () => {
    const topic = uniqueName('by-id');
    await createTopic(topic);
    await send(topic, 0, ['a0', 'a1']);
    await send(topic, 2, ['c0']);
    const byId = follow(await reader(), topic);
    const byName = follow(await reader({ topicIds: false }), topic);
    await byId.readUntil(3);
    await byName.readUntil(3);
    expect(byId.seen.sort()).toEqual(['0:0:a0', '0:1:a1', '2:0:c0']);
    expect(byId.seen).toEqual(byName.seen.sort());
    // Idle rounds through the session opened by id: incremental, nothing listed.
    await byId.round();
    await byId.round();
    const [session] = sessionsOf(readers[0]!);
    expect(session!.id).toBeGreaterThan(0);
    const sent = session!.stats.partitionsSent;
    expect(await byId.round()).toBe(0);
    expect(session!.stats.partitionsSent).toBe(sent);
    await send(topic, 1, ['b0']);
    await byId.readUntil(4);
    expect(byId.seen).toContain('1:0:b0');
    const versions = readers[0]!.fetchVersionCounts();
    console.log(`[fetch-topic-ids] kafka ${version}: fetches by version ${JSON.stringify([...versions])}`);
    expect(versions.get(FETCH_TOPIC_IDS_VERSION)).toBeGreaterThan(3);
    expect(versions.get(FETCH_VERSION)).toBeUndefined();
    expect(readers[1]!.fetchVersionCounts().get(FETCH_TOPIC_IDS_VERSION)).toBeUndefined();
    expect(session!.stats.resets).toBe(0);
  });

  it('a session opened by name and continued by id is opened again (FETCH_SESSION_TOPIC_ID_ERROR), no error to the caller', async () => {
    const topic = uniqueName('switch');
    await createTopic(topic);
    const r = await reader({ topicIds: false });
    const f = follow(r, topic);
    await f.round(); // sessionless
    await f.round(); // opens the session, by name
    const [session] = sessionsOf(r);
    expect(session!.id).toBeGreaterThan(0);
    // From now on by id, into the session the broker keeps by name.
    (r as unknown as { options: { topicIds: boolean } }).options.topicIds = true;
    await send(topic, 1, ['s0']);
    await f.readUntil(1);
    expect(f.seen).toEqual(['1:0:s0']);
    expect(session!.stats.resets).toBe(1);
    expect(session!.id).toBeGreaterThan(0);
    expect(r.fetchVersionCounts().get(FETCH_TOPIC_IDS_VERSION)).toBeGreaterThanOrEqual(2); // refused, then reopened
    expect(await f.round()).toBe(0); // lists partition 1, which moved
    const sent = session!.stats.partitionsSent;
    expect(await f.round()).toBe(0);
    expect(session!.stats.partitionsSent).toBe(sent); // incremental again
  });

  it('a topic deleted and created again under its name: the reader finds the new id and reads the new records', async () => {
    const topic = uniqueName('recreated');
    await createTopic(topic);
    await send(topic, 0, ['old0']);
    const r = await reader();
    const f = follow(r, topic);
    await f.readUntil(1);
    await f.round();
    await f.round(); // the session holds the topic's id and partition 0 at offset 1
    expect(sessionsOf(r)[0]!.id).toBeGreaterThan(0);
    await deleteTopic(clusters['B']!, topic);
    // Created again once the broker has let the old one go.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const admin = await cluster.admin();
      try {
        const [result] = await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
        if (result?.error === undefined) break;
        if (Date.now() > deadline) throw new Error(`could not create ${topic} again: ${result.error}`);
      } finally {
        await admin.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Offsets 0–2 of the new topic; the reader is at 1 on partition 0 and 0 elsewhere.
    await send(topic, 0, ['new0', 'new1', 'new2']);
    await send(topic, 2, ['new-c0']);
    await f.readUntil(4);
    expect(f.seen.sort()).toEqual(['0:0:old0', '0:1:new1', '0:2:new2', '2:0:new-c0']);
    // By id throughout, once the new id was known.
    expect(r.fetchVersionCounts().get(FETCH_TOPIC_IDS_VERSION)).toBeGreaterThan(3);
  }, 120_000);
});
