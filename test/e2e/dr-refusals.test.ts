import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { useBrokerFaults } from '../support/broker-faults.ts';
import { kcatConsume, kcatProduce, runMm2 } from '../support/dr.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';
import {
  baseProperties,
  startMirrorMaker,
  type RunningMirrorMaker,
  checkpointedRouteLines,
} from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

/** A group's committed offsets as `topic-partition=offset`, sorted: what "nothing changed" compares. */
async function offsetsOf(admin: KafkaAdmin, group: string): Promise<string[]> {
  return (await admin.fetchGroupOffsets(group)).map((o) => `${o.topic}-${o.partition}=${o.offset}`).sort();
}

// Refusals change nothing; the drill and dr status on a running route; S lost before the failover.
describe('mm2 failover refusals, drill, dr status, source lost (A -> B)', () => {
  const { clusters, version } = testKafka();
  const faults = useBrokerFaults();
  const prefix = uniqueName('drr');
  const topic = `${prefix}-orders`;
  const other = `${prefix}-grown`;
  const idle = `${prefix}-idle`;
  const grown = `${prefix}-grown-app`;
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;
  let mm: RunningMirrorMaker;
  let state: string;
  const args = (...rest: string[]): string[] => [
    mm.file,
    '--from',
    'A',
    '--to',
    'B',
    '--state-dir',
    state,
    '--timeout-ms',
    '3000',
    ...rest,
  ];

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!);
    b = openTestCluster(clusters['B']!);
    adminA = await a.admin();
    adminB = await b.admin();
    state = mkdtempSync(join(tmpdir(), 'mm2-dr-'));
    await adminA.createTopics([
      { name: topic, partitions: 2, replicationFactor: 1 },
      { name: other, partitions: 2, replicationFactor: 1 },
    ]);
    mm = await startMirrorMaker([baseProperties(clusters), ...checkpointedRouteLines(prefix)].join('\n'));
    await kcatProduce(
      clusters['A']!,
      topic,
      Array.from({ length: 60 }, (_, i) => String(i + 1)),
    );
    await kcatProduce(
      clusters['A']!,
      other,
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    await kcatConsume(clusters['A']!, idle, topic, 30);
    await kcatConsume(clusters['A']!, grown, other);
    // Both groups have checkpoints on B before the tests start.
    await waitFor(
      'checkpoints of both groups',
      () => runMm2(['dr', 'status', ...args('--groups', `${prefix}-(idle|grown-app)`, '--json')]),
      (r) => r.out.includes(`"${idle}"`) && r.out.includes(`"${grown}"`),
      30_000,
      1_000,
    );
  }, 90_000);

  afterAll(async () => {
    await mm?.stop();
    await a?.close();
    await b?.close();
  });

  it('unknown alias: exit 2 naming the aliases, nothing changed', async () => {
    const before = await offsetsOf(adminB, idle);
    const r = await runMm2(['failover', mm.file, '--from', 'X', '--to', 'B', '--groups', idle, '--execute']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--from X: unknown cluster alias; clusters in');
    expect(r.err).toContain('A, B');
    expect(await offsetsOf(adminB, idle)).toEqual(before);
  });

  it('no checkpoints (a group the route does not select): exit 1, nothing changed', async () => {
    const group = `other-${prefix}`;
    await waitFor(
      'commit on A',
      () => adminA.commitGroupOffsets(group, [{ topic, partition: 0, offset: 1n }]).then(() => true),
      (ok) => ok,
      20_000,
    );
    const r = await runMm2(['failover', ...args('--groups', group, '--execute')]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      `group ${group} has offsets on A but no checkpoint in A.checkpoints.internal on B (the route's groups`,
    );
    expect(r.out).toContain('REFUSED');
    expect(await offsetsOf(adminB, group)).toEqual([]);
  });

  it('group active on B: exit 1, nothing changed', async () => {
    const before = await offsetsOf(adminB, idle);
    const consumer = spawn('kcat', ['-b', clusters['B']!, '-G', idle, '-q', `A.${topic}`], { stdio: 'ignore' });
    try {
      await waitFor(
        'the kcat group Stable on B',
        async () => (await adminB.describeGroupStates([idle])).get(idle),
        (s) => s === 'Stable',
        30_000,
      );
      const r = await runMm2(['failover', ...args('--groups', idle, '--execute')]);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`group ${idle} is active on B (Stable)`);
    } finally {
      // SIGTERM: kcat leaves the group, which is Empty again for the tests after this one.
      consumer.kill('SIGTERM');
    }
    await waitFor(
      'the kcat group gone from B',
      async () => (await adminB.describeGroupStates([idle])).get(idle),
      (s) => s !== 'Stable',
      30_000,
    );
    expect(await offsetsOf(adminB, idle)).toEqual(before);
  }, 60_000);

  it('partition counts differ: exit 1, nothing changed', async () => {
    await adminB.createPartitions(`A.${other}`, 3);
    const r = await runMm2(['failover', ...args('--groups', grown, '--execute')]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`A.${other} has 3 partition(s) on B but ${other} has 2 on A`);
    expect(await offsetsOf(adminB, grown)).toEqual([]);
  });

  it('drill: 0 missing, re-reads counted, drill group removed, the real group untouched', async () => {
    const before = await offsetsOf(adminB, idle);
    const r = await runMm2(['drill', ...args('--groups', idle)]);
    console.log(`[dr] kafka ${version}: drill\n${r.out}`);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/RESULT: missing 0, re-read \d+ record\(s\), time to fail over \d+\.\d+s/);
    expect((await adminB.listGroups()).map((g) => g.groupId)).not.toContain(`${idle}.drill`);
    expect(await offsetsOf(adminB, idle)).toEqual(before);
  });

  it('dr status: lag, recovery point and the group, exit 0', async () => {
    const r = await runMm2(['dr', 'status', ...args('--groups', idle)]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('REPLICATION A -> B');
    expect(r.out).toMatch(new RegExp(`${topic}\\s+0\\s+\\d+\\s+\\d+\\s+0\\s+0\\.0`));
    expect(r.out).toContain(`${idle}: on A Empty, on B Empty`);
  });

  it('A lost before the failover: unreplicated records reported per partition, --execute only with --force', async () => {
    // The mirror stops, 10 more records land on A and an operator's dr status sees them; then A dies.
    await mm.stop();
    await kcatProduce(
      clusters['A']!,
      topic,
      Array.from({ length: 10 }, (_, i) => String(61 + i)),
    );
    expect((await runMm2(['dr', 'status', ...args('--groups', idle)])).code).toBeLessThan(2);
    await faults.kill('A');
    const before = await offsetsOf(adminB, idle);
    const plan = await runMm2(['failover', ...args('--groups', idle)]);
    console.log(`[dr] kafka ${version}: A lost\n${plan.out}`);
    expect(plan.code, plan.out + plan.err).toBe(1);
    expect(plan.out).toContain('A does not answer');
    const lost = [...plan.out.matchAll(new RegExp(`${topic}-(\\d): at least (\\d+) record`, 'g'))];
    expect(lost.reduce((n, m) => n + Number(m[2]), 0)).toBe(10);
    const refused = await runMm2(['failover', ...args('--groups', idle, '--execute')]);
    expect(refused.code).toBe(1);
    expect(await offsetsOf(adminB, idle)).toEqual(before);
    const forced = await runMm2(['failover', ...args('--groups', idle, '--execute', '--force')]);
    expect(forced.code, forced.out + forced.err).toBe(0);
    expect(forced.out).toContain('EXECUTED operation');
    expect((await offsetsOf(adminB, idle)).length).toBeGreaterThan(0);
  }, 60_000);
});
