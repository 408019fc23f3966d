import { dataBuffers, type BufferPool } from './buffer-pool.ts';
import type { DecompressTarget } from './compression/index.ts';

/** Chunk size: a fetched partition's decompressed batches (16 KiB each from a default producer) share a few of these. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Pooled memory for the decompressed records sections of one fetched partition, released with it.
 *
 * Why: a codec hands back each decompressed section in a fresh buffer that only a garbage
 * collection frees, and the records decoded from it stay alive until the target acknowledged them,
 * long enough to be promoted: at the peak of a 100 B lz4 drain ~55 MB of such buffers waited for
 * a full collection (docs/benchmarks/2026-11-30-section-arena.md). Here sections are slices of a
 * few pooled chunks that return to the pool when the partition is released: lz4 decodes into
 * them directly (a {@link DecompressTarget}); other codecs' output is copied in at once (a memcpy),
 * so their buffer dies young. A partition decoded again after its release gets chunks nobody
 * releases: the garbage collector takes them, as any buffer not returned.
 */
export class SectionArena implements DecompressTarget {
  readonly #pool: BufferPool;
  readonly #chunks: Buffer[] = [];
  #current: Buffer | undefined;
  #used = 0;

  constructor(pool: BufferPool = dataBuffers) {
    this.#pool = pool;
  }

  /**
   * At least `max` writable bytes after what earlier commits keep (a chunk of its own when the
   * current one has less room left).
   */
  claim(max: number): Buffer {
    if (this.#current === undefined || this.#current.length - this.#used < max) {
      this.#current = this.#pool.acquireHeld(Math.max(CHUNK_BYTES, max));
      this.#chunks.push(this.#current);
      this.#used = 0;
    }
    return this.#current.subarray(this.#used);
  }

  /** Keeps the first `length` bytes of the last {@link claim}: they stay valid until {@link release}. */
  commit(length: number): Buffer {
    const current = this.#current;
    if (current === undefined || this.#used + length > current.length)
      throw new RangeError(`commit of ${length} bytes exceeds the last claim`);
    const slice = current.subarray(this.#used, this.#used + length);
    this.#used += length;
    return slice;
  }

  /** Returns every chunk to the pool: no copy handed out may be read afterwards. */
  release(): void {
    for (const chunk of this.#chunks) this.#pool.release(chunk);
    this.#chunks.length = 0;
    this.#current = undefined;
    this.#used = 0;
  }
}
