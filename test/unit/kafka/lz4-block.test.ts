import { readFileSync } from 'node:fs';
import * as lz4Native from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE_PREFIX } from '../../../src/kafka/compression/lz4.ts';
import {
  decodeLz4Block,
  encodeLz4Block,
  lz4BlockCompressBound,
  Lz4BlockError,
} from '../../../src/kafka/compression/lz4-block.ts';
import { assembleWat, generatedPath, WASM_MODULES, wasmModuleSource } from '../../../scripts/build-wasm.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/**
 * Input that makes every kind of sequence: runs of one byte (offset 1), short periods (offsets 2 to
 * 15, below and above the decoder's 8-byte words), spans copied from far back (long matches up to
 * 64 KiB away), and random bytes (literal runs, short and long).
 */
function mixedInput(size: number, random: () => number): Buffer {
  const out = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const length = Math.min(size - at, 1 + Math.floor(random() * (random() < 0.2 ? 2_000 : 40)));
    const kind = Math.floor(random() * 4);
    if (kind === 0) out.fill(Math.floor(random() * 256), at, at + length);
    else if (kind === 1) {
      const period = 2 + Math.floor(random() * 14);
      for (let i = 0; i < length; i++) out[at + i] = i < period ? Math.floor(random() * 256) : out[at + i - period]!;
    } else if (kind === 2 && at > 0) {
      const from = Math.max(0, at - 1 - Math.floor(random() * 65_000));
      for (let i = 0; i < length; i++) out[at + i] = out[from + i]!;
    } else for (let i = 0; i < length; i++) out[at + i] = Math.floor(random() * 256);
    at += length;
  }
  return out;
}

describe('the LZ4 block decoder (WebAssembly)', () => {
  it('is what its text assembles to: the committed module is not stale', async () => {
    for (const { wat, exportName } of WASM_MODULES) {
      const committed = readFileSync(generatedPath(wat), 'utf8');
      expect(committed, `${generatedPath(wat)}: run npm run build:wasm`).toBe(
        wasmModuleSource(wat, exportName, await assembleWat(wat)),
      );
    }
  });

  it('decodes what lz4_flex encodes, byte for byte, into the caller’s range only (seeded)', () => {
    const random = seededRandom(0x1a4b);
    let sizes = 0;
    for (let round = 0; round < 120; round++) {
      const size = round < 4 ? round : Math.floor(random() * (round % 10 === 0 ? 300_000 : 20_000));
      const input = mixedInput(size, random);
      const block = lz4Native.compressSync(input);
      const at = Math.floor(random() * 16);
      const dst = Buffer.alloc(at + size + 32, 0xee);
      const end = decodeLz4Block(block, BLOCK_SIZE_PREFIX, block.length, dst, at, at + size);
      expect(end, `round ${round}`).toBe(at + size);
      expect(dst.subarray(at, end).equals(input), `round ${round}: the decoded bytes`).toBe(true);
      expect(dst.subarray(0, at).every((b) => b === 0xee) && dst.subarray(end).every((b) => b === 0xee)).toBe(true);
      sizes += size;
    }
    expect(sizes).toBeGreaterThan(1_000_000);
  });

  it('rejects truncations (or, cut right after a run of literals, decodes a prefix) and a limit one byte short, writing nothing', () => {
    const random = seededRandom(7);
    const input = mixedInput(3_000, random);
    const block = lz4Native.compressSync(input).subarray(BLOCK_SIZE_PREFIX);
    const dst = Buffer.alloc(4_000, 0xee);
    let rejected = 0;
    for (let cut = 0; cut < block.length; cut++) {
      const prefix = Buffer.alloc(4_000);
      try {
        // A block cut where a sequence's literals end is a valid shorter block: what it decodes to
        // is a prefix of the input.
        const end = decodeLz4Block(block, 0, cut, prefix, 0, prefix.length);
        expect(end, `cut at ${cut}`).toBeLessThan(input.length);
        expect(prefix.subarray(0, end).equals(input.subarray(0, end)), `cut at ${cut}`).toBe(true);
      } catch (err) {
        expect(err, `cut at ${cut}`).toBeInstanceOf(Lz4BlockError);
        expect(() => decodeLz4Block(block, 0, cut, dst, 0, dst.length)).toThrow(Lz4BlockError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(block.length * 0.9);
    expect(() => decodeLz4Block(block, 0, block.length, dst, 0, input.length - 1)).toThrow(
      /larger than its frame allows/,
    );
    expect(dst.every((b) => b === 0xee)).toBe(true);
    expect(decodeLz4Block(block, 0, block.length, dst, 0, input.length)).toBe(input.length);
  });

  it('names what is wrong: offsets before the block, a match offset cut short, bounds outside the buffers', () => {
    const dst = Buffer.alloc(64);
    // 'ab', then a match 3 back: before the block's first byte.
    expect(() => decodeLz4Block(Buffer.from([0x20, 0x61, 0x62, 0x03, 0x00]), 0, 5, dst, 0, 64)).toThrow(
      /match offset points before the block/,
    );
    expect(() => decodeLz4Block(Buffer.from([0x00, 0x00]), 0, 2, dst, 0, 64)).toThrow(/offset/);
    expect(() => decodeLz4Block(Buffer.from([0x20, 0x61, 0x62, 0x01]), 0, 4, dst, 0, 64)).toThrow(
      /ends inside a match offset/,
    );
    expect(() => decodeLz4Block(Buffer.from([0x10, 0x61]), 0, 2, dst, 10, 5)).toThrow(/outside the buffers/);
    expect(() => decodeLz4Block(Buffer.from([0x10, 0x61]), 0, 2, dst, 0, 65)).toThrow(/outside the buffers/);
  });
});

/**
 * Walks an LZ4 block's sequences and checks what the format asks of an encoder
 * (lz4_Block_format.md, "End of block conditions"), which lenient decoders do not all enforce but
 * the reference one does: the last sequence is literals only, the last match starts at least 12
 * bytes before the end and every match ends at least 5 before it, offsets are 1..65535 and reach
 * no further back than the block's start. Returns how many matches there are.
 */
function checkEncoderRules(block: Uint8Array, size: number, label: string): number {
  let s = 0;
  let d = 0;
  let matches = 0;
  const length = (nibble: number): number => {
    let n = nibble;
    if (nibble === 15) {
      let more: number;
      do {
        more = block[s++]!;
        n += more;
      } while (more === 255);
    }
    return n;
  };
  for (;;) {
    const token = block[s++]!;
    const literals = length(token >> 4);
    s += literals;
    d += literals;
    if (s === block.length) break;
    expect(s, `${label}: sequences run past the block`).toBeLessThan(block.length);
    const offset = block[s]! | (block[s + 1]! << 8);
    s += 2;
    const matchLength = length(token & 15) + 4;
    expect(offset >= 1 && offset <= d, `${label}: offset ${offset} at ${d}`).toBe(true);
    expect(d, `${label}: a match starts within the last 12 bytes`).toBeLessThanOrEqual(size - 12);
    d += matchLength;
    expect(d, `${label}: a match ends within the last 5 bytes`).toBeLessThanOrEqual(size - 5);
    matches++;
  }
  expect(d, `${label}: the sequences decode to the input's length`).toBe(size);
  return matches;
}

describe('the LZ4 block encoder (WebAssembly)', () => {
  it('writes blocks lz4_flex and our decoder read back byte for byte, within the format’s end rules and bound, as small as lz4_flex’s (seeded)', () => {
    const random = seededRandom(0x3e7c);
    let sizes = 0;
    let ours = 0;
    let theirs = 0;
    for (let round = 0; round < 150; round++) {
      const size = round < 20 ? round : Math.floor(random() * (round % 10 === 0 ? 262_144 : 20_000));
      const input = mixedInput(size, random);
      const from = Math.floor(random() * 8);
      const source = Buffer.concat([Buffer.alloc(from, 0x55), input, Buffer.alloc(8, 0x55)]);
      const block = Buffer.from(encodeLz4Block(source, from, from + size));
      const label = `round ${round} (${size} bytes)`;
      expect(block.length, label).toBeLessThanOrEqual(lz4BlockCompressBound(size));
      const prefixed = Buffer.alloc(BLOCK_SIZE_PREFIX + block.length);
      prefixed.writeUInt32LE(size, 0);
      block.copy(prefixed, BLOCK_SIZE_PREFIX);
      expect(lz4Native.uncompressSync(prefixed).equals(input), `${label}: lz4_flex decodes the input`).toBe(true);
      const dst = Buffer.alloc(size + 16);
      expect(decodeLz4Block(block, 0, block.length, dst, 0, size), label).toBe(size);
      expect(dst.subarray(0, size).equals(input), `${label}: our decoder decodes the input`).toBe(true);
      const matches = checkEncoderRules(block, size, label);
      if (size >= 1_000) expect(matches, `${label}: finds matches`).toBeGreaterThan(0);
      sizes += size;
      ours += block.length;
      theirs += lz4Native.compressSync(input).length - BLOCK_SIZE_PREFIX;
    }
    expect(sizes).toBeGreaterThan(1_000_000);
    // An encoder that wrote literals only would pass every check above: the output must compress.
    expect(ours).toBeLessThan(sizes * 0.7);
    expect(ours).toBeLessThan(theirs * 1.05);
  });

  it('writes the same block for the same input whatever it encoded before, and writes incompressible input as literals within the bound', () => {
    const random = seededRandom(11);
    const input = mixedInput(50_000, random);
    const first = Buffer.from(encodeLz4Block(input, 0, input.length));
    encodeLz4Block(mixedInput(200_000, random), 0, 200_000);
    expect(Buffer.from(encodeLz4Block(input, 0, input.length)).equals(first)).toBe(true);

    const noise = Buffer.alloc(70_000);
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
    const block = encodeLz4Block(noise, 0, noise.length);
    expect(block.length).toBeGreaterThan(noise.length);
    expect(block.length).toBeLessThanOrEqual(lz4BlockCompressBound(noise.length));
    const dst = Buffer.alloc(noise.length + 16);
    expect(decodeLz4Block(block, 0, block.length, dst, 0, noise.length)).toBe(noise.length);
    expect(dst.subarray(0, noise.length).equals(noise)).toBe(true);
    expect(() => encodeLz4Block(noise, 10, 5)).toThrow(/outside the buffer/);
  });
});
