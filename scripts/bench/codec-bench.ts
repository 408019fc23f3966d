/**
 * Micro-benchmark of the RecordBatch codec (src/kafka/protocol) per compression, with kafkajs's own
 * record-batch encoder/decoder as the baseline. Single stream, one batch at a time (await each), so
 * the numbers are per-core costs, not parallel throughput.
 *
 *   node scripts/bench/codec-bench.ts [--seconds 1]
 *
 * Prints a markdown table: records per CPU second for encode and decode, 100 B and 1 KB values, each
 * compression.
 */
import { createRequire } from 'node:module';
import { COMPRESSION_TYPES, KAFKAJS_CODEC_FACTORIES, compressionCode } from '../../src/kafka/compression/index.ts';
import type { CompressionType } from '../../src/kafka/compression/index.ts';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from '../../src/kafka/protocol/index.ts';
import { cpuMicrosPerCall } from './cpu-per-call.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;

// kafkajs as the baseline: loaded with require (CommonJS internals, no types), only in this benchmark.
const require = createRequire(import.meta.url);
interface KEncoder {
  buffer: Buffer;
}
const KLong = require('kafkajs/src/utils/long.js') as { fromValue(v: number): unknown };
const KDecoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const kRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => KEncoder;
const kBatch = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(a: object): Promise<KEncoder>;
};
const kDecode = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  d: unknown,
) => Promise<{ records: unknown[] }>;
const kCompression = require('kafkajs/src/protocol/message/compression/index.js') as { Codecs: object };
Object.assign(kCompression.Codecs, KAFKAJS_CODEC_FACTORIES);

/** JSON-ish values: compressible like real event data, but not trivially so. */
function makeRecords(count: number, valueSize: number): RecordInput[] {
  const now = Date.now();
  const records: RecordInput[] = [];
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < count; i++) {
    let v = '';
    while (v.length < valueSize)
      v += `{"id":${rnd()},"user":"u${rnd() % 1000}","event":"page_view","path":"/p/${rnd() % 50}"}`;
    records.push({
      key: Buffer.from(`key-${rnd() % 100000}`),
      value: Buffer.from(v.slice(0, valueSize)),
      timestamp: now + i,
      headers: [{ key: 'trace', value: Buffer.from(`t${rnd()}`) }],
    });
  }
  return records;
}

/** Calls per CPU second (see cpu-per-call.ts). */
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  return 1e6 / (await cpuMicrosPerCall(fn, SECONDS));
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

interface Row {
  size: string;
  compression: CompressionType;
  batchBytes: number;
  encode: number;
  decode: number;
  kjsEncode: number;
  kjsDecode: number;
}

const rows: Row[] = [];
for (const [label, valueSize, perBatch] of [
  ['100 B', 100, 1000],
  ['1 KB', 1024, 250],
] as const) {
  const records = makeRecords(perBatch, valueSize);
  const t0 = records[0]?.timestamp ?? 0;
  // kafkajs builds its record encoders per batch, so that is inside the timed call (as when producing).
  const kRecords = (): KEncoder[] =>
    records.map((r, i) =>
      kRecord({
        offsetDelta: i,
        timestampDelta: (r.timestamp ?? 0) - t0,
        key: r.key,
        value: r.value,
        headers: { trace: r.headers?.[0]?.value },
      }),
    );
  for (const compression of COMPRESSION_TYPES) {
    const batch = await encodeRecordBatch({ records, compression });
    const encodeBps = await timeIt(() => encodeRecordBatch({ records, compression }));
    const decodeBps = await timeIt(() => decodeRecordBatches(batch));
    const kjsArgs = () => ({
      compression: compressionCode(compression),
      firstOffset: KLong.fromValue(0),
      firstTimestamp: t0,
      maxTimestamp: t0 + perBatch - 1,
      lastOffsetDelta: perBatch - 1,
      records: kRecords(),
    });
    const kjsEncodeBps = await timeIt(() => kBatch.RecordBatch(kjsArgs()));
    const kjsDecodeBps = await timeIt(() => kDecode(new KDecoder(batch)));
    rows.push({
      size: label,
      compression,
      batchBytes: batch.length,
      encode: encodeBps * perBatch,
      decode: decodeBps * perBatch,
      kjsEncode: kjsEncodeBps * perBatch,
      kjsDecode: kjsDecodeBps * perBatch,
    });
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

console.log(
  `Node ${process.version}, ${SECONDS}s per cell, one batch at a time (1000 x 100 B or 250 x 1 KB records per batch), records per CPU second; ours verifies CRC-32C on decode, kafkajs does not\n`,
);
console.log(
  '| value | compression | batch bytes | encode rec/s | decode rec/s | kafkajs encode rec/s | kafkajs decode rec/s |',
);
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.size} | ${r.compression} | ${fmt(r.batchBytes)} | ${fmt(r.encode)} | ${fmt(r.decode)} | ${fmt(r.kjsEncode)} | ${fmt(r.kjsDecode)} |`,
  );
}
