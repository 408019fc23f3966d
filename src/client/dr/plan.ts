import { createHash } from 'node:crypto';
import type { KafkaAdmin } from '../../kafka/port.ts';
import { CheckpointCollector, type TranslatedOffset } from '../translated-offsets.ts';
import type { DrRoute } from './dr-route.ts';
import { checkConsumerAcls } from './acl-check.ts';
import { readWholeTopic } from './read-log.ts';
import { measureReplication, type ReplicationState } from './replication-state.ts';
import { checkResume } from './verify-resume.ts';

/** Group states in which a group has members: offsets cannot be committed from outside. */
const ACTIVE_STATES = new Set(['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']);

/** One partition of one group: where it stands on S, where it would resume on T, and what that costs. */
export interface PartitionPlan {
  readonly sourceTopic: string;
  /** The topic the group reads on T (the policy's remote name of `sourceTopic`). */
  readonly remoteTopic: string;
  readonly partition: number;
  /** The group's committed offset on S now; null when S is unreachable or the group has none there. */
  readonly sourceCommitted: bigint | null;
  /** The S offset the newest checkpoint translated. */
  readonly checkpointUpstream: bigint;
  /** Where the group resumes on T (the checkpoint's downstream offset). */
  readonly translated: bigint;
  /** True when the checkpoint proves `translated` exact for `checkpointUpstream`; false: a lower bound. */
  readonly exact: boolean;
  /** Age of the checkpoint at planning time, ms. */
  readonly checkpointAgeMs: number;
  /** The group's committed offset on T now (null: none). */
  readonly targetCommitted: bigint | null;
  /**
   * Records the group would read again on T: measured against the data when S is reachable (the
   * copy of its last consumed record is found on T), else null.
   */
  readonly reread: bigint | null;
  /** Records after the S position the group would skip (0 expected); null when not measurable. */
  readonly missing: bigint | null;
  /** `commit`: moves T's offset; `unchanged`: already there; `behind`: T is ahead and is kept unless forced. */
  readonly action: 'commit' | 'unchanged' | 'behind';
}

export interface GroupPlan {
  readonly group: string;
  /** State on S (`Empty`, `Stable`, …, `Dead` for none); null when S is unreachable. */
  readonly sourceState: string | null;
  readonly targetState: string;
  readonly partitions: readonly PartitionPlan[];
  /** The topics the group must subscribe to on T under the route's replication policy. */
  readonly subscribe: readonly string[];
}

export interface PreflightCheck {
  readonly check: string;
  /** `fail` refuses `--execute` (nothing is changed); `warn` is reported and recorded. */
  readonly status: 'ok' | 'warn' | 'fail';
  readonly message: string;
}

/** Everything a failover (or drill) of route S->T would do, computed without changing anything. */
export interface FailoverPlan {
  /** Operation id: the same for a re-run of the same command (see journal.ts). */
  readonly operation: string;
  readonly source: string;
  readonly target: string;
  readonly policy: string;
  readonly groupsPattern: string;
  readonly sourceReachable: boolean;
  readonly replication: ReplicationState;
  readonly groups: readonly GroupPlan[];
  readonly checks: readonly PreflightCheck[];
  /** True when a check failed: `--execute` refuses. */
  readonly refused: boolean;
  /** When it was computed (epoch ms). */
  readonly at: number;
}

export interface PlanOptions {
  /** Java regex of the groups to move (whole-name match, as MM2's `groups`). Default `.*`. */
  readonly groups?: string;
  /** `--force`: an active group on T, a lost S and backward moves are allowed (reported as `warn`). */
  readonly force?: boolean;
  /** How long S may take to answer before it is treated as unreachable, ms. */
  readonly sourceTimeoutMs?: number;
  /** Measure re-reads against the data (reads a few records per partition). Default true. */
  readonly verify?: boolean;
  /** Offsets S is known to have reached (`topic:partition` → offset), from earlier runs: a lower bound of the loss when S is lost. */
  readonly lastSeenSourceEnds?: ReadonlyMap<string, bigint>;
  /** Operation id prefix (`failover`, `drill`). */
  readonly kind?: string;
}

/** The operation id of a command: stable across re-runs, so an interrupted one is resumed. */
export function operationId(kind: string, route: DrRoute, groups: string): string {
  const hash = createHash('sha256').update(`${route.source}\0${route.target}\0${groups}`).digest('hex').slice(0, 10);
  return `${kind}-${route.source}-${route.target}-${hash}`;
}

function groupMatcher(pattern: string): (group: string) => boolean {
  const re = new RegExp(`^(?:${pattern})$`);
  return (group) => re.test(group);
}

/** The newest checkpoints of every group on T from S. */
async function checkpointsOnTarget(
  route: DrRoute,
  admin: KafkaAdmin,
): Promise<Map<string, Map<string, TranslatedOffset>>> {
  const collector = new CheckpointCollector();
  await readWholeTopic(route.targetCluster, admin, route.policy.checkpointsTopic(route.source), (r) =>
    collector.add(r),
  );
  return collector.allGroups();
}

/**
 * Computes the failover plan of route S->T for the groups matching `options.groups`: preflight
 * checks, replication lag per partition, and per group and partition the translated offset, its
 * exactness and the re-reads it costs. Reads only; changes nothing.
 */
export async function planFailover(route: DrRoute, options: PlanOptions = {}): Promise<FailoverPlan> {
  const pattern = options.groups ?? '.*';
  const matches = groupMatcher(pattern);
  const force = options.force === true;
  const checks: PreflightCheck[] = [];
  const targetAdmin = await route.targetAdmin();
  const sourceAdmin = await route.sourceAdmin(options.sourceTimeoutMs ?? 10_000);
  const at = Date.now();
  checks.push(
    sourceAdmin !== undefined
      ? { check: 'source', status: 'ok', message: `${route.source} is reachable` }
      : {
          check: 'source',
          status: force ? 'warn' : 'fail',
          message:
            `${route.source} does not answer: treated as lost; what it held that is not on ${route.target} is lost ` +
            `(lower bounds per partition below)` +
            (force ? '' : '; --execute needs --force to declare it lost'),
        },
  );

  const checkpoints = await checkpointsOnTarget(route, targetAdmin);
  const selected = [...checkpoints.keys()].filter(matches);
  // Groups on S that match but have no checkpoint cannot be moved: the checkpoint connector has
  // not translated them yet (or filters them out).
  if (sourceAdmin !== undefined) {
    const settings = route.route.settings;
    const checkpointed = (g: string): boolean => settings.groups.matches(g) && !settings.groupsExclude.matches(g);
    const copied = (t: string): boolean => settings.topics.matches(t) && !settings.topicsExclude.matches(t);
    const onSource = (await sourceAdmin.listGroups())
      .map((g) => g.groupId)
      .filter((g) => matches(g) && !checkpoints.has(g));
    for (const group of onSource.sort()) {
      const committed = (await sourceAdmin.fetchGroupOffsets(group)).filter((o) => copied(o.topic));
      if (committed.length === 0) continue;
      checks.push({
        check: 'checkpoints',
        status: 'fail',
        message:
          `group ${group} has offsets on ${route.source} but no checkpoint in ${route.policy.checkpointsTopic(route.source)} on ${route.target}` +
          (checkpointed(group)
            ? ' yet (checkpoints are emitted every emit.checkpoints.interval.seconds; new groups are found every refresh.groups.interval.seconds)'
            : ` (the route's groups / groups.exclude do not select it)`) +
          '; see docs/runbooks/checkpoints-troubleshooting.md',
      });
    }
  }
  if (selected.length === 0) {
    checks.push({
      check: 'checkpoints',
      status: 'fail',
      message:
        `no group matching '${pattern}' has checkpoints from ${route.source} on ${route.target}` +
        (checkpoints.size > 0 ? `; groups with checkpoints: ${[...checkpoints.keys()].join(', ')}` : ''),
    });
  }

  // What T knows about S's size: every group's checkpointed position proves S reached it.
  const knownEnds = new Map(options.lastSeenSourceEnds ?? []);
  const byRemote = new Map<string, string>();
  for (const offsets of checkpoints.values()) {
    for (const o of offsets.values()) {
      const sourceTopic = route.policy.upstreamTopic(o.topic) ?? o.topic;
      byRemote.set(o.topic, sourceTopic);
      const id = `${sourceTopic}:${o.partition}`;
      if ((knownEnds.get(id) ?? -1n) < o.upstreamOffset) knownEnds.set(id, o.upstreamOffset);
    }
  }
  const replication = await measureReplication(route, sourceAdmin, knownEnds);
  for (const p of replication.partitions) {
    if (p.lagRecords !== null && p.lagRecords > 0n) {
      checks.push({
        check: 'lag',
        status: 'warn',
        message: `${p.sourceTopic}-${p.partition}: ${p.lagIsLowerBound ? 'at least ' : ''}${p.lagRecords} record(s) of ${route.source} not on ${route.target}: lost by a failover now`,
      });
    } else if (p.lagRecords === null) {
      checks.push({
        check: 'lag',
        status: 'warn',
        message: `${p.sourceTopic}-${p.partition}: records not on ${route.target} cannot be counted (${route.source} unreachable, no checkpoint or earlier observation beyond the replicated position ${p.replicatedTo ?? 'unknown'})`,
      });
    }
  }

  // Reading a topic that does not exist is retried by the Kafka client until it times out.
  const targetTopics = new Set(await targetAdmin.listTopics());
  const sourceTopics = new Set(sourceAdmin === undefined ? [] : await sourceAdmin.listTopics());
  const targetStates = await targetAdmin.describeGroupStates(selected);
  const sourceStates = sourceAdmin === undefined ? undefined : await sourceAdmin.describeGroupStates(selected);
  const groups: GroupPlan[] = [];
  const topicsToCheck = new Set<string>();
  for (const group of selected) {
    const targetState = targetStates.get(group) ?? 'Dead';
    if (ACTIVE_STATES.has(targetState)) {
      checks.push({
        check: 'group-empty',
        status: force ? 'warn' : 'fail',
        message:
          `group ${group} is active on ${route.target} (${targetState}): its members would overwrite the offsets; stop them first` +
          (force ? '' : ' (or --force)'),
      });
    }
    const sourceCommitted = new Map(
      sourceAdmin === undefined
        ? []
        : (await sourceAdmin.fetchGroupOffsets(group)).map((o) => [`${o.topic}:${o.partition}`, o.offset]),
    );
    const targetCommitted = new Map(
      (await targetAdmin.fetchGroupOffsets(group)).map((o) => [`${o.topic}:${o.partition}`, o.offset]),
    );
    const partitions: PartitionPlan[] = [];
    const sorted = [...checkpoints.get(group)!.values()].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
    for (const o of sorted) {
      const sourceTopic = byRemote.get(o.topic) ?? o.topic;
      topicsToCheck.add(o.topic);
      const committedOnS = sourceCommitted.get(`${sourceTopic}:${o.partition}`) ?? null;
      const committedOnT = targetCommitted.get(`${o.topic}:${o.partition}`) ?? null;
      const where = { sourceTopic, remoteTopic: o.topic, partition: o.partition };
      const check =
        options.verify !== false && committedOnS !== null && sourceTopics.has(sourceTopic) && targetTopics.has(o.topic)
          ? await checkResume(route, where, committedOnS, o.downstreamOffset)
          : { reread: null, missing: null };
      if (check.missing !== null && check.missing > 0n) {
        checks.push({
          check: 'translation',
          status: 'fail',
          message: `group ${group} ${o.topic}-${o.partition}: resuming at ${o.downstreamOffset} would skip ${check.missing} record(s)`,
        });
      }
      partitions.push({
        ...where,
        sourceCommitted: committedOnS,
        checkpointUpstream: o.upstreamOffset,
        translated: o.downstreamOffset,
        exact: o.exact,
        checkpointAgeMs: Math.max(0, at - o.checkpointTimestamp),
        targetCommitted: committedOnT,
        reread: check.reread,
        missing: check.missing,
        action:
          committedOnT === null || committedOnT < o.downstreamOffset
            ? 'commit'
            : committedOnT === o.downstreamOffset
              ? 'unchanged'
              : 'behind',
      });
    }
    groups.push({
      group,
      sourceState: sourceStates?.get(group) ?? null,
      targetState,
      partitions,
      subscribe: [...new Set(partitions.map((p) => p.remoteTopic))].sort(),
    });
  }

  await checkTopics(route, sourceAdmin, targetAdmin, [...topicsToCheck].sort(), byRemote, checks);
  if (sourceAdmin !== undefined && route.route.settings.syncTopicAcls.enabled) {
    const needs = groups.map((g) => ({
      group: g.group,
      topics: g.partitions.map((p) => ({ source: p.sourceTopic, remote: p.remoteTopic })),
    }));
    checks.push(...(await checkConsumerAcls(sourceAdmin, targetAdmin, needs, route.target)));
  }
  return {
    operation: operationId(options.kind ?? 'failover', route, pattern),
    source: route.source,
    target: route.target,
    policy: route.policyName,
    groupsPattern: pattern,
    sourceReachable: sourceAdmin !== undefined,
    replication,
    groups,
    checks,
    refused: checks.some((c) => c.status === 'fail'),
    at,
  };
}

/** Remote topics exist on T with S's partition count (a group's partitions must map one to one). */
async function checkTopics(
  route: DrRoute,
  sourceAdmin: KafkaAdmin | undefined,
  targetAdmin: KafkaAdmin,
  remoteTopics: readonly string[],
  byRemote: ReadonlyMap<string, string>,
  checks: PreflightCheck[],
): Promise<void> {
  if (remoteTopics.length === 0) return;
  const existing = new Set(await targetAdmin.listTopics());
  const present = remoteTopics.filter((t) => existing.has(t));
  for (const t of remoteTopics.filter((t) => !existing.has(t))) {
    checks.push({ check: 'topics', status: 'fail', message: `remote topic ${t} does not exist on ${route.target}` });
  }
  const targetCounts = new Map((await targetAdmin.describeTopics(present)).map((d) => [d.name, d.partitions.length]));
  if (sourceAdmin === undefined) return;
  const sourceTopics = new Set(await sourceAdmin.listTopics());
  const upstream = present.map((t) => byRemote.get(t) ?? t).filter((t) => sourceTopics.has(t));
  const sourceCounts = new Map((await sourceAdmin.describeTopics(upstream)).map((d) => [d.name, d.partitions.length]));
  let ok = true;
  for (const t of present) {
    const s = sourceCounts.get(byRemote.get(t) ?? t);
    const n = targetCounts.get(t);
    if (s !== undefined && n !== undefined && s !== n) {
      ok = false;
      checks.push({
        check: 'topics',
        status: 'fail',
        message: `${t} has ${n} partition(s) on ${route.target} but ${byRemote.get(t) ?? t} has ${s} on ${route.source}: offsets would land on other partitions' data`,
      });
    }
  }
  if (ok)
    checks.push({
      check: 'topics',
      status: 'ok',
      message: `remote topics exist on ${route.target} with ${route.source}'s partition counts`,
    });
}
