/**
 * Java's `OffsetSyncWriter.PartitionState`: per upstream partition, decides after each replicated
 * record (upstream offset u → downstream offset d) whether an offset sync must be sent now.
 * A sync is required when any of these hold:
 * 1. no sync yet in this task's lifetime;
 * 2. `d - (lastSyncDownstream + 1) >= offset.lag.max` (translation, which goes at most one past
 *    the last sync, would be too stale);
 * 3. `u - previousUpstream != 1` (a gap or rewind upstream: compaction, transaction markers, a seek);
 * 4. `d < previousDownstream` (the downstream topic was truncated or recreated).
 *
 * Like Java, the "should sync" flag is sticky: {@link update} keeps returning true until
 * {@link reset} is called (the writer resets after queueing each required sync).
 */
export class PartitionState {
  readonly maxOffsetLag: bigint;
  previousUpstreamOffset = -1n;
  previousDownstreamOffset = -1n;
  lastSyncDownstreamOffset = -1n;
  shouldSyncOffsets = false;

  constructor(maxOffsetLag: bigint) {
    this.maxOffsetLag = maxOffsetLag;
  }

  /** Records one replicated record; true if an offset sync should be emitted (see class doc). */
  update(upstreamOffset: bigint, downstreamOffset: bigint): boolean {
    const noPreviousSyncThisLifetime = this.lastSyncDownstreamOffset === -1n;
    const translatedOffsetTooStale = downstreamOffset - (this.lastSyncDownstreamOffset + 1n) >= this.maxOffsetLag;
    const skippedUpstreamRecord = upstreamOffset - this.previousUpstreamOffset !== 1n;
    const truncatedDownstreamTopic = downstreamOffset < this.previousDownstreamOffset;
    if (noPreviousSyncThisLifetime || translatedOffsetTooStale || skippedUpstreamRecord || truncatedDownstreamTopic) {
      this.lastSyncDownstreamOffset = downstreamOffset;
      this.shouldSyncOffsets = true;
    }
    this.previousUpstreamOffset = upstreamOffset;
    this.previousDownstreamOffset = downstreamOffset;
    return this.shouldSyncOffsets;
  }

  /**
   * The same as `count` calls of {@link update} (each followed by {@link reset} when it returns
   * true, as the queue does) for records that continue the previous one contiguously on both sides
   * (u = previousUpstream + i, d = previousDownstream + i), in O(1): within such a run only the
   * staleness rule can fire, every `offset.lag.max + 1` downstream offsets. Returns the downstream
   * offset of the last record that required a sync, or -1 if none did.
   * Needs a previous record (previousDownstreamOffset >= 0) and the flag reset.
   */
  advanceContiguous(count: bigint): bigint {
    if (this.previousDownstreamOffset < 0n || this.lastSyncDownstreamOffset < 0n || this.shouldSyncOffsets) {
      throw new RangeError('advanceContiguous needs a previous record and a reset sync flag');
    }
    const firstDownstream = this.previousDownstreamOffset + 1n;
    const lastDownstream = this.previousDownstreamOffset + count;
    const step = this.maxOffsetLag + 1n;
    // The first d with d - (lastSync + 1) >= maxOffsetLag; each sync moves lastSync to its own d.
    let firstSync = this.lastSyncDownstreamOffset + step;
    if (firstSync < firstDownstream) firstSync = firstDownstream;
    let lastSync = -1n;
    if (firstSync <= lastDownstream) {
      lastSync = firstSync + ((lastDownstream - firstSync) / step) * step;
      this.lastSyncDownstreamOffset = lastSync;
    }
    this.previousUpstreamOffset += count;
    this.previousDownstreamOffset = lastDownstream;
    return lastSync;
  }

  /** Clears the sticky "should sync" flag once the required sync has been queued. */
  reset(): void {
    this.shouldSyncOffsets = false;
  }
}
