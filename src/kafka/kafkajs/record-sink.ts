import type {
  CompressionType,
  EncodedBatch,
  PassThroughBatch,
  ProducePiece,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSinkOptions,
  RecordsSummary,
} from '../port.ts';
import { dataBuffers } from '../buffer-pool.ts';
import { kafkaErrorName } from '../errors.ts';
import { rewriteForProduce } from '../protocol/pass-through.ts';
import { decodeRecordBatches } from '../protocol/decode.ts';
import { encodeRecordBatch } from '../protocol/encode.ts';
import { FetchedRecord } from '../protocol/fetched-record.ts';
import { MAX_BATCH_BYTES, RECORD_OVERHEAD } from '../protocol/transcode.ts';
import type { KafkajsConnection } from './connection.ts';
import { ProduceDispatcher } from './produce-dispatcher.ts';
import { KafkaPortError } from '../../util/errors.ts';

/** Where one part of a chunk landed: the whole chunk, or each half of one the target refused as too large. */
interface LandedPart {
  baseOffset: bigint;
  recordCount: number;
}

interface PendingChunk {
  partition: number;
  /** Records to encode into one batch, or (when `batch` is set) none. */
  records: ProducerRecord[];
  /** A fetched batch sent as it is (pass-through); its header is rewritten before sending. */
  batch?: PassThroughBatch;
  /** Records encoded while decoded (transcode.ts), sent as they are. */
  encoded?: EncodedBatch;
  /** `encoded`'s bytes, once sent. */
  sent?: Buffer;
}

function estimatedSize(r: ProducerRecord): number {
  // A fetched record's key, value and headers are re-encoded as their wire bytes (encode.ts).
  if (r instanceof FetchedRecord) return RECORD_OVERHEAD + r.fieldsEnd - r.fieldsStart;
  let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) size += 8 + h.key.length * 3 + (h.value?.length ?? 0);
  return size;
}

/** Whether the records a decoder summed up make one batch (as {@link chunk} would cut them); none make no batch. */
function fitsOneBatch(s: RecordsSummary | undefined): boolean {
  return s !== undefined && s.count > 0 && s.fieldBytes + s.count * RECORD_OVERHEAD <= MAX_BATCH_BYTES;
}

/** How many records a chunk holds. */
function recordCountOf(c: PendingChunk): number {
  return (c.batch ?? c.encoded)?.recordCount ?? c.records.length;
}

/** Splits one partition's records, in order, into chunks that each fit one batch. */
function chunk(partition: number, records: ProducerRecord[]): PendingChunk[] {
  const chunks: PendingChunk[] = [];
  let current: ProducerRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = estimatedSize(r);
    if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      chunks.push({ partition, records: current });
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ partition, records: current });
  return chunks;
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
  private readonly options: Required<
    Omit<RecordSinkOptions, 'transactionalId' | 'idempotent' | 'connectionsPerBroker'>
  >;
  /** Batches of every topic sent in one turn share one request per leader (produce-dispatcher.ts). */
  private readonly dispatcher: ProduceDispatcher;
  /**
   * Per topic, the smallest batch (bytes) the target refused as too large: a batch this size or
   * larger is split before it is sent, not sent to be refused again. Kept for the sink's life (a
   * topic whose limit is raised later is still split until the task restarts).
   */
  private readonly refusedAt = new Map<string, number>();

  /**
   * `lanes`: the clients produce requests are spread over, `connection` first
   * (produce-dispatcher.ts); by default `connection` alone.
   */
  constructor(
    connection: KafkajsConnection,
    options: RecordSinkOptions = {},
    lanes: readonly KafkajsConnection[] = [connection],
  ) {
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
    this.dispatcher = new ProduceDispatcher(
      connection,
      { acks: this.options.acks, timeoutMs: this.options.timeoutMs },
      lanes,
    );
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
      return this.sendQueues(
        topic,
        [...byPartition].map(([partition, list]) => chunk(partition, list)),
      );
    });
  }

  sendPieces(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]> {
    return this.connection.portErrors({ op: 'produce', topic }, async () => {
      const byPartition = new Map<number, PendingChunk[]>();
      for (const piece of pieces) {
        let queue = byPartition.get(piece.partition);
        if (queue === undefined) byPartition.set(piece.partition, (queue = []));
        if (piece.batch !== undefined) queue.push({ partition: piece.partition, records: [], batch: piece.batch });
        else if (piece.encoded !== undefined)
          queue.push({ partition: piece.partition, records: [], encoded: piece.encoded });
        // The decoder's summary says when the piece fits one batch: then no walk, no copy of its list.
        else if (fitsOneBatch(piece.summary)) queue.push({ partition: piece.partition, records: piece.records });
        else for (const c of chunk(piece.partition, piece.records)) queue.push(c);
      }
      const queues = [...byPartition.values()];
      const results = await this.sendQueues(topic, queues);
      // Only now, with every round acknowledged: a round that failed is sent again by the caller
      // with every earlier one (a retry may duplicate, never reorder), from these same bytes. A
      // failed request still queued in a socket holds them itself (request-writes.ts).
      if (this.options.acks !== 0)
        for (const queue of queues) for (const c of queue) if (c.sent !== undefined) dataBuffers.release(c.sent);
      return results;
    });
  }

  /** Sends each partition's chunks in order; round i sends the i-th chunk of every partition. */
  private async sendQueues(topic: string, queues: PendingChunk[][]): Promise<ProduceResult[]> {
    // A partition's next chunk waits for its previous one: order holds across retries.
    const results: ProduceResult[] = [];
    for (let round = 0; queues.some((q) => q.length > round); round++) {
      const chunks = queues.flatMap((q) => q.slice(round, round + 1));
      const landed = await this.sendRound(topic, chunks);
      for (const c of chunks) {
        const parts = landed.get(c.partition)!;
        // A records chunk split in parts is as many batches of records (a caller walks records
        // batch by batch); a fetched or encoded batch stays one result, with where its parts went.
        if (parts.length === 1 || (c.batch === undefined && c.encoded === undefined))
          for (const part of parts) results.push({ topic, partition: c.partition, ...part });
        else
          results.push({
            topic,
            partition: c.partition,
            baseOffset: parts[0]!.baseOffset,
            recordCount: recordCountOf(c),
            parts,
          });
      }
    }
    return results;
  }

  /** Sends one chunk per partition through the dispatcher; returns where each landed once all are acknowledged. */
  private async sendRound(topic: string, chunks: PendingChunk[]): Promise<Map<number, LandedPart[]>> {
    const encoded = await Promise.all(
      chunks.map(async (c) => {
        if (c.batch !== undefined) {
          rewriteForProduce(c.batch.bytes);
          return c.batch.bytes;
        }
        if (c.encoded !== undefined) return (c.sent = await c.encoded.bytes);
        // ProducerRecords are RecordInputs as they are: no per-record copy on the hot path.
        return encodeRecordBatch({ compression: this.options.compression, records: c.records });
      }),
    );
    // allSettled: no partition of this round is still in flight when the round fails.
    const outcomes = await Promise.allSettled(chunks.map((c, i) => this.produceFitting(topic, c, encoded[i]!)));
    const done = new Map<number, LandedPart[]>();
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'rejected') throw o.reason;
      done.set(chunks[i]!.partition, o.value);
    }
    // Every batch we encoded is acknowledged, so the broker has read all of it: its buffer may be
    // reused (src/kafka/buffer-pool.ts). A pass-through batch lies in fetched bytes, which their
    // reader releases; a batch encoded while decoded is released by sendPieces once its whole send
    // is acknowledged. With acks=0 they are left to the GC (not measured; the socket would hold
    // them until written either way, request-writes.ts).
    if (this.options.acks !== 0)
      for (const [i, c] of chunks.entries())
        if (c.batch === undefined && c.encoded === undefined) dataBuffers.release(encoded[i]!);
    return done;
  }

  /**
   * Sends one batch of a partition; when the target refuses it as too large (MESSAGE_TOO_LARGE: the
   * topic's `max.message.bytes`, e.g. copied from a source topic whose producers compress, while
   * this sink cuts batches of up to 900,000 bytes), sends its records again in two halves, one
   * after the other, each split again as long as it is refused. Java's producer never meets this
   * with its 16 KB `batch.size`; a batch of one record that is still too large fails the send.
   */
  private async produceFitting(topic: string, c: PendingChunk, bytes: Buffer): Promise<LandedPart[]> {
    const { partition } = c;
    const count = recordCountOf(c);
    const refused = this.refusedAt.get(topic);
    if (count < 2 || refused === undefined || bytes.length < refused) {
      try {
        return [{ baseOffset: await this.dispatcher.produce(topic, partition, bytes), recordCount: count }];
      } catch (err) {
        // Over the topic's max.message.bytes (or the broker's message.max.bytes).
        if (kafkaErrorName(err) !== 'MESSAGE_TOO_LARGE') throw err;
        if (count < 2) {
          throw new KafkaPortError(
            'ERR_RECORD_TOO_LARGE',
            `a record of partition ${partition} makes a ${bytes.length}-byte batch, which the target refuses for topic ${topic}: raise the target topic's max.message.bytes (or the broker's message.max.bytes) above it`,
            { topic, partition, batchBytes: bytes.length, retriable: false },
            { cause: err },
          );
        }
        if (refused === undefined)
          this.connection.logger.warn(
            { op: 'produce', topic, partition, batchBytes: bytes.length },
            'produce: the target refused a batch as too large for the topic; its batches are split until they fit',
          );
        // Smaller than any size refused before (else it would not have been sent).
        this.refusedAt.set(topic, bytes.length);
      }
    }
    const all = c.batch === undefined && c.encoded === undefined ? c.records : await recordsOfBatch(partition, bytes);
    const half = Math.ceil(all.length / 2);
    const landed: LandedPart[] = [];
    for (const records of [all.slice(0, half), all.slice(half)]) {
      const partBytes = await encodeRecordBatch({ compression: this.options.compression, records });
      landed.push(...(await this.produceFitting(topic, { partition, records }, partBytes)));
      if (this.options.acks !== 0) dataBuffers.release(partBytes);
    }
    return landed;
  }

  close(): Promise<void> {
    // Connections belong to the shared KafkajsConnection.
    return Promise.resolve();
  }
}

/**
 * The records of one encoded batch (a fetched batch passed through, or records encoded while
 * decoded), to send again in parts: key, value, headers and timestamp as they are, offsets left to
 * the new batches.
 */
async function recordsOfBatch(partition: number, bytes: Buffer): Promise<ProducerRecord[]> {
  const out: ProducerRecord[] = [];
  for (const batch of await decodeRecordBatches(bytes))
    for (const r of batch.records)
      out.push({ partition, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
  return out;
}
