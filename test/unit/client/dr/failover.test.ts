import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  executeFailover,
  openAudit,
  openDrRoute,
  openJournal,
  planFailover,
  runDrill,
  type DrRoute,
} from '../../../../src/client/dr/index.ts';
import { encodeCheckpointKey, encodeCheckpointValue, exactCheckpointHeader } from '../../../../src/records/index.ts';
import { InMemoryKafka, kafkaError } from '../../../support/in-memory-kafka.ts';

const PROPERTIES = [
  'clusters = A, B',
  'A.bootstrap.servers = a:9092',
  'B.bootstrap.servers = b:9092',
  'A->B.enabled = true',
  'B->A.enabled = false',
].join('\n');

/** Clusters A and B in memory: `orders` (2 partitions, 10 records each) on A and copied to B as `A.orders`. */
function world(): { a: InMemoryKafka; b: InMemoryKafka; route: DrRoute; dir: string } {
  const a = new InMemoryKafka();
  const b = new InMemoryKafka();
  for (const [k, topic] of [
    [a, 'orders'],
    [b, 'A.orders'],
  ] as const) {
    k.addTopic(topic, 2);
    for (const partition of [0, 1]) {
      k.produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({
          partition,
          key: Buffer.from(`k${partition}-${i}`),
          value: Buffer.from(`v${partition}-${i}`),
          timestamp: 1_000 + i,
        })),
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'dr-unit-'));
  writeFileSync(join(dir, 'mm2.properties'), PROPERTIES);
  const route = openDrRoute(join(dir, 'mm2.properties'), 'A', 'B', {
    openCluster: (settings, alias) => (alias === 'A' ? a : b).cluster(settings),
  });
  return { a, b, route, dir };
}

/** A group that committed `offset` on A for both partitions, with exact checkpoints on B. */
async function groupAt(a: InMemoryKafka, b: InMemoryKafka, group: string, offset: bigint): Promise<void> {
  const admin = await a.cluster().admin();
  await admin.commitGroupOffsets(
    group,
    [0, 1].map((partition) => ({ topic: 'orders', partition, offset })),
  );
  if (!b.hasTopic('A.checkpoints.internal')) b.addTopic('A.checkpoints.internal', 1);
  b.produce(
    'A.checkpoints.internal',
    [0, 1].map((partition) => {
      const checkpoint = {
        consumerGroupId: group,
        topicPartition: { topic: 'A.orders', partition },
        upstreamOffset: offset,
        downstreamOffset: offset,
        metadata: '',
      };
      return {
        partition: 0,
        key: encodeCheckpointKey(checkpoint),
        value: encodeCheckpointValue(checkpoint),
        headers: [exactCheckpointHeader()],
        timestamp: Date.now(),
      };
    }),
  );
}

describe('failover plan and execution (in memory)', () => {
  it('plans the translated offsets, checked against the data: exact, 0 re-read, 0 missing', async () => {
    const { a, b, route } = world();
    await groupAt(a, b, 'app', 4n);
    const plan = await planFailover(route, { groups: 'app' });
    expect(plan.refused).toBe(false);
    expect(plan.groups.map((g) => g.subscribe)).toEqual([['A.orders']]);
    for (const p of plan.groups[0]!.partitions) {
      expect(p).toMatchObject({ translated: 4n, exact: true, reread: 0n, missing: 0n, action: 'commit' });
    }
    await route.close();
  });

  it('measures re-reads and missing records when the checkpoint is behind or ahead of the group', async () => {
    const { a, b, route } = world();
    await groupAt(a, b, 'app', 4n);
    // The group moved on to 7 on A since its last checkpoint: resuming at 4 re-reads 3.
    await (await a.cluster().admin()).commitGroupOffsets('app', [{ topic: 'orders', partition: 0, offset: 7n }]);
    const plan = await planFailover(route, { groups: 'app' });
    expect(plan.groups[0]!.partitions[0]).toMatchObject({ reread: 3n, missing: 0n });
    await route.close();
  });

  it('refuses a group active on B and changes nothing', async () => {
    const { a, b, route } = world();
    await groupAt(a, b, 'app', 4n);
    b.setGroupState('app', 'Stable');
    const plan = await planFailover(route, { groups: 'app' });
    expect(plan.refused).toBe(true);
    expect(plan.checks.find((c) => c.status === 'fail')?.message).toContain('group app is active on B (Stable)');
    expect(b.committedOffsets('app')).toEqual([]);
    await route.close();
  });

  it('refuses a group with offsets on A and no checkpoints', async () => {
    const { a, b, route } = world();
    await groupAt(a, b, 'other', 2n);
    await (await a.cluster().admin()).commitGroupOffsets('app', [{ topic: 'orders', partition: 0, offset: 1n }]);
    const plan = await planFailover(route, { groups: 'app' });
    expect(plan.refused).toBe(true);
    expect(plan.checks.map((c) => c.message).join('\n')).toContain('group app has offsets on A but no checkpoint');
    await route.close();
  });

  it('an interrupted run resumes: groups done are not committed again, the audit records every change', async () => {
    const { a, b, route, dir } = world();
    await groupAt(a, b, 'g1', 3n);
    await groupAt(a, b, 'g2', 5n);
    const plan = await planFailover(route, { groups: 'g.' });
    const auditFile = join(dir, 'state', 'audit.jsonl');
    const journalFile = join(dir, 'state', 'journal.json');
    // The second group's commit fails: the run stops after the first.
    b.inject({ op: 'commitGroupOffsets', call: 2, error: kafkaError('REQUEST_TIMED_OUT', true) });
    const audit = await openAudit({ file: auditFile, cluster: b.cluster() });
    await expect(executeFailover(route, plan, { audit, journal: await openJournal(journalFile) })).rejects.toThrow(
      'REQUEST_TIMED_OUT',
    );
    expect(b.committedOffsets('g1').map((o) => o.offset)).toEqual([3n, 3n]);
    expect(b.committedOffsets('g2')).toEqual([]);
    // Meanwhile someone moved g1 on B: a repeat would move it back, a resume leaves it.
    await (await b.cluster().admin()).commitGroupOffsets('g1', [{ topic: 'A.orders', partition: 0, offset: 9n }]);
    const lines: string[] = [];
    const result = await executeFailover(route, plan, {
      audit,
      journal: await openJournal(journalFile),
      progress: (l) => lines.push(l),
    });
    await audit.close();
    expect(result).toMatchObject({ resumed: true, committed: ['g2'], alreadyDone: ['g1'] });
    expect(lines[0]).toMatch(/resuming operation failover-A-B-\w+ begun .*: 1 of 2 group\(s\) done/);
    expect(b.committedOffsets('g1').find((o) => o.partition === 0)?.offset).toBe(9n);
    expect(b.committedOffsets('g2').map((o) => o.offset)).toEqual([5n, 5n]);
    const entries = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; group?: string; to?: string });
    expect(entries.filter((e) => e.action === 'commit').map((e) => `${e.group}@${e.to}`)).toEqual([
      'g1@3',
      'g1@3',
      'g2@5',
      'g2@5',
    ]);
    expect(entries.map((e) => e.action)).toEqual(['start', 'commit', 'commit', 'resume', 'commit', 'commit', 'done']);
    // The compacted audit topic on B has the same records, keyed by what changed.
    expect(b.records('mm2-dr-audit.internal').map((r) => r.key?.toString())).toContain(
      `${plan.operation}/g2/A.orders-1`,
    );
    // Completed: a new run starts afresh (nothing to move: offsets already there).
    const again = await planFailover(route, { groups: 'g.' });
    expect(again.groups.flatMap((g) => g.partitions.map((p) => p.action))).not.toContain('commit');
    await route.close();
  });

  it('the drill commits <group>.drill, checks it and removes it; the real group is untouched', async () => {
    const { a, b, route, dir } = world();
    await groupAt(a, b, 'app', 6n);
    const audit = await openAudit({ file: join(dir, 'audit.jsonl') });
    const report = await runDrill(route, { groups: 'app', audit });
    await audit.close();
    expect(report.refused).toBe(false);
    expect(report.totals).toEqual({ reread: 0n, missing: 0n });
    expect(report.removed).toEqual(['app.drill']);
    expect(b.groupIds()).not.toContain('app.drill');
    expect(b.committedOffsets('app')).toEqual([]);
    await route.close();
  });

  it('warns when a principal may read the group and its topic on A but not on B (ACL sync on)', async () => {
    const { a, b, route } = world();
    await groupAt(a, b, 'app', 4n);
    const allow = {
      patternType: 'LITERAL',
      principal: 'User:app',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    } as const;
    a.acls.push(
      { ...allow, resourceType: 'GROUP', resourceName: 'app' },
      { ...allow, resourceType: 'TOPIC', resourceName: 'orders' },
    );
    b.acls.push({ ...allow, resourceType: 'TOPIC', resourceName: 'A.orders' });
    const plan = await planFailover(route, { groups: 'app' });
    const acl = plan.checks.filter((c) => c.check === 'acls');
    expect(acl).toEqual([
      expect.objectContaining({
        status: 'warn',
        message: expect.stringContaining('User:app may READ group app on the source but not app on B'),
      }),
    ]);
    expect(plan.refused).toBe(false);
    await route.close();
  });
});
