import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/kafka/buffer-pool.ts';
import { copyIntoTarget } from '../../../src/kafka/compression/index.ts';
import { decodeFetchedPieces } from '../../../src/kafka/protocol/fetched-pieces.ts';
import { encodeRecordBatch, FetchedRecord, readRecordBatchViews } from '../../../src/kafka/protocol/index.ts';
import { SectionArena } from '../../../src/kafka/section-arena.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const bytes = (random: () => number, size: number): Buffer =>
  Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));

describe('SectionArena', () => {
  it('copies sections into shared pooled chunks, a section larger than a chunk into its own, all returned on release', () => {
    const pool = new BufferPool();
    const arena = new SectionArena(pool);
    const random = seededRandom(3);
    const small = Array.from({ length: 20 }, () => bytes(random, 16 * 1024));
    const copies = small.map((s) => copyIntoTarget(arena, s));
    const large = bytes(random, 600 * 1024);
    const largeCopy = copyIntoTarget(arena, large);
    copies.forEach((c, i) => expect(c.equals(small[i]!), `section ${i}`).toBe(true));
    expect(largeCopy.equals(large)).toBe(true);
    // 20 × 16 KiB fill one 256 KiB chunk and start a second; the 600 KiB section has its own.
    expect(new Set(copies.map((c) => c.buffer)).size).toBe(2);
    expect(pool.stats().allocated).toBe(3);
    // Copies never overlap.
    for (let i = 1; i < copies.length; i++)
      if (copies[i]!.buffer === copies[i - 1]!.buffer)
        expect(copies[i]!.byteOffset).toBe(copies[i - 1]!.byteOffset + copies[i - 1]!.length);

    arena.release();
    expect(pool.stats().returned).toBe(3);
    arena.release(); // a second release returns nothing twice
    expect(pool.stats().returned).toBe(3);
    // The next partition's sections reuse the returned chunks.
    const next = new SectionArena(pool);
    expect(copyIntoTarget(next, small[0]!).equals(small[0]!)).toBe(true);
    expect(pool.stats().reused).toBe(1);
  });

  it("holds a fetched partition's decompressed sections: decoded records read from pooled chunks, byte for byte", async () => {
    const pool = new BufferPool();
    const arena = new SectionArena(pool);
    const random = seededRandom(9);
    const batches = await Promise.all(
      [0n, 50n, 100n].map((baseOffset) =>
        encodeRecordBatch({
          records: Array.from({ length: 50 }, (_, i) => ({ key: null, value: bytes(random, 100 + i), timestamp: 1 })),
          compression: 'lz4',
          baseOffset,
        }),
      ),
    );
    const views = readRecordBatchViews(Buffer.concat(batches));
    const plain = await decodeFetchedPieces(views, 't', 0, 0n, undefined);
    const pooled = await decodeFetchedPieces(views, 't', 0, 0n, undefined, arena);
    const records = pooled[0]!.records as FetchedRecord[];
    expect(records.map((r) => r.value)).toEqual(plain[0]!.records!.map((r) => r.value));
    expect(pool.stats().allocated).toBe(1);
    const chunks = new Set(records.map((r) => r.batch.section.buffer));
    expect(chunks.size).toBe(1);
    arena.release();
    expect(pool.stats().returned).toBe(1);
  });
});
