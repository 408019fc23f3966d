/**
 * The shape kafkajs's `CompressionCodecs[type]` registry expects, without importing kafkajs.
 *
 * kafkajs 2.2.4 (src/protocol/message/compression/index.js) calls the registered factory with no
 * arguments each time it needs a codec, then `codec.compress(encoder)` with its Encoder (the bytes are
 * `encoder.buffer`) and `codec.decompress(buffer)` with the compressed bytes of a record batch (or of
 * a v0/v1 wrapper message). The port never registers them: it frames Fetch and Produce itself and
 * kafkajs's table is global, shared with any kafkajs producer or consumer of the host application.
 * Code that runs kafkajs's own producer or consumer (the interop tests) wires them itself:
 *
 *   CompressionCodecs[CompressionTypes.Snappy] = kafkajsCodecFactory('snappy');
 *   // or: Object.assign(CompressionCodecs, KAFKAJS_CODEC_FACTORIES)
 */
import { gzip } from './gzip.ts';
import { lz4 } from './lz4.ts';
import { snappy } from './snappy.ts';
import type { CompressionCodec, CompressionType } from './types.ts';
import { zstd } from './zstd.ts';

/** What kafkajs passes to `compress`: its Encoder, of which only `buffer` is read. */
export interface KafkajsEncoderLike {
  readonly buffer: Buffer;
}

export interface KafkajsCodec {
  compress(encoder: KafkajsEncoderLike): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export type KafkajsCodecFactory = () => KafkajsCodec;

function adapt(codec: CompressionCodec): KafkajsCodecFactory {
  const instance: KafkajsCodec = {
    compress: (encoder) => codec.compress(encoder.buffer),
    decompress: (buffer) => codec.decompress(buffer),
  };
  return () => instance;
}

const FACTORIES = {
  gzip: adapt(gzip),
  snappy: adapt(snappy),
  lz4: adapt(lz4),
  zstd: adapt(zstd),
} as const satisfies Record<Exclude<CompressionType, 'none'>, KafkajsCodecFactory>;

/** The kafkajs factory for one codec ('none' has none: kafkajs never looks it up). */
export function kafkajsCodecFactory(type: Exclude<CompressionType, 'none'>): KafkajsCodecFactory {
  return FACTORIES[type];
}

/**
 * Factories keyed by kafkajs's `CompressionTypes` values (GZIP 1, Snappy 2, LZ4 3, ZSTD 4), ready for
 * `Object.assign(CompressionCodecs, KAFKAJS_CODEC_FACTORIES)`. GZIP is included so both directions use
 * the same zlib path as ours (kafkajs's built-in gzip is equivalent).
 */
export const KAFKAJS_CODEC_FACTORIES: Readonly<Record<1 | 2 | 3 | 4, KafkajsCodecFactory>> = {
  1: FACTORIES.gzip,
  2: FACTORIES.snappy,
  3: FACTORIES.lz4,
  4: FACTORIES.zstd,
};
