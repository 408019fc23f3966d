/**
 * The broker-bound ceilings of one drain case, measured on the same clusters as the mirrors: how
 * fast the source can be read and how fast the target can take the case's records, each half
 * alone. A mirror chains both halves, so min(fetch ceiling, ingest ceiling) bounds any mirror on
 * these brokers; the report gives ours as a share of it.
 *
 * - fetch, ours: our Fetch path (Kafka port, `fetchUndecoded`: batches framed and CRC-checked, not
 *   decoded) reading every partition from offset 0 to the end, nothing produced;
 * - fetch, Java: `ConsumerPerformance` with large fetches (java-tools.ts `TUNED_CONSUMER`);
 * - ingest, ours: our produce path (the Kafka port's record sink, the mirror's compression and
 *   acks=all, as many connections to the broker as the mirror's producer by default) fed records
 *   held in memory, in groups of the mirror's size (source-task.ts MAX_RECORDS_PER_PRODUCE and
 *   MAX_BYTES_PER_PRODUCE), as many groups in flight as the mirror keeps (MAX_GROUPS_IN_FLIGHT);
 * - ingest, Java: `ProducerPerformance` with large batches (java-tools.ts `TUNED_PRODUCER`).
 *
 * Each ceiling is the faster of its two figures.
 */
import type { ConsumedRecord, KafkaCluster, RecordSource } from '../../src/kafka/index.ts';
import type { Compression } from './options.ts';
// The mirror's own produce group size and groups in flight: the ingest ceiling produces as it does.
import {
  MAX_GROUPS_IN_FLIGHT as MIRROR_GROUPS_IN_FLIGHT,
  MAX_RECORDS_PER_PRODUCE as MIRROR_GROUP_RECORDS,
  MAX_BYTES_PER_PRODUCE as MIRROR_GROUP_BYTES,
} from '../../src/connectors/source/source-task.ts';
import { KEYS_BY_NAME } from '../../src/config/keys/key-table.ts';

/** `mm2ts.produce.connections.per.broker` by default: the mirror's producer connections to a broker. */
const MIRROR_CONNECTIONS_PER_BROKER = Number(KEYS_BY_NAME.get('mm2ts.produce.connections.per.broker')!.default);

/** Records held in memory for the ingest ceiling and sent round and round (bounds the bench's RSS). */
const INGEST_POOL_RECORDS = 100_000;

export interface Rate {
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

function rate(records: number, payloadBytes: number, ms: number): Rate {
  const seconds = ms / 1000;
  return { records, seconds, recordsPerSec: records / seconds, mbPerSec: payloadBytes / 1e6 / seconds };
}

/** Reads `topic` from offset 0 to `ends` through our fetch path, without decoding records. */
export async function ourFetchRate(
  reader: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  /** Key + value bytes of the whole topic (the digest's), for MB/s. */
  payloadBytes: number,
  timeoutMs: number,
): Promise<Rate> {
  const positions = new Map([...ends.keys()].map((p) => [p, 0n]));
  const deadline = Date.now() + timeoutMs;
  let records = 0;
  const t0 = performance.now();
  for (;;) {
    const requests = [...positions]
      .filter(([p, offset]) => offset < ends.get(p)!)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    if (requests.length === 0) break;
    if (Date.now() > deadline) throw new Error(`our fetch loop read ${records} records of ${topic} in ${timeoutMs} ms`);
    for (const f of await reader.fetchUndecoded(requests)) {
      records += f.batchRecordCount;
      positions.set(f.partition, f.nextOffset);
    }
  }
  return rate(records, payloadBytes, performance.now() - t0);
}

/**
 * Sends `records` records of `topic` (read once from the source into memory, at most
 * INGEST_POOL_RECORDS of them, sent again and again) into `target` topic `into`.
 */
export async function ourIngestRate(
  reader: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  target: KafkaCluster,
  into: string,
  compression: Compression,
  records: number,
): Promise<Rate> {
  const pool: ConsumedRecord[] = [];
  const positions = new Map([...ends.keys()].map((p) => [p, 0n]));
  const want = Math.min(records, INGEST_POOL_RECORDS);
  while (pool.length < want) {
    const requests = [...positions]
      .filter(([p, offset]) => offset < ends.get(p)!)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    if (requests.length === 0) break;
    for (const f of await reader.fetchUndecoded(requests)) {
      // The mirror's decode (pieces: the record objects it produces from), not the plain one.
      const records = f.decodePieces
        ? (await f.decodePieces(undefined)).flatMap((piece) => piece.records ?? [])
        : await f.decode();
      pool.push(...records.slice(0, want - pool.length));
      positions.set(f.partition, f.nextOffset);
    }
  }
  const sizeOf = (r: ConsumedRecord): number => (r.key?.length ?? 0) + (r.value?.length ?? 0);
  const payloadOf = (group: ConsumedRecord[]): number => group.reduce((n, r) => n + sizeOf(r), 0);
  // Groups as the mirror cuts them: by records and by decoded bytes, whichever binds first.
  const groups: ConsumedRecord[][] = [];
  const groupBytes: number[] = [];
  for (const r of pool) {
    const size = sizeOf(r);
    const last = groups.length - 1;
    if (last >= 0 && groups[last]!.length < MIRROR_GROUP_RECORDS && groupBytes[last]! + size <= MIRROR_GROUP_BYTES) {
      groups[last]!.push(r);
      groupBytes[last]! += size;
    } else {
      groups.push([r]);
      groupBytes.push(size);
    }
  }
  // Over as many connections to the broker as the mirror's producer uses by default: one
  // connection has the broker take its requests one at a time (produce-dispatcher.ts, Lanes).
  const sink = await target.recordSink({ acks: -1, compression, connectionsPerBroker: MIRROR_CONNECTIONS_PER_BROKER });
  try {
    let sent = 0;
    let bytes = 0;
    const inFlight: Promise<unknown>[] = [];
    const t0 = performance.now();
    for (let g = 0; sent < records; g = (g + 1) % groups.length) {
      const group = records - sent >= groups[g]!.length ? groups[g]! : groups[g]!.slice(0, records - sent);
      if (inFlight.length >= MIRROR_GROUPS_IN_FLIGHT) await inFlight.shift();
      const sending = sink.send(into, group);
      sending.catch(() => {}); // awaited below; a failure must not go unhandled while another is awaited
      inFlight.push(sending);
      sent += group.length;
      bytes += group === groups[g] ? groupBytes[g]! : payloadOf(group);
    }
    await Promise.all(inFlight);
    return rate(sent, bytes, performance.now() - t0);
  } finally {
    await sink.close();
  }
}
