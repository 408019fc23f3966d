import { describe, expect, it } from 'vitest';
import {
  checkpointFor,
  checkpointsForGroup,
  planGroupOffsetSync,
  renameTopicPartition,
  type CheckpointRoute,
  type UpstreamGroupOffset,
} from '../../../src/connectors/checkpoint/checkpoint-rules.ts';
import { CheckpointStore } from '../../../src/connectors/checkpoint/checkpoint-store.ts';
import { OffsetSyncStore } from '../../../src/connectors/checkpoint/offset-sync-store.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/default-replication-policy.ts';
import { DefaultTopicFilter, type TopicFilter } from '../../../src/policy/filters.ts';
import { compileNameMatcher } from '../../../src/policy/name-matcher.ts';
import type { Checkpoint } from '../../../src/records/checkpoint.ts';
import { topicPartitionKey, type TopicPartition } from '../../../src/records/topic-partition.ts';

function route(
  offsetSyncs: OffsetSyncStore,
  topicFilter: TopicFilter = { shouldReplicateTopic: () => true },
): CheckpointRoute {
  return {
    sourceClusterAlias: 'source1',
    targetClusterAlias: 'target2',
    policy: new DefaultReplicationPolicy(),
    topicFilter,
    offsetSyncs,
  };
}

function startedSyncStore(mustReadToEnd = true, initial: [TopicPartition, bigint, bigint][] = []): OffsetSyncStore {
  const store = new OffsetSyncStore();
  store.start(mustReadToEnd);
  for (const [tp, up, down] of initial)
    store.handleSync({ topicPartition: tp, upstreamOffset: up, downstreamOffset: down });
  store.markReadToEnd();
  return store;
}

function sync(store: OffsetSyncStore, tp: TopicPartition, up: bigint, down: bigint): void {
  store.handleSync({ topicPartition: tp, upstreamOffset: up, downstreamOffset: down });
}

function offsets(tp: TopicPartition, offset: bigint): UpstreamGroupOffset[] {
  return [{ topicPartition: tp, committed: { offset } }];
}

describe('checkpoint rules (MirrorCheckpointTaskTest)', () => {
  it('renames upstream topics to their downstream names', () => {
    const r = route(startedSyncStore());
    expect(renameTopicPartition(r, { topic: 'topic3', partition: 4 })).toEqual({
      topic: 'source1.topic3',
      partition: 4,
    });
    expect(renameTopicPartition(r, { topic: 'target2.topic3', partition: 5 })).toEqual({
      topic: 'topic3',
      partition: 5,
    });
    expect(renameTopicPartition(r, { topic: 'source6.topic7', partition: 8 })).toEqual({
      topic: 'source1.source6.topic7',
      partition: 8,
    });
  });

  it('translates one past the sync, or exactly at it; null metadata becomes ""', () => {
    const store = startedSyncStore();
    const r = route(store);
    sync(store, { topic: 'topic1', partition: 2 }, 3n, 4n);
    sync(store, { topic: 'target2.topic5', partition: 6 }, 7n, 8n);

    expect(checkpointFor(r, 'group9', { topic: 'topic1', partition: 2 }, { offset: 10n, metadata: null })).toEqual({
      consumerGroupId: 'group9',
      topicPartition: { topic: 'source1.topic1', partition: 2 },
      upstreamOffset: 10n,
      downstreamOffset: 5n,
      metadata: '',
    });
    const cp2 = checkpointFor(r, 'group11', { topic: 'target2.topic5', partition: 6 }, { offset: 12n });
    expect(cp2?.topicPartition).toEqual({ topic: 'topic5', partition: 6 });
    expect(cp2?.upstreamOffset).toBe(12n);
    expect(cp2?.downstreamOffset).toBe(9n);
    const cp3 = checkpointFor(r, 'group13', { topic: 'target2.topic5', partition: 6 }, { offset: 7n, metadata: 'x' });
    expect(cp3?.downstreamOffset).toBe(8n);
    expect(cp3?.upstreamOffset).toBe(7n);
    expect(cp3?.metadata).toBe('x');
  });

  it('emits no checkpoint for partitions without offset syncs or without a committed offset', () => {
    const store = startedSyncStore();
    const r = route(store);
    sync(store, { topic: 'topic1', partition: 0 }, 3n, 4n);
    expect(checkpointFor(r, 'group9', { topic: 'topic1', partition: 1 }, { offset: 10n })).toBeUndefined();
    expect(checkpointFor(r, 'group9', { topic: 'topic1', partition: 0 }, { offset: 10n })).toBeDefined();
    expect(checkpointFor(r, 'g1', { topic: 'topic1', partition: 0 }, null)).toBeUndefined();
  });

  it('emits nothing before the offset-syncs topic was read to its end', () => {
    const store = new OffsetSyncStore();
    store.start(true);
    sync(store, { topic: 't', partition: 0 }, 0n, 0n);
    const cps = checkpointsForGroup(
      route(store),
      CheckpointStore.withCheckpoints([]),
      'g',
      offsets({ topic: 't', partition: 0 }, 5n),
    );
    expect(cps.size).toBe(0);
  });

  it('drops offsets older than any sync and topics the filter rejects', () => {
    const store = startedSyncStore();
    sync(store, { topic: 't', partition: 0 }, 100n, 100n);
    sync(store, { topic: 'excluded', partition: 0 }, 0n, 0n);
    const filter = new DefaultTopicFilter({ exclude: compileNameMatcher(['excluded']) });
    const cps = checkpointsForGroup(route(store, filter), CheckpointStore.withCheckpoints([]), 'g', [
      { topicPartition: { topic: 't', partition: 0 }, committed: { offset: 50n } },
      { topicPartition: { topic: 'excluded', partition: 0 }, committed: { offset: 5n } },
    ]);
    expect(cps.size).toBe(0);
  });

  it('keeps checkpoints monotonic when the store rewinds, unless the upstream group rewinds', () => {
    const syncs = startedSyncStore();
    const checkpoints = new CheckpointStore(['g1']);
    checkpoints.completeLoad();
    const r = route(syncs);
    const tp = { topic: 'topic1', partition: 0 };
    const targetKey = topicPartitionKey({ topic: 'source1.topic1', partition: 0 });

    let upstream = 11n;
    let downstream = 4n;
    sync(syncs, tp, upstream++, downstream++);
    sync(syncs, tp, upstream++, downstream++);
    const groupOffset = upstream;
    const expectedDownstream = downstream;
    expect(syncs.translateDownstream(tp, groupOffset)).toBe(expectedDownstream);
    const first = checkpointsForGroup(r, checkpoints, 'g1', offsets(tp, groupOffset));
    expect(first.has(targetKey)).toBe(true);
    checkpoints.update('g1', first.values());

    // Syncs 2..6 push sync 1 out of the store, so the same offset now translates further back.
    for (let i = 0; i < 4; i++) sync(syncs, tp, upstream++, downstream++);
    sync(syncs, tp, upstream, downstream);
    expect(syncs.translateDownstream(tp, groupOffset)).not.toBe(expectedDownstream);
    expect(checkpointsForGroup(r, checkpoints, 'g1', offsets(tp, groupOffset)).has(targetKey)).toBe(false);

    // The upstream group rewinding is allowed to move the checkpoint back.
    expect(checkpointsForGroup(r, checkpoints, 'g1', offsets(tp, groupOffset - 1n)).has(targetKey)).toBe(true);
  });

  it('does not move checkpoints loaded from an earlier run backwards after a restart', () => {
    const t1p0 = { topic: 't1', partition: 0 };
    const downstreamKey = topicPartitionKey({ topic: 'source1.t1', partition: 0 });
    const before = startedSyncStore(false, [
      [t1p0, 100n, 100n],
      [t1p0, 200n, 200n],
      [t1p0, 300n, 300n],
    ]);
    const firstRun = checkpointsForGroup(
      route(before),
      CheckpointStore.withCheckpoints([]),
      'group1',
      offsets(t1p0, 250n),
    );
    const expected: Checkpoint = {
      consumerGroupId: 'group1',
      topicPartition: { topic: 'source1.t1', partition: 0 },
      upstreamOffset: 250n,
      downstreamOffset: 201n,
      metadata: '',
    };
    expect([...firstRun.values()]).toEqual([expected]);

    const after = startedSyncStore(false, [
      [t1p0, 175n, 175n],
      [t1p0, 275n, 275n],
      [t1p0, 375n, 375n],
      [t1p0, 475n, 475n],
    ]);
    const loaded = CheckpointStore.withCheckpoints(firstRun.values());
    expect(after.translateDownstream(t1p0, 250n)).toBe(176n);
    expect(after.translateDownstream(t1p0, 370n)).toBe(176n);
    expect(checkpointsForGroup(route(after), loaded, 'group1', offsets(t1p0, 250n)).size).toBe(0);
    expect(checkpointsForGroup(route(after), loaded, 'group1', offsets(t1p0, 370n)).size).toBe(0);
    const advanced = checkpointsForGroup(route(after), loaded, 'group1', offsets(t1p0, 400n));
    expect(advanced.get(downstreamKey)).toEqual({ ...expected, upstreamOffset: 400n, downstreamOffset: 376n });
  });

  it('repeats no checkpoint whose downstream offset did not change', () => {
    const syncs = startedSyncStore(true, [[{ topic: 't', partition: 0 }, 10n, 20n]]);
    const store = new CheckpointStore(['g']);
    store.completeLoad();
    const first = checkpointsForGroup(route(syncs), store, 'g', offsets({ topic: 't', partition: 0 }, 15n));
    store.update('g', first.values());
    expect(checkpointsForGroup(route(syncs), store, 'g', offsets({ topic: 't', partition: 0 }, 16n)).size).toBe(0);
  });
});

describe('group offset sync plan (MirrorCheckpointTaskTest.syncGroupOffset)', () => {
  const t1p0 = { topic: 'topic1', partition: 0 };
  const t2p0 = { topic: 'topic2', partition: 0 };

  it('moves idle target groups forward to the checkpoints', () => {
    const converted = new Map([
      ['consumer1', [{ topicPartition: t1p0, offset: 101n, metadata: 'metadata' }]],
      ['consumer2', [{ topicPartition: t2p0, offset: 51n, metadata: 'metadata' }]],
    ]);
    const idle = new Map([
      ['consumer1', new Map([[topicPartitionKey(t1p0), 100n]])],
      ['consumer2', new Map([[topicPartitionKey(t2p0), 50n]])],
    ]);
    const plan = planGroupOffsetSync(converted, idle);
    expect(plan.get('consumer1')).toEqual([{ topicPartition: t1p0, offset: 101n, metadata: 'metadata' }]);
    expect(plan.get('consumer2')?.[0]?.offset).toBe(51n);
  });

  it('writes over a null target offset (e.g. reset to -1 by another client)', () => {
    const converted = new Map([['consumer', [{ topicPartition: t1p0, offset: 101n, metadata: 'metadata' }]]]);
    const idle = new Map([['consumer', new Map<string, bigint | null>([[topicPartitionKey(t1p0), null]])]]);
    expect(planGroupOffsetSync(converted, idle).get('consumer')?.[0]?.offset).toBe(101n);
  });

  it('never moves an idle target group backwards, and writes all offsets of groups not seen idle', () => {
    const converted = new Map([
      [
        'idle',
        [
          { topicPartition: t1p0, offset: 100n, metadata: '' },
          { topicPartition: t2p0, offset: 7n, metadata: '' },
        ],
      ],
      ['absent', [{ topicPartition: t1p0, offset: 1n, metadata: '' }]],
    ]);
    const idle = new Map([['idle', new Map([[topicPartitionKey(t1p0), 100n]])]]);
    const plan = planGroupOffsetSync(converted, idle);
    expect(plan.get('idle')).toEqual([{ topicPartition: t2p0, offset: 7n, metadata: '' }]);
    expect(plan.get('absent')).toHaveLength(1);

    const ahead = new Map([
      [
        'idle',
        new Map([
          [topicPartitionKey(t1p0), 200n],
          [topicPartitionKey(t2p0), 7n],
        ]),
      ],
    ]);
    expect(planGroupOffsetSync(converted, ahead).has('idle')).toBe(false);
  });
});
