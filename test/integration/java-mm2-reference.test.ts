import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaCluster } from '../../src/kafka/index.ts';
import { startJavaMirrorMaker, type JavaMirrorMaker } from '../support/java-mm2.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

// The Java MM2 dedicated driver is the reference later work is compared against; this pins down
// that the test bed runs it and that it replicates between the bed's clusters.
describe('Java MirrorMaker 2 reference driver on the test bed', () => {
  const { version, clusters } = testKafka();
  const opened: KafkaCluster[] = [];
  let mm2: JavaMirrorMaker | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'java-mm2-ref-'));

  afterAll(async () => {
    await mm2?.stop();
    await Promise.all(opened.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('mirrors a topic A -> B with the default replication policy', async () => {
    const a = openTestCluster(clusters['A']!);
    const b = openTestCluster(clusters['B']!);
    opened.push(a, b);
    const topic = uniqueName('ref-orders');
    const adminA = await a.admin();
    await adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    const sink = await a.recordSink();
    const records = Array.from({ length: 200 }, (_, i) => ({
      partition: i % 2,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      headers: [{ key: 'h', value: Buffer.from(String(i)) }],
      timestamp: Date.now() - 60_000 + i, // recent: older records fall to the 7-day retention
    }));
    await sink.send(topic, records);

    const file = join(dir, 'mm2.properties');
    writeFileSync(
      file,
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = ${topic}`,
        'B->A.emit.heartbeats.enabled = false',
        // Worker setting per target cluster: skip the 20 s reflective plugin scan per herder.
        'B.plugin.discovery = service_load',
        '',
      ].join('\n'),
    );
    mm2 = startJavaMirrorMaker({
      propertiesFile: file,
      clusters: ['B'],
      version: version === 'external' ? '4.1.2' : version,
    });

    const adminB = await b.admin();
    const remote = `A.${topic}`;
    const ends = await waitFor(
      `Java MM2 to copy 200 records into ${remote} (output: ${mm2.output().slice(-2000)})`,
      async () => new Map((await adminB.listOffsets(remote)).map((o) => [o.partition, o.latest])),
      (m) => m.size === 2 && [...m.values()].reduce((x, y) => x + y, 0n) === 200n,
      200_000,
      1000,
    );
    const copied = await readAll(await b.recordSource(), remote, ends);
    const key = (r: { partition: number; key: Buffer | null }): string => `${r.partition}:${r.key?.toString()}`;
    expect(copied.map(key).sort()).toEqual(records.map(key).sort());
    expect(copied.every((r) => r.headers.length === 1 && r.headers[0]!.key === 'h')).toBe(true);
    expect(await mm2.stop()).not.toBeNull();
  }, 300_000);
});
