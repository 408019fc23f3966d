import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompressionType, ConsumedRecord, EncodedBatch, RecordHeader } from '../../../src/kafka/port.ts';
import { decodeFetchedPieces } from '../../../src/kafka/protocol/fetched-pieces.ts';
import {
  BATCH,
  crc32c,
  encodeRecordBatch,
  FetchedRecord,
  readRecordBatchViews,
  recordsSection,
  type RecordInput,
} from '../../../src/kafka/protocol/index.ts';
import { FetchedSummary } from '../../../src/kafka/protocol/record-columns.ts';
import { MAX_BATCH_BYTES, RECORD_OVERHEAD, transcodeRecords } from '../../../src/kafka/protocol/transcode.ts';
import { aroundOneLargeBatch, smallRecord } from '../../support/fetched-batches.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const NOW = 1_800_000_000_000;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Random records: null and empty keys and values, headers, upstream offset gaps. */
function randomRecords(random: () => number, count: number, valueMax: number, gaps: boolean): RecordInput[] {
  const bytes = (max: number): Buffer | null => {
    const roll = random();
    if (roll < 0.1) return null;
    if (roll < 0.15) return Buffer.alloc(0);
    const length = Math.floor(random() * max);
    // Large values repeat a random pattern: as good for byte equality, far cheaper to make.
    const pattern = Buffer.from(Array.from({ length: Math.min(length, 257) }, () => Math.floor(random() * 256)));
    return length <= pattern.length ? pattern : Buffer.alloc(length, pattern);
  };
  const t0 = 1_700_000_000_000;
  let offsetDelta = 0;
  return Array.from({ length: count }, (_, i) => {
    const headers: RecordHeader[] = Array.from({ length: Math.floor(random() * 3) }, (_, h) => ({
      key: random() < 0.2 ? `ключ-${h}` : `h${h}`,
      value: bytes(20),
    }));
    // A compacted log has gaps between offsets.
    offsetDelta += gaps && random() < 0.3 ? 1 + Math.floor(random() * 5) : 1;
    const timestamp = t0 + i * 7 - (i % 5) * 11;
    return { key: bytes(30), value: bytes(valueMax), headers, timestamp, offsetDelta: offsetDelta - 1 };
  });
}

/**
 * The batch as an old producer writes it, without timestamps: base and max timestamp -1 (Kafka's
 * NO_TIMESTAMP), so every record's timestamp is -1 + its delta; the CRC made again.
 */
function withoutTimestamps(batch: Buffer): Buffer {
  const out = Buffer.from(batch);
  out.writeBigInt64BE(-1n, BATCH.BASE_TIMESTAMP);
  out.writeBigInt64BE(-1n, BATCH.MAX_TIMESTAMP);
  out.writeUInt32BE(crc32c(out, BATCH.ATTRIBUTES), BATCH.CRC);
  return out;
}

/**
 * The path transcoding replaces: records decoded into FetchedRecords, cut as the record sink cuts
 * them (under {@link MAX_BATCH_BYTES} estimated bytes each) and encoded one batch per cut.
 */
async function decodedThenEncoded(records: ConsumedRecord[], codec: CompressionType): Promise<Buffer[]> {
  const cuts: ConsumedRecord[][] = [];
  let current: ConsumedRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const f = r as FetchedRecord;
    const size = RECORD_OVERHEAD + f.fieldsEnd - f.fieldsStart;
    if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      cuts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) cuts.push(current);
  return Promise.all(cuts.map((c) => encodeRecordBatch({ records: c, compression: codec })));
}

async function fetchedRun(random: () => number, seed: number) {
  const sourceCodec = (['none', 'lz4', 'gzip'] as const)[seed % 3]!;
  // Every fifth seed has records large enough that a run is cut into several batches.
  const large = seed % 5 === 0;
  const valueMax = large ? 60_000 : 300;
  const gaps = seed % 4 === 1;
  let baseOffset = BigInt(Math.floor(random() * 1e12));
  const first = baseOffset;
  const parts: Buffer[] = [];
  for (let b = 0; b < 1 + Math.floor(random() * 4); b++) {
    const records = randomRecords(random, (large ? 15 : 1) + Math.floor(random() * (large ? 30 : 80)), valueMax, gaps);
    const timestampType = random() < 0.2 ? 'LogAppendTime' : 'CreateTime';
    let batch = await encodeRecordBatch({ records, compression: sourceCodec, baseOffset, timestampType });
    if (b === 1 && seed % 3 === 2) batch = withoutTimestamps(batch);
    parts.push(batch);
    baseOffset += BigInt(records[records.length - 1]!.offsetDelta! + 1);
  }
  const views = readRecordBatchViews(Buffer.concat(parts));
  // A fetch may start inside a (compressed) batch: the records before `from` are skipped.
  const from = first + BigInt(Math.floor(random() * 12));
  return { views, from };
}

describe('transcodeRecords', () => {
  it(
    'makes byte for byte the batches that decoding, cutting and encoding make, and sums the same (seeded)',
    { timeout: 30_000 },
    async () => {
      vi.spyOn(Date, 'now').mockReturnValue(NOW);
      let multiBatch = 0;
      let gapped = 0;
      let stamped = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const random = seededRandom(seed);
        const { views, from } = await fetchedRun(random, seed);
        const targetCodec = (['none', 'lz4', 'gzip', 'none', 'zstd'] as const)[seed % 5]!;
        const [decoded] = await decodeFetchedPieces(views, 't', 0, from, undefined);
        if (decoded?.records === undefined) throw new Error('decoding made no records piece');
        const sections = await Promise.all(views.map(recordsSection));
        const summary = new FetchedSummary();
        const transcoded = transcodeRecords(views, sections, from, targetCodec, summary);
        const expected = await decodedThenEncoded(decoded.records, targetCodec);
        const bytes = await Promise.all(transcoded.map((b) => b.bytes));
        // Sealed once: a retry sends, and the sink releases, the very bytes sent the first time.
        for (const [i, b] of transcoded.entries()) expect(await b.bytes).toBe(bytes[i]);
        expect(
          bytes.map((b) => b.toString('hex')),
          `seed ${seed}`,
        ).toEqual(expected.map((b) => b.toString('hex')));
        expect(summary, `seed ${seed}`).toEqual(decoded.summary);
        // Records without a timestamp (negative) get the time they are encoded at, as the encoder gives them.
        if (decoded.records.some((r) => r.timestamp < 0)) stamped++;
        // Each batch says which upstream offsets it holds, and lists them when they have gaps.
        let at = 0;
        for (const batch of transcoded) {
          const upstream = decoded.records.slice(at, at + batch.recordCount).map((r) => r.offset);
          at += batch.recordCount;
          expect([batch.firstOffset, batch.lastOffset], `seed ${seed}`).toEqual([upstream[0], upstream.at(-1)]);
          const contiguous = batch.lastOffset - batch.firstOffset === BigInt(batch.recordCount - 1);
          expect(batch.offsets === undefined ? undefined : [...batch.offsets], `seed ${seed}`).toEqual(
            contiguous ? undefined : upstream,
          );
          if (!contiguous) gapped++;
        }
        expect(at, `seed ${seed}`).toBe(decoded.records.length);
        if (transcoded.length > 1) multiBatch++;
      }
      // The seeds reach what they are meant to: runs cut into several batches, and offset gaps.
      expect(multiBatch).toBeGreaterThan(3);
      expect(gapped).toBeGreaterThan(3);
      expect(stamped).toBeGreaterThan(3);
    },
  );

  it('comes out of decodeFetchedPieces when asked to encode for a codec, between batches that pass through', async () => {
    const views = await aroundOneLargeBatch();
    const rule = { codec: 'none' as const, minBatchBytes: 65_536 };
    const pieces = await decodeFetchedPieces(views, 't', 0, 0n, rule, undefined, 'none');
    const shapes = pieces.map((p) =>
      p.encoded !== undefined
        ? `${p.encoded.map((b: EncodedBatch) => `${b.recordCount}@${b.firstOffset}`).join('+')} of ${p.summary.count}`
        : p.batch !== undefined
          ? 'batch'
          : 'records',
    );
    expect(shapes).toEqual(['2@0 of 2', 'batch', '1@3 of 1']);
    // The encoded batch holds the two records as encoding them would.
    const encoded = pieces[0]!.encoded![0]!;
    const again = await encodeRecordBatch({ records: [smallRecord(0), smallRecord(1)] });
    expect((await encoded.bytes).equals(again)).toBe(true);
  });

  it('refuses a corrupt records section with the decoder’s error', async () => {
    const batch = await encodeRecordBatch({ records: randomRecords(seededRandom(7), 20, 100, false) });
    const [view] = readRecordBatchViews(batch);
    const section = Buffer.from(await recordsSection(view!));
    section[0] = 0x01; // the first record's length, zigzag -1
    expect(() => transcodeRecords([view!], [section], 0n, 'none', new FetchedSummary())).toThrow(
      expect.objectContaining({ code: 'ERR_KAFKA_CORRUPT_BATCH' }),
    );
  });
});
