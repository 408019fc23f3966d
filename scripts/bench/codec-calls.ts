/**
 * Micro-benchmark of one native codec call, through libuv's pool (the asynchronous form) and inline
 * (the synchronous form), per codec, direction and input size, next to what our codec
 * (src/kafka/compression) does at that size. Single stream, one call at a time.
 *
 *   node --expose-gc scripts/bench/codec-calls.ts [--seconds 1.5]
 *
 * Prints a markdown table of CPU microseconds per call — user + system of the whole process, so pool
 * threads count, and garbage collection too: each cell runs long enough (default 1.5 s) for the
 * returned buffers' collection to be part of the steady state — which is what the inline limits in
 * src/kafka/compression/inline.ts are chosen from.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import * as lz4Native from 'lz4-napi';
import * as snappyNative from 'snappy';
import { compress, decompress, type CompressionType } from '../../src/kafka/compression/index.ts';
import { cpuMicrosPerCall } from './cpu-per-call.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1.5;
// With --expose-gc each cell starts from a collected heap, so one cell's garbage is not charged to the next.
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const SIZES = [4_096, 16_384, 65_536, 262_144, 900_000];

/** JSON-like values inside record framing, as the drain benchmark writes them. */
function payload(bytes: number): Buffer {
  let seed = 0x2545f491;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
  let s = '';
  while (s.length < bytes)
    s += `\u0000\u0002\u0004{"id":${rnd()},"user":"u${rnd() % 1000}","event":"page_view","path":"/p/${rnd() % 50}"}`;
  return Buffer.from(s.slice(0, bytes), 'latin1');
}

/** CPU microseconds per call over SECONDS, from a collected heap, after a warm-up. */
function cost(call: () => unknown): Promise<number> {
  collect();
  return cpuMicrosPerCall(call, SECONDS, 50);
}

interface Forms {
  pool: (data: Buffer) => Promise<Buffer>;
  inline: (data: Buffer) => Buffer;
}
const gzipPool = promisify(zlib.gzip);
const gunzipPool = promisify(zlib.gunzip);
const zstdPool = promisify(zlib.zstdCompress);
const unzstdPool = promisify(zlib.zstdDecompress);
const CODECS: Record<Exclude<CompressionType, 'none'>, { compress: Forms; decompress: Forms }> = {
  lz4: {
    compress: { pool: (d) => lz4Native.compressFrame(d), inline: (d) => lz4Native.compressFrameSync(d) },
    decompress: { pool: (d) => lz4Native.decompressFrame(d), inline: (d) => lz4Native.decompressFrameSync(d) },
  },
  snappy: {
    compress: { pool: (d) => snappyNative.compress(d), inline: (d) => snappyNative.compressSync(d) },
    decompress: {
      pool: async (d) => (await snappyNative.uncompress(d, { asBuffer: true })) as Buffer,
      inline: (d) => snappyNative.uncompressSync(d, { asBuffer: true }) as Buffer,
    },
  },
  zstd: {
    compress: { pool: (d) => zstdPool(d), inline: (d) => zlib.zstdCompressSync(d) },
    decompress: { pool: (d) => unzstdPool(d), inline: (d) => zlib.zstdDecompressSync(d) },
  },
  gzip: {
    compress: { pool: (d) => gzipPool(d), inline: (d) => zlib.gzipSync(d) },
    decompress: { pool: (d) => gunzipPool(d), inline: (d) => zlib.gunzipSync(d) },
  },
};

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const lines = [
  `Node ${process.version}; ${SECONDS} s per cell; CPU µs per call (lower is cheaper); input = uncompressed bytes.`,
  '',
  '| codec | input | compressed/raw | compress: pool | inline | ours | decompress: pool | inline | ours |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const [type, forms] of Object.entries(CODECS) as [Exclude<CompressionType, 'none'>, (typeof CODECS)['lz4']][]) {
  for (const size of SIZES) {
    const raw = payload(size);
    const packed = forms.compress.inline(raw);
    const cells = [
      await cost(() => forms.compress.pool(raw)),
      await cost(() => forms.compress.inline(raw)),
      await cost(() => compress(type, raw)),
      await cost(() => forms.decompress.pool(packed)),
      await cost(() => forms.decompress.inline(packed)),
      await cost(() => decompress(type, packed)),
    ];
    lines.push(`| ${type} | ${fmt(size)} B | ${(packed.length / size).toFixed(2)} | ${cells.map(fmt).join(' | ')} |`);
  }
}
console.log(lines.join('\n'));
