import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CompressionError, type CompressionCodec } from './types.ts';

const zstdCompressAsync = promisify(zlib.zstdCompress);
const zstdDecompressAsync = promisify(zlib.zstdDecompress);

/**
 * zstd (code 4) through node:zlib (Node >= 22.15 / 24). Java writes standard zstd frames (zstd-jni,
 * default level 3, which is also libzstd's default), so plain frames in both directions interoperate.
 */
export const zstd: CompressionCodec = {
  type: 'zstd',
  code: 4,
  compress: (data, options) =>
    options?.level === undefined
      ? zstdCompressAsync(data)
      : zstdCompressAsync(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level } }),
  async decompress(data) {
    try {
      return await zstdDecompressAsync(data);
    } catch (err) {
      throw new CompressionError('zstd', 'corrupt or truncated zstd data', { cause: err });
    }
  },
};
