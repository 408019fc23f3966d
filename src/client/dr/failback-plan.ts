import type { KafkaCluster } from '../../kafka/port.ts';
import type { ReplicationPolicy } from '../../policy/index.ts';
import { topicPartitionKey } from '../../records/index.ts';
import type { Logger } from '../../util/logger.ts';
import {
  computeMatch,
  openSide,
  partitionEnds,
  retrying,
  storedPositions,
  type Side,
} from './failback-cluster-view.ts';
import { readOffsetSyncs, type SyncsByPartition } from './reverse-syncs.ts';
import {
  forwardTranslate,
  reverseTranslateMatched,
  type MatchResult,
  type PartitionSync,
  type PositionTranslation,
} from './reverse-translate.ts';

/** Where an offset-syncs topic is: its name and the alias of the cluster holding it. */
export interface SyncsLocation {
  readonly topic: string;
  readonly cluster: string;
}

/** What `mm2 failback --from T --to S` needs to know, resolved from mm2.properties by the CLI. */
export interface FailbackSetup {
  /** T: the cluster applications ran on after the failover. */
  readonly from: string;
  /** S: the cluster they return to. */
  readonly to: string;
  readonly policy: ReplicationPolicy;
  /** Open clients per alias: at least `from` and `to`. */
  readonly clusters: ReadonlyMap<string, KafkaCluster>;
  /** The S->T route's offset syncs (read in reverse). */
  readonly forwardSyncs: SyncsLocation;
  /** The T->S route's offset syncs (T's own records copied back to S). */
  readonly reverseRouteSyncs: SyncsLocation;
  /** The T->S route's Connect offsets topic (on S): where its start positions go. */
  readonly reverseOffsets: { readonly topic: string; readonly partitions: number; readonly replicationFactor: number };
  /** `T->S.enabled = true` in the file. */
  readonly reverseRouteEnabled: boolean;
  /** `S->T.enabled = true` in the file. */
  readonly forwardRouteEnabled: boolean;
  /** Topics of T the route T->S copies (its topic filter): only they get start positions. */
  readonly reverseTopics: (topic: string) => boolean;
  /** Topics of S the route S->T copies: only they are checked for records that never reached T. */
  readonly forwardTopics: (topic: string) => boolean;
  /** Groups to fail back (full match on the group id). */
  readonly groups: RegExp;
  /** Bound of each read, ms. */
  readonly timeoutMs: number;
  /** Records compared per partition after the last sync (default 100 000). */
  readonly matchLimit?: number;
  readonly logger: Logger;
}

/** A precondition that does not hold: the plan is refused and nothing changes. */
export interface Refusal {
  readonly code:
    | 'NO_REVERSE_ROUTE'
    | 'BOTH_ROUTES_WITH_IDENTITY'
    | 'NO_OFFSET_SYNCS'
    | 'NO_GROUPS'
    | 'GROUP_ACTIVE_ON_SOURCE'
    | 'GROUP_ACTIVE_ON_TARGET'
    | 'UNTRANSLATABLE'
    | 'START_POSITION_AHEAD';
  readonly message: string;
}

/** One committed position of a group on T and where it goes on S. */
export interface PartitionPlan {
  /** The topic the group read on T. */
  readonly fromTopic: string;
  readonly partition: number;
  /** Its committed offset on T. */
  readonly fromOffset: bigint;
  readonly metadata: string;
  /** The topic it resumes on S. */
  readonly toTopic: string;
  /**
   * `reverse`: a copy of S's records on T (the S->T offset syncs read backwards); `forward`: T's
   * own records, copied to S by T->S (its offset syncs read as checkpoints are).
   */
  readonly via: 'reverse' | 'forward';
  readonly translation: PositionTranslation;
  /**
   * `pending`: not on S yet (T->S has not copied the records the position is after): run again
   * once T->S caught up.
   */
  readonly status: 'ok' | 'pending' | 'untranslatable';
}

export interface GroupPlan {
  readonly group: string;
  readonly stateOnFrom: string;
  readonly stateOnTo: string;
  readonly partitions: readonly PartitionPlan[];
  /** Positions of the group on topics this failback does not handle (from a third cluster). */
  readonly skipped: readonly { topic: string; partition: number; reason: string }[];
  /** `commit`: every position translates; `pending`: some are not on S yet (nothing committed). */
  readonly action: 'commit' | 'pending' | 'refused';
  /** Re-reads at most, over the lower bounds (0 when every position is exact). */
  readonly maxReread: bigint;
}

/** Identity naming: where T->S starts copying a partition of T so it copies nothing S holds. */
export interface StartPosition {
  readonly topic: string;
  readonly partition: number;
  /** First T offset S does not hold. */
  readonly start: bigint;
  /** What T->S's offsets topic holds for it now (the last copied offset; start - 1 is what we write). */
  readonly stored: bigint | undefined;
  /** `set`: written with --execute; `keep`: already at or past it (T->S ran). */
  readonly action: 'set' | 'keep';
}

/** Records of S that never reached T: a failback keeps them on S and reports them. */
export interface NeverReached {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  /** Exclusive. */
  readonly to: bigint;
  readonly records: bigint;
}

export interface FailbackPlan {
  readonly from: string;
  readonly to: string;
  readonly naming: 'prefix' | 'identity';
  readonly forwardSyncs: SyncsLocation & { readonly syncs: number };
  readonly reverseRouteSyncs: SyncsLocation & { readonly syncs: number };
  readonly refusals: readonly Refusal[];
  readonly groups: readonly GroupPlan[];
  readonly startPositions: readonly StartPosition[];
  readonly neverReached: readonly NeverReached[];
}

/** Group states with no member (`none`: the group does not exist on that cluster). */
const INACTIVE_STATES = new Set(['Empty', 'Dead', 'none', '']);
const DEFAULT_MATCH_LIMIT = 100_000;

/**
 * Computes the failback plan without changing anything: reads the groups on T and S, both
 * offset-syncs topics, the logs right after each partition's last S->T sync (to find exactly
 * what S->T copied after it) and, for identity naming, T->S's stored positions.
 */
export async function planFailback(setup: FailbackSetup): Promise<FailbackPlan> {
  const { from, to, policy } = setup;
  const identity = policy.formatRemoteTopic(to, 'x') === 'x';
  const deadline = Date.now() + setup.timeoutMs;
  const read = { deadline, timeoutMs: setup.timeoutMs };
  const sides = new Map<string, Side>();
  const side = async (alias: string): Promise<Side> => {
    let s = sides.get(alias);
    if (s === undefined) {
      const cluster = setup.clusters.get(alias);
      if (cluster === undefined) throw new Error(`no client for cluster '${alias}'`);
      s = await openSide(alias, cluster, deadline);
      sides.set(alias, s);
    }
    return s;
  };
  try {
    const t = await side(from);
    const s = await side(to);
    const refusals: Refusal[] = [];
    if (!setup.reverseRouteEnabled) {
      refusals.push({
        code: 'NO_REVERSE_ROUTE',
        message: `route ${from}->${to} is not enabled in the file: add '${from}->${to}.enabled = true' (it copies ${from}'s records back to ${to})`,
      });
    }
    if (identity && setup.reverseRouteEnabled && setup.forwardRouteEnabled) {
      refusals.push({
        code: 'BOTH_ROUTES_WITH_IDENTITY',
        message:
          `${to}->${from} and ${from}->${to} are both enabled with identity naming: each would copy the other's copies back ` +
          `(same topic names, no cycle detection); set '${to}->${from}.enabled = false' for the failback`,
      });
    }
    const fwdSide = await side(setup.forwardSyncs.cluster);
    const forward = await readOffsetSyncs(fwdSide.admin, fwdSide.source, setup.forwardSyncs.topic, read);
    if (forward.count === 0) {
      refusals.push({
        code: 'NO_OFFSET_SYNCS',
        message:
          `no offset syncs of ${to}->${from} to reverse: ${setup.forwardSyncs.topic} on ${setup.forwardSyncs.cluster} ` +
          (forward.exists ? 'is empty' : 'does not exist') +
          ` (positions on ${from} cannot be traced back to ${to} without them)`,
      });
    }
    const revSide = await side(setup.reverseRouteSyncs.cluster);
    const reverse = await readOffsetSyncs(revSide.admin, revSide.source, setup.reverseRouteSyncs.topic, read);

    // What S->T copied after its last sync, per S partition (computed once, on demand).
    const matches = new Map<string, Promise<MatchResult | undefined>>();
    const topicsOnT = new Set(await retrying(`listing topics of ${from}`, deadline, () => t.admin.listTopics()));
    const topicsOnS = new Set(await retrying(`listing topics of ${to}`, deadline, () => s.admin.listTopics()));
    const matchFor = (sTopic: string, tTopic: string, partition: number): Promise<MatchResult | undefined> => {
      const key = `${topicPartitionKey({ topic: sTopic, partition })}>${tTopic}`;
      let m = matches.get(key);
      if (m === undefined) {
        m = computeMatch(forward.syncs, s, t, sTopic, tTopic, partition, topicsOnS, topicsOnT, {
          ...read,
          limit: setup.matchLimit ?? DEFAULT_MATCH_LIMIT,
        });
        matches.set(key, m);
      }
      return m;
    };

    const groupsOnS = new Map(
      (await retrying(`listing groups of ${to}`, deadline, () => s.admin.listGroups())).map((g) => [
        g.groupId,
        g.state,
      ]),
    );
    const listedOnT = (await retrying(`listing groups of ${from}`, deadline, () => t.admin.listGroups())).filter((g) =>
      setup.groups.test(g.groupId),
    );
    const ctx: PlanContext = { from, to, policy, identity, forward: forward.syncs, reverse: reverse.syncs, matchFor };
    const groups: GroupPlan[] = [];
    for (const listing of listedOnT.sort((a, b) => (a.groupId < b.groupId ? -1 : 1))) {
      const committed = (
        await retrying(`reading the offsets of ${listing.groupId}`, deadline, () =>
          t.admin.fetchGroupOffsets(listing.groupId),
        )
      ).filter((o) => o.offset >= 0n);
      if (committed.length === 0) continue;
      const partitions: PartitionPlan[] = [];
      const skipped: GroupPlan['skipped'][number][] = [];
      for (const c of committed.sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      )) {
        const planned = await planPosition(ctx, c);
        if ('skip' in planned) skipped.push({ topic: c.topic, partition: c.partition, reason: planned.skip });
        else partitions.push(planned);
      }
      const stateOnTo = groupsOnS.get(listing.groupId) ?? 'none';
      let action: GroupPlan['action'] = partitions.some((p) => p.status === 'pending') ? 'pending' : 'commit';
      if (!INACTIVE_STATES.has(listing.state)) {
        refusals.push({
          code: 'GROUP_ACTIVE_ON_TARGET',
          message: `group '${listing.groupId}' is ${listing.state} on ${from}: stop its consumers on ${from} first (their positions are still moving)`,
        });
        action = 'refused';
      }
      if (!INACTIVE_STATES.has(stateOnTo)) {
        refusals.push({
          code: 'GROUP_ACTIVE_ON_SOURCE',
          message: `group '${listing.groupId}' is ${stateOnTo} on ${to}: its consumers there must be stopped before its offsets are set`,
        });
        action = 'refused';
      }
      for (const p of partitions.filter((x) => x.status === 'untranslatable')) {
        refusals.push({
          code: 'UNTRANSLATABLE',
          message: `group '${listing.groupId}': ${p.fromTopic}-${p.partition} at ${p.fromOffset} cannot be translated to ${to} (${p.translation.kind === 'untranslatable' ? p.translation.reason : ''})`,
        });
        action = 'refused';
      }
      const maxReread = partitions.reduce(
        (sum, p) => sum + (p.translation.kind === 'lower-bound' ? p.translation.maxReread : 0n),
        0n,
      );
      groups.push({
        group: listing.groupId,
        stateOnFrom: listing.state,
        stateOnTo,
        partitions,
        skipped,
        action,
        maxReread,
      });
    }
    if (groups.length === 0) {
      refusals.push({
        code: 'NO_GROUPS',
        message: `no consumer group on ${from} matching '${setup.groups.source}' has committed offsets`,
      });
    }

    const { startPositions, neverReached } = await planBoundaries(ctx, setup, s, topicsOnS, topicsOnT);
    return {
      from,
      to,
      naming: identity ? 'identity' : 'prefix',
      forwardSyncs: { ...setup.forwardSyncs, syncs: forward.count },
      reverseRouteSyncs: { ...setup.reverseRouteSyncs, syncs: reverse.count },
      refusals,
      groups,
      startPositions,
      neverReached,
    };
  } finally {
    for (const x of sides.values()) {
      await x.source.close().catch(() => undefined);
      await x.admin.close().catch(() => undefined);
    }
  }
}

/** What {@link planPosition} needs: the naming, both routes' syncs, and the matches after S->T's last syncs. */
interface PlanContext {
  readonly from: string;
  readonly to: string;
  readonly policy: ReplicationPolicy;
  readonly identity: boolean;
  /** S->T's syncs, by S partition. */
  readonly forward: SyncsByPartition;
  /** T->S's syncs, by T partition. */
  readonly reverse: SyncsByPartition;
  matchFor(sTopic: string, tTopic: string, partition: number): Promise<MatchResult | undefined>;
}

/** Where one committed position of a group on T resumes on S (or why it is skipped). */
async function planPosition(
  ctx: PlanContext,
  c: { topic: string; partition: number; offset: bigint; metadata?: string },
): Promise<PartitionPlan | { skip: string }> {
  const { from, to, policy, identity, forward, reverse } = ctx;
  const where = mapTopic(policy, identity, from, to, c.topic, c.partition, forward);
  if ('skip' in where) return where;
  const base = {
    fromTopic: c.topic,
    partition: c.partition,
    fromOffset: c.offset,
    metadata: c.metadata ?? '',
    toTopic: where.toTopic,
  };
  const reverseSyncs = reverse.get(topicPartitionKey({ topic: c.topic, partition: c.partition })) ?? [];
  if (where.via === 'reverse') {
    const syncs = forward.get(topicPartitionKey({ topic: where.toTopic, partition: c.partition })) ?? [];
    const match = await ctx.matchFor(where.toTopic, c.topic, c.partition);
    const translation = reverseTranslateMatched(syncs, match, c.offset);
    if (translation.kind === 'untranslatable' && identity && match !== undefined && c.offset > match.targetBoundary) {
      // Past what S held: records written on T, which T->S copies to the same topic on S.
      return { ...base, ...copiedBack(ctx, reverseSyncs, c) };
    }
    return {
      ...base,
      via: 'reverse',
      translation,
      status: translation.kind === 'untranslatable' ? 'untranslatable' : 'ok',
    };
  }
  // One of T's own topics: T->S copies it to S under the policy's name, and its syncs translate forward.
  return { ...base, ...copiedBack(ctx, reverseSyncs, c) };
}

/**
 * Per partition S->T copied: where S's copies end on T (matched after the last sync). With identity
 * naming that is where T->S must start, so it copies nothing S holds; under either naming, S's
 * records after the last matched one (up to T->S's first copy, if it ran) never reached T.
 */
async function planBoundaries(
  ctx: PlanContext,
  setup: FailbackSetup,
  s: Side,
  topicsOnS: ReadonlySet<string>,
  topicsOnT: ReadonlySet<string>,
): Promise<{ startPositions: StartPosition[]; neverReached: NeverReached[] }> {
  const { policy, identity, to, from } = ctx;
  // MM2 never copies internal topics, and heartbeats are not application data.
  const copiedBack = (topic: string): boolean =>
    setup.reverseTopics(topic) && !policy.isInternalTopic(topic) && !policy.isHeartbeatsTopic(topic);
  const startPositions: StartPosition[] = [];
  const neverReached: NeverReached[] = [];
  const stored = identity ? await storedPositions(s, setup, from) : undefined;
  for (const key of [...ctx.forward.keys()].sort()) {
    const { topic, partition } = partitionOfKey(key);
    const remote = identity ? topic : policy.formatRemoteTopic(to, topic);
    if (!topicsOnT.has(remote) || !topicsOnS.has(topic)) continue;
    if (identity ? !copiedBack(topic) : !setup.forwardTopics(topic)) continue;
    const match = await ctx.matchFor(topic, remote, partition);
    if (match === undefined) continue;
    let end = (await partitionEnds(s, topic)).get(partition)?.latest ?? match.sourceBoundary;
    if (identity) {
      const storedOffset = stored?.get(key);
      const action = storedOffset !== undefined && storedOffset >= match.targetBoundary - 1n ? 'keep' : 'set';
      startPositions.push({ topic, partition, start: match.targetBoundary, stored: storedOffset, action });
      // T->S appends its copies after S's own records: those are not records that never reached T.
      const copiesStart = firstCopy(ctx.reverse.get(key));
      if (copiesStart !== undefined && copiesStart < end) end = copiesStart;
    }
    if (end > match.sourceBoundary) {
      neverReached.push({ topic, partition, from: match.sourceBoundary, to: end, records: end - match.sourceBoundary });
    }
  }
  return { startPositions, neverReached };
}

/**
 * A position on records written on T, through T->S's syncs. `pending` while T->S has not sent a
 * sync at or past the record before the position (it is still copying, or its sync of the last
 * record is still delayed): the answer would only be a lower bound now and becomes exact once
 * T->S caught up (its sync of an idle partition's last record follows within about a second).
 */
function copiedBack(
  ctx: PlanContext,
  syncs: readonly PartitionSync[],
  c: { topic: string; partition: number; offset: bigint },
): Pick<PartitionPlan, 'via' | 'translation' | 'status'> {
  const translation = forwardTranslate(syncs, c.offset);
  const copiedUpTo = syncs.reduce<bigint | undefined>(
    (max, s) => (max === undefined || s.upstream > max ? s.upstream : max),
    undefined,
  );
  if (translation.kind === 'exact') return { via: 'forward', translation, status: 'ok' };
  if (copiedUpTo === undefined || copiedUpTo + 1n < c.offset) {
    return {
      via: 'forward',
      translation: {
        kind: 'untranslatable',
        reason:
          `not on ${ctx.to} yet: ${ctx.from}->${ctx.to} has copied ${c.topic}-${c.partition} ` +
          (copiedUpTo === undefined ? 'nothing so far' : `up to ${copiedUpTo}`) +
          `, the group is at ${c.offset}`,
      },
      status: 'pending',
    };
  }
  return { via: 'forward', translation, status: translation.kind === 'untranslatable' ? 'untranslatable' : 'ok' };
}

/** The inverse of `topicPartitionKey` (`<partition>:<topic>`). */
function partitionOfKey(key: string): { topic: string; partition: number } {
  const colon = key.indexOf(':');
  return { topic: key.slice(colon + 1), partition: Number(key.slice(0, colon)) };
}

/** Which S topic a group's T topic maps to, and how. */
function mapTopic(
  policy: ReplicationPolicy,
  identity: boolean,
  from: string,
  to: string,
  topic: string,
  partition: number,
  forwardSyncs: SyncsByPartition,
): { toTopic: string; via: 'reverse' | 'forward' } | { skip: string } {
  if (identity) {
    // Same names on both sides: a partition S->T copied goes back in reverse (what T wrote after
    // the copies is handled past the match boundary); a topic only T has flows forward.
    const copied = forwardSyncs.has(topicPartitionKey({ topic, partition }));
    return { toTopic: topic, via: copied ? 'reverse' : 'forward' };
  }
  const source = policy.topicSource(topic);
  if (source === to) return { toTopic: policy.upstreamTopic(topic) ?? topic, via: 'reverse' };
  if (source === null) return { toTopic: policy.formatRemoteTopic(from, topic), via: 'forward' };
  return { skip: `a remote topic of cluster '${source}', not part of ${from}->${to}` };
}

/** The S offset where T->S's first copy of a partition sits (from its run starts), if known. */
function firstCopy(syncs: readonly PartitionSync[] | undefined): bigint | undefined {
  let first: bigint | undefined;
  for (const s of syncs ?? []) {
    const at = s.runStart !== undefined ? s.downstream - (s.upstream - s.runStart) : s.downstream;
    if (first === undefined || at < first) first = at;
  }
  return first;
}
