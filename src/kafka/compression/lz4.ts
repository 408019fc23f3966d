import * as lz4Native from 'lz4-napi';
import { asBuffer, type InlineLimits } from './inline.ts';
import { CompressionError, type CompressionCodec } from './types.ts';
import { xxhash32 } from './xxhash32.ts';

/**
 * lz4 (code 3): the LZ4 *frame* format (magic 04 22 4D 18), as Java's Lz4BlockOutputStream writes.
 *
 * Encoding uses lz4-napi's frame encoder (lz4_flex). Its frames carry FLG 0x60 (version 01,
 * independent blocks, no block/content checksum, no content size, no dict id), a BD block-size code of
 * 4..7 and a correct header checksum: exactly what Java's Lz4BlockInputStream accepts (it rejects
 * dependent blocks, a dict id, and BD outside 4..7). The unit tests pin those header bits.
 *
 * Decoding uses lz4_flex's frame decoder. Kafka clients before 0.10 (magic v0 message sets) wrote
 * a wrong header checksum (KAFKA-3160; Java still tolerates it for magic 0), so if a frame fails to
 * decode and its HC byte is not the correct one, we retry once with the HC corrected.
 */

export const LZ4_FRAME_MAGIC = 0x184d2204;

/**
 * See inline.ts. Compressing inline is cheaper up to ~256 KiB (~210 µs against ~300 through the
 * pool) and the same at 900 KB. Decompressing inline is cheaper only for small frames (a 16 KiB
 * batch, ~4.5 KiB compressed: ~20 µs against ~65); from ~64 KiB decompressed the synchronous form
 * costs more than the pool's (lz4-napi's synchronous output buffers grow as they go).
 */
export const LZ4_INLINE: InlineLimits = { compressBelow: 256 * 1024, decompressBelow: 16 * 1024 };

export const lz4: CompressionCodec = {
  type: 'lz4',
  code: 3,
  async compress(data) {
    return data.length < LZ4_INLINE.compressBelow
      ? lz4Native.compressFrameSync(asBuffer(data))
      : lz4Native.compressFrame(data);
  },
  async decompress(data) {
    try {
      return await decompressFrame(data);
    } catch (err) {
      const fixed = withCorrectHeaderChecksum(data);
      if (fixed !== undefined) {
        try {
          return await decompressFrame(fixed);
        } catch {
          // fall through to the original error
        }
      }
      throw new CompressionError('lz4', 'corrupt or truncated lz4 frame', { cause: err });
    }
  },
};

function decompressFrame(data: Uint8Array): Promise<Buffer> {
  // The synchronous form throws where the asynchronous one rejects: both reach the caller's catch.
  return data.length < LZ4_INLINE.decompressBelow
    ? Promise.resolve(lz4Native.decompressFrameSync(asBuffer(data)))
    : lz4Native.decompressFrame(data);
}

/** The frame descriptor length (FLG, BD, optional content size, optional dict id), or undefined if not a frame. */
export function lz4FrameDescriptorLength(frame: Uint8Array): number | undefined {
  if (frame.length < 7) return undefined;
  const magic = ((frame[0] ?? 0) | ((frame[1] ?? 0) << 8) | ((frame[2] ?? 0) << 16) | ((frame[3] ?? 0) << 24)) >>> 0;
  if (magic !== LZ4_FRAME_MAGIC) return undefined;
  const flg = frame[4] ?? 0;
  return 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
}

/** The header checksum byte the spec requires: second byte of XXH32 over the descriptor. */
export function lz4HeaderChecksum(frame: Uint8Array, descriptorLength: number): number {
  return (xxhash32(frame.subarray(4, 4 + descriptorLength)) >>> 8) & 0xff;
}

/** A copy of `frame` with its HC byte corrected, or undefined when it was already correct (or no frame). */
function withCorrectHeaderChecksum(frame: Uint8Array): Buffer | undefined {
  const descriptorLength = lz4FrameDescriptorLength(frame);
  if (descriptorLength === undefined || frame.length < 4 + descriptorLength + 1) return undefined;
  const hc = lz4HeaderChecksum(frame, descriptorLength);
  if (frame[4 + descriptorLength] === hc) return undefined;
  const copy = Buffer.from(frame);
  copy[4 + descriptorLength] = hc;
  return copy;
}
