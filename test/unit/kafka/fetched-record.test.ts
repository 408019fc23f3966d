import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, RecordHeader } from '../../../src/kafka/port.ts';
import { decodeFetchedPieces } from '../../../src/kafka/protocol/fetched-pieces.ts';
import {
  decodeFetchedRecordsInto,
  decodeRecords,
  encodeRecordBatch,
  FetchedRecord,
  readRecordBatchViews,
  recordsSection,
  recordValueBytes,
  type RecordInput,
} from '../../../src/kafka/protocol/index.ts';
import { aroundOneLargeBatch } from '../../support/fetched-batches.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/** Random records: null and empty keys and values, 0–3 headers (null values, repeated keys, non-ASCII). */
function randomRecords(random: () => number, count: number): RecordInput[] {
  const bytes = (max: number): Buffer | null => {
    const roll = random();
    if (roll < 0.1) return null;
    if (roll < 0.15) return Buffer.alloc(0);
    return Buffer.from(Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256)));
  };
  const t0 = 1_700_000_000_000;
  return Array.from({ length: count }, (_, i) => {
    const headers: RecordHeader[] = Array.from({ length: Math.floor(random() * 4) }, (_, h) => ({
      key: random() < 0.2 ? `ключ-${h}` : `h${Math.floor(random() * 3)}`,
      value: bytes(20),
    }));
    // Timestamps move both ways within a batch (CreateTime set by producers).
    return { key: bytes(30), value: bytes(random() < 0.1 ? 3000 : 200), headers, timestamp: t0 + i * 7 - (i % 5) * 11 };
  });
}

async function fetchedAndPlain(
  batch: Buffer,
  from: bigint,
): Promise<{ fetched: ConsumedRecord[]; plain: ReturnType<typeof decodeRecords> }> {
  const [view] = readRecordBatchViews(batch);
  const section = await recordsSection(view!);
  const fetched: ConsumedRecord[] = [];
  decodeFetchedRecordsInto(view!, section, 'orders', 3, from, fetched);
  return { fetched, plain: decodeRecords(view!, section).filter((r) => r.offset >= from) };
}

describe('FetchedRecord', () => {
  it('reads as the plain decoder does, and re-encodes byte for byte as the plain records would (seeded)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const count = 1 + Math.floor(random() * 60);
      const compression = (['none', 'lz4', 'gzip'] as const)[seed % 3]!;
      const baseOffset = BigInt(Math.floor(random() * 1e12));
      const batch = await encodeRecordBatch({ records: randomRecords(random, count), compression, baseOffset });
      // A fetch may start inside a (compressed) batch: the records before `from` are skipped.
      const from = baseOffset + BigInt(Math.floor(random() * count * 1.2)) - 2n;
      const { fetched, plain } = await fetchedAndPlain(batch, from);
      expect(fetched, `seed ${seed}`).toHaveLength(plain.length);
      for (let i = 0; i < plain.length; i++) {
        const f = fetched[i]!;
        const p = plain[i]!;
        expect(f).toBeInstanceOf(FetchedRecord);
        expect([f.topic, f.partition, f.offset, f.timestamp, f.timestampType], `seed ${seed} #${i}`).toEqual([
          'orders',
          3,
          p.offset,
          p.timestamp,
          'CreateTime',
        ]);
        expect(f.key, `seed ${seed} #${i}`).toEqual(p.key);
        expect(f.value, `seed ${seed} #${i}`).toEqual(p.value);
        expect(f.headers, `seed ${seed} #${i}`).toEqual(p.headers);
        expect(recordValueBytes(f)).toBe(p.value?.length ?? 0);
      }
      if (plain.length === 0) continue;
      // What the sink encodes from fetched records (their wire bytes copied) equals what it encodes
      // from the same records decoded into plain objects.
      const target = 'zstd';
      const fromPlain = await encodeRecordBatch({
        records: plain.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        compression: target,
      });
      const fromFetched = await encodeRecordBatch({ records: fetched, compression: target });
      expect(fromFetched.equals(fromPlain), `seed ${seed}`).toBe(true);
      const uncompressed = await encodeRecordBatch({ records: fetched });
      expect(
        uncompressed.equals(
          await encodeRecordBatch({
            records: plain.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
          }),
        ),
        `seed ${seed}`,
      ).toBe(true);
    }
  });

  it('LogAppendTime batches give every record the batch max timestamp', async () => {
    const records = [
      { key: null, value: Buffer.from('a'), timestamp: 5 },
      { key: null, value: Buffer.from('b'), timestamp: 9 },
    ];
    const batch = await encodeRecordBatch({ records, timestampType: 'LogAppendTime' });
    const { fetched, plain } = await fetchedAndPlain(batch, 0n);
    expect(fetched.map((r) => [r.timestamp, r.timestampType])).toEqual(
      plain.map((r) => [r.timestamp, 'LogAppendTime']),
    );
  });

  it('rejects a record whose fields overrun its declared length, as the plain decoder does', async () => {
    const batch = await encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('value') }] });
    const [view] = readRecordBatchViews(batch);
    const section = Buffer.from(view!.recordsData);
    section[0] = section[0]! - 2; // record length (zigzag) one less
    expect(() => decodeFetchedRecordsInto(view!, section, 't', 0, 0n, [])).toThrow(/declares|overruns|ends inside/);
    expect(() => decodeRecords(view!, section)).toThrow(/declares|overruns|ends inside/);
  });
});

describe('FetchedRecord: one object of small integers per record', () => {
  it('holds no per-record field a full timestamp or offset would box (the heap number behind each)', async () => {
    const t0 = 1_700_000_000_000;
    const records = [0, 1, 2].map((i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      headers: [{ key: 'h', value: Buffer.from('x') }],
      timestamp: t0 + i * 3,
    }));
    const batch = await encodeRecordBatch({ records, baseOffset: 1n << 40n });
    const { fetched } = await fetchedAndPlain(batch, 0n);
    for (const f of fetched) {
      const own = Object.entries(f).filter(([name]) => name !== 'batch');
      expect(own.length).toBeLessThanOrEqual(4);
      // V8 keeps integers below 2^30 in the object itself; an epoch-ms timestamp would be a heap number.
      for (const [name, value] of own) {
        const n = value as number;
        expect([name, Number.isInteger(n) && Math.abs(n) < 2 ** 30]).toEqual([name, true]);
      }
    }
    expect(fetched.map((f) => f.timestamp)).toEqual([t0, t0 + 3, t0 + 6]);
    expect(fetched.map((f) => f.headers)).toEqual(records.map((r) => r.headers));
  });
});

describe('decodeFetchedPieces: the summary of each decoded piece', () => {
  /** What a piece's records add up to, walked record by record. */
  function walked(records: readonly ConsumedRecord[]) {
    const ts = records.map((r) => r.timestamp);
    const first = ts[0]!;
    return {
      count: records.length,
      valueBytes: records.reduce((n, r) => n + (r.value?.length ?? 0), 0),
      minTimestamp: Math.min(...ts),
      maxTimestamp: Math.max(...ts),
      firstTimestamp: first,
      timestampDeltaSum: ts.reduce((n, t) => n + (t - first), 0),
      firstOffset: records[0]!.offset,
      lastOffset: records[records.length - 1]!.offset,
    };
  }

  it('equals the records walked one by one, across batches, skipped offsets and LogAppendTime (seeded)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const compression = (['none', 'lz4'] as const)[seed % 2]!;
      let baseOffset = BigInt(Math.floor(random() * 1e9));
      const first = baseOffset;
      const parts: Buffer[] = [];
      for (let b = 0; b < 1 + Math.floor(random() * 4); b++) {
        const records = randomRecords(random, 1 + Math.floor(random() * 30));
        const timestampType = random() < 0.2 ? 'LogAppendTime' : 'CreateTime';
        // Batches hours apart: deltas between batches are large, within one small.
        for (const r of records) r.timestamp = (r.timestamp ?? 0) + b * 3_600_000;
        parts.push(await encodeRecordBatch({ records, compression, baseOffset, timestampType }));
        baseOffset += BigInt(records.length);
      }
      const views = readRecordBatchViews(Buffer.concat(parts));
      const from = first + BigInt(Math.floor(random() * 10));
      const pieces = await decodeFetchedPieces(views, 'orders', 3, from, undefined);
      const piece = pieces[0]!;
      if (piece.records === undefined) throw new Error('no pass-through rule, yet a batch passed through');
      const records = piece.records;
      if (records.length === 0) continue;
      expect({ ...piece.summary!, fieldBytes: undefined }, `seed ${seed}`).toEqual({
        ...walked(records),
        fieldBytes: undefined,
      });
      // Wire bytes of key, value and headers: what the encoder copies per record.
      const fields = records.reduce(
        (n, r) => n + ((r as FetchedRecord).fieldsEnd - (r as FetchedRecord).fieldsStart),
        0,
      );
      expect(piece.summary!.fieldBytes, `seed ${seed}`).toBe(fields);
    }
  });

  it('sums up each run of decoded batches between batches that pass through', async () => {
    const views = await aroundOneLargeBatch();
    const pieces = await decodeFetchedPieces(views, 't', 0, 0n, {
      codec: 'none',
      minBatchBytes: 65_536,
    });
    expect(pieces.map((p) => (p.records ? `${p.summary?.count}@${p.summary?.firstOffset}` : 'batch'))).toEqual([
      '2@0',
      'batch',
      '1@3',
    ]);
  });
});
