import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import * as snappyNative from 'snappy';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSION_TYPES,
  CompressionError,
  KAFKAJS_CODEC_FACTORIES,
  codecFor,
  compress,
  compressInto,
  compressionCode,
  compressionTypeOf,
  decompress,
  kafkajsCodecFactory,
} from '../../../src/kafka/compression/index.ts';
import {
  LZ4_BLOCK_BYTES,
  LZ4_FRAME_MAGIC,
  lz4FrameDescriptorLength,
  lz4HeaderChecksum,
} from '../../../src/kafka/compression/lz4.ts';
import { XERIAL_BLOCK_SIZE, XERIAL_MAGIC } from '../../../src/kafka/compression/snappy.ts';
import { xxhash32 } from '../../../src/kafka/compression/xxhash32.ts';

// A mix of compressible text and incompressible noise, so codecs hit both literal and match paths.
function sample(size: number): Buffer {
  const text = Buffer.from('{"user":42,"event":"click","page":"/home","ts":1700000000000} ');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) {
    const chunk = (i / 4096) % 3 === 2 ? randomBytes(4096) : Buffer.alloc(4096, text);
    chunk.copy(out, i);
  }
  return out;
}

const SIZES = [0, 1, 100, 32 * 1024, 32 * 1024 + 1, 300_000, 5 * 1024 * 1024 + 17];

describe('compression codecs', () => {
  it('maps types to Kafka attribute codes and back', () => {
    expect(COMPRESSION_TYPES.map(compressionCode)).toEqual([0, 1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4].map(compressionTypeOf)).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
    expect(() => compressionTypeOf(5)).toThrow(RangeError);
    expect(codecFor(3).type).toBe('lz4');
  });

  for (const type of COMPRESSION_TYPES) {
    it(`${type}: round-trips buffers of many sizes`, async () => {
      for (const size of SIZES) {
        const data = sample(size);
        const packed = await compress(type, data);
        const unpacked = await decompress(type, packed);
        expect(unpacked.equals(data), `${type} size ${size}`).toBe(true);
      }
    });

    if (type !== 'none') {
      it(`${type}: round-trips through the kafkajs adapter shape`, async () => {
        const data = sample(10_000);
        const factory = kafkajsCodecFactory(type);
        const codec = factory();
        const packed = await codec.compress({ buffer: data });
        expect((await codec.decompress(packed)).equals(data)).toBe(true);
        expect(KAFKAJS_CODEC_FACTORIES[compressionCode(type) as 1 | 2 | 3 | 4]).toBe(factory);
      });
    }

    if (type !== 'none') {
      it(`${type}: rejects corrupt input with a CompressionError`, async () => {
        const packed = await compress(type, sample(50_000));
        const corrupt = Buffer.from(packed.subarray(0, Math.floor(packed.length / 2)));
        await expect(decompress(type, corrupt)).rejects.toBeInstanceOf(CompressionError);
      });
    }
  }

  it('compressInto writes what compress writes after the headroom, into one buffer from the target; lz4 without a copy', async () => {
    for (const type of COMPRESSION_TYPES) {
      for (const size of [0, 100, 300_000]) {
        const data = sample(size);
        const expected = await compress(type, data);
        const allocated: Buffer[] = [];
        const target = {
          headroom: 61,
          allocate: (n: number): Buffer => {
            const b = Buffer.alloc(n, 0xee);
            allocated.push(b);
            return b;
          },
        };
        const out = await compressInto(type, data, target);
        expect(allocated, `${type} ${size}`).toHaveLength(1);
        // The frame starts the target's buffer (lz4 sizes it for every block stored and returns the part written).
        expect(out.buffer, `${type} ${size}`).toBe(allocated[0]!.buffer);
        expect(out.byteOffset).toBe(allocated[0]!.byteOffset);
        expect(out.length).toBe(61 + expected.length);
        expect(
          out.subarray(0, 61).every((b) => b === 0xee),
          `${type} ${size}: headroom untouched`,
        ).toBe(true);
        // Every codec is deterministic here (zlib's gzip header carries no time): byte for byte.
        expect(out.subarray(61).equals(expected), `${type} ${size}`).toBe(true);
      }
    }
    // lz4 writes its frame into the target itself: no whole-frame intermediate buffer.
    expect(codecFor('lz4').compressInto).toBeDefined();
  });

  it('none returns the input without copying', async () => {
    const data = Buffer.from('abc');
    expect(await compress('none', data)).toBe(data);
  });

  it('gzip and zstd write their standard magic and honour a level', async () => {
    const data = sample(100_000);
    expect((await compress('gzip', data)).subarray(0, 2).toString('hex')).toBe('1f8b');
    expect((await compress('zstd', data)).subarray(0, 4).toString('hex')).toBe('28b52ffd');
    const fast = await compress('gzip', data, { level: 1 });
    const best = await compress('gzip', data, { level: 9 });
    expect(best.length).toBeLessThanOrEqual(fast.length);
    expect((await decompress('zstd', await compress('zstd', data, { level: 19 }))).equals(data)).toBe(true);
  });

  it('gzip output is read by kafkajs own gzip codec and vice versa', async () => {
    // Tests may use kafkajs internals to cross-check our codecs against the client we interoperate with.
    const require = createRequire(import.meta.url);
    const kjsGzip = require('kafkajs/src/protocol/message/compression/gzip.js') as {
      compress(encoder: { buffer: Buffer }): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    };
    const data = sample(20_000);
    expect((await kjsGzip.decompress(await compress('gzip', data))).equals(data)).toBe(true);
    expect((await decompress('gzip', await kjsGzip.compress({ buffer: data }))).equals(data)).toBe(true);
  });
});

describe('snappy xerial framing', () => {
  const header = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
  // Raw snappy of "hello", built by hand: varint length 5, literal tag (5-1)<<2, the bytes.
  const helloBlock = Buffer.from([0x05, 0x10, ...Buffer.from('hello')]);
  const chunk = (block: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    return Buffer.concat([len, block]);
  };

  it('writes the xerial header, version 1, compatible 1, like Java', async () => {
    const packed = await compress('snappy', Buffer.from('hello hello hello'));
    expect(packed.subarray(0, 8).toString('hex')).toBe('82534e4150505900');
    expect(packed.readInt32BE(8)).toBe(1);
    expect(packed.readInt32BE(12)).toBe(1);
    expect(packed.readInt32BE(16)).toBe(packed.length - 20);
  });

  it('splits input into 32 KiB chunks as SnappyOutputStream does', async () => {
    const data = sample(2 * XERIAL_BLOCK_SIZE + 5);
    const packed = await compress('snappy', data);
    const sizes: number[] = [];
    for (let pos = 16; pos < packed.length;) {
      const len = packed.readInt32BE(pos);
      const raw = snappyNative.uncompressSync(packed.subarray(pos + 4, pos + 4 + len), { asBuffer: true }) as Buffer;
      sizes.push(raw.length);
      pos += 4 + len;
    }
    expect(sizes).toEqual([XERIAL_BLOCK_SIZE, XERIAL_BLOCK_SIZE, 5]);
  });

  it('decodes a hand-built xerial frame', async () => {
    const frame = Buffer.concat([header, chunk(helloBlock), chunk(helloBlock)]);
    expect((await decompress('snappy', frame)).toString()).toBe('hellohello');
  });

  it('decodes concatenated xerial streams (header repeated mid-stream)', async () => {
    const frame = Buffer.concat([header, chunk(helloBlock), header, chunk(helloBlock)]);
    expect((await decompress('snappy', frame)).toString()).toBe('hellohello');
  });

  it('decodes raw (unframed) snappy, as some clients write', async () => {
    expect((await decompress('snappy', helloBlock)).toString()).toBe('hello');
    const data = sample(100_000);
    expect((await decompress('snappy', snappyNative.compressSync(data))).equals(data)).toBe(true);
  });

  it('rejects a chunk length that overruns the input', async () => {
    const frame = Buffer.concat([header, chunk(helloBlock).subarray(0, 6)]);
    await expect(decompress('snappy', frame)).rejects.toThrow(/overruns/);
  });
});

describe('lz4 frame format', () => {
  it('xxhash32 matches reference vectors', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxhash32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });

  for (const size of [10, 70_000, 300_000, 5 * 1024 * 1024]) {
    it(`writes a header Java's Lz4BlockInputStream accepts (${size} bytes)`, async () => {
      const frame = await compress('lz4', sample(size));
      expect(frame.readUInt32LE(0)).toBe(LZ4_FRAME_MAGIC);
      const flg = frame[4] ?? 0;
      const bd = frame[5] ?? 0;
      expect(flg >> 6, 'FLG version').toBe(1);
      expect((flg >> 5) & 1, 'block independence').toBe(1);
      expect(flg & 0x03, 'reserved bit and dict id').toBe(0);
      expect(bd & 0x8f, 'BD reserved bits').toBe(0);
      const blockSizeCode = (bd >> 4) & 7;
      expect(blockSizeCode).toBeGreaterThanOrEqual(4);
      expect(blockSizeCode).toBeLessThanOrEqual(7);
      const descriptorLength = lz4FrameDescriptorLength(frame) ?? -1;
      expect(frame[4 + descriptorLength], 'header checksum').toBe(lz4HeaderChecksum(frame, descriptorLength));
      // Every block fits the declared maximum (Java rejects larger ones).
      const maxBlock = 1 << (2 * blockSizeCode + 8);
      const blockChecksum = (flg >> 4) & 1;
      let pos = 4 + descriptorLength + 1;
      for (;;) {
        const word = frame.readUInt32LE(pos);
        pos += 4;
        if (word === 0) break;
        const len = word & 0x7fffffff;
        expect(len).toBeLessThanOrEqual(maxBlock);
        pos += len + 4 * blockChecksum;
      }
      expect(pos + 4 * ((flg >> 2) & 1)).toBe(frame.length);
    });
  }

  it("writes 256 KiB-block frames (BD 0x50; Java's BD 0x40 up to 64 KiB), one block per 256 KiB, incompressible blocks stored", async () => {
    const largeHeader = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x50]);
    for (const size of [0, 1, LZ4_BLOCK_BYTES, LZ4_BLOCK_BYTES + 1, 300_000, 900_000]) {
      const input = sample(size); // every third 4 KiB is random: some blocks may not shrink
      const frame = await compress('lz4', input);
      const header = size <= 64 * 1024 ? Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]) : largeHeader;
      expect(frame.subarray(0, 6).equals(header), `header (${size} bytes)`).toBe(true);
      expect(frame[6]).toBe(lz4HeaderChecksum(frame, 2));
      const blocks: { size: number; stored: boolean }[] = [];
      let pos = 7;
      for (let word = frame.readUInt32LE(pos); word !== 0; word = frame.readUInt32LE(pos)) {
        blocks.push({ size: word & 0x7fffffff, stored: word >>> 31 === 1 });
        pos += 4 + (word & 0x7fffffff);
      }
      expect(pos + 4, `end mark closes the frame (${size} bytes)`).toBe(frame.length);
      expect(blocks.length).toBe(Math.ceil(size / LZ4_BLOCK_BYTES));
      for (const b of blocks) expect(b.size).toBeLessThanOrEqual(LZ4_BLOCK_BYTES);
      expect((await decompress('lz4', frame)).equals(input), `round trip (${size} bytes)`).toBe(true);
    }
    const noise = randomBytes(LZ4_BLOCK_BYTES * 2 + 10);
    const stored = await compress('lz4', noise);
    expect(stored.readUInt32LE(7) >>> 31, 'an incompressible block is stored').toBe(1);
    expect(stored.readUInt32LE(7) & 0x7fffffff).toBe(LZ4_BLOCK_BYTES);
    expect(stored.length).toBe(7 + 3 * 4 + noise.length + 4);
    expect((await decompress('lz4', stored)).equals(noise)).toBe(true);
  });

  function handBuiltFrame(payload: Buffer, hcOverride?: number): Buffer {
    const head = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0]);
    head[6] = hcOverride ?? lz4HeaderChecksum(head, 2);
    const blockLen = Buffer.alloc(4);
    blockLen.writeUInt32LE((payload.length | 0x80000000) >>> 0); // high bit: stored uncompressed
    return Buffer.concat([head, blockLen, payload, Buffer.alloc(4)]);
  }

  it('decodes a hand-built frame with a stored (uncompressed) block', async () => {
    const frame = handBuiltFrame(Buffer.from('kafka lz4'));
    expect(frame[6]).toBe((xxhash32(Buffer.from([0x60, 0x40])) >>> 8) & 0xff);
    expect((await decompress('lz4', frame)).toString()).toBe('kafka lz4');
  });

  it('tolerates the wrong header checksum of pre-0.10 Kafka clients (KAFKA-3160)', async () => {
    const good = handBuiltFrame(Buffer.from('legacy'));
    const legacy = handBuiltFrame(Buffer.from('legacy'), ((good[6] ?? 0) + 1) & 0xff);
    expect((await decompress('lz4', legacy)).toString()).toBe('legacy');
  });
});
