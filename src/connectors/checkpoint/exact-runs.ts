import type { OffsetSync } from '../../records/offset-sync.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';

/**
 * A stretch of upstream offsets proved to sit contiguously downstream: records `start..end` of
 * the upstream partition are at `start+delta .. end+delta`. It comes from one offset sync `(u, d)`
 * carrying our `mm2ts.run-start` header `s` (see RUN_START_HEADER in
 * src/connectors/source/offset-sync-writer.ts): `start = s`, `end = u`, `delta = d - u`.
 */
export interface ExactRun {
  readonly start: bigint;
  readonly end: bigint;
  readonly delta: bigint;
}

/**
 * Runs kept per upstream partition. One uninterrupted replication is a single run (syncs of one
 * run share `start` and `delta` and merge), so many runs only come from many breaks (transaction
 * markers, compaction gaps, restarts); beyond this cap the oldest are forgotten and those offsets
 * fall back to the Java lower bound.
 */
export const MAX_RUNS_PER_PARTITION = 1024;

/**
 * The exact-translation side of the offset-sync store: per upstream partition, the runs proved by
 * marked syncs. An upstream offset `g` with `start <= g <= end + 1` for some run translates to
 * exactly `g + delta` — the downstream position of record `g`'s copy, or, for `g = end + 1`, the
 * position right after record `end`. Every run is a self-contained proof, so any covering run is
 * safe; when several cover `g` (a later copy after a re-send), the largest answer re-reads least.
 *
 * The owner resets a partition whenever Java's store forgets its history (upstream rewind, or only
 * the last sync kept during the initial load), so both sides answer from the same syncs.
 */
export class ExactRunIndex {
  private readonly runs = new Map<string, ExactRun[]>();
  private readonly maxRuns: number;

  constructor(maxRunsPerPartition = MAX_RUNS_PER_PARTITION) {
    this.maxRuns = maxRunsPerPartition;
  }

  /** Forgets every run of the partition. */
  reset(topicPartition: TopicPartition): void {
    this.runs.delete(topicPartitionKey(topicPartition));
  }

  /**
   * Records the run proved by `sync` with run start `runStart`. Returns false (nothing recorded)
   * when the claim is impossible: a start after the sync's offset, or a run that would begin
   * below downstream offset 0.
   */
  add(sync: OffsetSync, runStart: bigint): boolean {
    const { upstreamOffset: u, downstreamOffset: d } = sync;
    if (runStart < 0n || runStart > u || d - (u - runStart) < 0n) return false;
    const key = topicPartitionKey(sync.topicPartition);
    const delta = d - u;
    let list = this.runs.get(key);
    if (list === undefined) {
      list = [];
      this.runs.set(key, list);
    }
    const same = list.find((r) => r.start === runStart && r.delta === delta);
    if (same !== undefined) {
      if (u > same.end) list[list.indexOf(same)] = { start: runStart, end: u, delta };
      return true;
    }
    // Sorted by start so that eviction drops the oldest stretch of the log.
    let at = list.length;
    while (at > 0 && list[at - 1]!.start > runStart) at--;
    list.splice(at, 0, { start: runStart, end: u, delta });
    if (list.length > this.maxRuns) list.splice(0, list.length - this.maxRuns);
    return true;
  }

  /** The exact downstream offset for upstream offset `g`, if a run covers it. */
  lookup(topicPartition: TopicPartition, g: bigint): bigint | undefined {
    const list = this.runs.get(topicPartitionKey(topicPartition));
    if (list === undefined) return undefined;
    let best: bigint | undefined;
    for (const r of list) {
      if (r.start > g) break;
      if (g <= r.end + 1n) {
        const down = g + r.delta;
        if (best === undefined || down > best) best = down;
      }
    }
    return best;
  }

  /** The runs of a partition, oldest start first. */
  runsFor(topicPartition: TopicPartition): readonly ExactRun[] {
    return this.runs.get(topicPartitionKey(topicPartition)) ?? [];
  }
}
