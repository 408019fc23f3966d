import type { CompressionCodec } from './types.ts';

/** No compression: the bytes pass through. The result shares memory with the input (no copy). */
export const none: CompressionCodec = {
  type: 'none',
  code: 0,
  compress: (data) => Promise.resolve(toBuffer(data)),
  decompress: (data) => Promise.resolve(toBuffer(data)),
};

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
