/**
 * kafkajs internals for cross-checking our codecs in unit tests (tests may use kafkajs as a
 * reference implementation; production code outside src/kafka/ may not). Loaded with require
 * because kafkajs's protocol modules are CommonJS files without type declarations.
 */
import { createRequire } from 'node:module';
import { KAFKAJS_CODEC_FACTORIES } from '../../../src/kafka/compression/index.ts';

const require = createRequire(import.meta.url);

/** kafkajs's Long (a long.js wrapper). */
export interface KLong {
  toString(): string;
}
interface KEncoder {
  buffer: Buffer;
}
interface KDecoded {
  firstOffset: string;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  records: {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | null | (Buffer | null)[]>;
  }[];
}

export const KafkaLong = require('kafkajs/src/utils/long.js') as { fromValue(v: string | number | bigint): KLong };
const Encoder = require('kafkajs/src/protocol/encoder.js') as {
  new (): KEncoder & { writeVarInt(v: number): KEncoder; writeVarLong(v: KLong): KEncoder };
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
}) => KEncoder;
const kafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(args: Record<string, unknown>): Promise<KEncoder>;
};
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  d: unknown,
) => Promise<KDecoded>;
const kafkajsCompression = require('kafkajs/src/protocol/message/compression/index.js') as {
  Codecs: Record<number, unknown>;
};

// kafkajs ships only gzip; give it our codecs so it can encode/decode every compression.
Object.assign(kafkajsCompression.Codecs, KAFKAJS_CODEC_FACTORIES);

export const kafkajs = {
  Encoder,
  encodeRecord: kafkajsRecord,
  async encodeBatch(args: Record<string, unknown>): Promise<Buffer> {
    return (await kafkajsBatch.RecordBatch(args)).buffer;
  },
  decodeBatch(buf: Buffer): Promise<KDecoded> {
    return kafkajsBatchDecoder(new Decoder(buf));
  },
};
