import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import * as lz4Native from 'lz4-napi';
import { asBuffer } from './inline.ts';
import { decodeLz4Block, encodeLz4Block, lz4BlockOutputBound } from './lz4-block.ts';
import {
  CompressionError,
  copyIntoTarget,
  type CompressTarget,
  type CompressionCodec,
  type DecompressTarget,
} from './types.ts';
import { xxhash32 } from './xxhash32.ts';

/**
 * lz4 (code 3): the LZ4 *frame* format (magic 04 22 4D 18), as Java's Lz4BlockOutputStream writes.
 *
 * Encoding writes frames of 256 KiB blocks: FLG 0x60 (version 01, independent blocks, no
 * block/content checksum, no content size, no dict id), BD 0x50 (256 KiB; 0x40, Java's 64 KiB, for
 * inputs of one such block or less, so small batches are byte for byte Java's), the header checksum,
 * then each 256 KiB of input as one block, compressed by lz4-block.ts's encoder (the reference
 * encoder's fast path, the same blocks as Java's lz4-java writes) or stored as it is when
 * compressing does not make it smaller (high bit of the block size, as Java's
 * `KafkaLZ4BlockOutputStream` does), then the end mark: what Java's `KafkaLZ4BlockInputStream`
 * reads (it accepts BD 4..7 and rejects dependent blocks and a dict id). The block size, measured
 * in the lz4 drains (docs/benchmarks/2026-11-30-lz4-blocks.md): lz4-napi's own frame encoder picks
 * 4 MiB blocks for a ~900 KB batch, allocating ~8 MiB of buffers per call on the pool threads
 * (peak RSS ~30 MB higher); Java's producer default, 64 KiB, made the target broker spend
 * 60–80 % more CPU per record validating 100 B records (and the drain 17–20 % slower).
 * The unit tests pin the header bits and block sizes.
 *
 * Decoding into a target (`decompressInto`: a fetched partition's pooled section memory) parses the
 * frame here and decodes its blocks with lz4-block.ts when the frame is what Kafka's producers
 * write (independent blocks, no block or content checksum, no dict id) and decodes to at most
 * {@link LZ4_DECODE_INTO_MAX} bytes; any other frame, and plain `decompress`, use lz4_flex's frame
 * decoder. Kafka clients before 0.10 (magic v0 message sets) wrote a wrong header checksum
 * (KAFKA-3160; Java still tolerates it for magic 0), so if a frame fails to decode and its HC byte
 * is not the correct one, we retry once with the HC corrected; decoding here does not read the HC.
 */

export const LZ4_FRAME_MAGIC = 0x184d2204;

/**
 * See inline.ts. Only lz4_flex's frame decoder (frames not decoded here) is a native call:
 * inline it is cheaper for small frames only (a 16 KiB batch, ~4.5 KiB compressed: ~20 µs against
 * ~65); from ~64 KiB decompressed the synchronous form costs more than the pool's (lz4-napi's
 * synchronous output buffers grow as they go). Compression does not use lz4-napi (lz4-block.ts).
 */
export const LZ4_DECOMPRESS_INLINE_BELOW = 16 * 1024;

export const lz4: CompressionCodec = {
  type: 'lz4',
  code: 3,
  compress: (data) => compressFrame(data, undefined),
  compressInto: (data, target) => compressFrame(data, target),
  decompressInto(data, target) {
    try {
      const plan = plainFramePlan(data);
      if (plan !== undefined) return Promise.resolve(decodeFrameInto(data, plan, target));
    } catch (err) {
      return Promise.reject(new CompressionError('lz4', 'corrupt or truncated lz4 frame', { cause: err }));
    }
    // Not a frame we decode here (or too large for the event loop): lz4_flex's, then one copy.
    return lz4.decompress(data).then((section) => copyIntoTarget(target, section));
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
  return data.length < LZ4_DECOMPRESS_INLINE_BELOW
    ? Promise.resolve(lz4Native.decompressFrameSync(asBuffer(data)))
    : lz4Native.decompressFrame(data);
}

/**
 * Frames that decode to more than this (a bound from the block sizes) are decoded by lz4-napi on
 * the pool: decoding here runs on the event loop at ~1.2–1.5 GB/s (scripts/bench/lz4-block-bench.ts),
 * so 1 MiB is ~0.7–0.9 ms, and a default producer's batches (16 KiB) and ours (at most 900,000
 * bytes) stay below it.
 */
export const LZ4_DECODE_INTO_MAX = 1024 * 1024;

/** Where a plain frame's blocks start and the most bytes they can decode to. */
interface FramePlan {
  readonly blocksAt: number;
  /** The frame's block size (BD): no block decodes to more. */
  readonly blockMax: number;
  readonly bound: number;
}

/**
 * The plan for a frame decoded here, or undefined for one that is not (a different FLG, a dict id,
 * checksums, a larger bound). Walks the block sizes once: a frame whose blocks run past its end
 * throws.
 */
function plainFramePlan(frame: Uint8Array): FramePlan | undefined {
  const descriptorLength = lz4FrameDescriptorLength(frame);
  if (descriptorLength === undefined) return undefined;
  const flg = frame[4]!;
  const bd = frame[5]!;
  // Version 01, independent blocks; no block checksum, content checksum, reserved bit or dict id.
  // A content size (0x08) is only skipped.
  if ((flg & 0xf7) !== 0x60) return undefined;
  const blockCode = (bd >> 4) & 7;
  if (blockCode < 4 || (bd & 0x8f) !== 0) return undefined;
  const blockMax = 1 << (2 * blockCode + 8);
  const blocksAt = 4 + descriptorLength + 1;
  let pos = blocksAt;
  let bound = 0;
  for (;;) {
    if (pos + 4 > frame.length) throw new RangeError('frame ends before its end mark');
    const word = readUInt32LE(frame, pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax || pos + size > frame.length) throw new RangeError('block runs past the frame');
    bound += word >>> 31 === 1 ? size : Math.min(blockMax, lz4BlockOutputBound(size));
    pos += size;
  }
  return bound <= LZ4_DECODE_INTO_MAX ? { blocksAt, blockMax, bound } : undefined;
}

/** Decodes a planned frame's blocks into one claim of the target (nothing awaited in between). */
function decodeFrameInto(frame: Uint8Array, plan: FramePlan, target: DecompressTarget): Buffer {
  const out = target.claim(plan.bound);
  let pos = plan.blocksAt;
  let written = 0;
  for (;;) {
    const word = readUInt32LE(frame, pos);
    pos += 4;
    if (word === 0) return target.commit(written);
    const size = word & 0x7fffffff;
    if (word >>> 31 === 1) {
      out.set(frame.subarray(pos, pos + size), written);
      written += size;
    } else {
      const limit = written + Math.min(plan.blockMax, lz4BlockOutputBound(size));
      written = decodeLz4Block(frame, pos, pos + size, out, written, limit);
    }
    pos += size;
  }
}

function readUInt32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Input bytes per block of the frames we write for inputs over 64 KiB (BD code 5; see the module doc). */
export const LZ4_BLOCK_BYTES = 256 * 1024;

/** Java's `KafkaLZ4BlockOutputStream.BLOCKSIZE_64KB`, the block size its producer writes. */
const JAVA_BLOCK_BYTES = 64 * 1024;

/** Magic, FLG 0x60, BD, and their header checksum. */
function frameHeader(bd: number): Buffer {
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, bd, 0]);
  header[6] = lz4HeaderChecksum(header, 2);
  return header;
}

/**
 * Inputs of one 64 KiB block or less get Java's own header (BD 0x40): one block either way, and the
 * frame is then byte for byte what Java's producer writes (test/unit/kafka/java-fixtures.test.ts).
 */
const JAVA_FRAME_HEADER = frameHeader(0x40);
const FRAME_HEADER = frameHeader(0x50);

/** lz4-napi's block encoder prefixes each block with its uncompressed length (4 bytes, little-endian). */
export const BLOCK_SIZE_PREFIX = 4;

/**
 * The frame, written from `target.headroom` of the target's buffer when there is one (no copy of
 * the frame). Each block is compressed on the event loop (lz4-block.ts, ~0.3–0.5 ms for 256 KiB of
 * records), and a frame of several blocks lets the loop run in between. The buffer is sized for
 * every block stored (no block is written larger than its input) and the frame is the part of it
 * written.
 */
async function compressFrame(data: Uint8Array, target: CompressTarget | undefined): Promise<Buffer> {
  const count = Math.ceil(data.length / LZ4_BLOCK_BYTES);
  const header = data.length <= JAVA_BLOCK_BYTES ? JAVA_FRAME_HEADER : FRAME_HEADER;
  const headroom = target?.headroom ?? 0;
  const size = headroom + header.length + 4 * count + data.length + 4; // blocks as stored, end mark
  const out = target === undefined ? Buffer.allocUnsafe(size) : target.allocate(size);
  let pos = headroom + header.copy(out, headroom);
  for (let i = 0; i < count; i++) {
    if (i > 0) await nextLoopTurn();
    const start = i * LZ4_BLOCK_BYTES;
    const end = Math.min(start + LZ4_BLOCK_BYTES, data.length);
    const packed = encodeLz4Block(data, start, end);
    if (packed.length < end - start) {
      out.writeUInt32LE(packed.length, pos);
      out.set(packed, pos + 4);
      pos += 4 + packed.length;
    } else {
      out.writeUInt32LE(((end - start) | 0x80000000) >>> 0, pos); // stored: compressing did not help
      out.set(data.subarray(start, end), pos + 4);
      pos += 4 + end - start;
    }
  }
  out.writeUInt32LE(0, pos); // end mark
  return out.subarray(0, pos + 4);
}

/** The frame descriptor length (FLG, BD, optional content size, optional dict id), or undefined if not a frame. */
export function lz4FrameDescriptorLength(frame: Uint8Array): number | undefined {
  if (frame.length < 7) return undefined;
  if (readUInt32LE(frame, 0) !== LZ4_FRAME_MAGIC) return undefined;
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
