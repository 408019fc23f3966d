import { afterAll, describe, expect, it } from 'vitest';
import { HeartbeatEmitter } from '../../src/connectors/heartbeat/index.ts';
import type { KafkaCluster } from '../../src/kafka/index.ts';
import { decodeHeartbeat, encodeHeartbeatPartitionKey, formatHeartbeat } from '../../src/records/index.ts';
import { ConnectOffsetsStore } from '../../src/connect/offsets-store.ts';
import { createLogger } from '../../src/util/logger.ts';
import { runJavaSource } from '../support/java.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait.ts';

const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' });

describe('HeartbeatEmitter on a real broker', () => {
  const { version, clusters } = testKafka();
  const opened: KafkaCluster[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });

  it("emits a heartbeat about every interval that Java's Heartbeat.deserializeRecord reads", async () => {
    const b = openTestCluster(clusters['B']!);
    opened.push(b);
    const topic = uniqueName('heartbeats');
    const store = await ConnectOffsetsStore.open({
      cluster: b,
      topic: uniqueName('mm2-offsets.A.internal'),
      partitions: 3,
      replicationFactor: 1,
      logger,
    });
    const emitter = new HeartbeatEmitter({
      cluster: b,
      topic,
      sourceClusterAlias: 'A',
      targetClusterAlias: 'B',
      emitHeartbeats: { enabled: true, intervalSeconds: 1 },
      replicationFactor: 1,
      offsetsStore: store,
      offsetFlushIntervalMs: 60_000,
      logger,
    });
    const startedAt = Date.now();
    await emitter.start();
    const admin = await b.admin();
    const configs = (await admin.describeTopicConfigs([topic])).get(topic)!;
    expect(configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('compact');
    await waitFor(
      '4 heartbeats',
      async () => emitter.stats().emitted,
      (n) => n >= 4,
      10_000,
      100,
    );
    await emitter.stop();
    const elapsed = Date.now() - startedAt;

    const [partitions] = await Promise.all([admin.listOffsets(topic)]);
    expect(partitions).toHaveLength(1);
    const records = await readAll(await b.recordSource(), topic, new Map([[0, partitions[0]!.latest]]));
    expect(records.length).toBe(emitter.stats().emitted);
    expect(records.length).toBeGreaterThanOrEqual(4);
    // The first one waits a whole interval (as Java's poll does), then one per second.
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    const heartbeats = records.map((r) => decodeHeartbeat(r.key, r.value));
    expect(heartbeats.every((h) => h.sourceClusterAlias === 'A' && h.targetClusterAlias === 'B')).toBe(true);
    expect(records.map((r) => BigInt(r.timestamp))).toEqual(heartbeats.map((h) => h.timestamp));
    const gaps = records.slice(1).map((r, i) => r.timestamp - records[i]!.timestamp);
    // Ticks are on a fixed schedule (start + k·interval): none before its slot, and on average the
    // interval. Two may be closer than the interval when the first was late (a busy event loop).
    records.forEach((r, k) => expect(r.timestamp - startedAt).toBeGreaterThanOrEqual((k + 1) * 1_000 - 50));
    const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
    expect(mean).toBeLessThanOrEqual(1_150);
    expect(records[0]!.timestamp - startedAt).toBeGreaterThanOrEqual(950);

    // Java reads them with its own deserializer.
    const javaVersion = version === 'external' ? '4.1.2' : version;
    const lines = (
      await runJavaSource(javaVersion, 'interop/MirrorRecordDump.java', ['heartbeat', clusters['B']!, topic])
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[4])).toEqual(heartbeats.map(formatHeartbeat));
    expect(lines.map((l) => l[2])).toEqual(records.map((r) => String(r.timestamp)));

    // The heartbeat connector's Connect offset, as Java's worker leaves it.
    expect(store.get(encodeHeartbeatPartitionKey('A', 'B'))?.toString()).toBe('{"offset":0}');
    await store.close();
    await admin.close();
  });

  it('creates the topic but emits nothing when emit.heartbeats.enabled = false', async () => {
    const b = openTestCluster(clusters['B']!);
    opened.push(b);
    const topic = uniqueName('heartbeats');
    const emitter = new HeartbeatEmitter({
      cluster: b,
      topic,
      sourceClusterAlias: 'A',
      targetClusterAlias: 'B',
      emitHeartbeats: { enabled: false, intervalSeconds: 1 },
      replicationFactor: 1,
      logger,
    });
    await emitter.start();
    expect(emitter.intervalMs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_500));
    await emitter.stop();
    const admin = await b.admin();
    expect(await admin.listOffsets(topic)).toEqual([{ partition: 0, earliest: 0n, latest: 0n }]);
    await admin.close();
  });
});
