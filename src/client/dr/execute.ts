import type { Audit } from './audit.ts';
import type { DrRoute } from './dr-route.ts';
import { DrError } from './errors.ts';
import type { Journal } from './journal.ts';
import type { FailoverPlan } from './plan.ts';

const ACTIVE_STATES = new Set(['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']);

/** One offset a failover sets on T (offsets as decimal strings: this is what the journal keeps). */
export interface PlannedCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly previous: string | null;
  readonly exact: boolean;
  readonly upstream: string;
}

/** What a failover commits, group by group: the step list of its journal entry. */
export type CommitSteps = Readonly<Record<string, readonly PlannedCommit[]>>;

export interface ExecuteOptions {
  readonly audit: Audit;
  readonly journal: Journal;
  /** Moves offsets backwards and commits to groups active on T. */
  readonly force?: boolean;
  /** The group name on T for a group (the drill commits `<group>.drill`). Default: the same name. */
  readonly targetGroup?: (group: string) => string;
  /** Progress lines, one per step. */
  readonly progress?: (line: string) => void;
}

export interface ExecuteResult {
  readonly operation: string;
  /** True when an interrupted run of the same operation was resumed. */
  readonly resumed: boolean;
  /** Groups committed by this run, and those an earlier run of the operation had done. */
  readonly committed: readonly string[];
  readonly alreadyDone: readonly string[];
  readonly steps: CommitSteps;
}

/** The commits a plan calls for: forward moves only, unless `force`. */
export function commitSteps(plan: FailoverPlan, force: boolean): CommitSteps {
  const steps: Record<string, PlannedCommit[]> = {};
  for (const g of plan.groups) {
    steps[g.group] = g.partitions
      .filter((p) => p.action === 'commit' || (force && p.action === 'behind'))
      .map((p) => ({
        topic: p.remoteTopic,
        partition: p.partition,
        offset: p.translated.toString(),
        previous: p.targetCommitted === null ? null : p.targetCommitted.toString(),
        exact: p.exact,
        upstream: p.checkpointUpstream.toString(),
      }));
  }
  return steps;
}

/**
 * Commits the plan's translated offsets on T, one group at a time (an outsider commit: the group
 * must have no members), each step audited and journaled before the next. A run of an operation
 * the journal has in progress resumes it: groups done are skipped, the rest use the offsets
 * planned when the operation began.
 */
export async function executeFailover(
  route: DrRoute,
  plan: FailoverPlan,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const force = options.force === true;
  const rename = options.targetGroup ?? ((g: string) => g);
  const progress = options.progress ?? (() => undefined);
  const earlier = options.journal.inProgress(plan.operation);
  const steps: CommitSteps =
    earlier !== undefined ? (earlier.plan as { steps: CommitSteps }).steps : commitSteps(plan, force);
  if (earlier === undefined) {
    await options.journal.begin(plan.operation, 'failover', { steps, source: plan.source, target: plan.target });
  } else {
    progress(
      `resuming operation ${plan.operation} begun ${earlier.startedAt}: ${earlier.done.length} of ${Object.keys(steps).length} group(s) done`,
    );
  }
  await options.audit.append({
    key: `${plan.operation}/start`,
    operation: plan.operation,
    action: earlier === undefined ? 'start' : 'resume',
    source: plan.source,
    target: plan.target,
    sourceReachable: plan.sourceReachable,
    checks: plan.checks.filter((c) => c.status !== 'ok'),
    lag: plan.replication.partitions
      .filter((p) => p.lagRecords === null || p.lagRecords > 0n)
      .map((p) => ({
        topic: p.sourceTopic,
        partition: p.partition,
        lagRecords: p.lagRecords,
        lowerBound: p.lagIsLowerBound,
      })),
  });
  const admin = await route.targetAdmin();
  const done = new Set(earlier?.done ?? []);
  const committed: string[] = [];
  for (const [group, commits] of Object.entries(steps)) {
    if (done.has(group)) {
      progress(`${group}: done by the earlier run`);
      continue;
    }
    const targetGroup = rename(group);
    const state = (await admin.describeGroupStates([targetGroup])).get(targetGroup) ?? 'Dead';
    if (ACTIVE_STATES.has(state) && !force) {
      throw new DrError(
        'ERR_DR_REFUSED',
        `group ${targetGroup} became active on ${route.target} (${state}) during the failover; stop its consumers and run the command again to resume`,
        { group: targetGroup, state },
      );
    }
    if (commits.length > 0) {
      await admin.commitGroupOffsets(
        targetGroup,
        commits.map((c) => ({ topic: c.topic, partition: c.partition, offset: BigInt(c.offset) })),
      );
    }
    for (const c of commits) {
      await options.audit.append({
        key: `${plan.operation}/${targetGroup}/${c.topic}-${c.partition}`,
        operation: plan.operation,
        action: 'commit',
        cluster: route.target,
        group: targetGroup,
        topic: c.topic,
        partition: c.partition,
        from: c.previous,
        to: c.offset,
        upstreamOffset: c.upstream,
        exact: c.exact,
      });
    }
    await options.journal.markDone(plan.operation, group);
    committed.push(group);
    progress(`${targetGroup}: committed ${commits.length} partition(s) on ${route.target}`);
  }
  await options.audit.append({
    key: `${plan.operation}/done`,
    operation: plan.operation,
    action: 'done',
    groups: Object.keys(steps),
  });
  await options.journal.complete(plan.operation);
  return { operation: plan.operation, resumed: earlier !== undefined, committed, alreadyDone: [...done], steps };
}
