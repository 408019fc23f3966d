/**
 * The LZ4 block format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md): a decoder
 * writing into a buffer the caller owns, and an encoder.
 *
 * Why our own decoder: lz4-napi hands back every decompressed block in a fresh native buffer that
 * only a garbage collection frees; a drain of Java's 16 KiB lz4 batches made ~70 MB of them wait
 * for one, and they fragment malloc's heap (docs/benchmarks/2026-12-01-lz4-into.md). Decoding here
 * writes a batch's records into the fetched partition's pooled section memory (section-arena.ts).
 *
 * Why our own encoder: the same native buffers on the way out (a compressed block per call; the
 * 1 KB lz4 drain ran twice the full collections once nothing else filled the young generation,
 * docs/benchmarks/2026-12-02-transcode.md), a libuv pool hop per 256 KiB block, and lz4-napi's
 * block encoder (lz4_flex) costing more CPU than the reference one. This one is the reference
 * encoder's fast path (lz4.c `LZ4_compress_generic`, as `LZ4_compress_default` runs it) and writes
 * the same bytes as lz4-java's JNI compressor, which Kafka's producer uses
 * (test/interop/lz4-java-crosscheck.test.ts).
 *
 * Both are WebAssembly (lz4-block.wat, assembled into lz4-block.wasm.ts): the input is copied into
 * the module's memory, worked on there, and the output copied out. Decoding 16 KiB blocks of the
 * drain bench's records costs 11–14 µs of CPU a block, both copies included, against 34–43 µs for
 * the same decoder in JavaScript and 17–22 µs for lz4-napi's (docs/benchmarks/2026-12-02-lz4-wasm.md);
 * encoding figures are in scripts/bench/lz4-block-bench.ts's table (docs/benchmarks/2026-12-02-lz4-encode.md).
 *
 * Every read of the decoder is checked against the block's end and every write against `limit`: a
 * corrupt or hostile block throws {@link Lz4BlockError} and writes nothing into `dst`.
 */
import { LZ4_BLOCK_WASM } from './lz4-block.wasm.ts';

/** A block that is not valid LZ4 (the frame decoder names the codec in its error). */
export class Lz4BlockError extends Error {}

/** The module's `decode(s, to, at, limit)`: where the decoded bytes end, or a negative code below. */
type DecodeExport = (s: number, to: number, at: number, limit: number) => number;
/** The module's `encode(s, end, d, table)`: where the block written from `d` ends. */
type EncodeExport = (s: number, end: number, d: number, table: number) => number;

/** What each negative result of the module's `decode` means. */
const DECODE_ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'block ends inside a sequence',
  [-2]: 'block ends inside a literal length',
  [-3]: 'literals run past the end of the block',
  [-4]: 'decoded block is larger than its frame allows',
  [-5]: 'block ends inside a match offset',
  [-6]: 'block ends inside a match length',
  [-7]: 'match offset points before the block',
};

/** Room the module's word copies may read or write past a block's input and output (see the .wat). */
const WILD_COPY_ROOM = 16;

const WASM_PAGE = 64 * 1024;

/**
 * The parts of Node's WebAssembly API used here: TypeScript declares it in lib "dom" only, which
 * this project does not load.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * The module's one instance, and a view of its memory (replaced when the memory grows: growing
 * detaches the old buffer). Compiled on first use, synchronously: ~500 bytes. The memory grows to
 * the largest block and output seen and stays: ~2 MiB at most, as frames that decode to more than
 * lz4.ts's LZ4_DECODE_INTO_MAX are not decoded here.
 */
let instance: { decode: DecodeExport; encode: EncodeExport; memory: WasmMemory; bytes: Uint8Array } | undefined;

function lz4Module(): NonNullable<typeof instance> {
  if (instance === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const exports = new wasm.Instance(new wasm.Module(Buffer.from(LZ4_BLOCK_WASM, 'base64')), {}).exports;
    const memory = exports['memory'] as WasmMemory;
    instance = {
      decode: exports['decode'] as DecodeExport,
      encode: exports['encode'] as EncodeExport,
      memory,
      bytes: new Uint8Array(memory.buffer),
    };
  }
  return instance;
}

/**
 * Decodes the block `src[from, to)` into `dst` from `at`, writing nothing at or past `limit`;
 * returns where the decoded bytes end. Matches may reach back to `at` only (an independent block).
 */
export function decodeLz4Block(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  at: number,
  limit: number,
): number {
  if (from < 0 || from > to || to > src.length || at < 0 || at > limit || limit > dst.length) {
    throw new Lz4BlockError('block bounds outside the buffers');
  }
  const wasm = lz4Module();
  // The module's memory: the block at 0, its output from the next 8-byte boundary past the room.
  const inputLength = to - from;
  const outputAt = (inputLength + WILD_COPY_ROOM + 7) & ~7;
  reserve(wasm, outputAt + (limit - at) + WILD_COPY_ROOM);
  wasm.bytes.set(src.subarray(from, to), 0);
  const end = wasm.decode(0, inputLength, outputAt, outputAt + (limit - at));
  if (end < 0) throw new Lz4BlockError(DECODE_ERRORS[end] ?? `decoder failed (${end})`);
  dst.set(wasm.bytes.subarray(outputAt, end), at);
  return at + (end - outputAt);
}

/**
 * The most bytes a block of `compressed` bytes can decode to: each input byte yields at most 255
 * (a match length's extension byte), and a first sequence of 3 bytes up to 19.
 */
export function lz4BlockOutputBound(compressed: number): number {
  return compressed * 255 + 19;
}

/** Grows the module's memory to at least `needed` bytes. */
function reserve(wasm: NonNullable<typeof instance>, needed: number): void {
  if (needed > wasm.bytes.length) {
    wasm.memory.grow(Math.ceil((needed - wasm.bytes.length) / WASM_PAGE));
    wasm.bytes = new Uint8Array(wasm.memory.buffer);
  }
}

/** The most bytes LZ4 compresses `n` bytes to (lz4.h `LZ4_COMPRESSBOUND`). */
export function lz4BlockCompressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

/** The encoder's hash table: 8192 four-byte entries at the start of the module's memory. */
const ENCODE_TABLE_BYTES = 32 * 1024;

/**
 * Compresses `src[from, to)` as one independent LZ4 block and returns its bytes: a view of the
 * module's memory, valid until the next call into this module (copy it out before). A block that
 * does not shrink is returned all the same; the frame writer stores such input as it is.
 */
export function encodeLz4Block(src: Uint8Array, from: number, to: number): Uint8Array {
  if (from < 0 || from > to || to > src.length) throw new Lz4BlockError('block bounds outside the buffer');
  const wasm = lz4Module();
  // The module's memory: the hash table, the input, then its output, each followed by the room.
  const inputAt = ENCODE_TABLE_BYTES;
  const outputAt = (inputAt + (to - from) + WILD_COPY_ROOM + 7) & ~7;
  reserve(wasm, outputAt + lz4BlockCompressBound(to - from) + WILD_COPY_ROOM);
  wasm.bytes.set(src.subarray(from, to), inputAt);
  const end = wasm.encode(inputAt, inputAt + (to - from), outputAt, 0);
  return wasm.bytes.subarray(outputAt, end);
}
