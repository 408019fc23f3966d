import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useMirrorTestContext } from '../support/e2e.ts';
import { kcatConsume, kcatProduce, runMm2 } from '../support/dr.ts';
import { testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, propertiesWith, checkpointedRouteLines } from '../support/mirror-maker.ts';
import { endOffsets, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

/** Numbers read twice across the two consumers, and numbers of 1..n read by neither. */
function tally(before: string[], after: string[], n: number): { missing: number; reread: number } {
  const first = new Set(before);
  const all = new Set([...before, ...after]);
  let missing = 0;
  for (let i = 1; i <= n; i++) if (!all.has(String(i))) missing++;
  return { missing, reread: after.filter((v) => first.has(v)).length };
}

// The kcat drill of docs/runbooks/kcat-consumers.md: a librdkafka consumer moves from A to B with
// `mm2 failover --execute` and resumes on B from the committed offsets.
describe('mm2 failover with a kcat consumer (A -> B, default naming)', () => {
  const { clusters, version } = testKafka();
  const ctx = useMirrorTestContext(clusters);
  const N = 300;

  async function mirror(prefix: string, overrides: Record<string, string> = {}): Promise<string> {
    const mm = await ctx.start(
      propertiesWith([baseProperties(clusters), ...checkpointedRouteLines(prefix)].join('\n'), overrides),
    );
    return mm.file;
  }

  it('an idle group resumes on B with 0 numbers missing and 0 re-read', async () => {
    const prefix = uniqueName('drk');
    const topic = `${prefix}-numbers`;
    const group = `${prefix}-app`;
    await ctx.adminA.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const file = await mirror(prefix);
    await kcatProduce(
      clusters['A']!,
      topic,
      Array.from({ length: N / 2 }, (_, i) => String(i + 1)),
    );
    // The consumer reads part of it and stops (its commits flushed on exit) while records keep coming.
    const before = await kcatConsume(clusters['A']!, group, topic, 100);
    await kcatProduce(
      clusters['A']!,
      topic,
      Array.from({ length: N / 2 }, (_, i) => String(N / 2 + i + 1)),
    );
    const stateDir = mkdtempSync(join(tmpdir(), 'mm2-dr-'));
    const result = await waitFor(
      'failover executed',
      () =>
        runMm2([
          'failover',
          file,
          '--from',
          'A',
          '--to',
          'B',
          '--groups',
          group,
          '--wait-lag',
          '20',
          '--execute',
          '--state-dir',
          stateDir,
        ]),
      (r) => r.code === 0,
      40_000,
      1_000,
    );
    console.log(result.out);
    expect(result.out).toContain('EXECUTED operation');
    const rereadPrinted = /re-read on resume: (\d+|unknown) record/.exec(result.out)?.[1];
    const after = await kcatConsume(clusters['B']!, group, `A.${topic}`);
    const { missing, reread } = tally(before, after, N);
    console.log(
      `[dr] kafka ${version}: kcat group moved A->B: ${before.length} read on A, ${after.length} on B, missing ${missing}, re-read ${reread} (printed ${rereadPrinted})`,
    );
    expect(missing).toBe(0);
    expect(reread).toBe(0);
    expect(rereadPrinted).toBe('0');
    // Every change is audited (file and topic) and the journal says the operation completed.
    const audit = readFileSync(join(stateDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(audit.filter((e) => e.action === 'commit').length).toBeGreaterThan(0);
    expect(audit.at(-1)?.action).toBe('done');
    expect((await ctx.adminB.listTopics()).includes('mm2-dr-audit.internal')).toBe(true);
    const journal = JSON.parse(readFileSync(join(stateDir, 'journal.json'), 'utf8')) as {
      operations: { completedAt?: string }[];
    };
    expect(journal.operations[0]?.completedAt).toBeDefined();
  }, 90_000);

  // With the default position flush (60 s) the last offset-sync of a partition can stay up to
  // offset.lag.max records behind its end; a group that just caught up then translates as a lower
  // bound until the mirror emits the sync that makes it exact (docs/offset-translation.md).
  it('a group that caught up 5 s before the failover re-reads 0 (default 60 s position flush)', async () => {
    const prefix = uniqueName('drc');
    const topic = `${prefix}-numbers`;
    const group = `${prefix}-app`;
    await ctx.adminA.createTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const file = await mirror(prefix, { 'A.offset.flush.interval.ms': '60000', 'B.offset.flush.interval.ms': '60000' });
    await kcatProduce(
      clusters['A']!,
      topic,
      Array.from({ length: N }, (_, i) => String(i + 1)),
    );
    const before = await kcatConsume(clusters['A']!, group, topic);
    expect(before.length).toBe(N);
    // The 5 s count from when both the group and the mirror have caught up: what is measured is
    // how soon the translation becomes exact, not how long a loaded machine takes to copy 300
    // records (a loaded CI run once re-read 196 of 300 here).
    await waitFor(
      `all ${N} records on B`,
      () => endOffsets(ctx.adminB, `A.${topic}`).catch(() => new Map<number, bigint>()),
      (ends) => total(ends) === BigInt(N),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 5_000));
    const stateDir = mkdtempSync(join(tmpdir(), 'mm2-dr-'));
    // No --wait-lag: the failover happens 5 s after the group caught up, whatever the translation says.
    const result = await runMm2([
      'failover',
      file,
      '--from',
      'A',
      '--to',
      'B',
      '--groups',
      group,
      '--execute',
      '--state-dir',
      stateDir,
    ]);
    expect(result.code, result.out + result.err).toBe(0);
    const after = await kcatConsume(clusters['B']!, group, `A.${topic}`);
    const { missing, reread } = tally(before, after, N);
    expect(result.out).toContain(`re-read on resume: ${reread} record(s)`);
    console.log(
      `[dr] kafka ${version}: caught-up group moved A->B 5 s after catching up: missing ${missing}, re-read ${reread}`,
    );
    expect(missing, result.out).toBe(0);
    expect(reread, result.out).toBe(0);
  }, 90_000);
});
