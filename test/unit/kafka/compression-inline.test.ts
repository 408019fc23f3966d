import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompressionError, compress, decompress, type CompressionType } from '../../../src/kafka/compression/index.ts';
import type { InlineLimits } from '../../../src/kafka/compression/inline.ts';
import { GZIP_INLINE } from '../../../src/kafka/compression/gzip.ts';
import { LZ4_BLOCK_BYTES, LZ4_DECOMPRESS_INLINE_BELOW } from '../../../src/kafka/compression/lz4.ts';
import { SNAPPY_INLINE } from '../../../src/kafka/compression/snappy.ts';
import { ZSTD_INLINE } from '../../../src/kafka/compression/zstd.ts';

// Each codec runs small calls on the event loop and large ones on libuv's pool (inline.ts): both
// forms must give the same bytes and the same errors, on either side of each limit. lz4 compresses
// on the event loop whatever the size (lz4-block.ts), a block at a time: its "limit" is one block.
const LIMITS: [Exclude<CompressionType, 'none'>, InlineLimits][] = [
  ['lz4', { compressBelow: LZ4_BLOCK_BYTES, decompressBelow: LZ4_DECOMPRESS_INLINE_BELOW }],
  ['snappy', SNAPPY_INLINE],
  ['zstd', ZSTD_INLINE],
  ['gzip', GZIP_INLINE],
];

/** Half repetitive text, half noise: compresses to about half, so compressed sizes are predictable. */
function sample(size: number): Buffer {
  const out = Buffer.alloc(size, '{"user":42,"event":"click","page":"/home"} ');
  randomBytes(Math.floor(size / 2)).copy(out, 0);
  return out;
}

/** Inputs whose compressed forms are below and above `limit` bytes (checked, not assumed). */
async function packedAround(type: CompressionType, limit: number): Promise<{ raw: Buffer; packed: Buffer }[]> {
  const out = [];
  for (const [rawSize, below] of [
    [Math.floor(limit * 0.8), true],
    [limit * 4, false],
  ] as const) {
    const raw = sample(rawSize);
    const packed = await compress(type, raw);
    expect(
      packed.length < limit,
      `${type}: ${packed.length} compressed bytes ${below ? 'below' : 'above'} ${limit}`,
    ).toBe(below);
    out.push({ raw, packed });
  }
  return out;
}

describe('compression: inline and pool calls agree', () => {
  for (const [type, limits] of LIMITS) {
    it(`${type}: compresses either side of ${limits.compressBelow} bytes into frames the other side reads`, async () => {
      for (const size of [limits.compressBelow - 1, limits.compressBelow, limits.compressBelow + 1]) {
        const raw = sample(size);
        const packed = await compress(type, raw);
        expect((await decompress(type, packed)).equals(raw), `${type} ${size}`).toBe(true);
        expect((await compress(type, raw)).equals(packed), `${type} ${size} deterministic`).toBe(true);
      }
    });

    it(`${type}: decompresses inputs below and above ${limits.decompressBelow} compressed bytes`, async () => {
      for (const { raw, packed } of await packedAround(type, limits.decompressBelow)) {
        expect((await decompress(type, packed)).equals(raw), `${type} ${packed.length}`).toBe(true);
      }
    });

    it(`${type}: corrupt input is a rejected promise with a CompressionError, inline or not`, async () => {
      for (const { packed } of await packedAround(type, limits.decompressBelow)) {
        // Cut in the middle and overwrite the rest of the first half: no codec can read that.
        const corrupt = Buffer.from(packed.subarray(0, Math.floor(packed.length / 2)));
        corrupt.fill(0xff, 16);
        let pending: Promise<Buffer> | undefined;
        expect(() => (pending = decompress(type, corrupt)), 'never throws synchronously').not.toThrow();
        await expect(pending).rejects.toBeInstanceOf(CompressionError);
      }
    });
  }
});
