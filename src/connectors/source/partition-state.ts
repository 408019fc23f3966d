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

  /** Clears the sticky "should sync" flag once the required sync has been queued. */
  reset(): void {
    this.shouldSyncOffsets = false;
  }
}
