/**
 * Large buffers of the data path handed out again once their holders say they are done: fetch
 * response bodies (response-reassembly.ts, released by the source task once every record read from
 * them is acknowledged by the target) and encoded record batches (protocol/encode.ts, released by
 * the record sink once the batch is acknowledged).
 *
 * Why: a backlog drain allocated a fresh multi-MB buffer per fetch response and a fresh ~900 KB
 * one per produced batch, ~1 GB per 500,000 × 1 KB records. Fresh memory costs page faults on
 * first touch, and external memory that grows makes V8 run full garbage collections to find the
 * buffers it may free; a reused buffer costs neither (scripts/bench: ~5× less CPU per GB copied
 * into a reused buffer than into fresh ones on the project machine). It also caps what the drain
 * holds: the same few buffers circulate instead of garbage waiting for the next collection.
 *
 * Safety rests on one rule: a buffer returns to the pool only when every holder that
 * {@link BufferPool.retain}ed it has {@link BufferPool.release}d it. Holders that never release
 * (any other reader of a response, a failed send) simply leave the buffer to the garbage
 * collector, as before: the pool tracks leased buffers weakly and never hands out one that is
 * still held. A buffer not from this pool (a view into a socket chunk, a small response) is ignored
 * by retain and release.
 */

/** Below this size Node's own allocator (its 8 KiB slab, or a small malloc) is cheap enough. */
const DEFAULT_MIN_BYTES = 64 * 1024;
/** Free buffers kept for reuse at most (bytes of capacity): what a drain cycles, not what it peaks at. */
const DEFAULT_MAX_FREE_BYTES = 48 * 1024 * 1024;
/** Buffers above this are never pooled (a rare huge response should not pin its memory). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface BufferPoolOptions {
  minBytes?: number;
  maxBytes?: number;
  maxFreeBytes?: number;
}

export interface BufferPoolStats {
  /** Buffers handed out from the free lists. */
  reused: number;
  /** Buffers allocated because no free one of the size class was there. */
  allocated: number;
  /** Buffers returned to the free lists. */
  returned: number;
  /** Capacity currently in the free lists (bytes). */
  freeBytes: number;
}

export class BufferPool {
  readonly #minBytes: number;
  readonly #maxBytes: number;
  readonly #maxFreeBytes: number;
  /** Free backing stores by capacity (a power of two). */
  readonly #free = new Map<number, ArrayBuffer[]>();
  /** Holders of every buffer handed out and not yet returned; weak, so a dropped one is simply collected. */
  readonly #held = new WeakMap<ArrayBuffer, { holders: number }>();
  readonly #stats: BufferPoolStats = { reused: 0, allocated: 0, returned: 0, freeBytes: 0 };

  constructor(options: BufferPoolOptions = {}) {
    this.#minBytes = options.minBytes ?? DEFAULT_MIN_BYTES;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxFreeBytes = options.maxFreeBytes ?? DEFAULT_MAX_FREE_BYTES;
  }

  /**
   * A buffer of exactly `size` bytes whose content is undefined (like `Buffer.allocUnsafe`). From
   * the pool when `size` is in its range: then it has no holder yet — the first {@link retain}
   * makes one, or {@link acquireHeld} does both.
   */
  acquire(size: number): Buffer {
    if (size < this.#minBytes || size > this.#maxBytes) return Buffer.allocUnsafe(size);
    const capacity = capacityFor(size);
    const free = this.#free.get(capacity);
    let store = free?.pop();
    if (store !== undefined) {
      this.#stats.reused++;
      this.#stats.freeBytes -= capacity;
    } else {
      this.#stats.allocated++;
      store = Buffer.allocUnsafeSlow(capacity).buffer as ArrayBuffer;
    }
    this.#held.set(store, { holders: 0 });
    return Buffer.from(store, 0, size);
  }

  /** {@link acquire} with one holder already: the caller releases it once when done. */
  acquireHeld(size: number): Buffer {
    const buffer = this.acquire(size);
    this.retain(buffer);
    return buffer;
  }

  /** One more holder of the pooled buffer `view` points into; nothing for any other buffer. */
  retain(view: Uint8Array): void {
    const held = this.#held.get(view.buffer as ArrayBuffer);
    if (held !== undefined) held.holders++;
  }

  /**
   * One holder fewer; the last one returns the buffer to the pool, after which its bytes may be
   * overwritten at any time. Releasing more often than retaining, or a buffer not from this pool,
   * does nothing.
   */
  release(view: Uint8Array): void {
    const store = view.buffer as ArrayBuffer;
    const held = this.#held.get(store);
    if (held === undefined || held.holders <= 0) return;
    if (--held.holders > 0) return;
    this.#held.delete(store);
    const capacity = store.byteLength;
    if (this.#stats.freeBytes + capacity > this.#maxFreeBytes) return;
    let free = this.#free.get(capacity);
    if (free === undefined) this.#free.set(capacity, (free = []));
    free.push(store);
    this.#stats.freeBytes += capacity;
    this.#stats.returned++;
  }

  stats(): BufferPoolStats {
    return { ...this.#stats };
  }
}

/** The power of two at or above `size`: few size classes, and untouched capacity costs no memory. */
function capacityFor(size: number): number {
  return 2 ** Math.ceil(Math.log2(size));
}

/** The process's pool of large data-path buffers (fetch responses, encoded batches). */
export const dataBuffers = new BufferPool();
