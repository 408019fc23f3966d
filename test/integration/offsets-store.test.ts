import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsumedRecord, KafkaCluster } from '../../src/kafka/index.ts';
import {
  encodeHeartbeatPartitionKey,
  encodeMirrorSourcePartitionKey,
  offsetsTopicPartitionFor,
  topicPartitionKey,
} from '../../src/records/index.ts';
import { ConnectOffsetsStore, OffsetsStoreError } from '../../src/connect/offsets-store.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startJavaMirrorMaker, type JavaMirrorMaker } from '../support/java-mm2.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' });

async function rawRecords(cluster: KafkaCluster, topic: string): Promise<ConsumedRecord[]> {
  const admin = await cluster.admin();
  const ends = new Map((await admin.listOffsets(topic)).map((o) => [o.partition, o.latest]));
  await admin.close();
  const source = await cluster.recordSource();
  try {
    return await readAll(source, topic, ends);
  } finally {
    await source.close();
  }
}

describe('ConnectOffsetsStore on a real broker', () => {
  const { version, clusters } = testKafka();
  const opened: KafkaCluster[] = [];
  let mm2: JavaMirrorMaker | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'offsets-store-'));

  afterAll(async () => {
    await mm2?.stop();
    await Promise.all(opened.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the topic, writes positions to the murmur2 partition, and reads them back after reopening', async () => {
    const b = openTestCluster(clusters['B']!);
    opened.push(b);
    const topic = uniqueName('mm2-offsets.A.internal');
    const store = await ConnectOffsetsStore.open({ cluster: b, topic, partitions: 5, replicationFactor: 1, logger });
    expect(store.partitionCount).toBe(5);
    const tps = [0, 1, 2, 3].map((partition) => ({ topic: 'orders', partition }));
    await store.writeSourcePositions('A', [
      { ...tps[0]!, offset: 10n },
      { ...tps[1]!, offset: 20n },
      { ...tps[2]!, offset: -1n },
    ]);
    await store.writeSourcePositions('A', [{ ...tps[0]!, offset: 11n }]);
    await store.writeHeartbeatOffset('A', 'B');
    await store.writeCheckpointOffsets('g', [{ topic: 'A.orders', partition: 0 }]);
    expect(store.sourcePositions('A', tps)).toEqual(
      new Map([
        [topicPartitionKey(tps[0]!), 11n],
        [topicPartitionKey(tps[1]!), 20n],
        [topicPartitionKey(tps[2]!), -1n],
      ]),
    );
    // Another source alias is another key.
    expect(store.sourcePositions('C', tps).size).toBe(0);

    const raw = await rawRecords(b, topic);
    expect(raw).toHaveLength(6);
    for (const r of raw) expect(r.partition).toBe(offsetsTopicPartitionFor(r.key!, 5));
    expect(raw.map((r) => `${r.key!.toString()} ${r.value!.toString()}`)).toContain(
      '["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"orders"}] {"offset":11}',
    );
    expect(raw.map((r) => `${r.key!.toString()} ${r.value!.toString()}`)).toContain(
      '["MirrorHeartbeatConnector",{"sourceClusterAlias":"A","targetClusterAlias":"B"}] {"offset":0}',
    );
    expect(raw.map((r) => `${r.key!.toString()} ${r.value!.toString()}`)).toContain(
      '["MirrorCheckpointConnector",{"partition":0,"topic":"A.orders","group":"g"}] {"offset":0}',
    );

    // A second instance reads the same state; a tombstone deletes; refresh() sees other writers.
    const other = await ConnectOffsetsStore.open({ cluster: b, topic, replicationFactor: 1, logger });
    expect(other.partitionCount).toBe(5);
    expect(other.sourcePositions('A', tps)).toEqual(store.sourcePositions('A', tps));
    expect(other.get(encodeHeartbeatPartitionKey('A', 'B'))?.toString()).toBe('{"offset":0}');
    const key1 = encodeMirrorSourcePartitionKey({ sourceClusterAlias: 'A', topicPartition: tps[1]! });
    await other.write([{ key: key1, value: null }]);
    expect(other.sourcePositions('A', [tps[1]!]).size).toBe(0);
    expect(store.sourcePositions('A', [tps[1]!]).size).toBe(1);
    await store.refresh();
    expect(store.sourcePositions('A', [tps[1]!]).size).toBe(0);
    await Promise.all([store.close(), other.close()]);
  });

  it('refuses an existing offsets topic that is not compacted', async () => {
    const b = openTestCluster(clusters['B']!);
    opened.push(b);
    const topic = uniqueName('mm2-offsets.X.internal');
    const admin = await b.admin();
    await admin.createTopics([
      { name: topic, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete' } },
    ]);
    await admin.close();
    await expect(ConnectOffsetsStore.open({ cluster: b, topic, replicationFactor: 1, logger })).rejects.toBeInstanceOf(
      OffsetsStoreError,
    );
  });

  it('reads the positions Java MM2 stored, and writes the same keys to the same partitions', async () => {
    const a = openTestCluster(clusters['A']!);
    const b = openTestCluster(clusters['B']!);
    opened.push(a, b);
    const topic = uniqueName('store-interop');
    const adminA = await a.admin();
    await adminA.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const counts = [17, 5, 0];
    const records = counts.flatMap((n, partition) =>
      Array.from({ length: n }, (_, i) => ({ partition, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })),
    );
    await (await a.recordSink()).send(topic, records);

    const file = join(dir, 'mm2.properties');
    writeFileSync(
      file,
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = ${topic}`,
        'A->B.emit.checkpoints.enabled = false',
        'A->B.sync.topic.acls.enabled = false',
        'B->A.emit.heartbeats.enabled = false',
        'B.offset.flush.interval.ms = 1000',
        'B.plugin.discovery = service_load',
        '',
      ].join('\n'),
    );
    mm2 = startJavaMirrorMaker({
      propertiesFile: file,
      clusters: ['B'],
      version: version === 'external' ? '4.1.2' : version,
    });

    // Java MM2 copies the records, then flushes its positions within a second.
    const offsetsTopic = 'mm2-offsets.A.internal';
    const tps = counts.map((_, partition) => ({ topic, partition }));
    const keyOf = (partition: number): Buffer =>
      encodeMirrorSourcePartitionKey({ sourceClusterAlias: 'A', topicPartition: { topic, partition } });
    const adminB = await b.admin();
    await waitFor(
      `Java MM2 to copy ${records.length} records into A.${topic} (output: ${mm2.output().slice(-2000)})`,
      async () => (await adminB.listOffsets(`A.${topic}`)).map((o) => o.latest),
      (ends) => ends.length === 3 && ends.every((e, p) => e === BigInt(counts[p]!)),
      120_000,
      500,
    );
    await waitFor(
      'Java MM2 to flush its source positions',
      async () => (await rawRecords(b, offsetsTopic)).filter((r) => r.key?.equals(keyOf(0)) || r.key?.equals(keyOf(1))),
      (found) =>
        found.some((r) => r.key!.equals(keyOf(0)) && r.value?.toString() === '{"offset":16}') &&
        found.some((r) => r.key!.equals(keyOf(1)) && r.value?.toString() === '{"offset":4}'),
      60_000,
      500,
    );
    expect(await mm2.stop()).not.toBeNull();
    mm2 = undefined;

    // The copied records: the last upstream offset per partition is what Java must have stored.
    const copied = await rawRecords(b, `A.${topic}`);
    const lastCopied = new Map<string, bigint>();
    for (const r of copied) lastCopied.set(topicPartitionKey({ topic, partition: r.partition }), r.offset);
    expect(lastCopied.size).toBe(2);

    const store = await ConnectOffsetsStore.open({ cluster: b, topic: offsetsTopic, replicationFactor: 1, logger });
    expect(store.partitionCount).toBe(25);
    expect(store.sourcePositions('A', tps)).toEqual(lastCopied);

    // Java's records: byte-identical keys to ours, in the partition murmur2 picks.
    const javaRecords = (await rawRecords(b, offsetsTopic)).filter(
      (r) => r.key?.equals(keyOf(0)) || r.key?.equals(keyOf(1)),
    );
    const javaPartition = new Map<number, number>();
    for (const p of [0, 1]) {
      const mine = javaRecords.filter((r) => r.key!.equals(keyOf(p)));
      expect(mine.length).toBeGreaterThan(0);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine[0]!.partition).toBe(offsetsTopicPartitionFor(keyOf(p), 25));
      javaPartition.set(p, mine[0]!.partition);
    }

    // Ours for the same keys land next to Java's, and win on reopen.
    const before = new Map((await adminB.listOffsets(offsetsTopic)).map((o) => [o.partition, o.latest]));
    await store.writeSourcePositions('A', [
      { topic, partition: 0, offset: 40n },
      { topic, partition: 1, offset: 41n },
    ]);
    const after = await rawRecords(b, offsetsTopic);
    for (const p of [0, 1]) {
      const ours = after.filter((r) => r.key!.equals(keyOf(p)) && r.offset >= before.get(r.partition)!);
      expect(ours).toHaveLength(1);
      expect(ours[0]!.partition).toBe(javaPartition.get(p));
    }
    await store.close();
    const reopened = await ConnectOffsetsStore.open({ cluster: b, topic: offsetsTopic, replicationFactor: 1, logger });
    expect(reopened.sourcePositions('A', tps)).toEqual(
      new Map([
        [topicPartitionKey(tps[0]!), 40n],
        [topicPartitionKey(tps[1]!), 41n],
      ]),
    );
    await reopened.close();
    await Promise.all([adminA.close(), adminB.close()]);
  });
});
