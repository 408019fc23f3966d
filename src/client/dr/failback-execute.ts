import type { KafkaCluster, TopicPartitionOffset } from '../../kafka/port.ts';
import { MirrorError } from '../../util/errors.ts';
import { openReverseOffsets, retrying } from './failback-cluster-view.ts';
import type { FailbackPlan, FailbackSetup, GroupPlan } from './failback-plan.ts';

/** Where a failback records each change it makes (the CLI passes the DR audit trail, src/client/dr/audit.ts). */
export interface AuditSink {
  append(entry: object): Promise<void>;
}

/** What an executed failback changed. */
export interface FailbackOutcome {
  readonly startPositionsSet: number;
  readonly groupsCommitted: readonly string[];
  readonly groupsPending: readonly string[];
}

/** A group changed state between the plan and its commit: it was not touched. */
export class FailbackRaceError extends MirrorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('ERR_FAILBACK_GROUP_ACTIVE', message, details);
  }
}

/**
 * Applies a plan that has no refusals: first T->S's start positions (identity naming; written to
 * its Connect offsets topic on S, as MirrorSourceTask stores them: the last copied offset, so it
 * resumes at `start`), then each group's offsets on S (outsider commits, only for groups that are
 * still empty on both clusters). Pending groups are left for a later run. Every change is appended
 * to `audit` before the next one starts.
 */
export async function executeFailback(
  plan: FailbackPlan,
  setup: Pick<FailbackSetup, 'reverseOffsets' | 'timeoutMs' | 'logger'> & {
    readonly toCluster: KafkaCluster;
    readonly fromCluster: KafkaCluster;
  },
  audit: AuditSink,
): Promise<FailbackOutcome> {
  if (plan.refusals.length > 0) {
    throw new MirrorError('ERR_FAILBACK_REFUSED', 'a refused failback plan cannot be executed', {
      refusals: plan.refusals.map((r) => r.code),
    });
  }
  const toSet = plan.startPositions.filter((p) => p.action === 'set');
  if (toSet.length > 0) {
    const store = await openReverseOffsets(setup.toCluster, setup);
    try {
      await store.writeSourcePositions(
        plan.from,
        toSet.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.start - 1n })),
      );
    } finally {
      await store.close();
    }
    await audit.append({
      at: new Date().toISOString(),
      command: 'failback',
      action: 'set-start-positions',
      route: `${plan.from}->${plan.to}`,
      offsetsTopic: setup.reverseOffsets.topic,
      positions: toSet.map((p) => ({ topic: p.topic, partition: p.partition, start: p.start, before: p.stored })),
    });
  }

  const committed: string[] = [];
  const pending: string[] = [];
  const adminTo = await setup.toCluster.admin();
  const adminFrom = await setup.fromCluster.admin();
  try {
    for (const g of plan.groups) {
      if (g.action === 'pending') {
        pending.push(g.group);
        continue;
      }
      if (g.action !== 'commit') continue;
      const deadline = Date.now() + setup.timeoutMs;
      await checkStillInactive(g, adminFrom, adminTo, plan);
      const before = await retrying(`reading the offsets of ${g.group} on ${plan.to}`, deadline, () =>
        adminTo.fetchGroupOffsets(g.group),
      );
      const offsets: TopicPartitionOffset[] = g.partitions.map((p) => ({
        topic: p.toTopic,
        partition: p.partition,
        offset: p.translation.kind === 'untranslatable' ? -1n : p.translation.offset,
        metadata: p.metadata,
      }));
      await retrying(`committing the offsets of ${g.group} on ${plan.to}`, deadline, () =>
        adminTo.commitGroupOffsets(g.group, offsets),
      );
      committed.push(g.group);
      await audit.append({
        at: new Date().toISOString(),
        command: 'failback',
        action: 'commit-group-offsets',
        cluster: plan.to,
        group: g.group,
        offsets: g.partitions.map((p) => ({
          fromTopic: p.fromTopic,
          fromOffset: p.fromOffset,
          topic: p.toTopic,
          partition: p.partition,
          offset: p.translation.kind === 'untranslatable' ? undefined : p.translation.offset,
          exact: p.translation.kind === 'exact',
          before: before.find((b) => b.topic === p.toTopic && b.partition === p.partition)?.offset,
        })),
      });
    }
  } finally {
    await adminTo.close();
    await adminFrom.close();
  }
  return { startPositionsSet: toSet.length, groupsCommitted: committed, groupsPending: pending };
}

async function checkStillInactive(
  g: GroupPlan,
  adminFrom: { describeGroupStates(ids: string[]): Promise<Map<string, string>> },
  adminTo: { describeGroupStates(ids: string[]): Promise<Map<string, string>> },
  plan: FailbackPlan,
): Promise<void> {
  const inactive = (state: string | undefined) => state === undefined || ['Empty', 'Dead', ''].includes(state);
  const onFrom = (await adminFrom.describeGroupStates([g.group])).get(g.group);
  const onTo = (await adminTo.describeGroupStates([g.group])).get(g.group);
  if (!inactive(onFrom) || !inactive(onTo)) {
    throw new FailbackRaceError(
      `group '${g.group}' became active after the plan (on ${plan.from}: ${onFrom}, on ${plan.to}: ${onTo}); its offsets were not changed`,
      { group: g.group },
    );
  }
}
