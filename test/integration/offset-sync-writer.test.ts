import { afterAll, describe, expect, it } from 'vitest';
import { OffsetSyncWriter, ensureOffsetSyncsTopic } from '../../src/connectors/source/offset-sync-writer.ts';
import { RUN_START_HEADER, readRunStart } from '../../src/records/index.ts';
import type { KafkaCluster } from '../../src/kafka/index.ts';
import { decodeOffsetSync, formatOffsetSync } from '../../src/records/index.ts';
import { createLogger } from '../../src/util/logger.ts';
import { runJavaSource } from '../support/java.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';

const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' });

describe('OffsetSyncWriter on a real broker', () => {
  const { version, clusters } = testKafka();
  const opened: KafkaCluster[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });

  it('creates the offset-syncs topic compacted with one partition, and finds it again', async () => {
    const a = openTestCluster(clusters['A']!);
    opened.push(a);
    const admin = await a.admin();
    const topic = uniqueName('mm2-offset-syncs.B.internal');
    expect(await ensureOffsetSyncsTopic(admin, { name: topic, replicationFactor: 1 }, logger)).toBe('created');
    expect(await ensureOffsetSyncsTopic(admin, { name: topic, replicationFactor: 1 }, logger)).toBe('exists');
    const [description] = await admin.describeTopics([topic]);
    expect(description!.partitions).toHaveLength(1);
    const configs = (await admin.describeTopicConfigs([topic])).get(topic)!;
    expect(configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('compact');
    await admin.close();
  });

  it("writes syncs that Java's OffsetSync.deserializeRecord reads, with and without run-start headers", async () => {
    const a = openTestCluster(clusters['A']!);
    opened.push(a);
    const admin = await a.admin();
    const topic = uniqueName('mm2-offset-syncs.B.internal');
    await ensureOffsetSyncsTopic(admin, { name: topic, replicationFactor: 1 }, logger);

    // markExact, offset.lag.max = 10: upstream 0..14 → downstream 100..114, then an upstream gap
    // (20 → 115, e.g. compaction) and 21..24 → 116..119.
    const exact = new OffsetSyncWriter({ cluster: a, topic, maxOffsetLag: 10n, markExact: true, logger });
    const t0 = { topic: 'orders', partition: 0 };
    const feed = (w: OffsetSyncWriter, tp: typeof t0, u: bigint, d: bigint): void => {
      w.maybeQueueOffsetSyncs(tp, u, d);
      w.firePendingOffsetSyncs();
    };
    for (let u = 0n; u <= 14n; u++) feed(exact, t0, u, 100n + u);
    for (let u = 20n; u <= 24n; u++) feed(exact, t0, u, 95n + u);
    await exact.flush();
    exact.promoteDelayedOffsetSyncs();
    exact.firePendingOffsetSyncs();
    await exact.close();

    // A plain (Java-identical) writer on another upstream partition.
    const plain = new OffsetSyncWriter({ cluster: a, topic, maxOffsetLag: 100n, logger });
    const p1 = { topic: 'payments', partition: 3 };
    for (let u = 0n; u <= 2n; u++) feed(plain, p1, u, u + 7n);
    await plain.flush();
    plain.promoteDelayedOffsetSyncs();
    plain.firePendingOffsetSyncs();
    await plain.close();

    const expected = [
      { sync: 'OffsetSync{topicPartition=orders-0, upstreamOffset=0, downstreamOffset=100}', runStart: 0n },
      { sync: 'OffsetSync{topicPartition=orders-0, upstreamOffset=11, downstreamOffset=111}', runStart: 0n },
      // closing sync of the run 0..14, sent ahead of the sync the gap requires
      { sync: 'OffsetSync{topicPartition=orders-0, upstreamOffset=14, downstreamOffset=114}', runStart: 0n },
      { sync: 'OffsetSync{topicPartition=orders-0, upstreamOffset=20, downstreamOffset=115}', runStart: 20n },
      { sync: 'OffsetSync{topicPartition=orders-0, upstreamOffset=24, downstreamOffset=119}', runStart: 20n },
      { sync: 'OffsetSync{topicPartition=payments-3, upstreamOffset=0, downstreamOffset=7}', runStart: undefined },
      { sync: 'OffsetSync{topicPartition=payments-3, upstreamOffset=2, downstreamOffset=9}', runStart: undefined },
    ];
    expect(exact.stats()).toMatchObject({ sent: 5, closingSent: 1, dropped: 0 });

    // Our own reading of the topic: partition 0, key/value decode, headers as designed.
    const ends = new Map((await admin.listOffsets(topic)).map((o) => [o.partition, o.latest]));
    const records = await readAll(await a.recordSource(), topic, ends);
    expect(records.map((r) => r.partition)).toEqual(expected.map(() => 0));
    expect(records.map((r) => formatOffsetSync(decodeOffsetSync(r.key, r.value)))).toEqual(expected.map((e) => e.sync));
    expect(records.map((r) => readRunStart(r.headers))).toEqual(expected.map((e) => e.runStart));
    expect(records.every((r) => r.value!.length === 16)).toBe(true);
    expect(records.slice(0, 5).every((r) => r.headers.length === 1 && r.headers[0]!.key === RUN_START_HEADER)).toBe(
      true,
    );

    // Java's own deserializer reads the same syncs; the header does not disturb it.
    const javaVersion = version === 'external' ? '4.1.2' : version;
    const lines = (
      await runJavaSource(javaVersion, 'interop/MirrorRecordDump.java', ['offset-sync', clusters['A']!, topic])
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[4])).toEqual(expected.map((e) => e.sync));
    expect(lines.map((l) => l[3])).toEqual(expected.map((e) => (e.runStart === undefined ? '0' : '1')));
    await admin.close();
  });
});
