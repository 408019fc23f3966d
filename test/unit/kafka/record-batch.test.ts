import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMPRESSION_TYPES, compressionCode } from '../../../src/kafka/compression/index.ts';
import type { RecordHeader } from '../../../src/kafka/port.ts';
import {
  BATCH,
  RecordBatchError,
  crc32c,
  decodeControlRecord,
  decodeRecordBatches,
  encodeEndTxnMarker,
  encodeRecordBatch,
  readRecordBatchViews,
  type RecordInput,
} from '../../../src/kafka/protocol/index.ts';
import { crc32cJs } from '../../../src/kafka/protocol/crc32c.ts';
import {
  ByteReader,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../src/kafka/protocol/varint.ts';
import { KafkaLong, kafkajs } from './kafkajs-interop.ts';

const h = (key: string, value: string | null): RecordHeader => ({
  key,
  value: value === null ? null : Buffer.from(value),
});
const b = (s: string): Buffer => Buffer.from(s);

/**
 * Records exercising every field: null/empty keys and values, repeated headers, explicit timestamps.
 * kafkajs cannot encode a null header value (Buffer.byteLength(null) throws), so its cross-checks
 * use an empty one there instead.
 */
function sampleRecords(forKafkajs = false): RecordInput[] {
  const t0 = 1_700_000_000_000;
  return [
    { key: b('k1'), value: b('v1'), timestamp: t0, headers: [h('a', '1'), h('a', '3'), h('b', '2')] },
    { key: null, value: b('null key'), timestamp: t0 + 5 },
    { key: b('null value'), value: null, timestamp: t0 + 1_000_000 },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: t0 - 42 }, // empty is not null; delta < 0
    {
      key: b('nullhdr'),
      value: randomBytes(1500),
      timestamp: t0 + 2 ** 40,
      headers: [h('x', forKafkajs ? '' : null), h('été', 'ü'), h('long-key-'.repeat(5), 'v')],
    },
  ];
}

/** The same records in kafkajs's shape (headers grouped by key: only order-preserving inputs here). */
function kafkajsRecords(records: RecordInput[], baseTimestamp: number) {
  return records.map((r, i) => {
    const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
    for (const { key, value } of r.headers ?? []) {
      const prev = headers[key];
      headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return kafkajs.encodeRecord({
      offsetDelta: i,
      timestampDelta: (r.timestamp ?? 0) - baseTimestamp,
      key: r.key,
      value: r.value,
      headers,
    });
  });
}

describe('CRC-32C', () => {
  const bitwise = (data: Uint8Array): number => {
    let c = 0xffffffff;
    for (const byte of data) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return ~c >>> 0;
  };

  it('matches the standard check value', () => {
    expect(crc32c(b('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
  });

  it('agrees with a bitwise reference at every length and alignment, and continues', () => {
    const data = randomBytes(200);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 7) {
        expect(crc32c(data, start, end)).toBe(bitwise(data.subarray(start, end)));
      }
    }
    expect(crc32c(data, 100, 200, crc32c(data, 0, 100))).toBe(crc32c(data));
  });

  it('gives the same value on the native path (1 KiB and more) as the JS loop, and continues across both', () => {
    const data = randomBytes(70_000);
    for (const [start, end] of [
      [0, 1023],
      [0, 1024],
      [3, 1030],
      [61, 70_000],
      [1, 65_537],
    ] as const) {
      expect(crc32c(data, start, end)).toBe(crc32cJs(data, start, end));
    }
    const whole = crc32cJs(data);
    expect(crc32c(data, 5000, 70_000, crc32c(data, 0, 5000))).toBe(whole);
    expect(crc32c(data, 100, 70_000, crc32c(data, 0, 100))).toBe(whole); // JS start, native rest
    // A Uint8Array view into a larger buffer (what decoders pass) reads only its own bytes.
    const view = new Uint8Array(data.buffer, data.byteOffset + 10, 4096);
    expect(crc32c(view)).toBe(crc32cJs(data, 10, 4106));
    expect(bitwise(data.subarray(0, 2048))).toBe(crc32c(data, 0, 2048));
  });
});

describe('varint / varlong', () => {
  it('writes the zigzag vectors Java writes', () => {
    const enc = (v: number, long = false): string => {
      const buf = Buffer.alloc(10);
      return buf.subarray(0, long ? writeVarlong(buf, 0, v) : writeVarint(buf, 0, v)).toString('hex');
    };
    expect(enc(0)).toBe('00');
    expect(enc(-1)).toBe('01');
    expect(enc(1)).toBe('02');
    expect(enc(63)).toBe('7e');
    expect(enc(-64)).toBe('7f');
    expect(enc(64)).toBe('8001');
    expect(enc(2 ** 31 - 1)).toBe('feffffff0f');
    expect(enc(-(2 ** 31))).toBe('ffffffff0f');
    expect(enc(2 ** 40, true)).toBe('808080808040');
    expect(enc(-(2 ** 40), true)).toBe('ffffffffff3f');
  });

  it('round-trips and agrees with kafkajs for int32 and safe-integer int64 values', () => {
    const ints = [0, 1, -1, 127, -128, 300, -300, 2 ** 20, -(2 ** 27), 2 ** 28, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [...ints, 2 ** 35, -(2 ** 35), 2 ** 52, -(2 ** 52), 1_700_000_000_000, -1_700_000_000_000];
    const buf = Buffer.alloc(16);
    for (const v of ints) {
      const end = writeVarint(buf, 0, v);
      expect(end).toBe(sizeOfVarint(v));
      expect(new ByteReader(buf, 0, end).varint()).toBe(v);
      expect(buf.subarray(0, end).equals(new kafkajs.Encoder().writeVarInt(v).buffer)).toBe(true);
    }
    for (const v of longs) {
      const end = writeVarlong(buf, 0, v);
      expect(end).toBe(sizeOfVarlong(v));
      const r = new ByteReader(buf, 0, end);
      expect(r.varlong()).toBe(v);
      expect(r.pos).toBe(end);
      expect(buf.subarray(0, end).equals(new kafkajs.Encoder().writeVarLong(KafkaLong.fromValue(v)).buffer)).toBe(true);
    }
  });
});

describe('RecordBatch codec', () => {
  for (const compression of COMPRESSION_TYPES) {
    it(`${compression}: round-trips every field`, async () => {
      const records = sampleRecords();
      const buf = await encodeRecordBatch({
        baseOffset: 1234567890123n,
        records,
        compression,
        producerId: 98765n,
        producerEpoch: 3,
        baseSequence: 77,
        isTransactional: true,
        partitionLeaderEpoch: 9,
      });
      const [batch, ...rest] = await decodeRecordBatches(buf);
      expect(rest).toEqual([]);
      expect(batch).toMatchObject({
        baseOffset: 1234567890123n,
        batchLength: buf.length - 12,
        partitionLeaderEpoch: 9,
        magic: 2,
        compression,
        timestampType: 'CreateTime',
        isTransactional: true,
        isControl: false,
        hasDeleteHorizon: false,
        lastOffsetDelta: 4,
        baseTimestamp: records[0]?.timestamp,
        maxTimestamp: 1_700_000_000_000 + 2 ** 40,
        producerId: 98765n,
        producerEpoch: 3,
        baseSequence: 77,
        recordCount: 5,
      });
      expect(batch?.records.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n].map((d) => 1234567890123n + d));
      expect(
        batch?.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers })),
      ).toEqual(records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers ?? [] })));
    });

    it(`${compression}: our bytes equal kafkajs's for the same batch, and kafkajs decodes them`, async () => {
      const records = sampleRecords(true);
      const t0 = records[0]?.timestamp ?? 0;
      const ours = await encodeRecordBatch({
        baseOffset: 42n,
        records,
        compression,
        partitionLeaderEpoch: 0,
        producerId: -1n,
        producerEpoch: 0,
        baseSequence: 0,
      });
      const theirs = await kafkajs.encodeBatch({
        compression: compressionCode(compression),
        firstOffset: KafkaLong.fromValue(42),
        firstTimestamp: t0,
        maxTimestamp: t0 + 2 ** 40,
        lastOffsetDelta: records.length - 1,
        records: kafkajsRecords(records, t0),
      });
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));

      const decoded = await kafkajs.decodeBatch(ours);
      expect(decoded.firstOffset).toBe('42');
      expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key, r.value])).toEqual(
        records.map((r, i) => [String(42 + i), String(r.timestamp), r.key, r.value]),
      );
      expect(decoded.records[0]?.headers).toEqual({ a: [b('1'), b('3')], b: b('2') });
      expect(decoded.records[4]?.headers).toEqual({ x: b(''), été: b('ü'), ['long-key-'.repeat(5)]: b('v') });
    });

    it(`${compression}: decodes what kafkajs encodes`, async () => {
      const records = sampleRecords(true);
      const t0 = records[0]?.timestamp ?? 0;
      const theirs = await kafkajs.encodeBatch({
        compression: compressionCode(compression),
        firstOffset: KafkaLong.fromValue('9007199254740993'), // > 2^53: offsets must stay exact
        firstTimestamp: t0,
        maxTimestamp: t0 + 2 ** 40,
        lastOffsetDelta: records.length - 1,
        producerId: KafkaLong.fromValue(5),
        producerEpoch: 1,
        firstSequence: 10,
        transactional: true,
        records: kafkajsRecords(records, t0),
      });
      const [batch] = await decodeRecordBatches(theirs);
      expect(batch?.baseOffset).toBe(9007199254740993n);
      expect(batch?.records[4]?.offset).toBe(9007199254740997n);
      expect(batch).toMatchObject({
        producerId: 5n,
        producerEpoch: 1,
        baseSequence: 10,
        isTransactional: true,
        compression,
      });
      expect(batch?.records.map((r) => [r.key, r.value, r.timestamp, r.headers])).toEqual(
        records.map((r) => [r.key, r.value, r.timestamp, r.headers ?? []]),
      );
    });
  }

  it('keeps interleaved header order (a:1, b:2, a:3) on a hand-built batch', async () => {
    // One record, built byte by byte: attributes 0, timestampDelta 0, offsetDelta 0, key "k",
    // value null, 3 headers a:1 b:2 a:3 (varints zigzag: 1 -> 02, 3 -> 06, -1 -> 01).
    const body = Buffer.from([
      0x00,
      0x00,
      0x00, // attributes, timestampDelta, offsetDelta
      0x02,
      0x6b, // key "k"
      0x01, // value null
      0x06, // 3 headers
      0x02,
      0x61,
      0x02,
      0x31, // a:1
      0x02,
      0x62,
      0x02,
      0x32, // b:2
      0x02,
      0x61,
      0x02,
      0x33, // a:3
    ]);
    const recordBytes = Buffer.concat([Buffer.from([body.length * 2]), body]);
    const batch = Buffer.alloc(BATCH.OVERHEAD + recordBytes.length);
    batch.writeBigInt64BE(7n, 0);
    batch.writeInt32BE(batch.length - 12, 8);
    batch.writeInt32BE(-1, 12);
    batch[16] = 2;
    batch.writeInt16BE(0, 21);
    batch.writeInt32BE(0, 23);
    batch.writeBigInt64BE(1000n, 27);
    batch.writeBigInt64BE(1000n, 35);
    batch.writeBigInt64BE(-1n, 43);
    batch.writeInt16BE(-1, 51);
    batch.writeInt32BE(-1, 53);
    batch.writeInt32BE(1, 57);
    recordBytes.copy(batch, BATCH.OVERHEAD);
    batch.writeUInt32BE(crc32c(batch, 21), 17);

    const [decoded] = await decodeRecordBatches(batch);
    expect(decoded?.records[0]?.headers).toEqual([h('a', '1'), h('b', '2'), h('a', '3')]);
    expect(decoded?.records[0]?.offset).toBe(7n);
    expect(decoded?.records[0]?.value).toBeNull();

    // And our encoder writes exactly these bytes for that record.
    const ours = await encodeRecordBatch({
      baseOffset: 7n,
      records: [{ key: b('k'), value: null, timestamp: 1000, headers: [h('a', '1'), h('b', '2'), h('a', '3')] }],
    });
    expect(ours.toString('hex')).toBe(batch.toString('hex'));
  });

  it('stops without error at a truncated final batch, at any cut', async () => {
    const one = await encodeRecordBatch({ baseOffset: 0n, records: sampleRecords() });
    const two = await encodeRecordBatch({ baseOffset: 5n, records: sampleRecords(), compression: 'lz4' });
    const both = Buffer.concat([one, two]);
    expect((await decodeRecordBatches(both)).length).toBe(2);
    for (const cut of [0, 1, 11, 12, 16, 17, 60, 61, two.length - 1]) {
      const views = readRecordBatchViews(both.subarray(0, one.length + cut));
      expect(views.length, `cut ${cut}`).toBe(1);
      expect(views[0]?.bytes.length).toBe(one.length);
    }
    expect(await decodeRecordBatches(one.subarray(0, 30))).toEqual([]);
  });

  it('rejects a CRC mismatch unless told not to check', async () => {
    const buf = await encodeRecordBatch({ records: sampleRecords() });
    buf.writeUInt8(buf.readUInt8(buf.length - 1) ^ 0xff, buf.length - 1);
    await expect(decodeRecordBatches(buf)).rejects.toMatchObject({ code: 'ERR_KAFKA_CORRUPT_BATCH' });
    await expect(decodeRecordBatches(buf, { verifyCrc: false })).resolves.toHaveLength(1);
  });

  it('rejects a record whose length disagrees with its fields', async () => {
    const buf = await encodeRecordBatch({ records: [{ key: b('k'), value: b('v'), timestamp: 1 }] });
    buf.writeUInt8(buf.readUInt8(BATCH.OVERHEAD) + 2, BATCH.OVERHEAD); // record length +1 (zigzag)
    buf.writeUInt32BE(crc32c(buf, 21), 17);
    await expect(decodeRecordBatches(buf)).rejects.toBeInstanceOf(RecordBatchError);
  });

  it('refuses legacy magic 0/1 message sets with a distinct code', async () => {
    const buf = await encodeRecordBatch({ records: sampleRecords() });
    buf[16] = 1;
    expect(() => readRecordBatchViews(buf)).toThrow(expect.objectContaining({ code: 'ERR_KAFKA_UNSUPPORTED_MAGIC' }));
  });

  it('reports LogAppendTime records at the batch max timestamp, as Java does', async () => {
    const buf = await encodeRecordBatch({
      timestampType: 'LogAppendTime',
      records: [
        { key: null, value: b('a'), timestamp: 10 },
        { key: null, value: b('b'), timestamp: 30 },
      ],
    });
    const [batch] = await decodeRecordBatches(buf);
    expect(batch?.timestampType).toBe('LogAppendTime');
    expect(batch?.records.map((r) => r.timestamp)).toEqual([30, 30]);
  });

  it('keeps offset delta gaps (compacted input) and uses Java producer defaults', async () => {
    const buf = await encodeRecordBatch({
      baseOffset: 100n,
      records: [
        { key: b('a'), value: b('1'), offsetDelta: 0, timestamp: 5 },
        { key: b('b'), value: b('2'), offsetDelta: 7, timestamp: 6 },
      ],
    });
    const [batch] = await decodeRecordBatches(buf);
    expect(batch?.records.map((r) => r.offset)).toEqual([100n, 107n]);
    expect(batch).toMatchObject({
      lastOffsetDelta: 7,
      partitionLeaderEpoch: -1,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
    });
    await expect(encodeRecordBatch({ records: [] })).rejects.toThrow(RangeError);
  });

  it('decodes commit and abort markers in control batches', async () => {
    for (const kind of ['COMMIT', 'ABORT'] as const) {
      const marker = encodeEndTxnMarker(kind, 17);
      const buf = await encodeRecordBatch({
        baseOffset: 50n,
        isControl: true,
        isTransactional: true,
        producerId: 4000n,
        producerEpoch: 2,
        records: [{ ...marker, timestamp: 123 }],
      });
      const [batch] = await decodeRecordBatches(buf);
      expect(batch?.isControl).toBe(true);
      const record = batch?.records[0];
      expect(record && decodeControlRecord(record)).toEqual({
        kind,
        type: kind === 'ABORT' ? 0 : 1,
        keyVersion: 0,
        coordinatorEpoch: 17,
      });
    }
    expect(decodeControlRecord({ key: Buffer.from([0, 0, 0, 2]), value: null }).kind).toBe('LEADER_CHANGE');
    expect(decodeControlRecord({ key: Buffer.from([0, 0, 0, 99]), value: null })).toMatchObject({
      kind: 'UNKNOWN',
      type: 99,
    });
    expect(() => decodeControlRecord({ key: null, value: null })).toThrow(RecordBatchError);
  });

  it('exposes views whose records section is a slice of the input (no copy)', async () => {
    const buf = await encodeRecordBatch({ records: sampleRecords() });
    const [view] = readRecordBatchViews(buf);
    expect(view?.recordsData.buffer).toBe(buf.buffer);
    expect(view?.recordsData.byteOffset).toBe(buf.byteOffset + BATCH.OVERHEAD);
    const [batch] = await decodeRecordBatches(buf);
    expect(batch?.records[0]?.value?.buffer).toBe(buf.buffer);
  });
});
