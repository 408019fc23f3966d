import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main as mm2 } from '../../src/cli/mm2.ts';
import { OffsetSyncStore } from '../../src/connectors/checkpoint/offset-sync-store.ts';
import type { ConsumedRecord, KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { decodeCheckpoint, decodeOffsetSync, type Checkpoint } from '../../src/records/index.ts';
import { runJavaSource } from '../support/java.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, startMirrorMaker, type RunningMirrorMaker } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

// Issue 5 end to end: checkpoints, group offset sync and translation with our process.
describe('checkpoints end to end (connect-mirror-maker)', () => {
  const { clusters, version } = testKafka();
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;
  const running: RunningMirrorMaker[] = [];

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!);
    b = openTestCluster(clusters['B']!);
    adminA = await a.admin();
    adminB = await b.admin();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  async function start(properties: string): Promise<RunningMirrorMaker> {
    const mm = await startMirrorMaker(properties);
    running.push(mm);
    return mm;
  }

  /** Retries a call a fresh cluster may refuse for a moment (coordinator loading, leader not ready). */
  async function retry<T>(what: string, call: () => Promise<T>): Promise<T> {
    let result: T | undefined;
    await waitFor(
      what,
      async () => {
        result = await call();
        return true;
      },
      (ok) => ok,
      30_000,
      500,
    );
    return result as T;
  }

  const fast = [
    'emit.checkpoints.interval.seconds = 1',
    'sync.group.offsets.interval.seconds = 1',
    'refresh.groups.interval.seconds = 2',
    'sync.topic.acls.enabled = false',
  ];

  async function readAllOf(cluster: KafkaCluster, topic: string): Promise<ConsumedRecord[]> {
    const admin = await cluster.admin();
    try {
      const ends = await endOffsets(admin, topic);
      const source = await cluster.recordSource();
      try {
        return await readAll(source, topic, ends);
      } finally {
        await source.close();
      }
    } finally {
      await admin.close();
    }
  }

  /** Last checkpoint per group and downstream partition (`group|topic-partition`). */
  async function checkpoints(topic: string): Promise<Map<string, Checkpoint>> {
    const out = new Map<string, Checkpoint>();
    for (const r of await readAllOf(b, topic)) {
      const c = decodeCheckpoint(r.key, r.value);
      out.set(`${c.consumerGroupId}|${c.topicPartition.topic}-${c.topicPartition.partition}`, c);
    }
    return out;
  }

  it('E2E-1 steps 7–13 (identity policy): checkpoints on B, group offsets synced for an idle group, not for an active one', async () => {
    const prefix = uniqueName('cp');
    const topic = `${prefix}-inventory`;
    const group = `${prefix}-my-group`;
    await adminA.createTopics([{ name: topic, partitions: 5, replicationFactor: 1 }]);
    await (await a.recordSink()).send(topic, makeRecords(500, 5, 1));
    // Step 7: the group consumed everything on A (an outsider commit stands in for the consumer).
    const consumed = await endOffsets(adminA, topic);
    await retry('commit on A', () =>
      adminA.commitGroupOffsets(
        group,
        [...consumed].map(([partition, offset]) => ({ topic, partition, offset, metadata: 'm1' })),
      ),
    );

    const mm = await start(
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = ${prefix}.*`,
        `A->B.groups = ${prefix}.*`,
        'B->A.enabled = false',
        'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        'sync.group.offsets.enabled = true',
        'tasks.max = 10',
        ...fast,
      ].join('\n'),
    );

    // Step 8: the checkpoints topic on B, 1 partition, compacted.
    const cpTopic = 'A.checkpoints.internal';
    await waitFor(
      `${cpTopic} on B (log: ${mm.output().slice(-1500)})`,
      async () => (await adminB.describeTopics([cpTopic]))[0]?.partitions.length,
      (n) => n === 1,
      45_000,
    );
    expect(
      (await adminB.describeTopicConfigs([cpTopic])).get(cpTopic)!.find((c) => c.name === 'cleanup.policy')?.value,
    ).toBe('compact');

    // Step 9: a checkpoint per partition, equal to the committed offsets in this no-gap setup,
    // never past B's log end.
    const mine = (m: Map<string, Checkpoint>): Checkpoint[] =>
      [...m.values()].filter((c) => c.consumerGroupId === group);
    const emitted = await waitFor(
      'checkpoints equal to the committed offsets',
      async () => mine(await checkpoints(cpTopic)),
      (cs) => cs.length === 5 && cs.every((c) => c.downstreamOffset === consumed.get(c.topicPartition.partition)),
      60_000,
    );
    const endsB = await endOffsets(adminB, topic);
    for (const c of emitted) {
      expect(c.topicPartition.topic).toBe(topic);
      expect(c.upstreamOffset).toBe(consumed.get(c.topicPartition.partition));
      expect(c.downstreamOffset).toBeLessThanOrEqual(endsB.get(c.topicPartition.partition)!);
      expect(c.metadata).toBe('m1');
    }

    // Step 10: the idle group's offsets land on B, LAG 0, no members.
    await waitFor(
      'group offsets on B',
      async () => adminB.fetchGroupOffsets(group),
      (offs) => offs.length === 5 && offs.every((o) => o.offset === consumed.get(o.partition)),
      30_000,
    );
    expect((await adminB.describeGroupStates([group])).get(group)).toBe('Empty');

    // /status lists the checkpoint connector and its groups.
    const status = await mm.status();
    const cpConnector = status.routes
      .find((r) => r.route === 'A->B')!
      .connectors.find((c) => c.name === 'MirrorCheckpointConnector') as unknown as {
      state: string;
      tasks: { state: string; assignedGroups: string[] }[];
    };
    expect(cpConnector.state).toBe('RUNNING');
    expect(cpConnector.tasks.flatMap((t) => t.assignedGroups)).toContain(group);

    // Step 12: a member of the group on B keeps it active; more is consumed on A; checkpoints
    // advance but B's committed offsets do not move while the group is active.
    const holder = runJavaSource(version, 'interop/HoldGroup.java', [clusters['B']!, group, topic, '14000'], 60_000);
    await waitFor(
      'the group to be active on B',
      async () => (await adminB.describeGroupStates([group])).get(group),
      (s) => s === 'Stable',
      30_000,
      200,
    );
    await (await a.recordSink()).send(topic, makeRecords(100, 5, 2));
    const consumed2 = await endOffsets(adminA, topic);
    await retry('commit on A', () =>
      adminA.commitGroupOffsets(
        group,
        [...consumed2].map(([partition, offset]) => ({ topic, partition, offset, metadata: 'm2' })),
      ),
    );
    await waitFor(
      'checkpoints to advance',
      async () => mine(await checkpoints(cpTopic)),
      (cs) => cs.length === 5 && cs.every((c) => c.downstreamOffset === consumed2.get(c.topicPartition.partition)),
      30_000,
    );
    // Several sync intervals pass while the group is still active.
    await new Promise((done) => setTimeout(done, 2_500));
    expect((await adminB.describeGroupStates([group])).get(group)).toBe('Stable');
    const whileActive = await adminB.fetchGroupOffsets(group);
    expect(whileActive.map((o) => [o.partition, o.offset]).sort()).toEqual(
      [...consumed].map(([p, o]) => [p, o]).sort(),
    );
    // The member leaves: the group is Empty again and the offsets move forward.
    await holder;
    await waitFor(
      'group offsets on B after the member left',
      async () => adminB.fetchGroupOffsets(group),
      (offs) => offs.length === 5 && offs.every((o) => o.offset === consumed2.get(o.partition)),
      30_000,
    );

    // Step 13: checkpoint latency for the group, and the failover view (exact: nothing re-read).
    const metrics = await (await fetch(`${mm.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`kafka_connect_mirror_checkpoint_connector_checkpoint_latency_ms\\{[^}]*group="${group}"`),
    );
    const reread = [
      ...metrics.matchAll(
        new RegExp(`mm2ts_checkpoint_failover_reread_records\\{[^}]*group="${group}"[^}]*\\} (\\S+)`, 'g'),
      ),
    ];
    // One series for the group's topic at the default mm2ts.metrics.level (topic): the sum over its 5 partitions.
    expect(reread.length).toBe(1);
    expect(reread.every((m) => m[1] === '0')).toBe(true);
    // A's partitions are replicated to their ends and the group caught up: nothing is missed,
    // although the newest offset-sync of a partition may trail its end.
    const missed = [
      ...metrics.matchAll(
        new RegExp(`mm2ts_checkpoint_failover_missed_records\\{[^}]*group="${group}"[^}]*\\} (\\S+)`, 'g'),
      ),
    ];
    expect(missed.map((m) => m[1])).toEqual(['0']);
    // mm2 translate on B says the caught-up group's translations are exact.
    const translated: string[] = [];
    const io = { out: (l: string) => translated.push(l), err: () => undefined };
    expect(
      await mm2(['translate', '--bootstrap', clusters['B']!, '--source', 'A', '--group', group, '--json'], io),
    ).toBe(0);
    const rows = JSON.parse(translated.join('\n')) as { downstreamOffset: number; exact: boolean }[];
    expect(rows.map((r) => r.exact)).toEqual([true, true, true, true, true]);
    expect(metrics).toMatch(/mm2ts_checkpoint_newest_offset_sync_timestamp_seconds\{[^}]*source="A"/);

    // Java's own Checkpoint deserializer reads our records.
    const dump = await runJavaSource(version, 'interop/MirrorRecordDump.java', ['checkpoint', clusters['B']!, cpTopic]);
    expect(dump).toMatch(
      new RegExp(
        `Checkpoint\\{consumerGroupId=${group}, topicPartition=${topic}-0, upstreamOffset=${consumed2.get(0)}, downstreamOffset=${consumed2.get(0)}, metadata=m2\\}`,
      ),
    );
  }, 170_000);

  it('E2E-5: default group excludes, groups.exclude, Java formatter text with metadata', async () => {
    const prefix = uniqueName('grp');
    const topic = `${prefix}-t`;
    await adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await (await a.recordSink()).send(topic, makeRecords(50, 1, 3));
    const groups = [
      `console-consumer-${prefix}`,
      `connect-${prefix}`,
      `__${prefix}`,
      `${prefix}-app-1`,
      `${prefix}-app-2`,
    ];
    for (const [i, g] of groups.entries()) {
      await retry('commit on A', () =>
        adminA.commitGroupOffsets(g, [{ topic, partition: 0, offset: BigInt(10 + i), metadata: `m${i}` }]),
      );
    }
    const base = [
      baseProperties(clusters),
      'A->B.enabled = true',
      `A->B.topics = ${prefix}.*`,
      'B->A.enabled = false',
      ...fast,
    ];
    await start(base.join('\n'));
    const cpTopic = 'A.checkpoints.internal';
    const remote = `A.${topic}`;
    const ours = async (): Promise<Checkpoint[]> =>
      [...(await checkpoints(cpTopic)).values()].filter((c) => c.topicPartition.topic === remote);
    // The checkpoint connector starts alongside the source connector, so its first round may
    // come before the first offset-syncs and give Java's lower bound (downstream 1); wait for the
    // exact ones (upstream 13 and 14 are downstream 13 and 14: the copy starts at offset 0).
    const found = await waitFor(
      'exact checkpoints of app-1 and app-2',
      ours,
      (cs) => cs.length >= 2 && cs.every((c) => c.downstreamOffset === c.upstreamOffset),
      60_000,
    );
    expect(found.map((c) => c.consumerGroupId).sort()).toEqual([`${prefix}-app-1`, `${prefix}-app-2`]);
    const dump = await runJavaSource(version, 'interop/MirrorRecordDump.java', ['checkpoint', clusters['B']!, cpTopic]);
    expect(dump).toContain(
      `Checkpoint{consumerGroupId=${prefix}-app-1, topicPartition=${remote}-0, upstreamOffset=13, downstreamOffset=13, metadata=m3}`,
    );
    await Promise.all(running.splice(0).map((m) => m.stop()));

    // With groups.exclude = app-2 (replacing the defaults), new commits only checkpoint app-1.
    const before = await readAllOf(b, cpTopic);
    for (const g of groups)
      await retry('commit on A', () =>
        adminA.commitGroupOffsets(g, [{ topic, partition: 0, offset: 40n, metadata: 'again' }]),
      );
    await start([...base, `groups.exclude = .*-app-2`].join('\n'));
    const after = await waitFor(
      'a new checkpoint for app-1',
      async () =>
        (await readAllOf(b, cpTopic))
          .slice(before.length)
          .map((r) => decodeCheckpoint(r.key, r.value))
          .filter((c) => c.topicPartition.topic === remote),
      (cs) => cs.some((c) => c.consumerGroupId === `${prefix}-app-1` && c.upstreamOffset === 40n),
      60_000,
    );
    // Defaults replaced: console-consumer-/connect-/__ groups are now included; app-2 is not.
    await new Promise((done) => setTimeout(done, 3_000));
    const newer = (await readAllOf(b, cpTopic)).slice(before.length).map((r) => decodeCheckpoint(r.key, r.value));
    const newGroups = new Set(newer.filter((c) => c.topicPartition.topic === remote).map((c) => c.consumerGroupId));
    expect(after.length).toBeGreaterThan(0);
    expect(newGroups.has(`${prefix}-app-2`)).toBe(false);
    expect(newGroups.has(`${prefix}-app-1`)).toBe(true);
  }, 150_000);

  it('E2E-6: divergent offsets never skip an unconsumed record; re-read after failover, ours vs Java', async () => {
    const prefix = uniqueName('div');
    const deleted = `${prefix}-deleted`;
    const tx = `${prefix}-tx`;
    const compacted = `${prefix}-compacted`;
    const busy = `${prefix}-busy`;
    await adminA.createTopics([
      { name: deleted, partitions: 1, replicationFactor: 1 },
      { name: tx, partitions: 1, replicationFactor: 1 },
      { name: busy, partitions: 1, replicationFactor: 1 },
      {
        name: compacted,
        partitions: 1,
        replicationFactor: 1,
        configs: {
          'cleanup.policy': 'compact',
          'segment.ms': '500',
          'min.cleanable.dirty.ratio': '0.001',
          'min.compaction.lag.ms': '0',
          'delete.retention.ms': '0',
        },
      },
    ]);
    const sink = await a.recordSink();
    /** upstream offset per value, per topic (from the produce results). */
    const upstreamOf = new Map<string, Map<string, bigint>>();
    const produce = async (topic: string, values: string[], keys?: string[]): Promise<void> => {
      const [res] = await sink.send(
        topic,
        values.map((v, i) => ({ partition: 0, key: Buffer.from(keys?.[i] ?? v), value: Buffer.from(v) })),
      );
      const map = upstreamOf.get(topic) ?? new Map<string, bigint>();
      values.forEach((v, i) => map.set(v, res!.baseOffset + BigInt(i)));
      upstreamOf.set(topic, map);
    };
    const seq = (tag: string, from: number, n: number): string[] =>
      Array.from({ length: n }, (_, i) => `${tag}-${from + i}`);
    // (a) the first 120 of 300 records deleted: log start 120.
    await produce(deleted, seq('d', 0, 300));
    await retry('delete records', () => adminA.deleteRecords(deleted, [{ partition: 0, beforeOffset: 120n }]));
    // (b) 200 records in transactions of 7: a control record after each.
    const txOut = await runJavaSource(version, 'interop/TxProduce.java', [clusters['A']!, tx, '200', '7']);
    upstreamOf.set(
      tx,
      new Map(
        txOut
          .trim()
          .split('\n')
          .filter((l) => /^\d+\t/.test(l))
          .map((l) => l.split('\t'))
          .map(([o, v]) => [v!, BigInt(o!)]),
      ),
    );
    // (c) a compacted topic: 10 keys rewritten 20 times, then a roll so the cleaner can run.
    await produce(
      compacted,
      seq('c', 0, 200),
      Array.from({ length: 200 }, (_, i) => `key-${i % 10}`),
    );
    await new Promise((done) => setTimeout(done, 700));
    await produce(compacted, seq('c', 200, 1), ['key-roll']);
    // A busy topic for the re-read measurement: 1000 records in small batches.
    for (let i = 0; i < 1000; i += 50) await produce(busy, seq('b', i, 50));

    // Wait (bounded) for the cleaner to open gaps; the test holds either way, the note says which.
    const compactedGaps = await waitFor(
      'compaction',
      async () => {
        const recs = await readAllOf(a, compacted);
        return recs.length;
      },
      (n) => n < 201,
      25_000,
      1_000,
    ).then(
      (n) => 201 - n,
      () => 0,
    );

    const topics = [deleted, tx, compacted, busy];
    // Groups at many positions of each topic, committed before mirroring starts.
    const positions = new Map<string, bigint[]>();
    for (const topic of topics) {
      const { earliest, latest } = (await adminA.listOffsets(topic))[0]!;
      const span = latest - earliest;
      const at = new Set<bigint>([earliest, latest]);
      for (let k = 1n; k < 12n; k++) at.add(earliest + (span * k) / 12n);
      if (topic === busy) for (const back of [1n, 3n, 7n, 20n, 45n, 80n]) at.add(latest - back);
      positions.set(
        topic,
        [...at].sort((x, y) => (x < y ? -1 : 1)),
      );
      for (const g of positions.get(topic)!) {
        await retry('commit on A', () =>
          adminA.commitGroupOffsets(`${topic}-g${g}`, [{ topic, partition: 0, offset: g }]),
        );
      }
    }

    await start(
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = ${prefix}.*`,
        `A->B.groups = ${prefix}.*`,
        'B->A.enabled = false',
        ...fast,
      ].join('\n'),
    );
    const cpTopic = 'A.checkpoints.internal';
    // A group positioned before the first record a topic still holds (compaction removed what was
    // there) has no offset-sync at or below it, so neither Java nor we emit a checkpoint for it.
    const firstRecord = new Map<string, bigint>();
    for (const topic of topics) {
      const { earliest } = (await adminA.listOffsets(topic))[0]!;
      // Compaction leaves the log start at 0 but removes records: look at the first one still there.
      firstRecord.set(topic, topic === compacted ? ((await readAllOf(a, topic))[0]?.offset ?? 0n) : earliest);
    }
    const expected = [...positions].reduce(
      (n, [topic, l]) => n + l.filter((g) => g >= firstRecord.get(topic)!).length,
      0,
    );
    const cps = await waitFor(
      `checkpoints for ${expected} groups`,
      async () => [...(await checkpoints(cpTopic)).values()].filter((c) => c.consumerGroupId.startsWith(prefix)),
      // The checkpoint connector starts alongside the source connector: its first rounds may
      // translate with the first offset-syncs only (Java's lower bound). The busy topic has no
      // gaps (copied from offset 0), so once every busy group's checkpoint is exact the rounds
      // have caught up with the syncs.
      (cs) =>
        cs.length >= expected &&
        cs.filter((c) => c.topicPartition.topic === `A.${busy}`).every((c) => c.downstreamOffset === c.upstreamOffset),
      90_000,
    );

    // Read the offset-syncs as Java would (headers ignored) for the baseline.
    const syncRecords = (await readAllOf(a, 'mm2-offset-syncs.B.internal')).filter((r) =>
      decodeOffsetSync(r.key, r.value).topicPartition.topic.startsWith(prefix),
    );
    const java = new OffsetSyncStore();
    java.start(false);
    for (const r of syncRecords) java.handleRecord(r.key, r.value);
    java.markReadToEnd();

    const report: string[] = [];
    for (const topic of topics) {
      const target = await readAllOf(b, `A.${topic}`);
      const up = upstreamOf.get(topic)!;
      const targetUpstream = target.map((r) => up.get(r.value!.toString())!);
      // Where on B the first record at or after upstream g sits (B's log end if none).
      const truth = (g: bigint): number => {
        const i = targetUpstream.findIndex((u) => u >= g);
        return i === -1 ? targetUpstream.length : i;
      };
      let oursReread = 0;
      let javaReread = 0;
      for (const g of positions.get(topic)!) {
        const c = cps.find((x) => x.consumerGroupId === `${topic}-g${g}`);
        if (c === undefined) continue;
        const d = Number(c.downstreamOffset);
        // No skip: every record on B before the checkpoint was consumed upstream (offset < g).
        expect(
          targetUpstream.slice(0, d).every((u) => u < g),
          `${topic} g=${g} → ${d}`,
        ).toBe(true);
        expect(d).toBeLessThanOrEqual(target.length);
        oursReread += truth(g) - d;
        const j = java.translateDownstream({ topic, partition: 0 }, g);
        if (j !== undefined && j >= 0n) javaReread += truth(g) - Number(j);
      }
      report.push(
        `${topic.slice(prefix.length + 1)}: re-read ours ${oursReread}, Java baseline ${javaReread} (${positions.get(topic)!.length} groups)`,
      );
      if (topic === busy) {
        // Caught-up groups (just behind the end of a busy partition): exact for ours.
        const copies = new Set(targetUpstream.map(String)).size;
        expect(
          oursReread,
          `busy: ${target.length} records on B, ${target.length - copies} duplicates; mirror log: ${running
            .map((m) => m.output())
            .join('')
            .split('\n')
            .filter((l) => /retrying|restart|FAILED|reassign|changed/.test(l))
            .slice(0, 20)
            .join('\n')}`,
        ).toBe(0);
      }
    }
    console.log(
      `[E2E-6 on Kafka ${version}] compaction gaps: ${compactedGaps} records removed\n  ${report.join('\n  ')}`,
    );
  }, 170_000);
});
