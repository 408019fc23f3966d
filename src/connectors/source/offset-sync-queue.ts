import type { OffsetSync } from '../../records/offset-sync.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';
import { PartitionState } from './partition-state.ts';

/** Java's `MAX_OUTSTANDING_OFFSET_SYNCS`: offset-sync sends that may be in flight at once. */
export const MAX_OUTSTANDING_OFFSET_SYNCS = 10;

/**
 * The decision logic of Java's `OffsetSyncWriter`, without the producer: which offset syncs to
 * send and when. Two insertion-ordered queues hold at most one sync per upstream partition:
 * - *pending*: syncs {@link PartitionState} requires now; sent as soon as an in-flight permit is free;
 * - *delayed*: the latest not-required sync of each partition; promoted to pending by
 *   {@link promoteDelayed} after each source-offset commit, so idle partitions still get a sync
 *   for their last record (KAFKA-15906).
 * The caller sends what {@link takeNext} hands out and calls {@link release} when each send
 * completes, successfully or not (a failed sync is lost, as in Java). Replacing a queued sync
 * keeps its partition's place in the queue, as Java's LinkedHashMap.put does.
 */
export class OffsetSyncQueue {
  readonly maxOffsetLag: bigint;
  readonly maxInFlight: number;
  private readonly states = new Map<string, PartitionState>();
  private readonly delayedSyncs = new Map<string, OffsetSync>();
  private readonly pendingSyncs = new Map<string, OffsetSync>();
  private inFlightCount = 0;

  constructor(maxOffsetLag: bigint, maxInFlight: number = MAX_OUTSTANDING_OFFSET_SYNCS) {
    this.maxOffsetLag = maxOffsetLag;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Java's `maybeQueueOffsetSyncs`: after record `upstreamOffset` of `topicPartition` (upstream)
   * was acknowledged at `downstreamOffset`. Returns which queue the sync went to.
   */
  queue(topicPartition: TopicPartition, upstreamOffset: bigint, downstreamOffset: bigint): 'pending' | 'delayed' {
    const key = topicPartitionKey(topicPartition);
    let state = this.states.get(key);
    if (state === undefined) {
      state = new PartitionState(this.maxOffsetLag);
      this.states.set(key, state);
    }
    const sync: OffsetSync = { topicPartition, upstreamOffset, downstreamOffset };
    if (state.update(upstreamOffset, downstreamOffset)) {
      this.delayedSyncs.delete(key);
      this.pendingSyncs.set(key, sync);
      state.reset();
      return 'pending';
    }
    this.delayedSyncs.set(key, sync);
    return 'delayed';
  }

  /**
   * The same as calling {@link queue} for the next `count` records of `topicPartition` when they
   * continue its last queued record contiguously (upstream and downstream offsets each +1 per
   * record), in O(1) instead of per record: a produce batch of a contiguous upstream run is one
   * call. The queues end exactly as the per-record calls would leave them (same entries, same
   * order). Returns the upstream offset of the last sync that went to pending (if any) and whether
   * the run's last record is that one.
   */
  queueContiguous(
    topicPartition: TopicPartition,
    count: number,
  ): { lastPendingUpstream: bigint | undefined; lastIsPending: boolean } {
    const key = topicPartitionKey(topicPartition);
    const state = this.states.get(key);
    if (state === undefined) throw new RangeError(`queueContiguous before any record of ${key}`);
    if (count <= 0) return { lastPendingUpstream: undefined, lastIsPending: false };
    const startUpstream = state.previousUpstreamOffset;
    const startDownstream = state.previousDownstreamOffset;
    const syncDownstream = state.advanceContiguous(BigInt(count));
    const last: OffsetSync = {
      topicPartition,
      upstreamOffset: state.previousUpstreamOffset,
      downstreamOffset: state.previousDownstreamOffset,
    };
    if (syncDownstream < 0n) {
      this.delayedSyncs.set(key, last);
      return { lastPendingUpstream: undefined, lastIsPending: false };
    }
    const syncUpstream = startUpstream + (syncDownstream - startDownstream);
    // Per record: a pending sync deletes the delayed entry; later records re-add it at the end.
    this.delayedSyncs.delete(key);
    this.pendingSyncs.set(key, { topicPartition, upstreamOffset: syncUpstream, downstreamOffset: syncDownstream });
    const lastIsPending = syncDownstream === last.downstreamOffset;
    if (!lastIsPending) this.delayedSyncs.set(key, last);
    return { lastPendingUpstream: syncUpstream, lastIsPending };
  }

  /** Java's `promoteDelayedOffsetSyncs`: moves every delayed sync to pending (after a commit). */
  promoteDelayed(): void {
    for (const [key, sync] of this.delayedSyncs) this.pendingSyncs.set(key, sync);
    this.delayedSyncs.clear();
  }

  /**
   * {@link promoteDelayed} for one partition: its delayed sync (if any) becomes its pending one.
   * Returns whether there was one. Safe for Java readers for the same reason as the whole
   * promotion: the delayed sync is the partition's newest, so syncs still reach the topic in
   * upstream order.
   */
  promoteDelayedOf(topicPartition: TopicPartition): boolean {
    const key = topicPartitionKey(topicPartition);
    const sync = this.delayedSyncs.get(key);
    if (sync === undefined) return false;
    this.delayedSyncs.delete(key);
    this.pendingSyncs.set(key, sync);
    return true;
  }

  /**
   * The next pending sync to send, taking an in-flight permit; undefined when nothing is pending
   * or all permits are taken (the rest waits for the next call, as in Java's `firePendingOffsetSyncs`).
   */
  takeNext(): OffsetSync | undefined {
    const first = this.pendingSyncs.entries().next();
    if (first.done === true) return undefined;
    if (this.inFlightCount >= this.maxInFlight) return undefined;
    this.pendingSyncs.delete(first.value[0]);
    this.inFlightCount++;
    return first.value[1];
  }

  /** Java's `firePendingOffsetSyncs`: hands every sendable sync to `send`, in queue order. */
  firePending(send: (sync: OffsetSync) => void): void {
    for (let sync = this.takeNext(); sync !== undefined; sync = this.takeNext()) send(sync);
  }

  /** Returns the permit of one completed send. */
  release(): void {
    if (this.inFlightCount > 0) this.inFlightCount--;
  }

  /** Sends handed out and not yet released. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Pending syncs, in send order. */
  pending(): OffsetSync[] {
    return [...this.pendingSyncs.values()];
  }

  /** Delayed syncs, in promotion order. */
  delayed(): OffsetSync[] {
    return [...this.delayedSyncs.values()];
  }

  /** The emission state of one upstream partition, if it has replicated anything yet. */
  partitionState(topicPartition: TopicPartition): PartitionState | undefined {
    return this.states.get(topicPartitionKey(topicPartition));
  }
}
