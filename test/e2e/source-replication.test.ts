import { describe, expect, it } from 'vitest';
import { decodeOffsetSync, formatOffsetSync } from '../../src/records/index.ts';
import { readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { baseProperties, startMirrorMaker } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, partitionDigests, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

// Issue 4 end to end: our `connect-mirror-maker` process against the test bed's clusters A and B.
describe('source replication end to end (connect-mirror-maker)', () => {
  const { clusters } = testKafka();
  const t = useMirrorTestContext(clusters);

  it('E2E-1 (identity policy): creates the topic, copies records byte for byte, one task per partition, offset-syncs on the source', async () => {
    const prefix = uniqueName('dr');
    const mm = await t.start(
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = ${prefix}.*`,
        'B->A.enabled = false',
        'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        'sync.topic.acls.enabled = false',
        'tasks.max = 10',
      ].join('\n'),
    );
    const topic = `${prefix}-inventory`;
    await t.adminA.createTopics([{ name: topic, partitions: 5, replicationFactor: 1 }]);

    // Step 3: the topic appears on B under the same name, with 5 partitions.
    const described = await waitFor(
      `${topic} on B (log: ${mm.output().slice(-1500)})`,
      async () => t.adminB.describeTopics([topic]),
      (d) => d[0]?.partitions.length === 5,
      45_000,
    );
    expect(described[0]!.partitions).toHaveLength(5);

    // Step 4: records with explicit partitions, headers and timestamps arrive byte for byte, in order.
    const records = makeRecords(500, 5, 1);
    await (await t.a.recordSink()).send(topic, records);
    const ends = await waitFor(
      `500 records in ${topic} on B`,
      () => endOffsets(t.adminB, topic),
      (m) => total(m) === 500n,
      60_000,
    );
    const copied = await readAll(await t.b.recordSource(), topic, ends);
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));

    // Step 5: one task per partition (tasks.max=10 is more than there are partitions). Heartbeats
    // topics on A (`heartbeats`, and remote ones other tests left on the shared cluster) are
    // replicated too, as Java does since KAFKA-17534, so they may hold tasks of their own.
    const status = await waitFor(
      'a source task per inventory partition',
      () => mm.status(),
      (s) =>
        (s.routes.find((r) => r.route === 'A->B')?.connectors[0]?.tasks ?? [])
          .flatMap((x) => x.assignedPartitions)
          .filter((tp) => tp.startsWith(topic)).length === 5,
      30_000,
    );
    const tasks = status.routes.find((r) => r.route === 'A->B')!.connectors[0]!.tasks;
    expect(tasks.every((x) => x.state === 'RUNNING')).toBe(true);
    const assigned = tasks.flatMap((x) => x.assignedPartitions);
    expect(assigned.filter((tp) => tp.startsWith(topic)).sort()).toEqual([0, 1, 2, 3, 4].map((p) => `${topic}-${p}`));
    expect(assigned.filter((tp) => !tp.startsWith(topic)).every((tp) => /heartbeats-\d+$/.test(tp))).toBe(true);
    if (assigned.length <= 10) expect(tasks.every((x) => x.assignedPartitions.length === 1)).toBe(true);

    // Step 6: the offset-syncs topic lives on the source, 1 partition, compacted, and decodes.
    const syncsTopic = 'mm2-offset-syncs.B.internal';
    expect((await t.adminA.describeTopics([syncsTopic]))[0]!.partitions).toHaveLength(1);
    const cleanup = (await t.adminA.describeTopicConfigs([syncsTopic]))
      .get(syncsTopic)!
      .find((c) => c.name === 'cleanup.policy');
    expect(cleanup?.value).toBe('compact');
    const syncs = await waitFor(
      'offset syncs for every partition',
      async () => {
        const [fetched] = await (await t.a.recordSource()).fetch([{ topic: syncsTopic, partition: 0, offset: 0n }]);
        return (fetched?.records ?? [])
          .map((r) => decodeOffsetSync(r.key, r.value))
          .filter((s) => s.topicPartition.topic === topic);
      },
      (s) => new Set(s.map((x) => x.topicPartition.partition)).size === 5,
      30_000,
    );
    expect(formatOffsetSync(syncs[0]!)).toMatch(
      new RegExp(`^OffsetSync\\{topicPartition=${topic}-\\d, upstreamOffset=\\d+, downstreamOffset=\\d+\\}$`),
    );
    // Internal topics are never mirrored: the offset-syncs topic this route writes on A would keep
    // its name on B under the identity policy. (Other files' routes leave offset-syncs topics of
    // their own target aliases on the shared clusters, so only this name is checked.)
    expect(await t.adminA.listTopics()).toContain('mm2-offset-syncs.B.internal');
    expect(await t.adminB.listTopics()).not.toContain('mm2-offset-syncs.B.internal');
  });

  it('E2E-3: --clusters selects routes by target; an unknown alias is rejected', async () => {
    const p1 = uniqueName('eu');
    const p2 = uniqueName('us');
    const properties = [
      baseProperties(clusters, ['eu', 'us']),
      'eu->us.enabled = true',
      `eu->us.topics = ${p1}.*`,
      'us->eu.enabled = true',
      `us->eu.topics = ${p2}-inventory`,
    ].join('\n');
    const bad = await startMirrorMaker(properties, ['--clusters', 'xx']);
    expect(await bad.exited).not.toBe(0);
    expect(bad.output()).toMatch(/xx/);

    const mm = await t.start(properties, ['--clusters', 'eu']);
    await t.adminA.createTopics([{ name: `${p1}-x`, partitions: 1, replicationFactor: 1 }]);
    await t.adminB.createTopics([{ name: `${p2}-inventory`, partitions: 2, replicationFactor: 1 }]);
    await (await t.b.recordSink()).send(`${p2}-inventory`, makeRecords(40, 2, 2));
    // us->eu runs: us.<p2>-inventory appears on eu (cluster A) with the records.
    await waitFor(
      `us.${p2}-inventory on eu (log: ${mm.output().slice(-1500)})`,
      () => endOffsets(t.adminA, `us.${p2}-inventory`),
      (m) => total(m) === 40n,
      45_000,
    );
    const status = await mm.status();
    expect(status.routes.map((r) => r.route)).toEqual(['us->eu']);
    // eu->us does not run on this node: nothing of eu's appears on us.
    expect((await t.adminB.listTopics()).filter((t) => t.startsWith(`eu.${p1}`))).toEqual([]);
  });

  it('active-active with the default policy never mirrors a topic back, heartbeats included', async () => {
    const p = uniqueName('aa');
    const mm = await t.start(
      [
        baseProperties(clusters),
        'A->B.enabled = true',
        `A->B.topics = .*${p}.*`,
        'B->A.enabled = true',
        `B->A.topics = .*${p}.*`,
        'sync.topic.acls.enabled = false',
      ].join('\n'),
    );
    await t.adminA.createTopics([{ name: `${p}-x`, partitions: 2, replicationFactor: 1 }]);
    await t.adminB.createTopics([{ name: `${p}-y`, partitions: 2, replicationFactor: 1 }]);
    await (await t.a.recordSink()).send(`${p}-x`, makeRecords(30, 2, 3));
    await (await t.b.recordSink()).send(`${p}-y`, makeRecords(30, 2, 4));
    await waitFor(
      `A.${p}-x on B and B.${p}-y on A (log: ${mm.output().slice(-1500)})`,
      async () => [total(await endOffsets(t.adminB, `A.${p}-x`)), total(await endOffsets(t.adminA, `B.${p}-y`))],
      ([x, y]) => x === 30n && y === 30n,
      60_000,
    );
    // Heartbeats flow both ways and are replicated once, never back.
    await waitFor(
      'replicated heartbeats on both sides',
      async () => [
        (await t.adminB.listTopics()).includes('A.heartbeats'),
        (await t.adminA.listTopics()).includes('B.heartbeats'),
      ],
      ([x, y]) => x === true && y === true,
      30_000,
    );
    // Give both routes several refresh intervals to do the wrong thing.
    await new Promise((r) => setTimeout(r, 8_000));
    const onA = await t.adminA.listTopics();
    const onB = await t.adminB.listTopics();
    expect(onA.filter((t) => t.startsWith('B.A.') || (t.startsWith('A.') && t.includes(p)))).toEqual([]);
    expect(onB.filter((t) => t.startsWith('A.B.') || (t.startsWith('B.') && t.includes(p)))).toEqual([]);
    expect(mm.output()).not.toMatch(/"level":50/);
  });

  it('SIGTERM drains, stores positions and exits 0 within 30 s; a restart re-sends nothing', async () => {
    const p = uniqueName('term');
    const topic = `${p}-t`;
    await t.adminA.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const properties = [
      baseProperties(clusters),
      'A->B.enabled = true',
      `A->B.topics = ${p}.*`,
      'B->A.enabled = false',
    ].join('\n');
    const first = await t.start(properties);
    const sink = await t.a.recordSink();
    await sink.send(topic, makeRecords(3000, 3, 5));
    await waitFor(
      'first batch copied',
      () => endOffsets(t.adminB, `A.${topic}`),
      (m) => total(m) === 3000n,
      60_000,
    );
    const stoppedAt = Date.now();
    expect(await first.stop(30_000)).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);

    await sink.send(topic, makeRecords(3000, 3, 6));
    await t.start(properties);
    const ends = await waitFor(
      'second batch copied',
      () => endOffsets(t.adminB, `A.${topic}`),
      (m) => total(m) >= 6000n,
      60_000,
    );
    // Give a would-be duplicate time to show up, then check the target holds exactly the source.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(total(await endOffsets(t.adminB, `A.${topic}`))).toBe(6000n);
    const source = await readAll(await t.a.recordSource(), topic, await endOffsets(t.adminA, topic));
    const target = await readAll(await t.b.recordSource(), `A.${topic}`, ends);
    expect(partitionDigests(target)).toEqual(partitionDigests(source));
  });
});
