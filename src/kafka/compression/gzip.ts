import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CompressionError, type CompressionCodec } from './types.ts';

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

/**
 * gzip (code 1), as Java's GZIPOutputStream writes it. Java's default level is Deflater's 6, the same
 * as zlib's, so the default output ratio matches. Decoding accepts concatenated gzip members (Java's
 * GZIPInputStream does too).
 */
export const gzip: CompressionCodec = {
  type: 'gzip',
  code: 1,
  compress: (data, options) =>
    options?.level === undefined ? gzipAsync(data) : gzipAsync(data, { level: options.level }),
  async decompress(data) {
    try {
      return await gunzipAsync(data);
    } catch (err) {
      throw new CompressionError('gzip', 'corrupt or truncated gzip data', { cause: err });
    }
  },
};
