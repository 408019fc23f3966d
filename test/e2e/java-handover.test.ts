import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { runJavaSource } from '../support/java.ts';
import { startJavaMirrorMaker } from '../support/java-mm2.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, spawnMirrorMaker, startMirrorMaker } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, partitionDigests, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

// The same clusters and the same mm2.properties, driven in turn by our appliance and by Apache
// Kafka's own MirrorMaker 2: each resumes from the positions the other stored in
// mm2-offsets.A.internal, and Java reads our offset-syncs with its own deserializer.
describe('handover between mirrormaker-ts and Java MirrorMaker 2', () => {
  const { version, clusters } = testKafka();
  const javaVersion = version === 'external' ? '4.1.2' : version;
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!);
    b = openTestCluster(clusters['B']!);
    adminA = await a.admin();
    adminB = await b.admin();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('ours -> Java -> ours: each resumes where the other stopped, nothing copied twice', async () => {
    const p = uniqueName('handover');
    const topic = `${p}-t`;
    const remote = `A.${topic}`;
    await adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    const sink = await a.recordSink();
    const properties = [
      baseProperties(clusters),
      'A->B.enabled = true',
      `A->B.topics = ${p}.*`,
      'B->A.enabled = false',
      'B->A.emit.heartbeats.enabled = false',
      'A->B.emit.checkpoints.enabled = false',
      'sync.topic.acls.enabled = false',
      // Java worker setting: skip the slow reflective plugin scan.
      'B.plugin.discovery = service_load',
    ].join('\n');

    // 1. Ours copies the first 1,000 records and stops gracefully (positions stored).
    const ours = await startMirrorMaker(properties);
    await sink.send(topic, makeRecords(1000, 2, 30));
    await waitFor(
      `1000 in ${remote} (ours)`,
      () => endOffsets(adminB, remote),
      (m) => total(m) === 1000n,
      60_000,
    );
    expect(await ours.stop()).toBe(0);

    // Java reads our offset-syncs with its own OffsetSync deserializer.
    const dump = await runJavaSource(javaVersion, 'interop/MirrorRecordDump.java', [
      'offset-sync',
      clusters['A']!,
      'mm2-offset-syncs.B.internal',
    ]);
    expect(dump).toContain(`OffsetSync{topicPartition=${topic}-0, upstreamOffset=`);
    expect(dump).toContain(`OffsetSync{topicPartition=${topic}-1, upstreamOffset=`);

    // 2. Java takes over with the same file: it resumes at our stored positions + 1.
    await sink.send(topic, makeRecords(1000, 2, 31));
    const java = startJavaMirrorMaker({ propertiesFile: ours.file, clusters: ['B'], version: javaVersion });
    try {
      await waitFor(
        `2000 in ${remote} (Java; output: ${java.output().slice(-1500)})`,
        () => endOffsets(adminB, remote),
        (m) => total(m) >= 2000n,
        200_000,
        1_000,
      );
      // Let Java store its positions (B.offset.flush.interval.ms = 1000) before it stops.
      await new Promise((r) => setTimeout(r, 4_000));
    } finally {
      await java.stop();
    }
    expect(total(await endOffsets(adminB, remote))).toBe(2000n);

    // 3. Ours takes over again from Java's positions.
    await sink.send(topic, makeRecords(1000, 2, 32));
    const again = spawnMirrorMaker(ours.file, Number(new URL(ours.httpUrl).port));
    try {
      await waitFor(
        `3000 in ${remote} (ours again; log: ${again.output().slice(-1500)})`,
        () => endOffsets(adminB, remote),
        (m) => total(m) >= 3000n,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      expect(await again.stop()).toBe(0);
    }
    const ends = await endOffsets(adminB, remote);
    expect(total(ends)).toBe(3000n);
    const source = await readAll(await a.recordSource(), topic, await endOffsets(adminA, topic));
    expect(partitionDigests(await readAll(await b.recordSource(), remote, ends))).toEqual(partitionDigests(source));
  }, 420_000);
});
