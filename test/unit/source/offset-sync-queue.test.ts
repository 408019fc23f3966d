import { describe, expect, it } from 'vitest';
import { OffsetSyncQueue } from '../../../src/connectors/source/offset-sync-queue.ts';
import type { OffsetSync } from '../../../src/records/offset-sync.ts';

const tp = { topic: 'topic', partition: 0 };

describe('OffsetSyncQueue (OffsetSyncWriterTest)', () => {
  it('queues required syncs as pending and others as delayed', () => {
    const queue = new OffsetSyncQueue(2n, 1);
    expect(queue.queue(tp, 0n, 1n)).toBe('pending');
    expect(queue.delayed()).toEqual([]);
    expect(queue.pending()).toEqual([{ topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 1n }]);
    expect(queue.partitionState(tp)?.lastSyncDownstreamOffset).toBe(1n);

    expect(queue.queue(tp, 1n, 2n)).toBe('delayed');
    expect(queue.delayed()).toEqual([{ topicPartition: tp, upstreamOffset: 1n, downstreamOffset: 2n }]);
    expect(queue.partitionState(tp)?.lastSyncDownstreamOffset).toBe(1n);
  });

  it('sends pending syncs only while an in-flight permit is free', () => {
    const queue = new OffsetSyncQueue(1n, 1);
    const sent: OffsetSync[] = [];
    queue.queue(tp, 0n, 100n);
    expect(queue.partitionState(tp)?.lastSyncDownstreamOffset).toBe(100n);
    queue.firePending((s) => sent.push(s));
    expect(sent).toHaveLength(1);
    expect(queue.inFlight).toBe(1);

    queue.queue(tp, 2n, 102n);
    expect(queue.partitionState(tp)?.lastSyncDownstreamOffset).toBe(102n);
    queue.firePending((s) => sent.push(s));
    expect(sent).toHaveLength(1); // the first send has not completed
    expect(queue.pending()).toHaveLength(1);

    queue.release();
    queue.firePending((s) => sent.push(s));
    expect(sent.map((s) => s.downstreamOffset)).toEqual([100n, 102n]);
  });

  it('promotes the latest delayed sync of each partition after a commit', () => {
    const queue = new OffsetSyncQueue(50n, 1);
    queue.queue(tp, 0n, 100n);
    queue.queue(tp, 1n, 101n);
    queue.promoteDelayed();
    expect(queue.delayed()).toEqual([]);
    expect(queue.pending()).toEqual([{ topicPartition: tp, upstreamOffset: 1n, downstreamOffset: 101n }]);
  });

  it('drops a delayed sync when a required one for the same partition arrives', () => {
    const queue = new OffsetSyncQueue(50n);
    const other = { topic: 'other', partition: 3 };
    queue.queue(tp, 0n, 0n);
    queue.queue(other, 0n, 0n);
    queue.queue(tp, 1n, 1n);
    expect(queue.delayed()).toHaveLength(1);
    queue.queue(tp, 5n, 5n); // gap upstream: required
    expect(queue.delayed()).toEqual([]);
    // tp keeps its place ahead of `other` in the pending queue, as a LinkedHashMap would.
    expect(queue.pending().map((s) => [s.topicPartition.topic, s.upstreamOffset])).toEqual([
      ['topic', 5n],
      ['other', 0n],
    ]);
  });

  it('allows at most 10 syncs in flight by default', () => {
    const queue = new OffsetSyncQueue(0n);
    for (let p = 0; p < 12; p++) queue.queue({ topic: 't', partition: p }, 0n, 0n);
    const sent: OffsetSync[] = [];
    queue.firePending((s) => sent.push(s));
    expect(sent).toHaveLength(10);
    expect(queue.pending()).toHaveLength(2);
  });
});
