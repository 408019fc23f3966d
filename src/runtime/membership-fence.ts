import type { OffsetSyncEmitter } from '../connectors/source/source-task-ports.ts';
import { topicPartitionKey, type TopicPartition } from '../records/index.ts';
import type { RouteCollaborators, RouteOffsetsStore } from './route-runtime.ts';

/** `topic-partition`, as people read it in a log line. */
const tpName = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** Whether this process may still write for a route, and what to do with a write it may not. */
export interface RouteFence {
  /** True while the member holds the route in a generation the coordinator cannot have ended yet. */
  holds(): boolean;
  /** A write was skipped (`what`: positions, checkpoint offsets, offset-syncs). */
  skipped(what: string): void;
  /**
   * Debug log of the positions a task starts from and of every position write, with the member's
   * generation: which position a partition's new owner took, and when its old owner wrote it.
   */
  debug?(what: string, fields: Record<string, unknown>): void;
}

/**
 * A route's collaborators whose writes of positions, checkpoint offsets and offset-syncs go out only
 * while `fence` holds: a member that lost its place (the coordinator expired it, or may have, see
 * src/connect/membership-group-member.ts) skips them instead of overwriting what the route's new
 * owner writes. A skipped write loses nothing: positions are cumulative, and the new owner starts
 * from the last ones written, at or before what this member copied (duplicates, never a gap).
 */
export function fencedCollaborators(c: RouteCollaborators, fence: RouteFence): RouteCollaborators {
  const { offsetSyncs } = c;
  return {
    ...c,
    openOffsetsStore: async (args) => fencedStore(await c.openOffsetsStore(args), fence),
    ...(offsetSyncs
      ? {
          offsetSyncs: (args) => {
            const inner = offsetSyncs(args);
            return {
              ensureTopic: () => inner.ensureTopic(),
              writer: (index: number) => fencedEmitter(inner.writer(index), fence),
            };
          },
        }
      : {}),
  };
}

function fencedStore(store: RouteOffsetsStore, fence: RouteFence): RouteOffsetsStore {
  const { writeCheckpointOffsets, entries, write, refresh, close } = store;
  return {
    sourcePositions: (alias, partitions) => {
      const found = store.sourcePositions(alias, partitions);
      fence.debug?.('a task starts from the stored positions', {
        positions: Object.fromEntries(
          partitions.map((tp) => [tpName(tp), `${found.get(topicPartitionKey(tp)) ?? 'none'}`]),
        ),
      });
      return found;
    },
    writeSourcePositions: async (alias, positions) => {
      if (!fence.holds()) return fence.skipped('positions');
      await store.writeSourcePositions(alias, positions);
      fence.debug?.('positions written', {
        positions: Object.fromEntries(positions.map((p) => [tpName(p), `${p.offset}`])),
      });
    },
    ...(writeCheckpointOffsets
      ? {
          writeCheckpointOffsets: async (group, downstream) => {
            if (!fence.holds()) return fence.skipped('checkpoint offsets');
            return writeCheckpointOffsets.call(store, group, downstream);
          },
        }
      : {}),
    ...(entries ? { entries: (...a: Parameters<typeof entries>) => entries.apply(store, a) } : {}),
    ...(write ? { write: (...a: Parameters<typeof write>) => write.apply(store, a) } : {}),
    ...(refresh ? { refresh: (...a: Parameters<typeof refresh>) => refresh.apply(store, a) } : {}),
    ...(close ? { close: () => close.call(store) } : {}),
  };
}

/** Offset-syncs stay queued (the next fire sends the newest) while the fence does not hold. */
function fencedEmitter(inner: OffsetSyncEmitter, fence: RouteFence): OffsetSyncEmitter {
  return {
    maybeQueueOffsetSyncs: (upstream, upstreamOffset, downstreamOffset) =>
      inner.maybeQueueOffsetSyncs(upstream, upstreamOffset, downstreamOffset),
    maybeQueueOffsetSyncsRun: (upstream, upstreamFirst, downstreamFirst, count) =>
      inner.maybeQueueOffsetSyncsRun(upstream, upstreamFirst, downstreamFirst, count),
    firePendingOffsetSyncs: () => {
      if (fence.holds()) inner.firePendingOffsetSyncs();
      else fence.skipped('offset-syncs');
    },
    promoteDelayedOffsetSyncs: () => {
      if (fence.holds()) inner.promoteDelayedOffsetSyncs();
      else fence.skipped('offset-syncs');
    },
    promoteIdleOffsetSync: (upstream) => fence.holds() && inner.promoteIdleOffsetSync(upstream),
    close: () => inner.close(),
  };
}
