import { decodeOffsetSync, type OffsetSync } from '../../records/offset-sync.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';
import { ExactRunIndex } from './exact-runs.ts';

/** Syncs kept per upstream partition: one per bit of a 64-bit offset (Java `SYNCS_PER_PARTITION`). */
export const SYNCS_PER_PARTITION = 64;

/** Java's `1L << k` for 0 ≤ k ≤ 63 (k = 63 is Long.MIN_VALUE), precomputed. */
const JAVA_SHL: readonly bigint[] = Array.from({ length: SYNCS_PER_PARTITION }, (_, k) =>
  BigInt.asIntN(64, 1n << BigInt(k)),
);

function javaShl(k: number): bigint {
  return JAVA_SHL[k]!;
}

/** Java long addition/subtraction: wraps around at 64 bits. */
function javaLong(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/*
 * Invariants of a partition's sync array (i < j, distinct syncs, "distinct" meaning different
 * objects — a repeated sync is the same object in several slots):
 *  A. syncs[0] is the latest sync read;
 *  B. syncs[i].up <= syncs[j].up + 2^j - 2^i   (older slots are not too old);
 *  C. syncs[i].up >= syncs[j].up + 2^max(i-2,0) (neighbouring slots are spread out);
 *  D. syncs[63] is the earliest sync still usable.
 * Bounds use Java's 64-bit wrap-around so that results match Java bit for bit near 2^63.
 */
function invariantB(iSync: OffsetSync, jSync: OffsetSync, i: number, j: number): boolean {
  const bound = javaLong(jSync.upstreamOffset + javaShl(j) - javaShl(i));
  return iSync === jSync || bound < 0n || iSync.upstreamOffset <= bound;
}

function invariantC(iSync: OffsetSync, jSync: OffsetSync, i: number): boolean {
  const bound = javaLong(jSync.upstreamOffset + javaShl(Math.max(i - 2, 0)));
  return iSync === jSync || (bound >= 0n && iSync.upstreamOffset >= bound);
}

/** The outcome of translating one upstream group offset (see {@link OffsetSyncStore.translate}). */
export type OffsetTranslation =
  /** No answer: the initial read of the offset-syncs topic is not finished, or the partition has no syncs. */
  | { readonly kind: 'unavailable' }
  /** The offset is older than every retained sync; Java reports -1 and no checkpoint is emitted. */
  | { readonly kind: 'too-old'; readonly sync: OffsetSync }
  /**
   * `downstreamOffset` never skips a record the group has not consumed. `exact`: it also re-reads
   * none (a run proved by a marked sync covers the offset, or the offset is the sync's upstream
   * offset or the one after it); otherwise it is Java's lower bound `sync.downstreamOffset + 1`,
   * which may re-read records. `baseline` is Java's answer for the same syncs (-1: too old).
   */
  | {
      readonly kind: 'translated';
      readonly downstreamOffset: bigint;
      readonly sync: OffsetSync;
      readonly exact: boolean;
      readonly baseline: bigint;
    };

/**
 * Java's `OffsetSyncStore` (as of Kafka 3.7–4.0) without the Kafka log: the in-memory history of
 * offset syncs per upstream partition and the translation of upstream group offsets. Feed it every
 * record of the offset-syncs topic (partition 0) in order; given the same syncs it keeps the same
 * history and translates exactly as Java does.
 *
 * Lifecycle: {@link start} (whether the initial read must only keep the last sync), feed the
 * records already in the topic, {@link markReadToEnd}, then keep feeding new records. Nothing is
 * translated before {@link markReadToEnd}.
 *
 * Each partition's array is replaced, never mutated, so a reader always sees a consistent array.
 */
export class OffsetSyncStore {
  private readonly offsetSyncs = new Map<string, readonly OffsetSync[]>();
  private readonly exactRuns = new ExactRunIndex();
  private initializationMustReadToEnd = true;
  private readToEnd = false;

  /**
   * Java's `start(initializationMustReadToEnd)`. With true (the checkpoints could not be loaded),
   * the initial read keeps only the last sync per partition, so older group offsets translate to
   * -1 rather than to checkpoints behind ones a previous task emitted. With false, the whole
   * retained history of the topic is loaded.
   */
  start(initializationMustReadToEnd: boolean): void {
    this.initializationMustReadToEnd = initializationMustReadToEnd;
  }

  /** The initial read reached the end of the offset-syncs topic: translation may start. */
  markReadToEnd(): void {
    this.readToEnd = true;
  }

  /** True once {@link markReadToEnd} was called. */
  get isReadToEnd(): boolean {
    return this.readToEnd;
  }

  /**
   * Decodes and applies one offset-syncs record. Throws RecordFormatError for a malformed record
   * or a tombstone (the store is unchanged); callers should skip that record and go on, rather
   * than drop the rest of the batch as Java does.
   */
  handleRecord(key: Uint8Array | null, value: Uint8Array | null, runStart?: bigint): OffsetSync {
    const sync = decodeOffsetSync(key, value);
    this.handleSync(sync, runStart);
    return sync;
  }

  /**
   * Applies one offset sync (Java `handleRecord` after decoding). `runStart` is the sync's
   * `mm2ts.run-start` header, if it has one: it feeds exact translation only, so Java's history
   * (and {@link translateDownstream}) is the same with or without it.
   */
  handleSync(sync: OffsetSync, runStart?: bigint): void {
    const key = topicPartitionKey(sync.topicPartition);
    const existing = this.offsetSyncs.get(key);
    // Keep our own object so identity comparisons never depend on what the caller reuses.
    const own: OffsetSync = { ...sync };
    // Whenever Java's store forgets a partition's history, the runs go too: a rewound upstream
    // reuses offsets for other records, and a last-sync-only initial load must not translate
    // older offsets from history either.
    if (existing === undefined || this.resetsHistory(existing, own)) {
      this.offsetSyncs.set(key, filledWith(own));
      this.exactRuns.reset(own.topicPartition);
    } else {
      this.offsetSyncs.set(key, this.updatedSyncs(existing, own));
    }
    if (runStart !== undefined) this.exactRuns.add(own, runStart);
  }

  /**
   * Java's `translateDownstream`: the downstream offset for upstream group offset
   * `upstreamOffset`; undefined when there is no answer yet or no sync for the partition (no
   * checkpoint), -1 when the offset is older than every retained sync.
   */
  translateDownstream(topicPartition: TopicPartition, upstreamOffset: bigint): bigint | undefined {
    return downstreamOf(this.translateBaseline(topicPartition, upstreamOffset));
  }

  /** {@link translate} in {@link translateDownstream}'s shape: what our checkpoints carry. */
  translateDownstreamExact(topicPartition: TopicPartition, upstreamOffset: bigint): bigint | undefined {
    return downstreamOf(this.translate(topicPartition, upstreamOffset));
  }

  /**
   * Java's translation only (see {@link translateDownstream}), with the sync used: the
   * compatibility baseline, whatever headers the syncs carried.
   */
  translateBaseline(topicPartition: TopicPartition, upstreamOffset: bigint): OffsetTranslation {
    if (!this.readToEnd) return { kind: 'unavailable' };
    const syncs = this.offsetSyncs.get(topicPartitionKey(topicPartition));
    if (syncs === undefined) return { kind: 'unavailable' };
    // Newest first: the first sync at or below the offset is the most precise one.
    const sync = syncs.find((s) => s.upstreamOffset <= upstreamOffset) ?? syncs[SYNCS_PER_PARTITION - 1]!;
    if (sync.upstreamOffset > upstreamOffset) return { kind: 'too-old', sync };
    const atSync = sync.upstreamOffset === upstreamOffset;
    const downstreamOffset = sync.downstreamOffset + (atSync ? 0n : 1n);
    // g = u + 1 is exact too: the record after d downstream is the first one past u upstream.
    const exact = atSync || upstreamOffset === sync.upstreamOffset + 1n;
    return { kind: 'translated', downstreamOffset, sync, exact, baseline: downstreamOffset };
  }

  /**
   * The best safe translation: exact where a marked sync proves it (docs/offset-translation.md),
   * else Java's lower bound. Never below Java's answer, never past a record the group has not
   * consumed. An offset older than every retained sync still translates when a run covers it.
   */
  translate(topicPartition: TopicPartition, upstreamOffset: bigint): OffsetTranslation {
    const baseline = this.translateBaseline(topicPartition, upstreamOffset);
    if (baseline.kind === 'unavailable') return baseline;
    const exact = this.exactRuns.lookup(topicPartition, upstreamOffset);
    if (baseline.kind === 'too-old') {
      if (exact === undefined) return baseline;
      return { kind: 'translated', downstreamOffset: exact, sync: baseline.sync, exact: true, baseline: -1n };
    }
    if (exact === undefined || exact < baseline.downstreamOffset) return baseline;
    return { ...baseline, downstreamOffset: exact, exact: true };
  }

  /** The exact-translation runs of a partition (for inspection and tests). */
  exactRunsFor(topicPartition: TopicPartition): ReturnType<ExactRunIndex['runsFor']> {
    return this.exactRuns.runsFor(topicPartition);
  }

  /** The 64 retained syncs of a partition, newest first (repeats are the same object), if any. */
  syncsFor(topicPartition: TopicPartition): readonly OffsetSync[] | undefined {
    return this.offsetSyncs.get(topicPartitionKey(topicPartition));
  }

  /** The upstream partitions that have syncs. */
  partitions(): TopicPartition[] {
    return [...this.offsetSyncs.values()].map((syncs) => syncs[0]!.topicPartition);
  }

  private resetsHistory(original: readonly OffsetSync[], sync: OffsetSync): boolean {
    const onlyLoadLastOffset = !this.readToEnd && this.initializationMustReadToEnd;
    const upstreamRewind = sync.upstreamOffset < original[0]!.upstreamOffset;
    return onlyLoadLastOffset || upstreamRewind;
  }

  private updatedSyncs(original: readonly OffsetSync[], sync: OffsetSync): readonly OffsetSync[] {
    const syncs = [...original];
    let replacement = sync;
    // Index into the original array of the next old sync to consider keeping.
    let replacementIndex = 0;
    syncs[0] = replacement;
    for (let current = 1; current < SYNCS_PER_PARTITION; current++) {
      const previous = current - 1;
      let skipOldValue: boolean;
      // Prefer an old sync over the new one wherever it satisfies the invariants: more distinct
      // syncs are kept, so older offsets translate more precisely.
      do {
        const oldValue = original[replacementIndex]!;
        const isRecent = invariantB(syncs[previous]!, oldValue, previous, current);
        const separatedFromPrevious = invariantC(syncs[previous]!, oldValue, previous);
        const next = current + 1;
        const separatedFromNext = next >= SYNCS_PER_PARTITION || invariantC(oldValue, syncs[next]!, current);
        const nextReplacement = replacementIndex + 1;
        const duplicate = nextReplacement < SYNCS_PER_PARTITION && oldValue === original[nextReplacement];
        const promote = isRecent && separatedFromPrevious && separatedFromNext;
        if (promote) replacement = oldValue;
        skipOldValue = duplicate || !separatedFromPrevious;
        if (promote || skipOldValue) replacementIndex++;
      } while (replacementIndex < current && skipOldValue);

      // If the slot already satisfies B, so does everything after it: keep the old tail.
      if (invariantB(syncs[previous]!, syncs[current]!, previous, current)) break;
      syncs[current] = replacement;
    }
    return syncs;
  }
}

function downstreamOf(result: OffsetTranslation): bigint | undefined {
  switch (result.kind) {
    case 'unavailable':
      return undefined;
    case 'too-old':
      return -1n;
    case 'translated':
      return result.downstreamOffset;
  }
}

function filledWith(sync: OffsetSync): readonly OffsetSync[] {
  return new Array<OffsetSync>(SYNCS_PER_PARTITION).fill(sync);
}
