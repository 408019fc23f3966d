import { MirrorError } from '../../util/errors.ts';
import type { CompressionType } from '../port.ts';

export type { CompressionType };

/** Kafka's compression code: the low three bits of a record batch's attributes. */
export type CompressionCode = 0 | 1 | 2 | 3 | 4;

export interface CompressOptions {
  /**
   * Codec level, as Java's `compression.<codec>.level` (KIP-390). Absent: the codec's default, which
   * matches Java's (gzip 6, zstd 3). lz4 and snappy have no level here: the native codec exposes none.
   */
  level?: number;
}

/**
 * Where {@link compressInto} writes: the compressed bytes start at `headroom` of a buffer from
 * `allocate`, and the result is that buffer or its start (a codec may ask for a bound and return
 * the part it wrote; releasing the result to the pool releases the buffer).
 */
export interface CompressTarget {
  readonly headroom: number;
  /** A buffer of exactly `size` bytes (headroom included), e.g. from the data-path pool. */
  allocate(size: number): Buffer;
}

/**
 * Where {@link CompressionCodec.decompressInto} writes: a claim of at least the most bytes the
 * input can decode to, then a commit of what was written. Nothing may be awaited between the two
 * (concurrent decompressions share the target).
 */
export interface DecompressTarget {
  /** At least `max` writable bytes; only a {@link commit} keeps what is written there. */
  claim(max: number): Buffer;
  /** Keeps the first `length` bytes of the last claim and returns them. */
  commit(length: number): Buffer;
}

/** `section` copied into one claim of `target`: the form every codec without a decoder of its own takes. */
export function copyIntoTarget(target: DecompressTarget, section: Uint8Array): Buffer {
  target.claim(section.length).set(section);
  return target.commit(section.length);
}

/** One Kafka compression codec over whole buffers. Both directions run off the event loop where the codec allows. */
export interface CompressionCodec {
  readonly type: CompressionType;
  readonly code: CompressionCode;
  compress(data: Uint8Array, options?: CompressOptions): Promise<Buffer>;
  /** {@link compress} written straight into the target (no intermediate buffer); absent: compress, then copy. */
  compressInto?(data: Uint8Array, target: CompressTarget, options?: CompressOptions): Promise<Buffer>;
  decompress(data: Uint8Array): Promise<Buffer>;
  /** {@link decompress} written into the target's memory (no buffer of the codec's own); absent: decompress, then copy. */
  decompressInto?(data: Uint8Array, target: DecompressTarget): Promise<Buffer>;
}

/** A compression failure with the codec named, so a corrupt batch is reported as such (never skipped). */
export class CompressionError extends MirrorError {
  readonly codec: CompressionType;
  constructor(codec: CompressionType, message: string, options?: { cause?: unknown }) {
    super('ERR_KAFKA_COMPRESSION', `${codec}: ${message}`, { codec }, options);
    this.codec = codec;
  }
}
