import type { ConsumedRecord } from '../kafka/port.ts';
import { decodeCheckpoint, formatTopicPartition, type TopicPartition } from '../records/index.ts';
import { RecordFormatError } from '../util/errors.ts';
import { isExactCheckpoint } from './checkpoint-exactness.ts';

/**
 * One translated position of a consumer group on the local cluster: the newest checkpoint MM2
 * wrote for (group, topic, partition). Java returns `OffsetAndMetadata(downstreamOffset, metadata)`;
 * this carries the rest of the checkpoint too.
 */
export interface TranslatedOffset {
  /** The local (downstream, renamed) topic, e.g. `A.orders`. */
  readonly topic: string;
  readonly partition: number;
  /** Where the group resumes on this cluster (Java `OffsetAndMetadata.offset()`): commit or seek to this. */
  readonly downstreamOffset: bigint;
  /** The group's committed offset on the remote cluster that this translates. */
  readonly upstreamOffset: bigint;
  /** The upstream commit's metadata string ("" when none). */
  readonly metadata: string;
  /**
   * True only when the checkpoint proves `downstreamOffset` is exact; false means a lower bound:
   * resuming there may re-read records but never skips one. See {@link isExactCheckpoint}.
   */
  readonly exact: boolean;
  /** When MM2 read the upstream group's offsets (the checkpoint record's timestamp), epoch ms. */
  readonly checkpointTimestamp: number;
}

/**
 * Translated offsets keyed by Java's `TopicPartition.toString()` (`topic-partition`, e.g.
 * `A.orders-0`; the partition is what follows the last `-`, so keys are unambiguous). Build keys
 * with {@link translatedOffsetKey}.
 */
export type TranslatedOffsets = ReadonlyMap<string, TranslatedOffset>;

/** The key of `tp` in {@link TranslatedOffsets}: `topic-partition`. */
export function translatedOffsetKey(tp: TopicPartition): string {
  return formatTopicPartition(tp);
}

/**
 * Folds the records of a checkpoints topic, in offset order, into the newest checkpoint per
 * (group, topic, partition), as Java's `remoteConsumerOffsets` does (last record wins). Records
 * that do not decode are counted and skipped (Java logs and skips them). A tombstone removes its
 * key (Java would fail on it; MM2 never writes one).
 */
export class CheckpointCollector {
  readonly #groupId: string | undefined;
  readonly #groups = new Map<string, Map<string, TranslatedOffset>>();
  #skipped = 0;
  #records = 0;

  /** Keeps only `groupId`'s checkpoints, or every group's when undefined. */
  constructor(groupId?: string) {
    this.#groupId = groupId;
  }

  add(record: Pick<ConsumedRecord, 'key' | 'value' | 'headers' | 'timestamp'>): void {
    this.#records++;
    if (record.value === null) {
      this.#removeTombstoned(record.key);
      return;
    }
    let checkpoint;
    try {
      checkpoint = decodeCheckpoint(record.key, record.value);
    } catch (err) {
      if (!(err instanceof RecordFormatError)) throw err;
      this.#skipped++;
      return;
    }
    if (this.#groupId !== undefined && checkpoint.consumerGroupId !== this.#groupId) return;
    const { topic, partition } = checkpoint.topicPartition;
    this.#group(checkpoint.consumerGroupId).set(translatedOffsetKey(checkpoint.topicPartition), {
      topic,
      partition,
      downstreamOffset: checkpoint.downstreamOffset,
      upstreamOffset: checkpoint.upstreamOffset,
      metadata: checkpoint.metadata,
      exact: isExactCheckpoint(record.headers),
      checkpointTimestamp: record.timestamp,
    });
  }

  /** Records seen, and those skipped because they did not decode as checkpoints. */
  get stats(): { readonly records: number; readonly skipped: number } {
    return { records: this.#records, skipped: this.#skipped };
  }

  /** The newest checkpoints of `groupId` (empty when it has none). */
  offsetsOf(groupId: string): Map<string, TranslatedOffset> {
    return new Map(this.#groups.get(groupId) ?? []);
  }

  /** Every group seen, with its newest checkpoints; groups sorted by id. */
  allGroups(): Map<string, Map<string, TranslatedOffset>> {
    return new Map([...this.#groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  #group(groupId: string): Map<string, TranslatedOffset> {
    let group = this.#groups.get(groupId);
    if (group === undefined) {
      group = new Map();
      this.#groups.set(groupId, group);
    }
    return group;
  }

  #removeTombstoned(key: Buffer | null): void {
    // Decode the key alone by pairing it with a minimal valid value.
    let checkpoint;
    try {
      checkpoint = decodeCheckpoint(key, EMPTY_CHECKPOINT_VALUE);
    } catch (err) {
      if (!(err instanceof RecordFormatError)) throw err;
      this.#skipped++;
      return;
    }
    const group = this.#groups.get(checkpoint.consumerGroupId);
    group?.delete(translatedOffsetKey(checkpoint.topicPartition));
    if (group?.size === 0) this.#groups.delete(checkpoint.consumerGroupId);
  }
}

/** version 0, upstream 0, downstream 0, metadata "": a value that decodes, to read a lone key. */
const EMPTY_CHECKPOINT_VALUE = Buffer.alloc(2 + 8 + 8 + 2);
