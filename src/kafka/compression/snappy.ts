import * as snappyNative from 'snappy';
import { asBuffer, type InlineLimits } from './inline.ts';
import { CompressionError, type CompressionCodec } from './types.ts';

/**
 * snappy (code 2). Kafka's Java client writes snappy-java's "xerial" stream framing, not raw snappy
 * and not the official snappy framing format:
 *
 *   magic 82 'SNAPPY' 00 | int32 BE version (1) | int32 BE min compatible version (1)
 *   then chunks: int32 BE compressed length | one raw snappy block (of at most 32 KiB input)
 *
 * We encode the same way (32 KiB chunks, as SnappyOutputStream's default) so Java, librdkafka and
 * kafkajs-snappy all read it. Decoding accepts xerial-framed data (including concatenated streams,
 * which snappy-java also accepts) and raw snappy blocks, which some clients write.
 */

/** `82 53 4E 41 50 50 59 00` */
export const XERIAL_MAGIC: Buffer = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_LENGTH = 16;
/** SnappyOutputStream's default block size. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

/**
 * See inline.ts: one 32 KiB chunk or less compresses inline (~30 µs against ~50 through the pool at
 * 16 KiB; from 64 KiB the synchronous form costs more), and a compressed input below 16 KiB
 * decompresses inline (~20 µs against ~40). Larger inputs use the pool, their chunks in parallel.
 */
export const SNAPPY_INLINE: InlineLimits = { compressBelow: 32 * 1024, decompressBelow: 16 * 1024 };

export const snappy: CompressionCodec = {
  type: 'snappy',
  code: 2,
  compress: (data) => encodeXerial(data),
  decompress: (data) => decodeSnappy(data),
};

/** True when `data` starts with the xerial magic (at `offset`). */
export function hasXerialMagic(data: Uint8Array, offset = 0): boolean {
  if (data.length - offset < XERIAL_HEADER_LENGTH) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[offset + i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

async function encodeXerial(data: Uint8Array): Promise<Buffer> {
  // Chunks compress in parallel on the libuv pool; small inputs (one chunk, the common case for
  // record batches of small records) cost a single native call.
  const chunkCount = Math.max(1, Math.ceil(data.length / XERIAL_BLOCK_SIZE));
  const inline = data.length < SNAPPY_INLINE.compressBelow;
  const pending: (Buffer | Promise<Buffer>)[] = new Array<Buffer | Promise<Buffer>>(chunkCount);
  for (let i = 0; i < chunkCount; i++) {
    const chunk = data.subarray(i * XERIAL_BLOCK_SIZE, Math.min((i + 1) * XERIAL_BLOCK_SIZE, data.length));
    pending[i] = inline ? snappyNative.compressSync(chunk) : snappyNative.compress(chunk);
  }
  const blocks = await Promise.all(pending);
  let total = XERIAL_HEADER_LENGTH;
  for (const b of blocks) total += 4 + b.length;
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(1, 8); // stream format version
  out.writeInt32BE(1, 12); // minimum compatible version
  let pos = XERIAL_HEADER_LENGTH;
  for (const b of blocks) {
    out.writeInt32BE(b.length, pos);
    b.copy(out, pos + 4);
    pos += 4 + b.length;
  }
  return out;
}

async function decodeSnappy(data: Uint8Array): Promise<Buffer> {
  const inline = data.length < SNAPPY_INLINE.decompressBelow;
  if (!hasXerialMagic(data)) return uncompressRaw(data, inline);
  const view = asBuffer(data);
  const pending: Promise<Buffer>[] = [];
  let pos = 0;
  while (pos < view.length) {
    // A concatenated xerial stream repeats the header; snappy-java skips it, so do we.
    if (hasXerialMagic(view, pos)) {
      pos += XERIAL_HEADER_LENGTH;
      continue;
    }
    if (view.length - pos < 4) throw new CompressionError('snappy', `truncated xerial chunk header at byte ${pos}`);
    const length = view.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > view.length - pos) {
      throw new CompressionError('snappy', `xerial chunk of ${length} bytes at byte ${pos - 4} overruns the input`);
    }
    pending.push(uncompressRaw(view.subarray(pos, pos + length), inline));
    pos += length;
  }
  const blocks = await Promise.all(pending);
  return blocks.length === 1 && blocks[0] !== undefined ? blocks[0] : Buffer.concat(blocks);
}

async function uncompressRaw(block: Uint8Array, inline: boolean): Promise<Buffer> {
  try {
    // With asBuffer: true the native side always answers a Buffer; the declared union is for asBuffer: false.
    return (
      inline
        ? snappyNative.uncompressSync(block, { asBuffer: true })
        : await snappyNative.uncompress(block, { asBuffer: true })
    ) as Buffer;
  } catch (err) {
    throw new CompressionError('snappy', 'corrupt snappy block', { cause: err });
  }
}
