import { setTimeout as sleep } from 'node:timers/promises';
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
import { rewriteForProduce } from '../protocol/pass-through.ts';
import { encodeRecordBatch } from '../protocol/encode.ts';
import { FetchedRecord } from '../protocol/fetched-record.ts';
import { PRODUCE_API_KEY, PRODUCE_VERSION, decodeProduceResponse, encodeProduceRequest } from '../wire/produce.ts';
import type { KafkajsConnection } from './connection.ts';
import { isRetriable } from '../errors.ts';
import { toPortError } from './port-errors.ts';
import { isStaleMetadata, kafkaErrorInfo, protocolError } from './protocol-errors.ts';
import { KafkaPortError } from '../../util/errors.ts';

/** Records per batch are cut so an uncompressed batch stays under the broker's default message.max.bytes (1 MiB). */
const MAX_BATCH_BYTES = 900_000;
const RECORD_OVERHEAD = 24;
const MAX_ATTEMPTS = 10;

interface PendingChunk {
  partition: number;
  /** Records to encode into one batch, or (when `batch` is set) none. */
  records: ProducerRecord[];
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

/** Whether the records a decoder summed up make one batch (as {@link chunk} would cut them); none make no batch. */
function fitsOneBatch(s: RecordsSummary | undefined): boolean {
  return s !== undefined && s.count > 0 && s.fieldBytes + s.count * RECORD_OVERHEAD <= MAX_BATCH_BYTES;
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
 * partitions of the same leader share requests.
 */
export class KafkajsRecordSink implements RecordSink {
  private readonly connection: KafkajsConnection;
  private readonly options: Required<Omit<RecordSinkOptions, 'transactionalId' | 'idempotent'>>;

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
    return this.connection.portErrors({ op: 'produce', topic }, () => {
      const byPartition = new Map<number, PendingChunk[]>();
      for (const piece of pieces) {
        let queue = byPartition.get(piece.partition);
        if (queue === undefined) byPartition.set(piece.partition, (queue = []));
        if (piece.batch !== undefined) queue.push({ partition: piece.partition, records: [], batch: piece.batch });
        // The decoder's summary says when the piece fits one batch: then no walk, no copy of its list.
        else if (fitsOneBatch(piece.summary)) queue.push({ partition: piece.partition, records: piece.records });
        else for (const c of chunk(piece.partition, piece.records)) queue.push(c);
      }
      return this.sendQueues(topic, [...byPartition.values()]);
    });
  }

  /** Sends each partition's chunks in order; round i sends the i-th chunk of every partition. */
  private async sendQueues(topic: string, queues: PendingChunk[][]): Promise<ProduceResult[]> {
    // A partition's next chunk waits for its previous one: order holds across retries.
    const results: ProduceResult[] = [];
    for (let round = 0; queues.some((q) => q.length > round); round++) {
      const chunks = queues.flatMap((q) => q.slice(round, round + 1));
      const baseOffsets = await this.sendRound(topic, chunks);
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

  /** Sends one chunk per partition, retrying the partitions whose leader moved; returns base offsets. */
  private async sendRound(topic: string, chunks: PendingChunk[]): Promise<Map<number, bigint>> {
    const encoded = new Map<number, Buffer>();
    await Promise.all(
      chunks.map(async (c) => {
        if (c.batch !== undefined) {
          rewriteForProduce(c.batch.bytes);
          encoded.set(c.partition, c.batch.bytes);
          return;
        }
        encoded.set(
          c.partition,
          // ProducerRecords are RecordInputs as they are: no per-record copy on the hot path.
          await encodeRecordBatch({ compression: this.options.compression, records: c.records }),
        );
      }),
    );
    const done = new Map<number, bigint>();
    let pending = [...encoded.keys()];
    let lastError: KafkaPortError | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        // No leader for some partition on every attempt (or no error recorded): kept non-retriable, as before.
        throw lastError ?? new KafkaPortError('ERR_PRODUCE', `produce to ${topic} failed`, { topic, retriable: false });
      }
      const leaders = await this.connection.leaders(topic, attempt > 1);
      const byLeader = new Map<number, number[]>();
      const retry: number[] = [];
      for (const partition of pending) {
        const leader = leaders.get(partition);
        if (leader === undefined) {
          throw new KafkaPortError('ERR_UNKNOWN_PARTITION', `topic ${topic} has no partition ${partition}`, {
            topic,
            partition,
            retriable: false,
          });
        }
        if (leader < 0) {
          retry.push(partition);
          continue;
        }
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          const broker = await this.connection.broker(leader);
          const body = encodeProduceRequest({
            transactionalId: null,
            acks: this.options.acks,
            timeoutMs: this.options.timeoutMs,
            topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, records: encoded.get(p)! })) }],
          });
          try {
            const response = await this.connection.send(
              broker,
              { apiKey: PRODUCE_API_KEY, apiVersion: PRODUCE_VERSION, apiName: 'Produce' },
              body,
              decodeProduceResponse,
              { expectResponse: this.options.acks !== 0, requestTimeoutMs: this.options.timeoutMs + 5_000 },
            );
            if (this.options.acks === 0) {
              for (const p of partitions) done.set(p, -1n);
              return;
            }
            for (const t of response.topics) {
              for (const p of t.partitions) {
                if (p.errorCode === 0) done.set(p.partition, p.baseOffset);
                else if (isStaleMetadata(p.errorCode) || kafkaErrorInfo(p.errorCode).retriable) {
                  retry.push(p.partition);
                  lastError = protocolError(p.errorCode, { op: 'produce', topic, partition: p.partition });
                } else throw protocolError(p.errorCode, { op: 'produce', topic, partition: p.partition });
              }
            }
          } catch (err) {
            if (err instanceof KafkaPortError) throw err;
            const failure = toPortError(err, { op: 'produce', topic }, this.connection.origin);
            // A fault resending cannot fix (TLS, SASL, a bug) fails the send now.
            if (!isRetriable(failure)) throw failure;
            // A broken connection: the request may or may not have been written. Resending can
            // duplicate but never reorder or lose (MM2's at-least-once contract).
            lastError = new KafkaPortError(
              'ERR_PRODUCE_CONNECTION',
              `produce to ${topic} failed: ${failure.message}`,
              { ...failure.details, retriable: true },
              { cause: err },
            );
            retry.push(...partitions);
          }
        }),
      );
      pending = retry;
      if (pending.length > 0) await sleep(Math.min(100 * 2 ** (attempt - 1), 2_000));
    }
    return done;
  }

  close(): Promise<void> {
    // Connections belong to the shared KafkajsConnection.
    return Promise.resolve();
  }
}
