import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { main as mm2 } from '../../src/cli/mm2.ts';
import {
  checkpointTopics,
  encodeCheckpointKey,
  encodeCheckpointValue,
  encodeHeartbeatKey,
  encodeHeartbeatValue,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  heartbeatAt,
  heartbeatTopics,
  MirrorClient,
  replicationHops,
  translateOffsets,
  upstreamClusters,
  type Checkpoint,
  type MirrorClientProperties,
  type OffsetSync,
} from '../../src/index.ts';
import type { KafkaAdmin, KafkaCluster, ProducerRecord } from '../../src/kafka/index.ts';
import { runJavaSource } from '../support/java.ts';
import { startJavaMirrorMaker, type JavaMirrorMaker } from '../support/java-mm2.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

// The client library against real brokers: checkpoints, heartbeats and offset-syncs written with
// our codecs are read back by our MirrorClient / RemoteClusterUtils functions and by Java's
// RemoteClusterUtils (test/java/interop/RemoteClusterUtilsCheck.java), and the answers must match
// line for line; then Java MM2 itself writes the records and our library reads them.

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const javaVersion = (version: string): string => (version === 'external' ? '4.1.2' : version);

async function createCompacted(admin: KafkaAdmin, name: string, partitions = 1): Promise<void> {
  const [result] = await admin.createTopics([
    { name, partitions, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
  ]);
  if (result?.error !== undefined && !/exist/i.test(result.error)) throw new Error(`${name}: ${result.error}`);
}

const checkpoint = (
  group: string,
  topic: string,
  partition: number,
  upstream: bigint,
  downstream: bigint,
  metadata = '',
): Checkpoint => ({
  consumerGroupId: group,
  topicPartition: { topic, partition },
  upstreamOffset: upstream,
  downstreamOffset: downstream,
  metadata,
});

const checkpointRecord = (c: Checkpoint): ProducerRecord => ({
  partition: 0,
  key: encodeCheckpointKey(c),
  value: encodeCheckpointValue(c),
});

/** Our answers in the line format RemoteClusterUtilsCheck.java prints. */
async function ourLines(
  props: MirrorClientProperties,
  remote: string,
  group: string,
  hopsFor: readonly string[],
): Promise<string[]> {
  const lines: string[] = [];
  const offsets = await translateOffsets(props, remote, group, 30_000);
  for (const o of offsets.values()) {
    lines.push(`translate\t${o.topic}\t${o.partition}\t${o.downstreamOffset}\t${o.metadata}`);
  }
  for (const alias of await upstreamClusters(props)) lines.push(`upstream\t${alias}`);
  for (const alias of hopsFor) lines.push(`hops\t${alias}\t${await replicationHops(props, alias)}`);
  for (const t of await heartbeatTopics(props)) lines.push(`heartbeatTopic\t${t}`);
  for (const t of await checkpointTopics(props)) lines.push(`checkpointTopic\t${t}`);
  // Java's Collections.sort: UTF-16 code unit order, as JS's default sort.
  return lines.sort();
}

async function javaLines(
  version: string,
  bootstrap: string,
  remote: string,
  group: string,
  hopsFor: readonly string[],
  extra: Record<string, string>,
): Promise<string[]> {
  const out = await runJavaSource(javaVersion(version), 'interop/RemoteClusterUtilsCheck.java', [
    bootstrap,
    remote,
    group,
    hopsFor.join(','),
    ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ]);
  return out.split('\n').filter((l) => l !== '');
}

/** The toString texts Java's own deserializers give for every record of `topic`. */
async function javaTexts(version: string, type: string, bootstrap: string, topic: string): Promise<string[]> {
  const out = await runJavaSource(javaVersion(version), 'interop/MirrorRecordDump.java', [type, bootstrap, topic]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').slice(4).join('\t'));
}

describe('client library on real brokers', () => {
  const { version, clusters } = testKafka();
  const bootstrapA = clusters['A']!;
  const opened: KafkaCluster[] = [];
  let a: KafkaCluster;
  let adminA: KafkaAdmin;

  beforeAll(async () => {
    a = openTestCluster(bootstrapA);
    opened.push(a);
    adminA = await a.admin();
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });

  // One topology per policy: `src` replicates to this cluster directly, `up` two hops away via src.
  const cases = [
    { name: 'DefaultReplicationPolicy', sep: '.', props: {} },
    { name: 'custom separator _', sep: '_', props: { 'replication.policy.separator': '_' } },
    {
      name: 'IdentityReplicationPolicy',
      sep: '.',
      props: { 'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy' },
    },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: translateOffsets and topology calls equal Java's RemoteClusterUtils`, async () => {
      const src = uniqueName('src');
      const up = uniqueName('up');
      const group = uniqueName('g');
      const sep = c.sep;
      const remoteTopic = c.name.startsWith('Identity') ? uniqueName('orders') : `${src}${sep}orders`;
      const checkpoints = `${src}${sep}checkpoints${sep}internal`;
      const hbDirect = `${src}${sep}heartbeats`;
      const hbTwoHops = `${src}${sep}${up}${sep}heartbeats`;
      await createCompacted(adminA, checkpoints);
      await createCompacted(adminA, hbDirect);
      await createCompacted(adminA, hbTwoHops);
      await adminA.createTopics([{ name: remoteTopic, partitions: 2, replicationFactor: 1 }]);
      const sink = await a.recordSink();
      await sink.send(checkpoints, [
        checkpointRecord(checkpoint(group, remoteTopic, 0, 10n, 8n)),
        checkpointRecord(checkpoint('other-group', remoteTopic, 0, 50n, 50n)),
        checkpointRecord(checkpoint(group, remoteTopic, 1, 4n, 4n, 'commit metadata')),
        checkpointRecord(checkpoint(group, remoteTopic, 0, 30n, 27n)), // newer: wins
      ]);
      await sink.send(hbDirect, [
        {
          partition: 0,
          key: encodeHeartbeatKey(heartbeatAt(src, 'x', 0)),
          value: encodeHeartbeatValue(heartbeatAt(src, 'x', 0)),
        },
      ]);
      const props = { 'bootstrap.servers': bootstrapA, ...c.props };

      const offsets = await translateOffsets(props, src, group, 30_000);
      expect([...offsets.entries()].sort(([x], [y]) => (x < y ? -1 : 1))).toEqual([
        [
          `${remoteTopic}-0`,
          expect.objectContaining({
            topic: remoteTopic,
            partition: 0,
            downstreamOffset: 27n,
            upstreamOffset: 30n,
            metadata: '',
            exact: false,
          }),
        ],
        [
          `${remoteTopic}-1`,
          expect.objectContaining({ downstreamOffset: 4n, upstreamOffset: 4n, metadata: 'commit metadata' }),
        ],
      ]);
      const client = new MirrorClient(props);
      try {
        expect(await client.replicationHops(src)).toBe(1);
        expect(await client.replicationHops(up)).toBe(2);
        expect(await client.replicationHops(uniqueName('nowhere'))).toBe(-1);
        const upstream = await client.upstreamClusters();
        expect(upstream.has(src) && upstream.has(up)).toBe(true);
        const hb = await client.heartbeatTopics();
        expect(hb.has(hbDirect) && hb.has(hbTwoHops)).toBe(true);
        expect((await client.checkpointTopics()).has(checkpoints)).toBe(true);
        const fromSrc = await client.remoteTopics(src);
        if (c.name.startsWith('Identity')) {
          // Identity without source.cluster.alias: only (prefixed) heartbeats topics have a source.
          expect(fromSrc).toEqual(new Set([hbDirect, hbTwoHops]));
        } else {
          expect(fromSrc).toEqual(new Set([hbDirect, hbTwoHops, remoteTopic]));
        }
      } finally {
        await client.close();
      }

      const hopsFor = [src, up, 'nowhere'];
      const ours = await ourLines(props, src, group, hopsFor);
      const java = await javaLines(version, bootstrapA, src, group, hopsFor, c.props);
      expect(ours).toEqual(java);
    });
  }

  it("mm2 dump prints Java's formatter texts; translate and topology print the library's answers", async () => {
    const src = uniqueName('dsrc');
    const group = uniqueName('g');
    const checkpoints = `${src}.checkpoints.internal`;
    const syncs = `mm2-offset-syncs.${uniqueName('dst')}.internal`;
    const hb = `${src}.heartbeats`;
    for (const t of [checkpoints, syncs, hb]) await createCompacted(adminA, t);
    const sink = await a.recordSink();
    const syncRecords: OffsetSync[] = Array.from({ length: 5 }, (_, i) => ({
      topicPartition: { topic: `orders-${i % 2}`, partition: i % 3 },
      upstreamOffset: BigInt(i * 100),
      downstreamOffset: BigInt(i * 90) + 9_007_199_254_740_993n,
    }));
    await sink.send(
      syncs,
      syncRecords.map((s) => ({ partition: 0, key: encodeOffsetSyncKey(s), value: encodeOffsetSyncValue(s) })),
    );
    await sink.send(checkpoints, [
      checkpointRecord(checkpoint(group, `${src}.orders`, 0, 100n, 90n, 'm=1')),
      checkpointRecord(checkpoint(group, `${src}.orders`, 1, 7n, 7n)),
    ]);
    const beat = heartbeatAt(src, 'B', 1_700_000_000_123);
    await sink.send(hb, [{ partition: 0, key: encodeHeartbeatKey(beat), value: encodeHeartbeatValue(beat) }]);

    for (const [type, topic] of [
      ['offset-sync', syncs],
      ['checkpoint', checkpoints],
      ['heartbeat', hb],
    ] as const) {
      const io = capture();
      expect(await mm2(['dump', '--bootstrap', bootstrapA, '--topic', topic, '--from-beginning'], io)).toBe(0);
      expect(io.stdout).toEqual(await javaTexts(version, type, bootstrapA, topic));
    }

    const json = capture();
    expect(
      await mm2(
        ['dump', '--bootstrap', bootstrapA, '--topic', syncs, '--from-beginning', '--json', '--max', '2'],
        json,
      ),
    ).toBe(0);
    expect(json.stdout).toHaveLength(2);
    expect(json.stdout[0]).toContain(
      '"offsetSync":{"topic":"orders-0","partition":0,"upstreamOffset":0,"downstreamOffset":9007199254740993}',
    );

    const translated = capture();
    expect(
      await mm2(['translate', '--bootstrap', bootstrapA, '--source', src, '--group', group, '--json'], translated),
    ).toBe(0);
    expect(JSON.parse(translated.stdout.join('\n'))).toEqual([
      expect.objectContaining({
        group,
        topic: `${src}.orders`,
        partition: 0,
        downstreamOffset: 90,
        upstreamOffset: 100,
        metadata: 'm=1',
      }),
      expect.objectContaining({ group, topic: `${src}.orders`, partition: 1, downstreamOffset: 7, upstreamOffset: 7 }),
    ]);
    const table = capture();
    expect(await mm2(['translate', '--bootstrap', bootstrapA, '--source', src, '--group', group], table)).toBe(0);
    expect(table.stdout[0]).toMatch(/^GROUP\s+TOPIC\s+PARTITION\s+OFFSET\s+UPSTREAM-OFFSET\s+EXACT\s+METADATA$/);
    expect(table.stdout[1]).toMatch(new RegExp(`^${group}\\s+${src}\\.orders\\s+0\\s+90\\s+100\\s+no\\s+m=1$`));

    const missing = capture();
    expect(await mm2(['translate', '--bootstrap', bootstrapA, '--source', 'no-such-alias'], missing)).toBe(2);
    expect(missing.stderr.join('\n')).toContain("checkpoints topic 'no-such-alias.checkpoints.internal'");

    const topology = capture();
    expect(await mm2(['topology', '--bootstrap', bootstrapA, '--json'], topology)).toBe(0);
    const view = JSON.parse(topology.stdout.join('\n')) as { upstreamClusters: { alias: string; hops: number }[] };
    expect(view.upstreamClusters).toContainEqual({ alias: src, hops: 1 });
  });

  it('mm2 dump without --from-beginning follows: only records written after it started, every partition, until its signal', async () => {
    const src = uniqueName('fsrc');
    const hb = `${src}.heartbeats`;
    await createCompacted(adminA, hb, 2);
    const sink = await a.recordSink();
    const beatRecord = (partition: number, at: number): ProducerRecord => {
      const beat = heartbeatAt(src, 'B', at);
      return { partition, key: encodeHeartbeatKey(beat), value: encodeHeartbeatValue(beat) };
    };
    await sink.send(hb, [beatRecord(0, 1_000), beatRecord(1, 1_001)]); // before the dump: not printed
    const io = capture();
    const stop = new AbortController();
    const dumping = mm2(['dump', '--bootstrap', bootstrapA, '--topic', hb, '--json'], { ...io, signal: stop.signal });
    // The dump starts at the end it lists first; keep writing until both partitions show up.
    let at = 2_000;
    await waitFor(
      'the dump to print new heartbeats of both partitions',
      async () => {
        await sink.send(hb, [beatRecord(at % 2, at++)]);
        return io.stdout.map((l) => JSON.parse(l) as { partition: number; heartbeat: { timestamp: number } });
      },
      (lines) => new Set(lines.map((l) => l.partition)).size === 2,
      30_000,
      300,
    );
    const stoppedAt = Date.now();
    stop.abort();
    expect(await dumping).toBe(0);
    // At most one long poll (500 ms) after the signal.
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    const timestamps = io.stdout.map(
      (l) => (JSON.parse(l) as { heartbeat: { timestamp: number } }).heartbeat.timestamp,
    );
    expect(timestamps.every((t) => t >= 2_000)).toBe(true);
    expect(io.stderr).toEqual([]);
    await sink.close();
  });

  it('reads the checkpoints, heartbeats and offset-syncs Java MM2 writes', async () => {
    const src = uniqueName('jsrc');
    const dst = uniqueName('jdst');
    const topic = uniqueName('jorders');
    const group = uniqueName('jgroup');
    const bootstrapB = clusters['B']!;
    await adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    // A `heartbeats` topic on the source, so Java replicates it as `<src>.heartbeats` (hops 1).
    await createCompacted(adminA, 'heartbeats');
    const sink = await a.recordSink();
    await sink.send(
      topic,
      Array.from({ length: 150 }, (_, i) => ({
        partition: i % 2,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
      })),
    );
    // The port's outsider commit does not retry NOT_COORDINATOR for a brand-new group (reported).
    await waitFor(
      `committing ${group} on A`,
      () =>
        adminA
          .commitGroupOffsets(group, [
            { topic, partition: 0, offset: 75n, metadata: 'from-test' },
            { topic, partition: 1, offset: 40n },
          ])
          .then(() => true),
      (done) => done,
      30_000,
      500,
    );

    const dir = mkdtempSync(join(tmpdir(), 'client-java-mm2-'));
    const file = join(dir, 'mm2.properties');
    writeFileSync(
      file,
      [
        baseProperties(clusters, [src, dst]),
        `${src}->${dst}.enabled = true`,
        `${src}->${dst}.topics = ${topic}`,
        `${src}->${dst}.groups = ${group}`,
        `${dst}->${src}.emit.heartbeats.enabled = false`,
        'emit.checkpoints.interval.seconds = 1',
        'emit.heartbeats.interval.seconds = 1',
        `${dst}.plugin.discovery = service_load`,
        '',
      ].join('\n'),
    );
    let java: JavaMirrorMaker | undefined = startJavaMirrorMaker({
      propertiesFile: file,
      clusters: [dst],
      version: javaVersion(version),
    });
    const props = { 'bootstrap.servers': bootstrapB };
    try {
      const client = new MirrorClient(props);
      try {
        const remote = `${src}.${topic}`;
        const offsets = await waitFor(
          `Java MM2 checkpoints for ${group} (output: ${java.output().slice(-1500)})`,
          () => client.remoteConsumerOffsets(group, src, 5_000),
          (m) => m.get(`${remote}-0`)?.upstreamOffset === 75n && m.get(`${remote}-1`)?.upstreamOffset === 40n,
          100_000,
          1_000,
        );
        expect(offsets.get(`${remote}-0`)?.metadata).toBe('from-test');
        for (const o of offsets.values()) expect(o.downstreamOffset <= o.upstreamOffset).toBe(true);
        await waitFor(
          `${src}.heartbeats on ${dst}`,
          () => client.replicationHops(src),
          (hops) => hops === 1,
          60_000,
          1_000,
        );
        expect(await client.upstreamClusters()).toContain(src);
        expect(await client.remoteTopics(src)).toContain(remote);
      } finally {
        await client.close();
      }
      expect(await java.stop()).not.toBeNull();
      java = undefined;

      // Our answers equal Java's RemoteClusterUtils on the records Java MM2 wrote.
      expect(await ourLines(props, src, group, [src, dst])).toEqual(
        await javaLines(version, bootstrapB, src, group, [src, dst], {}),
      );

      // Heartbeats Java wrote on the target decode with our codec.
      const beats = capture();
      expect(
        await mm2(['dump', '--bootstrap', bootstrapB, '--topic', 'heartbeats', '--from-beginning', '--json'], beats),
      ).toBe(0);
      const ours = beats.stdout.map(
        (l) => (JSON.parse(l) as { heartbeat: { sourceClusterAlias: string; targetClusterAlias: string } }).heartbeat,
      );
      expect(ours).toContainEqual(expect.objectContaining({ sourceClusterAlias: src, targetClusterAlias: dst }));

      // Offset-syncs Java wrote on the source: our dump equals Java's own deserializer's text.
      const syncsTopic = `mm2-offset-syncs.${dst}.internal`;
      const syncs = capture();
      expect(await mm2(['dump', '--bootstrap', bootstrapA, '--topic', syncsTopic, '--from-beginning'], syncs)).toBe(0);
      expect(syncs.stdout.length).toBeGreaterThan(0);
      // Syncs for the data topic (and for the replicated `heartbeats` topic).
      expect(syncs.stdout.some((l) => l.startsWith(`OffsetSync{topicPartition=${topic}-`))).toBe(true);
      expect(syncs.stdout).toEqual(await javaTexts(version, 'offset-sync', bootstrapA, syncsTopic));
    } finally {
      await java?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
