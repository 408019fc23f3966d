/**
 * Kafka compression codecs: none, gzip, snappy (xerial framing), lz4 (frame format), zstd, each
 * byte-compatible with what the Java client writes and reads. Pure functions over Buffers; no Kafka
 * client involved. See kafkajs-adapter.ts for plugging them into kafkajs.
 */
import { gzip } from './gzip.ts';
import { lz4 } from './lz4.ts';
import { none } from './none.ts';
import { snappy } from './snappy.ts';
import type {
  CompressOptions,
  CompressTarget,
  CompressionCode,
  CompressionCodec,
  CompressionType,
  DecompressTarget,
} from './types.ts';
import { copyIntoTarget } from './types.ts';
import { zstd } from './zstd.ts';

export { CompressionError, copyIntoTarget } from './types.ts';
export type {
  CompressOptions,
  CompressTarget,
  CompressionCode,
  CompressionCodec,
  CompressionType,
  DecompressTarget,
} from './types.ts';
export { kafkajsCodecFactory, KAFKAJS_CODEC_FACTORIES } from './kafkajs-adapter.ts';
export type { KafkajsCodec, KafkajsCodecFactory, KafkajsEncoderLike } from './kafkajs-adapter.ts';

export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const BY_TYPE: Readonly<Record<CompressionType, CompressionCodec>> = { none, gzip, snappy, lz4, zstd };
const BY_CODE: readonly CompressionCodec[] = [none, gzip, snappy, lz4, zstd];

/** Kafka's attribute code (0..4) for a compression type. */
export function compressionCode(type: CompressionType): CompressionCode {
  return BY_TYPE[type].code;
}

/**
 * The compression type of a Kafka attribute code. Throws on 5..7 (reserved): a batch with an
 * unknown codec must fail loudly, never be passed on as if uncompressed.
 */
export function compressionTypeOf(code: number): CompressionType {
  const codec = BY_CODE[code];
  if (codec === undefined) throw new RangeError(`unknown Kafka compression code ${code}`);
  return codec.type;
}

export function isCompressionType(value: string): value is CompressionType {
  return Object.hasOwn(BY_TYPE, value);
}

/** The codec for a type or a Kafka attribute code. */
export function codecFor(typeOrCode: CompressionType | number): CompressionCodec {
  if (typeof typeOrCode === 'number') return BY_TYPE[compressionTypeOf(typeOrCode)];
  const codec: CompressionCodec | undefined = BY_TYPE[typeOrCode];
  if (codec === undefined) throw new RangeError(`unknown compression type '${String(typeOrCode)}'`);
  return codec;
}

/** Compress `data` with the given codec. 'none' returns the input itself (no copy). */
export function compress(
  type: CompressionType | CompressionCode,
  data: Uint8Array,
  options?: CompressOptions,
): Promise<Buffer> {
  return codecFor(type).compress(data, options);
}

/**
 * Compress `data` into a buffer from `target.allocate`, the compressed bytes from `target.headroom`
 * on (a record batch's header goes before them): the codec writes there itself where it can (lz4),
 * otherwise its output is copied.
 */
export async function compressInto(
  type: CompressionType | CompressionCode,
  data: Uint8Array,
  target: CompressTarget,
  options?: CompressOptions,
): Promise<Buffer> {
  const codec = codecFor(type);
  if (codec.compressInto !== undefined) return codec.compressInto(data, target, options);
  const packed = await codec.compress(data, options);
  const out = target.allocate(target.headroom + packed.length);
  out.set(packed, target.headroom);
  return out;
}

/** Decompress `data`. Rejects with CompressionError on corrupt input. 'none' returns the input itself. */
export function decompress(type: CompressionType | CompressionCode, data: Uint8Array): Promise<Buffer> {
  return codecFor(type).decompress(data);
}

/**
 * Decompress `data` into memory claimed from `target`: the codec decodes there itself where it can
 * (lz4), otherwise its output is copied. Rejects with CompressionError on corrupt input.
 */
export async function decompressInto(
  type: CompressionType | CompressionCode,
  data: Uint8Array,
  target: DecompressTarget,
): Promise<Buffer> {
  const codec = codecFor(type);
  if (codec.decompressInto !== undefined) return codec.decompressInto(data, target);
  return copyIntoTarget(target, await codec.decompress(data));
}
