import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/connectors/checkpoint/checkpoint-store.ts';
import { encodeCheckpointKey, encodeCheckpointValue, type Checkpoint } from '../../../src/records/checkpoint.ts';

function checkpoint(group: string, topic: string, partition: number, upstream: bigint, downstream: bigint): Checkpoint {
  return {
    consumerGroupId: group,
    topicPartition: { topic, partition },
    upstreamOffset: upstream,
    downstreamOffset: downstream,
    metadata: '',
  };
}

function load(store: CheckpointStore, cp: Checkpoint): boolean {
  return store.loadRecord(encodeCheckpointKey(cp), encodeCheckpointValue(cp));
}

describe('CheckpointStore (CheckpointStoreTest)', () => {
  it('keeps the last checkpoint per partition of its own groups and skips malformed records', () => {
    const store = new CheckpointStore(['group1']);
    expect(store.isInitialized).toBe(false);
    expect(load(store, checkpoint('group1', 't1', 0, 0n, 0n))).toBe(true);
    expect(load(store, checkpoint('group2', 't1', 0, 0n, 0n))).toBe(true); // not this task's group
    expect(store.loadRecord(new Uint8Array(0), new Uint8Array(0))).toBe(false); // malformed
    expect(load(store, checkpoint('group1', 't1', 0, 1n, 1n))).toBe(true);

    expect(store.completeLoad()).toBe(true);
    expect(store.isInitialized).toBe(true);
    expect(store.loadSucceeded).toBe(true);
    expect(store.groups()).toEqual(['group1']);
    expect(store.get('group1')).toEqual([checkpoint('group1', 't1', 0, 1n, 1n)]);
    expect(store.get('group2')).toBeUndefined();
  });

  it('forgets what it read when the load fails, and is still initialized', () => {
    const store = new CheckpointStore(['group1']);
    load(store, checkpoint('group1', 'topic', 1, 0n, 0n));
    expect(store.failLoad()).toBe(false);
    expect(store.isInitialized).toBe(true);
    expect(store.loadSucceeded).toBe(false);
    expect(store.groups()).toEqual([]);
  });

  it('records emitted checkpoints and converts them into offsets to sync', () => {
    const store = new CheckpointStore(['g']);
    store.completeLoad();
    store.update('g', [{ ...checkpoint('g', 'A.t', 0, 10n, 8n), metadata: 'm' }, checkpoint('g', 'A.t', 1, 3n, 2n)]);
    store.update('g', [checkpoint('g', 'A.t', 1, 5n, 4n)]);
    expect(store.lastCheckpoint('g', { topic: 'A.t', partition: 1 })?.downstreamOffset).toBe(4n);
    expect(store.computeConvertedUpstreamOffset()).toEqual(
      new Map([
        [
          'g',
          [
            { topicPartition: { topic: 'A.t', partition: 0 }, offset: 8n, metadata: 'm' },
            { topicPartition: { topic: 'A.t', partition: 1 }, offset: 4n, metadata: '' },
          ],
        ],
      ]),
    );
  });
});
