import { describe, expect, it } from 'vitest';
import { ProtocolReader, ProtocolWriter } from '../../../src/kafka/wire/codec.ts';
import { decodeFetchResponseV13, encodeFetchRequestV13 } from '../../../src/kafka/wire/fetch.ts';
import { decodeMetadataResponseV12, encodeMetadataRequestV12 } from '../../../src/kafka/wire/metadata.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const bytesOf = (w: ProtocolWriter): Buffer => Buffer.concat(w.chunks());

const ID_A = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const ID_B = Buffer.from('fedcba9876543210fedcba9876543210', 'hex');

/** A tagged-field section with one field of `size` bytes (what a newer broker may add). */
function someTags(w: ProtocolWriter, size = 3): ProtocolWriter {
  w.uvarint(1).uvarint(7).uvarint(size);
  for (let i = 0; i < size; i++) w.int8(0x55);
  return w;
}

describe('flexible-version types (KIP-482)', () => {
  it('unsigned varints: the bytes Kafka writes, and back', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [1, [0x01]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [16_384, [0x80, 0x80, 0x01]],
      [0x7fffffff, [0xff, 0xff, 0xff, 0xff, 0x07]],
      [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      expect([...bytesOf(new ProtocolWriter(1).uvarint(value))]).toEqual(bytes);
      expect(new ProtocolReader(Buffer.from(bytes)).uvarint()).toBe(value);
    }
    const random = seededRandom(82);
    for (let i = 0; i < 500; i++) {
      const value = Math.floor(random() * 0x100000000);
      expect(new ProtocolReader(bytesOf(new ProtocolWriter(1).uvarint(value))).uvarint()).toBe(value);
    }
    expect(() => new ProtocolReader(Buffer.from([0x80, 0x80])).uvarint()).toThrow(/past the end/);
    expect(() => new ProtocolReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).uvarint()).toThrow(
      /longer than 5 bytes/,
    );
  });

  it('compact strings, arrays, bytes and nulls are length + 1; tagged fields are skipped', () => {
    const w = new ProtocolWriter(4)
      .compactString('héllo')
      .compactNullableString(null)
      .compactArray([1, 2, 3], (n, x) => {
        x.int32(n);
      })
      .uvarint(0) // a null array
      .uvarint(4)
      .int8(9)
      .int8(8)
      .int8(7) // compact bytes of 3
      .uvarint(0) // null bytes
      .uuid(ID_A);
    someTags(w).noTags().bool(true);
    const raw = bytesOf(w);
    expect([...raw.subarray(0, 1)]).toEqual([7]); // 'héllo' is 6 bytes in UTF-8
    const r = new ProtocolReader(raw);
    expect(r.compactString()).toBe('héllo');
    expect(r.compactNullableString()).toBeNull();
    expect(r.compactArray((x) => x.int32())).toEqual([1, 2, 3]);
    expect(r.compactNullableArray((x) => x.int32())).toBeNull();
    expect([...r.compactBytes()!]).toEqual([9, 8, 7]);
    expect(r.compactBytes()).toBeNull();
    expect(r.uuid()).toEqual(ID_A);
    r.skipTags();
    r.skipTags();
    expect(r.bool()).toBe(true);
    expect(r.offset).toBe(raw.length);
    expect(() => new ProtocolWriter().uuid(Buffer.alloc(15))).toThrow(/16 bytes, got 15/);
  });
});

describe('Fetch v13 and Metadata v12 on the wire', () => {
  it('a Fetch v13 request names topics by id, field by field as FetchRequest.json has them', () => {
    const ids = new Map([
      ['eu.orders', ID_A],
      ['eu.gone', ID_B],
    ]);
    const w = encodeFetchRequestV13(
      {
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 52_428_800,
        isolationLevel: 1,
        session: { id: 77, epoch: 3, forgottenTopics: [{ topic: 'eu.gone', partitions: [4] }] },
        topics: [
          { topic: 'eu.orders', partitions: [{ partition: 2, fetchOffset: 1234n, partitionMaxBytes: 1_048_576 }] },
        ],
      },
      (t) => ids.get(t)!,
    );
    const r = new ProtocolReader(bytesOf(w));
    r.skipTags(); // request header v2's tagged fields
    expect([r.int32(), r.int32(), r.int32(), r.int32(), r.int8(), r.int32(), r.int32()]).toEqual([
      -1, 500, 1, 52_428_800, 1, 77, 3,
    ]);
    const topics = r.compactArray((tr) => {
      const id = Buffer.from(tr.uuid());
      const partitions = tr.compactArray((pr) => {
        const p = {
          partition: pr.int32(),
          currentLeaderEpoch: pr.int32(),
          fetchOffset: pr.int64(),
          lastFetchedEpoch: pr.int32(),
          logStartOffset: pr.int64(),
          partitionMaxBytes: pr.int32(),
        };
        pr.skipTags();
        return p;
      });
      tr.skipTags();
      return { id, partitions };
    });
    expect(topics).toEqual([
      {
        id: ID_A,
        partitions: [
          {
            partition: 2,
            currentLeaderEpoch: -1,
            fetchOffset: 1234n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1_048_576,
          },
        ],
      },
    ]);
    const forgotten = r.compactArray((fr) => {
      const f = { id: Buffer.from(fr.uuid()), partitions: fr.compactArray((x) => x.int32()) };
      fr.skipTags();
      return f;
    });
    expect(forgotten).toEqual([{ id: ID_B, partitions: [4] }]);
    expect(r.compactString()).toBe(''); // rack id
    r.skipTags();
    expect(r.offset).toBe(w.length);
  });

  it('a Fetch v13 response is read back by topic name, skipping tagged fields; an id never sent is left out', () => {
    const batch = Buffer.from([1, 2, 3, 4, 5]);
    // Topic A answers records on partition 0; topic B's id was never sent (unknown to nameOf).
    const built = new ProtocolWriter();
    someTags(built);
    built.int32(0).int16(0).int32(77).uvarint(3);
    for (const [id, records] of [
      [ID_A, batch],
      [ID_B, null],
    ] as const) {
      built.uuid(id).uvarint(3);
      for (const p of [0, 1]) {
        built
          .int32(p)
          .int16(p === 1 ? 6 : 0)
          .int64(100n)
          .int64(99n)
          .int64(5n);
        if (p === 0) built.uvarint(2).int64(42n).int64(90n).noTags();
        else built.uvarint(0);
        built.int32(-1);
        if (records !== null && p === 0) {
          built.uvarint(records.length + 1);
          for (const b of records) built.int8(b);
        } else built.uvarint(0);
        if (p === 1)
          someTags(built, 9); // a current-leader hint the reader does not use
        else built.noTags();
      }
      built.noTags();
    }
    someTags(built); // node endpoints
    const names = new Map([[ID_A.toString('hex'), 'eu.orders']]);
    const decoded = decodeFetchResponseV13(bytesOf(built), (hex) => names.get(hex));
    expect(decoded.errorCode).toBe(0);
    expect(decoded.sessionId).toBe(77);
    expect(decoded.topics).toHaveLength(1);
    const [t] = decoded.topics;
    expect(t!.topic).toBe('eu.orders');
    expect(t!.partitions.map((p) => [p.partition, p.errorCode])).toEqual([
      [0, 0],
      [1, 6],
    ]);
    expect(t!.partitions[0]).toMatchObject({ highWatermark: 100n, lastStableOffset: 99n, logStartOffset: 5n });
    expect(t!.partitions[0]!.abortedTransactions).toEqual([{ producerId: 42n, firstOffset: 90n }]);
    expect([...t!.partitions[0]!.records!]).toEqual([...batch]);
    expect(t!.partitions[1]!.abortedTransactions).toBeNull();
    expect(t!.partitions[1]!.records).toBeNull();
  });

  it('a Metadata v12 request asks by name without creating; its answer gives each topic its id', () => {
    const r = new ProtocolReader(bytesOf(encodeMetadataRequestV12(['a', 'b'])));
    r.skipTags();
    expect(
      r.compactArray((tr) => {
        const t = { id: Buffer.from(tr.uuid()), name: tr.compactNullableString() };
        tr.skipTags();
        return t;
      }),
    ).toEqual([
      { id: Buffer.alloc(16), name: 'a' },
      { id: Buffer.alloc(16), name: 'b' },
    ]);
    expect([r.bool(), r.bool()]).toEqual([false, false]);
    r.skipTags();

    const w = new ProtocolWriter();
    w.noTags().int32(0);
    w.compactArray([1, 2], (id, bw) => {
      bw.int32(id).compactString('127.0.0.1').int32(9092).compactNullableString(null).noTags();
    });
    w.compactNullableString('cluster').int32(1);
    w.compactArray(['a', 'b'], (name, tw) => {
      tw.int16(name === 'b' ? 3 : 0)
        .compactNullableString(name)
        .uuid(name === 'a' ? ID_A : Buffer.alloc(16))
        .bool(false);
      tw.compactArray(name === 'a' ? [0, 1] : [], (p, pw) => {
        pw.int16(0)
          .int32(p)
          .int32(p + 1)
          .int32(7);
        for (let i = 0; i < 3; i++) pw.compactArray([p + 1], (n, nw) => void nw.int32(n));
        someTags(pw, 2);
      });
      tw.int32(-2147483648);
      tw.noTags();
    });
    w.noTags();
    const payload = bytesOf(w);
    const topics = decodeMetadataResponseV12(payload);
    expect(topics).toEqual([
      {
        errorCode: 0,
        name: 'a',
        topicId: ID_A,
        partitions: [
          { errorCode: 0, partition: 0, leader: 1 },
          { errorCode: 0, partition: 1, leader: 2 },
        ],
      },
      { errorCode: 3, name: 'b', topicId: Buffer.alloc(16), partitions: [] },
    ]);
    payload.fill(0); // the ids were copied out of the response buffer
    expect(topics[0]!.topicId).toEqual(ID_A);
  });
});
