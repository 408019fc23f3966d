import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, KafkaCluster } from '../../src/kafka/index.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { endOffsets, fingerprint, makeRecords } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const RUNBOOK = join(REPO_ROOT, 'docs', 'runbooks', 'failback.md');

/** The ```sh blocks of one `## ` section of the runbook, exactly as printed. */
function shBlocks(section: string): string[] {
  const text = readFileSync(RUNBOOK, 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`no section '## ${section}' in ${RUNBOOK}`);
  const end = text.indexOf('\n## ', start + 1);
  const body = text.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A directory with an `mm2` on PATH that runs this checkout's tool (as the installed bin would). */
function mm2OnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-bin-'));
  const bin = join(dir, 'mm2');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'src', 'cli', 'mm2-bin.ts')}" "$@"\n`);
  chmodSync(bin, 0o755);
  return dir;
}

/** Runs a runbook block with bash, the placeholders set as the runbook says. */
function runBlock(block: string, env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', block], {
    env: { ...process.env, ...env, PATH: `${mm2OnPath()}:${process.env['PATH']}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

async function records(cluster: KafkaCluster, topic: string, partition: number): Promise<ConsumedRecord[]> {
  const source = await cluster.recordSource();
  try {
    const admin = await cluster.admin();
    const ends = await endOffsets(admin, topic);
    await admin.close();
    return (await readAll(source, topic, new Map([[partition, ends.get(partition)!]]))).filter(
      (r) => r.partition === partition,
    );
  } finally {
    await source.close();
  }
}

/** Outsider commits stand in for a consumer that read up to `offset` and stopped. */
async function commit(cluster: KafkaCluster, group: string, topic: string, partition: number, offset: bigint) {
  const admin = await cluster.admin();
  try {
    await waitFor(
      `a commit of ${group}`,
      () => admin.commitGroupOffsets(group, [{ topic, partition, offset }]).then(() => true),
      () => true,
      15_000,
    );
  } finally {
    await admin.close();
  }
}

async function committed(cluster: KafkaCluster, group: string): Promise<Map<string, bigint>> {
  const admin = await cluster.admin();
  try {
    // The group coordinator may still be loading right after a cluster's first group request.
    const offsets = await waitFor(
      `the offsets of ${group}`,
      () => admin.fetchGroupOffsets(group),
      () => true,
      15_000,
    );
    return new Map(offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset]));
  } finally {
    await admin.close();
  }
}

/**
 * docs/runbooks/failback.md, run as printed against real brokers: A is S (the original cluster),
 * B is T (where the applications ran after the failover).
 */
describe('failback runbook (mm2 failback)', () => {
  const { clusters, version } = testKafka();
  const ctx = useMirrorTestContext(clusters);

  it("prefix naming: the group resumes on S with no gap and no re-read; T's records reach S", async () => {
    const prefix = uniqueName('fbp');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await ctx.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await ctx.adminB.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    const dir = mkdtempSync(join(tmpdir(), 'mm2ts-fb-'));
    const properties = [
      baseProperties(clusters),
      'A->B.enabled = true',
      'B->A.enabled = true',
      `topics = ${prefix}.*`,
      `groups = ${prefix}.*`,
      'emit.checkpoints.interval.seconds = 1',
      'sync.group.offsets.enabled = false',
      'sync.topic.acls.enabled = false',
    ].join('\n');
    // S's records, copied to T while S was up.
    await (await ctx.a.recordSink()).send(topic, makeRecords(150, 1, 21));
    const mm = await ctx.start(properties);
    await waitFor(
      `150 records in A.${topic} on B`,
      async () => endOffsets(ctx.adminB, `A.${topic}`),
      (e) => e.get(0) === 150n,
      30_000,
    );
    // Failover: the consumer read A.<topic> on B up to 97 (not a sync boundary), and the
    // applications produced 40 records on B's own topic, of which the consumer read 25.
    await (await ctx.b.recordSink()).send(topic, makeRecords(40, 1, 22));
    await commit(ctx.b, group, `A.${topic}`, 0, 97n);
    await commit(ctx.b, group, topic, 0, 25n);
    await waitFor(
      `B's 40 records in B.${topic} on A`,
      async () => endOffsets(ctx.adminA, `B.${topic}`),
      (e) => e.get(0) === 40n,
      30_000,
    );
    const configFile = join(dir, 'mm2.properties');
    writeFileSync(configFile, properties);
    const env = { MM2_CONFIG: configFile, S: 'A', T: 'B', GROUPS: group, AUDIT_LOG: join(dir, 'audit.jsonl') };
    const blocks = shBlocks('Default (prefix) naming');
    expect(blocks).toHaveLength(2);

    // The plan: exact, nothing re-read (the T->S sync of B's last record comes once B is quiet).
    const plan = runBlock(blocks[0]!, env); // waits (--wait) while B->A's last sync is pending
    expect(plan.code, plan.out).toBe(0);
    expect(plan.out).toContain(`Group ${group} (on B: Empty, on A: none): commit on A, re-reads 0`);
    expect(await committed(ctx.a, group)).toEqual(new Map()); // the plan changed nothing
    // A refusal changes nothing either: the same command on a file without the route B->A.
    const noRoute = join(dir, 'no-route.properties');
    writeFileSync(noRoute, properties.replace('B->A.enabled = true', 'B->A.enabled = false'));
    const refused = runBlock(blocks[1]!, { ...env, MM2_CONFIG: noRoute });
    expect(refused.code, refused.out).toBe(1);
    expect(refused.out).toContain('REFUSED NO_REVERSE_ROUTE');
    expect(await committed(ctx.a, group)).toEqual(new Map());

    const executed = runBlock(blocks[1]!, env);
    console.log(`[failback prefix on Kafka ${version}]\n${plan.out}\n${executed.out}`);
    expect(executed.code, executed.out).toBe(0);
    const onA = await committed(ctx.a, group);
    // No gap and no re-read: the next record each position gives on A is the one after what the
    // consumer read on B.
    const sOrders = await records(ctx.a, topic, 0);
    const tCopies = await records(ctx.b, `A.${topic}`, 0);
    expect(fingerprint(sOrders[Number(onA.get(`${topic}-0`)!)]!)).toBe(fingerprint(tCopies[97]!));
    expect(onA.get(`${topic}-0`)).toBe(97n);
    const tOwn = await records(ctx.b, topic, 0);
    const sCopiesOfT = await records(ctx.a, `B.${topic}`, 0);
    expect(fingerprint(sCopiesOfT[Number(onA.get(`B.${topic}-0`)!)]!)).toBe(fingerprint(tOwn[25]!));
    // Nothing written on T is lost: every record of B's own topic is on A.
    expect(sCopiesOfT.map(fingerprint)).toEqual(tOwn.map(fingerprint));
    expect(readFileSync(env.AUDIT_LOG, 'utf8')).toContain('"commit-group-offsets"');
    await mm.stop();
  }, 120_000);

  it('identity naming: T->S starts after what S holds, S-only records are reported, the group resumes exactly', async () => {
    const prefix = uniqueName('fbi');
    const topic = `${prefix}-inv`;
    const group = `${prefix}-app`;
    await ctx.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    const dir = mkdtempSync(join(tmpdir(), 'mm2ts-fb-'));
    const common = [
      baseProperties(clusters),
      'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      `topics = ${prefix}.*`,
      `groups = ${prefix}.*`,
      'emit.checkpoints.interval.seconds = 1',
      'sync.group.offsets.enabled = false',
      'sync.topic.acls.enabled = false',
    ];
    await (await ctx.a.recordSink()).send(topic, makeRecords(120, 1, 31));
    const forward = await ctx.start([...common, 'A->B.enabled = true', 'B->A.enabled = false'].join('\n'));
    await waitFor(
      `120 records in ${topic} on B`,
      async () => endOffsets(ctx.adminB, topic),
      (e) => e.get(0) === 120n,
      30_000,
    );
    await forward.stop();
    // S was cut off: 6 records written on A never reached B. On B the applications wrote 30
    // records after the copies; the consumer read all copies and 12 of B's own records.
    await (await ctx.a.recordSink()).send(topic, makeRecords(6, 1, 32));
    await (await ctx.b.recordSink()).send(topic, makeRecords(30, 1, 33));
    await commit(ctx.b, group, topic, 0, 132n);

    const configFile = join(dir, 'mm2.properties');
    const backProperties = [...common, 'A->B.enabled = false', 'B->A.enabled = true'].join('\n');
    writeFileSync(configFile, backProperties);
    const env = { MM2_CONFIG: configFile, S: 'A', T: 'B', GROUPS: group, AUDIT_LOG: join(dir, 'audit.jsonl') };
    const blocks = shBlocks('Identity naming');
    expect(blocks).toHaveLength(2);

    const first = runBlock(blocks[0]!, env);
    console.log(`[failback identity on Kafka ${version}] before T->S starts:\n${first.out}`);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(new RegExp(`${topic}\\s+0\\s+120\\s+-\\s+set`));
    expect(first.out).toContain(`${topic}-0: offsets 120..125 (6)`);
    expect(first.out).toContain(`Group ${group} (on B: Empty, on A: none): pending`);
    expect(await committed(ctx.a, group)).toEqual(new Map());

    // The runbook's step 3: the mirror with T->S.
    const back = await ctx.start(backProperties);
    const second = runBlock(blocks[1]!, env); // waits (--wait) for the pending group itself
    console.log(`[failback identity on Kafka ${version}] after T->S copied:\n${second.out}`);
    expect(second.code, second.out).toBe(0);

    const onS = await records(ctx.a, topic, 0);
    const onT = await records(ctx.b, topic, 0);
    // Nothing S held was copied back: A = its 126 records, then exactly B's 30 own ones.
    expect(onS).toHaveLength(156);
    expect(onS.slice(126).map(fingerprint)).toEqual(onT.slice(120).map(fingerprint));
    // The group resumes on A at the copy of the record after the 12 it read of B's own records.
    const at = (await committed(ctx.a, group)).get(`${topic}-0`)!;
    expect(at).toBe(138n);
    expect(fingerprint(onS[Number(at)]!)).toBe(fingerprint(onT[132]!));
    await back.stop();
  }, 150_000);
});
