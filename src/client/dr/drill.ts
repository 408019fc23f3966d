import type { Audit } from './audit.ts';
import type { DrRoute } from './dr-route.ts';
import { executeFailover } from './execute.ts';
import { memoryJournal } from './journal.ts';
import { planFailover, type FailoverPlan, type PreflightCheck } from './plan.ts';
import type { PartitionReplication } from './replication-state.ts';
import { checkResume } from './verify-resume.ts';

/** The suffix of the groups a drill creates on T (and removes at its end). */
export const DRILL_SUFFIX = '.drill';

export interface DrillPartition {
  readonly remoteTopic: string;
  readonly partition: number;
  readonly sourceCommitted: bigint | null;
  /** Offset the drill group holds on T (the translated one). */
  readonly drillOffset: bigint | null;
  readonly exact: boolean;
  readonly reread: bigint | null;
  readonly missing: bigint | null;
  readonly note?: string;
}

export interface DrillGroup {
  readonly group: string;
  readonly drillGroup: string;
  readonly partitions: readonly DrillPartition[];
}

/** What a rehearsal of the failover found. */
export interface DrillReport {
  readonly source: string;
  readonly target: string;
  /** Refused before anything was created: the failed checks say why. */
  readonly refused: boolean;
  readonly checks: readonly PreflightCheck[];
  /** From the start of planning to the drill groups committed on T, ms: what a failover takes. */
  readonly timeToFailoverMs: number;
  /** Per partition, the replication lag and recovery point at the time of the drill. */
  readonly recovery: readonly PartitionReplication[];
  readonly groups: readonly DrillGroup[];
  /** Sums over every partition (null when one could not be measured). */
  readonly totals: { readonly reread: bigint | null; readonly missing: bigint | null };
  /** Drill groups removed at the end. */
  readonly removed: readonly string[];
}

export interface DrillOptions {
  readonly groups?: string;
  readonly sourceTimeoutMs?: number;
  readonly audit: Audit;
  readonly progress?: (line: string) => void;
}

/** Checks that stop a drill: it needs S (to compare against) and groups it can translate. */
const DRILL_BLOCKERS = new Set(['source', 'checkpoints', 'topics']);

/**
 * A failover rehearsal on live clusters: commits each group's translated offsets to
 * `<group>.drill` on T, reads from there to check that no record after the group's S position
 * is missing and how many are read again, and removes the drill groups. The real groups, the
 * topics and the mirror are not touched.
 */
export async function runDrill(route: DrRoute, options: DrillOptions): Promise<DrillReport> {
  const progress = options.progress ?? (() => undefined);
  const started = Date.now();
  const plan: FailoverPlan = await planFailover(route, {
    ...(options.groups !== undefined ? { groups: options.groups } : {}),
    ...(options.sourceTimeoutMs !== undefined ? { sourceTimeoutMs: options.sourceTimeoutMs } : {}),
    kind: 'drill',
    verify: false,
  });
  const checks = plan.checks.filter((c) => c.check !== 'group-empty');
  const refused = checks.some((c) => c.status === 'fail' && DRILL_BLOCKERS.has(c.check));
  const base = { source: route.source, target: route.target, checks, recovery: plan.replication.partitions };
  if (refused) {
    return { ...base, refused, timeToFailoverMs: 0, groups: [], totals: { reread: null, missing: null }, removed: [] };
  }
  // The drill groups start from nothing, so every partition is committed (forward from none).
  const drillPlan: FailoverPlan = {
    ...plan,
    groups: plan.groups.map((g) => ({
      ...g,
      partitions: g.partitions.map((p) => ({ ...p, action: 'commit' as const })),
    })),
  };
  const drillGroup = (g: string): string => `${g}${DRILL_SUFFIX}`;
  const admin = await route.targetAdmin();
  const created = plan.groups.map((g) => drillGroup(g.group));
  try {
    await executeFailover(route, drillPlan, {
      audit: options.audit,
      journal: memoryJournal(),
      targetGroup: drillGroup,
      progress,
    });
    const timeToFailoverMs = Date.now() - started;
    const groups: DrillGroup[] = [];
    let reread: bigint | null = 0n;
    let missing: bigint | null = 0n;
    for (const g of plan.groups) {
      const committed = new Map(
        (await admin.fetchGroupOffsets(drillGroup(g.group))).map((o) => [`${o.topic}:${o.partition}`, o.offset]),
      );
      const partitions: DrillPartition[] = [];
      for (const p of g.partitions) {
        const drillOffset = committed.get(`${p.remoteTopic}:${p.partition}`) ?? null;
        const check =
          drillOffset === null || p.sourceCommitted === null
            ? {
                reread: null,
                missing: null,
                note: drillOffset === null ? 'no offset committed' : `no committed offset on ${route.source}`,
              }
            : await checkResume(route, p, p.sourceCommitted, drillOffset);
        reread = reread === null || check.reread === null ? null : reread + check.reread;
        missing = missing === null || check.missing === null ? null : missing + check.missing;
        partitions.push({
          remoteTopic: p.remoteTopic,
          partition: p.partition,
          sourceCommitted: p.sourceCommitted,
          drillOffset,
          exact: p.exact,
          reread: check.reread,
          missing: check.missing,
          ...(check.note !== undefined ? { note: check.note } : {}),
        });
      }
      groups.push({ group: g.group, drillGroup: drillGroup(g.group), partitions });
      progress(`${drillGroup(g.group)}: checked ${partitions.length} partition(s)`);
    }
    return { ...base, refused, timeToFailoverMs, groups, totals: { reread, missing }, removed: created };
  } finally {
    await admin.deleteGroups(created);
    progress(`removed ${created.join(', ')}`);
  }
}
