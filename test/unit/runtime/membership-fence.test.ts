import { describe, expect, it } from 'vitest';
import type { OffsetSyncEmitter } from '../../../src/connectors/source/source-task-ports.ts';
import { fencedCollaborators } from '../../../src/runtime/membership-fence.ts';
import type { RouteCollaborators, RouteOffsetsStore } from '../../../src/runtime/route-runtime.ts';

/** Collaborators whose store and offset-sync writer record what they were asked to write. */
function recording(): { collaborators: RouteCollaborators; writes: string[] } {
  const writes: string[] = [];
  const store: RouteOffsetsStore = {
    sourcePositions: () => new Map([['t-0', 5n]]),
    writeSourcePositions: async (_alias, positions) => {
      writes.push(`positions ${positions.map((p) => `${p.topic}-${p.partition}=${p.offset}`).join(',')}`);
    },
    writeCheckpointOffsets: async (group) => {
      writes.push(`checkpoints ${group}`);
    },
    close: async () => {
      writes.push('close');
    },
  };
  const emitter: OffsetSyncEmitter = {
    maybeQueueOffsetSyncs: () => writes.push('queue'),
    maybeQueueOffsetSyncsRun: () => writes.push('queue-run'),
    firePendingOffsetSyncs: () => writes.push('fire'),
    promoteDelayedOffsetSyncs: () => writes.push('promote'),
    promoteIdleOffsetSync: () => {
      writes.push('promote-idle');
      return true;
    },
    close: async () => {
      writes.push('close-syncs');
    },
  };
  const collaborators = {
    openOffsetsStore: async () => store,
    offsetSyncs: () => ({ ensureTopic: async () => {}, writer: () => emitter }),
  } as unknown as RouteCollaborators;
  return { collaborators, writes };
}

describe('fencedCollaborators (writes only while the member holds the route)', () => {
  it('passes every write through while the fence holds, and skips positions, checkpoint offsets and offset-syncs once it does not', async () => {
    const { collaborators, writes } = recording();
    let holds = true;
    const skipped: string[] = [];
    const fenced = fencedCollaborators(collaborators, { holds: () => holds, skipped: (w) => skipped.push(w) });
    const store = await fenced.openOffsetsStore({} as Parameters<RouteCollaborators['openOffsetsStore']>[0]);
    const syncs = fenced.offsetSyncs!({} as Parameters<NonNullable<RouteCollaborators['offsetSyncs']>>[0]).writer(0);

    await store.writeSourcePositions('A', [{ topic: 't', partition: 0, offset: 7n }]);
    await store.writeCheckpointOffsets!('g', []);
    syncs.maybeQueueOffsetSyncsRun({ topic: 't', partition: 0 }, 1n, 1n, 3);
    syncs.firePendingOffsetSyncs();
    expect(writes).toEqual(['positions t-0=7', 'checkpoints g', 'queue-run', 'fire']);

    holds = false;
    writes.length = 0;
    await store.writeSourcePositions('A', [{ topic: 't', partition: 0, offset: 9n }]);
    await store.writeCheckpointOffsets!('g', []);
    syncs.maybeQueueOffsetSyncsRun({ topic: 't', partition: 0 }, 4n, 4n, 3);
    syncs.firePendingOffsetSyncs();
    syncs.promoteDelayedOffsetSyncs();
    expect(syncs.promoteIdleOffsetSync({ topic: 't', partition: 0 })).toBe(false);
    // Reads, queueing and closing go on: only the writes stop.
    expect(store.sourcePositions('A', [])).toEqual(new Map([['t-0', 5n]]));
    await store.close!();
    await syncs.close();
    expect(writes).toEqual(['queue-run', 'close', 'close-syncs']);
    expect(skipped).toEqual(['positions', 'checkpoint offsets', 'offset-syncs', 'offset-syncs']);
  });
});
