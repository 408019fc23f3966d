import type {
  CompressionType,
  PassThroughBatch,
  ProducePiece,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSinkOptions,
  RecordsSummary,
} from '../port.ts';
import { dataBuffers } from '../buffer-pool.ts';
import { rewriteForProduce } from '../protocol/pass-through.ts';
import { encodeRecordBatch } from '../protocol/encode.ts';
import { FetchedRecord } from '../protocol/fetched-record.ts';
import type { KafkajsConnection } from './connection.ts';
import { ProduceDispatcher } from './produce-dispatcher.ts';
import { KafkaPortError } from '../../util/errors.ts';

/**
 * Largest batch on the wire: under the broker's default `message.max.bytes` (1 MiB + 12), which
 * limits a batch as sent, compressed or not. Uncompressed, records are cut at this size.
 */
const MAX_BATCH_BYTES = 900_000;
/**
 * Compressed batches are cut by their uncompressed size at what should compress to
 * {@link MAX_BATCH_BYTES} at the ratio this sink has seen, up to this much: a batch is one produce
 * round trip per partition (Kafka takes one batch per partition per request), so cutting 100-byte
 * lz4 records at 900 KB uncompressed cost four to five round trips per partition where one or two
 * do. Consumers decompress a batch whole: 4 MiB keeps that modest (Java's lz4 frames have 4 MiB
 * blocks at most).
 */
const MAX_UNCOMPRESSED_BATCH_BYTES = 4 * 1024 * 1024;
/** A compressed batch over this is cut in two and encoded again (the ratio was optimistic). */
const MAX_COMPRESSED_BATCH_BYTES = 1_000_000;
/** Room left under {@link MAX_BATCH_BYTES} for batches compressing worse than the ratio seen. */
const RATIO_MARGIN = 0.75;
const RECORD_OVERHEAD = 24;

interface PendingChunk {
  partition: number;
  /** Records to encode into one batch, or (when `batch` is set) none. */
  records: ProducerRecord[];
  /** Their estimated encoded size, uncompressed (`estimatedSize`). */
  bytes: number;
  /** A fetched batch sent as it is (pass-through); its header is rewritten before sending. */
  batch?: PassThroughBatch;
}

function estimatedSize(r: ProducerRecord): number {
  // A fetched record's key, value and headers are re-encoded as their wire bytes (encode.ts).
  if (r instanceof FetchedRecord) return RECORD_OVERHEAD + r.fieldsEnd - r.fieldsStart;
  let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) size += 8 + h.key.length * 3 + (h.value?.length ?? 0);
  return size;
}

/** The estimated size of the records a decoder summed up, when they fit one batch cut at `cut` (as {@link chunk} would); else undefined. */
function oneBatchBytes(s: RecordsSummary | undefined, cut: number): number | undefined {
  if (s === undefined || s.count === 0) return undefined;
  const bytes = s.fieldBytes + s.count * RECORD_OVERHEAD;
  return bytes <= cut ? bytes : undefined;
}

/** Splits one partition's records, in order, into chunks of at most `cut` estimated bytes each (one record at least). */
function chunk(partition: number, records: ProducerRecord[], cut: number): PendingChunk[] {
  const chunks: PendingChunk[] = [];
  let current: ProducerRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = estimatedSize(r);
    if (current.length > 0 && bytes + size > cut) {
      chunks.push({ partition, records: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ partition, records: current, bytes });
  return chunks;
}

/** Two chunks of `c`'s records, in order (it holds two records at least). */
function halves(c: PendingChunk): [PendingChunk, PendingChunk] {
  const mid = Math.ceil(c.records.length / 2);
  const first = c.records.slice(0, mid);
  const firstBytes = first.reduce((n, r) => n + estimatedSize(r), 0);
  return [
    { partition: c.partition, records: first, bytes: firstBytes },
    { partition: c.partition, records: c.records.slice(mid), bytes: c.bytes - firstBytes },
  ];
}

/**
 * Writes records to explicit partitions with Produce v7 (acks=all by default), one batch per
 * partition per request as Kafka requires, and resolves only when every record is acknowledged.
 * Within a partition, batches go out one after another, so order holds even across retries;
 * the partitions of every topic sent at the same time share one request per leader
 * (produce-dispatcher.ts).
 */
export class KafkajsRecordSink implements RecordSink {
  private readonly connection: KafkajsConnection;
  private readonly options: Required<Omit<RecordSinkOptions, 'transactionalId' | 'idempotent'>>;
  /** Batches of every topic sent in one turn share one request per leader (produce-dispatcher.ts). */
  private readonly dispatcher: ProduceDispatcher;
  /**
   * Compressed / estimated uncompressed bytes of the batches this sink compressed, smoothed; a
   * worse batch counts at once. 1 until the first one: cut as if uncompressed.
   */
  private compressionRatio = 1;

  constructor(connection: KafkajsConnection, options: RecordSinkOptions = {}) {
    if (options.transactionalId !== undefined || options.idempotent) {
      throw new KafkaPortError(
        'ERR_UNSUPPORTED',
        'the record sink does not support idempotent or transactional producing yet (MM2 default: neither)',
        { retriable: false },
      );
    }
    this.connection = connection;
    this.options = {
      compression: options.compression ?? 'none',
      acks: options.acks ?? -1,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    this.dispatcher = new ProduceDispatcher(connection, { acks: this.options.acks, timeoutMs: this.options.timeoutMs });
  }

  /** The codec of every batch this sink encodes (the producer's `compression.type`). */
  get compression(): CompressionType {
    return this.options.compression;
  }

  send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    return this.connection.portErrors({ op: 'produce', topic }, () => {
      const byPartition = new Map<number, ProducerRecord[]>();
      for (const r of records) {
        const list = byPartition.get(r.partition);
        if (list) list.push(r);
        else byPartition.set(r.partition, [r]);
      }
      const cut = this.batchCut();
      return this.sendQueues(
        topic,
        [...byPartition].map(([partition, list]) => chunk(partition, list, cut)),
      );
    });
  }

  sendPieces(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]> {
    return this.connection.portErrors({ op: 'produce', topic }, () => {
      const byPartition = new Map<number, PendingChunk[]>();
      const cut = this.batchCut();
      for (const piece of pieces) {
        let queue = byPartition.get(piece.partition);
        if (queue === undefined) byPartition.set(piece.partition, (queue = []));
        if (piece.batch !== undefined) {
          queue.push({ partition: piece.partition, records: [], bytes: piece.batch.bytes.length, batch: piece.batch });
          continue;
        }
        // The decoder's summary says when the piece fits one batch: then no walk, no copy of its list.
        const bytes = oneBatchBytes(piece.summary, cut);
        if (bytes !== undefined) queue.push({ partition: piece.partition, records: piece.records, bytes });
        else for (const c of chunk(piece.partition, piece.records, cut)) queue.push(c);
      }
      return this.sendQueues(topic, [...byPartition.values()]);
    });
  }

  /** Estimated uncompressed bytes at which records are cut into batches (see {@link MAX_UNCOMPRESSED_BATCH_BYTES}). */
  private batchCut(): number {
    if (this.options.compression === 'none') return MAX_BATCH_BYTES;
    const cut = (MAX_BATCH_BYTES * RATIO_MARGIN) / this.compressionRatio;
    return Math.max(MAX_BATCH_BYTES, Math.min(MAX_UNCOMPRESSED_BATCH_BYTES, Math.floor(cut)));
  }

  /** Sends each partition's chunks in order; round i sends the i-th chunk of every partition. */
  private async sendQueues(topic: string, queues: PendingChunk[][]): Promise<ProduceResult[]> {
    // A partition's next chunk waits for its previous one: order holds across retries.
    const results: ProduceResult[] = [];
    for (let round = 0; queues.some((q) => q.length > round); round++) {
      const baseOffsets = await this.sendRound(topic, queues, round);
      const chunks = queues.flatMap((q) => q.slice(round, round + 1));
      for (const c of chunks) {
        results.push({
          topic,
          partition: c.partition,
          baseOffset: baseOffsets.get(c.partition)!,
          recordCount: c.batch !== undefined ? c.batch.recordCount : c.records.length,
        });
      }
    }
    return results;
  }

  /**
   * Sends chunk `round` of every queue through the dispatcher; returns base offsets once all are
   * acknowledged. A compressed batch that came out too large is cut in two in its queue (the
   * second half goes in the next round) and encoded again.
   */
  private async sendRound(topic: string, queues: PendingChunk[][], round: number): Promise<Map<number, bigint>> {
    const encodeChunk = async (queue: PendingChunk[]): Promise<Buffer> => {
      for (;;) {
        const c = queue[round]!;
        if (c.batch !== undefined) {
          rewriteForProduce(c.batch.bytes);
          return c.batch.bytes;
        }
        // ProducerRecords are RecordInputs as they are: no per-record copy on the hot path.
        const batch = await encodeRecordBatch({ compression: this.options.compression, records: c.records });
        if (this.options.compression === 'none') return batch;
        this.noteCompression(batch.length, c.bytes);
        if (batch.length <= MAX_COMPRESSED_BATCH_BYTES || c.records.length < 2) return batch;
        dataBuffers.release(batch);
        queue.splice(round, 1, ...halves(c));
      }
    };
    const active = queues.filter((q) => q.length > round);
    const encoded = await Promise.all(active.map(encodeChunk));
    const chunks = active.map((q) => q[round]!);
    // allSettled: no partition of this round is still in flight when the round fails.
    const outcomes = await Promise.allSettled(
      chunks.map((c, i) => this.dispatcher.produce(topic, c.partition, encoded[i]!)),
    );
    const done = new Map<number, bigint>();
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'rejected') throw o.reason;
      done.set(chunks[i]!.partition, o.value);
    }
    // Every batch we encoded is acknowledged, so the broker has read all of it: its buffer may be
    // reused (src/kafka/buffer-pool.ts). A pass-through batch lies in fetched bytes, which their
    // reader releases. With acks=0 nothing says the socket is done with the bytes: left to the GC.
    if (this.options.acks !== 0)
      for (const [i, c] of chunks.entries()) if (c.batch === undefined) dataBuffers.release(encoded[i]!);
    return done;
  }

  /** Keeps {@link compressionRatio}: a batch compressing worse counts at once, a better one by half. */
  private noteCompression(compressedBytes: number, estimatedBytes: number): void {
    const ratio = compressedBytes / Math.max(1, estimatedBytes);
    this.compressionRatio = ratio >= this.compressionRatio ? ratio : (this.compressionRatio + ratio) / 2;
  }

  close(): Promise<void> {
    // Connections belong to the shared KafkajsConnection.
    return Promise.resolve();
  }
}
