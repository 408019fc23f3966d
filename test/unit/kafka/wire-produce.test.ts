import { describe, expect, it } from 'vitest';
import { ProtocolReader, ProtocolWriter } from '../../../src/kafka/wire/codec.ts';
import { encodeProduceRequest } from '../../../src/kafka/wire/produce.ts';

describe('ProtocolWriter pieces (bytes written to the socket without copies)', () => {
  it('bytesRef references the array itself; the pieces concatenate to what bytes() writes', () => {
    const big = Buffer.alloc(5000, 7);
    const small = Buffer.from('abc');
    const byRef = new ProtocolWriter(8).int16(3).bytesRef(big).int32(9).bytesRef(small).string('end');
    const copied = new ProtocolWriter(8).int16(3).bytes(big).int32(9).bytes(small).string('end');
    const pieces = byRef.chunks();
    expect(pieces).toContain(big); // the same object: not copied
    expect(pieces).toContain(small);
    expect(Buffer.concat(pieces)).toEqual(copied.toKafkajsEncoder().buffer);
    expect(byRef.length).toBe(copied.length);
    expect(byRef.toKafkajsEncoder().buffer).toEqual(copied.toKafkajsEncoder().buffer);
  });

  it('a produce request keeps each record batch as its own piece and reads back field by field', () => {
    const batchA = Buffer.alloc(1000, 1);
    const batchB = Buffer.alloc(300, 2);
    const w = encodeProduceRequest({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topics: [
        {
          topic: 'eu.orders',
          partitions: [
            { partition: 0, records: batchA },
            { partition: 5, records: batchB },
          ],
        },
      ],
    });
    expect(w.chunks().filter((c) => c === batchA || c === batchB)).toHaveLength(2);
    const r = new ProtocolReader(Buffer.concat(w.chunks()));
    expect(r.nullableString()).toBeNull();
    expect(r.int16()).toBe(-1);
    expect(r.int32()).toBe(30_000);
    expect(r.int32()).toBe(1);
    expect(r.string()).toBe('eu.orders');
    expect(r.int32()).toBe(2);
    expect([r.int32(), r.bytes()]).toEqual([0, batchA]);
    expect([r.int32(), r.bytes()]).toEqual([5, batchB]);
    expect(r.offset).toBe(w.length);
  });
});
