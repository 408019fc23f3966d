import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/kafka/buffer-pool.ts';

const KB = 1024;

describe('BufferPool (large data-path buffers handed out again)', () => {
  it('hands a released buffer out again for a size of the same class, never one still held', () => {
    const pool = new BufferPool({ minBytes: 64 * KB });
    const a = pool.acquireHeld(100 * KB);
    expect(a.length).toBe(100 * KB);
    const b = pool.acquireHeld(100 * KB);
    expect(b.buffer).not.toBe(a.buffer); // a is held
    pool.release(a);
    const c = pool.acquireHeld(120 * KB); // same power-of-two class (128 KiB)
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(120 * KB);
    expect(pool.stats()).toMatchObject({ reused: 1, allocated: 2, returned: 1 });
  });

  it('keeps a buffer out of the pool until every holder has released it', () => {
    const pool = new BufferPool({ minBytes: 64 * KB });
    const response = pool.acquire(200 * KB); // no holder yet, as the response framing gets it
    const partitionA = response.subarray(10, 20);
    const partitionB = response.subarray(30, 40);
    pool.retain(partitionA);
    pool.retain(partitionB);
    pool.release(partitionA);
    expect(pool.acquire(200 * KB).buffer).not.toBe(response.buffer);
    pool.release(partitionB);
    pool.release(partitionB); // more releases than holders do nothing
    expect(pool.stats().returned).toBe(1);
    expect(pool.acquire(200 * KB).buffer).toBe(response.buffer);
  });

  it('ignores buffers it did not hand out, and sizes outside its range', () => {
    const pool = new BufferPool({ minBytes: 64 * KB, maxBytes: 1024 * KB });
    const foreign = Buffer.allocUnsafe(100 * KB);
    pool.retain(foreign);
    pool.release(foreign);
    expect(pool.stats()).toMatchObject({ returned: 0, freeBytes: 0 });
    const small = pool.acquireHeld(1 * KB);
    const huge = pool.acquireHeld(2048 * KB);
    pool.release(small);
    pool.release(huge);
    expect(pool.stats()).toMatchObject({ allocated: 0, returned: 0 });
  });

  it('keeps at most maxFreeBytes of free capacity; the rest is left to the garbage collector', () => {
    const pool = new BufferPool({ minBytes: 64 * KB, maxFreeBytes: 256 * KB });
    const held = [1, 2, 3].map(() => pool.acquireHeld(128 * KB));
    for (const b of held) pool.release(b);
    expect(pool.stats()).toMatchObject({ returned: 2, freeBytes: 256 * KB });
  });

  it('a retain or release after the last release does not count: the buffer is the next holder’s', () => {
    const pool = new BufferPool({ minBytes: 64 * KB });
    const a = pool.acquireHeld(100 * KB);
    pool.release(a);
    pool.retain(a);
    pool.release(a);
    expect(pool.stats()).toMatchObject({ returned: 1, freeBytes: 128 * KB });
    const b = pool.acquireHeld(100 * KB);
    expect(b.buffer).toBe(a.buffer);
    pool.release(b);
    expect(pool.stats().returned).toBe(2);
  });
});
