import { readFileSync } from 'node:fs';
import * as lz4Native from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/kafka/buffer-pool.ts';
import {
  compress,
  CompressionError,
  decompress,
  decompressInto,
  type DecompressTarget,
} from '../../../src/kafka/compression/index.ts';
import { LZ4_DECODE_INTO_MAX, lz4HeaderChecksum } from '../../../src/kafka/compression/lz4.ts';
import { decodeLz4Block, Lz4BlockError, lz4BlockOutputBound } from '../../../src/kafka/compression/lz4-block.ts';
import { xxhash32 } from '../../../src/kafka/compression/xxhash32.ts';
import { readRecordBatchViews } from '../../../src/kafka/protocol/index.ts';
import { SectionArena } from '../../../src/kafka/section-arena.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/** Event-like JSON (what lz4 batches of a real topic hold), random bytes, or one repeated byte. */
function content(kind: 'json' | 'random' | 'zeros', size: number, random: () => number): Buffer {
  if (kind === 'zeros') return Buffer.alloc(size);
  if (kind === 'random') return Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
  let s = '';
  while (s.length < size)
    s += `{"id":${Math.floor(random() * 1e9)},"user":"u${Math.floor(random() * 1000)}","path":"/p/${Math.floor(random() * 50)}"}`;
  return Buffer.from(s.slice(0, size), 'latin1');
}

/** A target that records its claims, over one pooled arena. */
function recordingTarget(arena: SectionArena): DecompressTarget & { claims: number[] } {
  const claims: number[] = [];
  return {
    claims,
    claim: (max) => {
      claims.push(max);
      return arena.claim(max);
    },
    commit: (length) => arena.commit(length),
  };
}

/** An LZ4 frame around hand-written blocks: FLG 0x60 (+ content size when given), BD 0x40 (64 KiB). */
function frame(blocks: { bytes: Buffer; stored?: boolean }[], contentSize?: number): Buffer {
  const descriptor = Buffer.from([contentSize === undefined ? 0x60 : 0x68, 0x40]);
  const size = Buffer.alloc(contentSize === undefined ? 0 : 8);
  if (contentSize !== undefined) size.writeBigUInt64LE(BigInt(contentSize));
  const head = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), descriptor, size, Buffer.alloc(1)]);
  head[head.length - 1] = lz4HeaderChecksum(head, descriptor.length + size.length);
  const parts: Buffer[] = [head];
  for (const b of blocks) {
    const word = Buffer.alloc(4);
    word.writeUInt32LE((b.bytes.length | (b.stored === true ? 0x80000000 : 0)) >>> 0);
    parts.push(word, b.bytes);
  }
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/** An LZ4 length field's extension bytes for `rest` (what is left after the token's 15). */
function extension(rest: number): number[] {
  const out: number[] = [];
  for (; rest >= 255; rest -= 255) out.push(255);
  out.push(rest);
  return out;
}

describe('lz4 decoded into a target (the fetched partition’s pooled sections)', () => {
  it('gives the bytes lz4_flex gives for our frames, lz4-napi’s frames and Java’s batch, into the target’s memory', async () => {
    const random = seededRandom(20261201);
    const pool = new BufferPool();
    const arena = new SectionArena(pool);
    const target = recordingTarget(arena);
    const frames: { name: string; bytes: Buffer }[] = [];
    for (const kind of ['json', 'random', 'zeros'] as const)
      for (const size of [0, 1, 100, 16 * 1024, 64 * 1024, 64 * 1024 + 1, 300_000, 900_000]) {
        const input = content(kind, size, random);
        frames.push({ name: `ours ${kind} ${size}`, bytes: await compress('lz4', input) });
        frames.push({ name: `lz4-napi ${kind} ${size}`, bytes: lz4Native.compressFrameSync(input) });
      }
    const java = readRecordBatchViews(
      readFileSync(new URL('./fixtures/java-4.1.2/batch-lz4.bin', import.meta.url)),
    )[0]!;
    frames.push({ name: 'Java 4.1.2 batch', bytes: java.recordsData });
    for (const { name, bytes } of frames) {
      const expected = await decompress('lz4', bytes);
      const section = await decompressInto('lz4', bytes, target);
      expect(section.equals(expected), name).toBe(true);
    }
    // Every section is a slice of a pooled chunk the arena returns on release.
    expect(pool.stats().allocated).toBeGreaterThan(0);
    arena.release();
    expect(pool.stats().returned).toBe(pool.stats().allocated);
  });

  it('claims at most the frame’s bound: a 16 KiB batch of Java’s 64 KiB blocks claims 64 KiB, not more', async () => {
    const arena = new SectionArena(new BufferPool());
    const target = recordingTarget(arena);
    const input = content('json', 16 * 1024, seededRandom(4));
    const packed = await compress('lz4', input);
    expect((await decompressInto('lz4', packed, target)).equals(input)).toBe(true);
    expect(target.claims).toEqual([Math.min(64 * 1024, lz4BlockOutputBound(packed.length))]);
    // Sections of one partition sit one after the other in the arena's chunk.
    const first = await decompressInto('lz4', packed, target);
    const second = await decompressInto('lz4', packed, target);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset + first.length);
  });

  it('decodes overlapping matches, long length extensions, long literal runs, stored blocks and a content size', async () => {
    // 'a', then a match at offset 1 of 1,000 bytes (a run: each byte copies the one before it);
    // 300 literals (length extension), then a match at offset 300 of 300 (no overlap); 5 closing literals.
    const literals300 = content('random', 300, seededRandom(5));
    const compressed = Buffer.from([
      ...[0x1f, 0x61, 0x01, 0x00, ...extension(1000 - 4 - 15)],
      ...[0xff, ...extension(300 - 15), ...literals300, 0x2c, 0x01, ...extension(300 - 4 - 15)],
      ...[0x50, ...Buffer.from('bcdef')],
    ]);
    const expected = Buffer.concat([Buffer.alloc(1001, 'a'), literals300, literals300, Buffer.from('bcdef')]);
    const stored = Buffer.from('stored as it is');
    for (const contentSize of [undefined, expected.length + stored.length]) {
      const bytes = frame([{ bytes: compressed }, { bytes: stored, stored: true }], contentSize);
      const arena = new SectionArena(new BufferPool());
      const section = await decompressInto('lz4', bytes, arena);
      expect(section.equals(Buffer.concat([expected, stored])), `content size ${contentSize}`).toBe(true);
      expect((await decompress('lz4', bytes)).equals(section), 'lz4_flex agrees').toBe(true);
    }
  });

  it('rejects corrupt blocks with a CompressionError: truncated anywhere, offsets before the block, output past the block size', async () => {
    const input = content('json', 20_000, seededRandom(6));
    const good = await compress('lz4', input);
    const arena = new SectionArena(new BufferPool());
    // Cut anywhere before the end mark: never a section, always a coded error.
    for (let cut = 1; cut < good.length - 4; cut += 97)
      await expect(decompressInto('lz4', good.subarray(0, cut), arena), `cut at ${cut}`).rejects.toBeInstanceOf(
        CompressionError,
      );
    // A match reaching before the block's first byte.
    const before = frame([{ bytes: Buffer.from([0x10, 0x61, 0x02, 0x00, 0x10, 0x62]) }]);
    await expect(decompressInto('lz4', before, arena)).rejects.toThrow(/corrupt or truncated lz4 frame/);
    // A run longer than the frame's 64 KiB block size.
    const tooLong = frame([{ bytes: Buffer.from([0x1f, 0x61, 0x01, 0x00, ...extension(70_000), 0x00]) }]);
    await expect(decompressInto('lz4', tooLong, arena)).rejects.toBeInstanceOf(CompressionError);
    await expect(decompress('lz4', tooLong), 'lz4_flex rejects it too').rejects.toBeInstanceOf(CompressionError);
    // The same after a small block that decodes to less than its bound: each block is held to the
    // block size, not to what the frame's other blocks left unused.
    const afterStored = frame([
      { bytes: Buffer.from([0x40, ...Buffer.from('abcd')]) },
      { bytes: Buffer.from([0x1f, 0x61, 0x01, 0x00, ...extension(64 * 1024 - 4 - 15 + 10), 0x00]) },
    ]);
    await expect(decompressInto('lz4', afterStored, arena)).rejects.toBeInstanceOf(CompressionError);
    // A block that ends with a match (the last sequence must be literals).
    const endsWithMatch = frame([{ bytes: Buffer.from([0x10, 0x61, 0x01, 0x00]) }]);
    await expect(decompressInto('lz4', endsWithMatch, arena)).rejects.toBeInstanceOf(CompressionError);
  });

  it('agrees with lz4_flex on randomly damaged frames (seeded): the same bytes, or both reject', async () => {
    const random = seededRandom(77);
    const input = content('json', 40_000, random);
    const good = await compress('lz4', input);
    let rejected = 0;
    for (let trial = 0; trial < 400; trial++) {
      const damaged = Buffer.from(good);
      const flips = 1 + Math.floor(random() * 3);
      // Past the header: damage to FLG or BD sends the frame to lz4_flex itself.
      for (let i = 0; i < flips; i++)
        damaged[7 + Math.floor(random() * (damaged.length - 11))] = Math.floor(random() * 256);
      const [ours, theirs] = await Promise.allSettled([
        decompressInto('lz4', damaged, new SectionArena(new BufferPool())),
        decompress('lz4', damaged),
      ]);
      if (ours.status === 'fulfilled' && theirs.status === 'fulfilled')
        expect(ours.value.equals(theirs.value), `trial ${trial}`).toBe(true);
      else {
        expect(`${ours.status} ${theirs.status}`, `trial ${trial}`).toBe('rejected rejected');
        expect((ours as PromiseRejectedResult).reason).toBeInstanceOf(CompressionError);
        rejected++;
      }
    }
    // The trials did reach the error paths (and the success path).
    expect(rejected).toBeGreaterThan(20);
    expect(rejected).toBeLessThan(400);
  });

  it('leaves frames it does not decode itself to lz4_flex (block checksums, dependent blocks, a bound over the limit)', async () => {
    const input = content('json', LZ4_DECODE_INTO_MAX + 100_000, seededRandom(8));
    const large = await compress('lz4', input);
    const arena = new SectionArena(new BufferPool());
    const target = recordingTarget(arena);
    expect((await decompressInto('lz4', large, target)).equals(input)).toBe(true);
    // lz4_flex decoded it: the one claim is its output's exact size, copied in.
    expect(target.claims).toEqual([input.length]);
    // Block checksum flag (FLG 0x70), the checksum after the block: lz4_flex decodes it, copied in.
    const small = Buffer.from('checksummed block');
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32LE(xxhash32(small));
    const word = Buffer.alloc(4);
    word.writeUInt32LE((small.length | 0x80000000) >>> 0);
    const flagged = Buffer.concat([
      Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x70, 0x40, 0]),
      word,
      small,
      checksum,
      Buffer.alloc(4),
    ]);
    flagged[6] = lz4HeaderChecksum(flagged, 2);
    const checksumTarget = recordingTarget(new SectionArena(new BufferPool()));
    expect((await decompressInto('lz4', flagged, checksumTarget)).equals(small)).toBe(true);
    expect(checksumTarget.claims).toEqual([small.length]);
  });
});

describe('decodeLz4Block', () => {
  it('writes nothing at or past its limit and reads nothing past the block', () => {
    const dst = Buffer.alloc(16, 0xee);
    const block = Buffer.from([0x50, ...Buffer.from('hello')]);
    expect(decodeLz4Block(block, 0, block.length, dst, 2, 7)).toBe(7);
    expect(dst.subarray(2, 7).toString()).toBe('hello');
    expect(() => decodeLz4Block(block, 0, block.length, dst, 3, 7)).toThrow(Lz4BlockError);
    expect(dst[7], 'the byte at the limit').toBe(0xee);
    expect(() => decodeLz4Block(block, 0, block.length - 1, dst, 0, 16)).toThrow(/literals run past/);
    expect(() => decodeLz4Block(block, 0, block.length + 1, dst, 0, 16)).toThrow(/outside the buffers/);
  });
});

describe('SectionArena as a decompression target', () => {
  it('commits within the last claim only; a claim larger than a chunk gets a chunk of its own', () => {
    const pool = new BufferPool();
    const arena = new SectionArena(pool);
    const a = arena.claim(1000);
    a.write('first');
    const first = arena.commit(5);
    const b = arena.claim(1000);
    expect(b.byteOffset).toBe(first.byteOffset + 5);
    b.write('second');
    expect(arena.commit(6).toString()).toBe('second');
    expect(first.toString()).toBe('first');
    expect(() => arena.commit(10 * 1024 * 1024)).toThrow(/exceeds the last claim/);
    const big = arena.claim(1024 * 1024);
    expect(big.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(big.buffer).not.toBe(first.buffer);
    arena.release();
    expect(pool.stats().returned).toBe(pool.stats().allocated);
  });
});
