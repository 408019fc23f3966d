import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { InlineLimits } from './inline.ts';
import { CompressionError, type CompressionCodec } from './types.ts';

// node:zlib has zstd from Node 22.15; on an older Node this module must still load (the CLI then
// reports the Node version), so the functions are looked up when first used.
type ZstdFn = (data: Uint8Array, options?: zlib.ZstdOptions) => Promise<Buffer>;
type ZstdSyncFn = (data: Uint8Array, options?: zlib.ZstdOptions) => Buffer;
type ZstdName = 'zstdCompress' | 'zstdDecompress';
const found = new Map<string, ZstdFn | ZstdSyncFn>();
function zstdFn<T extends ZstdFn | ZstdSyncFn>(name: ZstdName | `${ZstdName}Sync`): T {
  let fn = found.get(name);
  if (fn === undefined) {
    const native = zlib[name];
    if (typeof native !== 'function') throw new Error(`zstd needs Node >= 22.15 (this is ${process.version})`);
    fn = name.endsWith('Sync') ? (native as ZstdSyncFn) : (promisify(native) as ZstdFn);
    found.set(name, fn);
  }
  return fn as T;
}

/**
 * See inline.ts: node:zlib's synchronous zstd is cheaper than the pool at every size measured
 * (level 3: ~120 µs against ~260 at 64 KiB; decompressing ~70 against ~270), so the limits only
 * bound the event-loop time: ≤ ~0.3 ms per call.
 */
export const ZSTD_INLINE: InlineLimits = { compressBelow: 128 * 1024, decompressBelow: 64 * 1024 };

function zstdCompress(data: Uint8Array, options?: zlib.ZstdOptions): Promise<Buffer> | Buffer {
  return data.length < ZSTD_INLINE.compressBelow
    ? zstdFn<ZstdSyncFn>('zstdCompressSync')(data, options)
    : zstdFn<ZstdFn>('zstdCompress')(data, options);
}

function zstdDecompress(data: Uint8Array): Promise<Buffer> | Buffer {
  return data.length < ZSTD_INLINE.decompressBelow
    ? zstdFn<ZstdSyncFn>('zstdDecompressSync')(data)
    : zstdFn<ZstdFn>('zstdDecompress')(data);
}

/**
 * zstd (code 4) through node:zlib (Node >= 22.15 / 24). Java writes standard zstd frames (zstd-jni,
 * default level 3, which is also libzstd's default), so plain frames in both directions interoperate.
 */
export const zstd: CompressionCodec = {
  type: 'zstd',
  code: 4,
  async compress(data, options) {
    return options?.level === undefined
      ? zstdCompress(data)
      : zstdCompress(data, { params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level } });
  },
  async decompress(data) {
    try {
      return await zstdDecompress(data);
    } catch (err) {
      throw new CompressionError('zstd', 'corrupt or truncated zstd data', { cause: err });
    }
  },
};
