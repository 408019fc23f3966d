import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { InlineLimits } from './inline.ts';
import { CompressionError, type CompressionCodec } from './types.ts';

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

/**
 * See inline.ts: node:zlib's synchronous forms are cheaper at every size measured (inflating a
 * 64 KiB batch ~80 µs against ~330 through the pool), but level-6 deflate is slow (~95 µs for
 * 16 KiB, ~740 for 64 KiB), so only small inputs compress inline: ≤ ~0.3 ms per call.
 */
export const GZIP_INLINE: InlineLimits = { compressBelow: 16 * 1024, decompressBelow: 64 * 1024 };

/**
 * gzip (code 1), as Java's GZIPOutputStream writes it. Java's default level is Deflater's 6, the same
 * as zlib's, so the default output ratio matches. Decoding accepts concatenated gzip members (Java's
 * GZIPInputStream does too).
 */
export const gzip: CompressionCodec = {
  type: 'gzip',
  code: 1,
  async compress(data, options) {
    const zlibOptions = options?.level === undefined ? {} : { level: options.level };
    return data.length < GZIP_INLINE.compressBelow ? zlib.gzipSync(data, zlibOptions) : gzipAsync(data, zlibOptions);
  },
  async decompress(data) {
    try {
      return data.length < GZIP_INLINE.decompressBelow ? zlib.gunzipSync(data) : await gunzipAsync(data);
    } catch (err) {
      throw new CompressionError('gzip', 'corrupt or truncated gzip data', { cause: err });
    }
  },
};
