/**
 * The drain's per-record work in one process, no brokers: fetched partitions of 16 KB batches (what
 * the bench's preload producer writes) decoded as the source task decodes them, read as its metrics
 * and acknowledgement read them, cut and encoded as the record sink encodes them. CPU seconds and
 * garbage-collection time per 1,000,000 records, per value size and codec; fast enough to compare
 * two versions of src/kafka/protocol within a minute on a shared machine.
 *
 *   node --max-semi-space-size=4 scripts/bench/drain-codec-bench.ts [--root DIR] [--seconds 3] [--transcode]
 *
 * `--transcode` drives the path the source task takes with a sink that takes encoded batches:
 * records re-encoded while decoded (src/kafka/protocol/transcode.ts), no record objects, compressed
 * sections decompressed into a section arena per fetched partition, as the record source has them.
 * `--root` points at another checkout (an older commit unpacked next to this one) to measure its
 * codec with this driver; a codec without `decodeFetchedPieces` (fetched-pieces.ts) is driven the
 * way the source task drove it before (every record walked for metrics and acknowledgement).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../kafka/paths.ts';
import type { ConsumedRecord, FetchedPiece, PassThroughRule } from '../../src/kafka/port.ts';
import type * as Protocol from '../../src/kafka/protocol/index.ts';
import type { RecordBatchView, RecordInput } from '../../src/kafka/protocol/index.ts';

const { values } = parseArgs({
  options: { root: { type: 'string' }, seconds: { type: 'string' }, transcode: { type: 'boolean' } },
});
const TRANSCODE = values.transcode === true;
const root = resolve(values.root ?? REPO_ROOT);
const SECONDS = Number(values.seconds ?? 3);
const proto = (await import(pathToFileURL(join(root, 'src/kafka/protocol/index.ts')).href)) as typeof Protocol;
const piecesFile = join(root, 'src/kafka/protocol/fetched-pieces.ts');
type DecodePieces = (
  views: readonly RecordBatchView[],
  topic: string,
  partition: number,
  from: bigint,
  rule: PassThroughRule | undefined,
  arena?: Arena,
  encodeFor?: 'none' | 'lz4',
) => Promise<FetchedPiece[]>;
const decodeFetchedPieces = existsSync(piecesFile)
  ? ((await import(pathToFileURL(piecesFile).href)) as { decodeFetchedPieces: DecodePieces }).decodeFetchedPieces
  : undefined;
/**
 * A fetched partition's pooled section memory (src/kafka/section-arena.ts), where the record source
 * has compressed sections decompressed (lz4 decoded there by our own decoder); a version without
 * one decompresses into fresh buffers.
 */
interface Arena {
  release(): void;
}
const arenaFile = join(root, 'src/kafka/section-arena.ts');
const SectionArena = existsSync(arenaFile)
  ? ((await import(pathToFileURL(arenaFile).href)) as { SectionArena: new () => Arena }).SectionArena
  : undefined;

/** The sink's cut (src/kafka/kafkajs/record-sink.ts): batches under 900,000 estimated bytes. */
const MAX_BATCH_BYTES = 900_000;
const RECORD_OVERHEAD = 24;
const PARTITIONS = 8;
/** Per partition and round: max.partition.fetch.bytes. */
const FETCH_BYTES = 1_048_576;
const PRODUCER_BATCH_BYTES = 16_384;

function makeValues(count: number, size: number): Buffer[] {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  return Array.from({ length: count }, () => {
    let v = '';
    while (v.length < size)
      v += `{"id":${rnd()},"user":"u${rnd() % 1000}","event":"page_view","path":"/p/${rnd() % 50}"}`;
    return Buffer.from(v.slice(0, size));
  });
}

/** One partition's fetch response: 16 KB producer batches up to FETCH_BYTES. */
async function partitionData(valueSize: number, compression: 'none' | 'lz4'): Promise<Buffer> {
  const pool = makeValues(500, valueSize);
  const perBatch = Math.max(1, Math.floor(PRODUCER_BATCH_BYTES / (valueSize + 10)));
  const parts: Buffer[] = [];
  let bytes = 0;
  let offset = 0n;
  const t0 = Date.now();
  while (bytes < FETCH_BYTES) {
    const records: RecordInput[] = Array.from({ length: perBatch }, (_, i) => ({
      key: null,
      value: pool[(Number(offset) + i) % pool.length]!,
      timestamp: t0 + Number(offset) + i,
    }));
    const batch = await proto.encodeRecordBatch({ records, compression, baseOffset: offset });
    parts.push(batch);
    bytes += batch.length;
    offset += BigInt(perBatch);
  }
  return Buffer.concat(parts);
}

/** The source task's and sink's reading of one partition's pieces, as the given codec allows. */
function readAsTheTask(pieces: FetchedPiece[], now: number): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (const piece of pieces) {
    if (piece.batch !== undefined) continue;
    const s = piece.summary;
    if (s !== undefined) {
      // decodeRound and acknowledge: ages from the summary, twice.
      for (let k = 0; k < 2; k++) sum += s.count * (now - s.firstTimestamp) - s.timestampDeltaSum + s.valueBytes;
      count += s.count;
      continue;
    }
    if (piece.records === undefined) continue;
    for (const r of piece.records) sum += proto.recordValueBytes(r) + (now - r.timestamp); // decodeRound
    for (const r of piece.records) sum += now - r.timestamp; // acknowledge
    count += piece.records.length;
  }
  return { count, sum };
}

function chunks(pieces: FetchedPiece[]): ConsumedRecord[][] {
  const out: ConsumedRecord[][] = [];
  for (const piece of pieces) {
    if (piece.records === undefined) continue;
    const s = piece.summary;
    if (s !== undefined && s.fieldBytes + s.count * RECORD_OVERHEAD <= MAX_BATCH_BYTES) {
      out.push(piece.records);
      continue;
    }
    let current: ConsumedRecord[] = [];
    let bytes = 0;
    for (const r of piece.records) {
      const f = r as Protocol.FetchedRecord;
      const size = RECORD_OVERHEAD + f.fieldsEnd - f.fieldsStart;
      if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(r);
      bytes += size;
    }
    if (current.length > 0) out.push(current);
  }
  return out;
}

async function decode(
  views: RecordBatchView[],
  partition: number,
  compression: 'none' | 'lz4',
  arena: Arena | undefined,
): Promise<FetchedPiece[]> {
  if (TRANSCODE) return decodeFetchedPieces!(views, 't', partition, 0n, undefined, arena, compression);
  if (decodeFetchedPieces !== undefined) return decodeFetchedPieces(views, 't', partition, 0n, undefined);
  const sections = await Promise.all(views.map((v) => proto.recordsSection(v)));
  const records: ConsumedRecord[] = [];
  for (let i = 0; i < views.length; i++)
    proto.decodeFetchedRecordsInto(views[i]!, sections[i]!, 't', partition, 0n, records);
  return [{ records, batches: views.length }];
}

/** One round: every partition decoded, read, cut and encoded; the round's outputs kept until its end, as in flight. */
async function round(data: Buffer[], compression: 'none' | 'lz4'): Promise<number> {
  const now = Date.now();
  let records = 0;
  const inFlight: Buffer[] = [];
  const arenas: Arena[] = [];
  for (let p = 0; p < data.length; p++) {
    const views = proto.readRecordBatchViews(data[p]!);
    const arena = TRANSCODE && SectionArena !== undefined ? new SectionArena() : undefined;
    if (arena !== undefined) arenas.push(arena);
    const pieces = await decode(views, p, compression, arena);
    records += readAsTheTask(pieces, now).count;
    for (const piece of pieces) for (const b of piece.encoded ?? []) inFlight.push(await b.bytes);
    for (const c of chunks(pieces)) inFlight.push(await proto.encodeRecordBatch({ records: c, compression }));
  }
  for (const arena of arenas) arena.release();
  return inFlight.length > 0 ? records : 0;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

if (TRANSCODE && decodeFetchedPieces === undefined) throw new Error(`--transcode: ${root} has no fetched-pieces.ts`);
const mode = TRANSCODE ? 'transcoded' : `decoded, summary ${decodeFetchedPieces !== undefined ? 'yes' : 'no'}`;
console.log(`root ${root}; ${mode}; ${SECONDS} s per case`);
console.log('| case | records | CPU s per 1M records | GC ms per 1M records |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, size] of [
  ['100 B', 100],
  ['1 KB', 1024],
] as const) {
  for (const compression of ['none', 'lz4'] as const) {
    const data = await Promise.all(Array.from({ length: PARTITIONS }, () => partitionData(size, compression)));
    for (let i = 0; i < 5; i++) await round(data, compression); // warm-up
    // GC entries reach the observer from the event loop, which an uncompressed round never yields to.
    await new Promise((r) => setTimeout(r, 20));
    const gc0 = gcMs;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let records = 0;
    while (performance.now() - start < SECONDS * 1000) records += await round(data, compression);
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 20));
    const perM = 1e6 / records;
    console.log(
      `| ${label} ${compression} | ${records.toLocaleString('en-US')} | ${(((cpu.user + cpu.system) / 1e6) * perM).toFixed(3)} | ${((gcMs - gc0) * perM).toFixed(0)} |`,
    );
  }
}
