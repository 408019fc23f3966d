/**
 * Where a native codec call runs. lz4-napi, snappy and node:zlib each offer an asynchronous form,
 * run on libuv's thread pool, and a synchronous one, run on the calling thread. The pool hop costs
 * tens of microseconds of CPU per call (queueing, waking a pool thread, settling the promise)
 * whatever the size, and the natives' returned buffers cost garbage collection either way.
 * Measured in steady state with scripts/bench/codec-calls.ts (docs/benchmarks/2026-11-30-codec-calls.md):
 * a 16 KiB batch of JSON-like records, lz4-compressed, decompresses in ~20 µs of CPU inline against
 * ~65 through the pool. A mirror decompresses one fetched batch per call — 16 KiB with the Java
 * producer's default `batch.size` — so those calls run inline. Large calls stay on the pool: some
 * synchronous forms cost more there, and on the pool they overlap the event loop's own work.
 *
 * Each codec's limits (in its module) keep an inline call under ~0.3 ms of event-loop time, which
 * fetch and produce round trips do not notice. lz4 makes no native call for compressing and for the
 * frames Kafka's producers write: its block codec is WebAssembly on the event loop (lz4-block.ts),
 * a 256 KiB block per step (~0.3–0.5 ms), frames up to lz4.ts's LZ4_DECODE_INTO_MAX decoded in one.
 */
export interface InlineLimits {
  /** Inputs to compress shorter than this many bytes are compressed inline. */
  readonly compressBelow: number;
  /** Compressed inputs shorter than this many bytes are decompressed inline. */
  readonly decompressBelow: number;
}

/** A Buffer over the same bytes (the native sync entry points take Buffers, not Uint8Arrays). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
