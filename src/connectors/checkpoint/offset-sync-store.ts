import { decodeOffsetSync, type OffsetSync } from '../../records/offset-sync.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';

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
   * `downstreamOffset` is `sync.downstreamOffset` if the group offset equals `sync.upstreamOffset`
   * (`exact`), else one past it: a lower bound that may re-read records but never skips one.
   */
  | {
      readonly kind: 'translated';
      readonly downstreamOffset: bigint;
      readonly sync: OffsetSync;
      readonly exact: boolean;
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
  handleRecord(key: Uint8Array | null, value: Uint8Array | null): OffsetSync {
    const sync = decodeOffsetSync(key, value);
    this.handleSync(sync);
    return sync;
  }

  /** Applies one offset sync (Java `handleRecord` after decoding). */
  handleSync(sync: OffsetSync): void {
    const key = topicPartitionKey(sync.topicPartition);
    const existing = this.offsetSyncs.get(key);
    // Keep our own object so identity comparisons never depend on what the caller reuses.
    const own: OffsetSync = { ...sync };
    this.offsetSyncs.set(key, existing === undefined ? filledWith(own) : this.updatedSyncs(existing, own));
  }

  /**
   * Java's `translateDownstream`: the downstream offset for upstream group offset
   * `upstreamOffset`; undefined when there is no answer yet or no sync for the partition (no
   * checkpoint), -1 when the offset is older than every retained sync.
   */
  translateDownstream(topicPartition: TopicPartition, upstreamOffset: bigint): bigint | undefined {
    const result = this.translate(topicPartition, upstreamOffset);
    switch (result.kind) {
      case 'unavailable':
        return undefined;
      case 'too-old':
        return -1n;
      case 'translated':
        return result.downstreamOffset;
    }
  }

  /** Like {@link translateDownstream}, with the sync used and whether the result is exact. */
  translate(topicPartition: TopicPartition, upstreamOffset: bigint): OffsetTranslation {
    if (!this.readToEnd) return { kind: 'unavailable' };
    const syncs = this.offsetSyncs.get(topicPartitionKey(topicPartition));
    if (syncs === undefined) return { kind: 'unavailable' };
    // Newest first: the first sync at or below the offset is the most precise one.
    const sync = syncs.find((s) => s.upstreamOffset <= upstreamOffset) ?? syncs[SYNCS_PER_PARTITION - 1]!;
    if (sync.upstreamOffset > upstreamOffset) return { kind: 'too-old', sync };
    const exact = sync.upstreamOffset === upstreamOffset;
    return { kind: 'translated', downstreamOffset: sync.downstreamOffset + (exact ? 0n : 1n), sync, exact };
  }

  /** The 64 retained syncs of a partition, newest first (repeats are the same object), if any. */
  syncsFor(topicPartition: TopicPartition): readonly OffsetSync[] | undefined {
    return this.offsetSyncs.get(topicPartitionKey(topicPartition));
  }

  /** The upstream partitions that have syncs. */
  partitions(): TopicPartition[] {
    return [...this.offsetSyncs.values()].map((syncs) => syncs[0]!.topicPartition);
  }

  private updatedSyncs(original: readonly OffsetSync[], sync: OffsetSync): readonly OffsetSync[] {
    const onlyLoadLastOffset = !this.readToEnd && this.initializationMustReadToEnd;
    const upstreamRewind = sync.upstreamOffset < original[0]!.upstreamOffset;
    if (onlyLoadLastOffset || upstreamRewind) return filledWith(sync);

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

function filledWith(sync: OffsetSync): readonly OffsetSync[] {
  return new Array<OffsetSync>(SYNCS_PER_PARTITION).fill(sync);
}
