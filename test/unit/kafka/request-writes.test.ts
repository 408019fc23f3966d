import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dataBuffers } from '../../../src/kafka/buffer-pool.ts';
import { writeRequest } from '../../../src/kafka/kafkajs/request-writes.ts';

/**
 * A request its sender gave up on can still sit in the socket's write queue. The pooled bytes it
 * points at must not be handed out again, and overwritten, before the socket has written them.
 */

const SIZE = 16 * 1024 * 1024; // beyond what loopback's kernel buffers take while the reader waits

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A loopback server whose first connection is not read until `resume` is called; `received` resolves with all it got. */
async function stalledReader(expected: number) {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  closers.push(() => client.destroy());
  await once(client, 'connect');
  const [peer] = await accepted;
  closers.push(() => peer.destroy());
  peer.pause();
  const chunks: Buffer[] = [];
  let length = 0;
  const received = new Promise<Buffer>((resolve) => {
    peer.on('data', (c: Buffer) => {
      chunks.push(c);
      length += c.length;
      if (length >= expected) resolve(Buffer.concat(chunks));
    });
  });
  return { client, resume: () => peer.resume(), received };
}

describe('writeRequest', () => {
  it('keeps pooled bytes from being reused while its socket still has them to write, and gives them back after', async () => {
    const header = Buffer.from([0, 0, 0, 42]);
    const { client, resume, received } = await stalledReader(header.length + SIZE);
    const batch = dataBuffers.acquireHeld(SIZE).fill(0xa1);
    writeRequest(client, header, [batch]);
    // The sender is done with it (as after a timeout and a retry acknowledged elsewhere).
    dataBuffers.release(batch);
    const next = dataBuffers.acquireHeld(SIZE).fill(0x5e);
    expect(next.buffer).not.toBe(batch.buffer);
    resume();
    const bytes = await received;
    expect(bytes.subarray(0, 4)).toEqual(header);
    expect(bytes.subarray(4).every((b) => b === 0xa1)).toBe(true);
    // Written (a later write's callback comes after it): the socket let go, so the pool hands it out again.
    await new Promise((r) => client.write(Buffer.alloc(0), r));
    dataBuffers.release(next);
    const reused = [dataBuffers.acquire(SIZE), dataBuffers.acquire(SIZE)].map((b) => b.buffer);
    expect(reused).toContain(batch.buffer);
  });

  it('gives the bytes back when the socket is destroyed before writing them', async () => {
    const { client } = await stalledReader(SIZE);
    const batch = dataBuffers.acquireHeld(SIZE);
    writeRequest(client, Buffer.alloc(4), [batch]);
    dataBuffers.release(batch);
    client.destroy();
    await once(client, 'close');
    const reused = [dataBuffers.acquire(SIZE), dataBuffers.acquire(SIZE)].map((b) => b.buffer);
    expect(reused).toContain(batch.buffer);
  });
});
