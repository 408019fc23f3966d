import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CompressionError, type CompressionCodec } from './types.ts';

// node:zlib has zstd from Node 22.15; on an older Node this module must still load (the CLI then
// reports the Node version), so the functions are looked up when first used.
type ZstdFn = (data: Uint8Array, options?: zlib.ZstdOptions) => Promise<Buffer>;
let compressFn: ZstdFn | undefined;
let decompressFn: ZstdFn | undefined;
function zstdFn(name: 'zstdCompress' | 'zstdDecompress'): ZstdFn {
  const fn = zlib[name];
  if (typeof fn !== 'function') throw new Error(`zstd needs Node >= 22.15 (this is ${process.version})`);
  return promisify(fn) as ZstdFn;
}
const zstdCompressAsync: ZstdFn = (data, options) => (compressFn ??= zstdFn('zstdCompress'))(data, options);
const zstdDecompressAsync: ZstdFn = (data) => (decompressFn ??= zstdFn('zstdDecompress'))(data);

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
