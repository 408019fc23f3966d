import type { Writable } from 'node:stream';
import { dataBuffers } from '../buffer-pool.ts';

/**
 * Writes one framed request to a broker socket: its header and its body's pieces in one corked
 * writev, the pieces as they are (a produce request's record batches are not copied).
 *
 * A piece in pooled memory (src/kafka/buffer-pool.ts) has the socket as one more holder until Node
 * has handed it to the kernel, or dropped it with the socket: a request its sender gave up on (a
 * timeout, a retry through another broker) can still sit in this socket's write queue when the
 * sender's owner releases the bytes, and the pool must not hand them out again under it. Without
 * this, a batch written into reused memory would go out under the abandoned request's header.
 */
export function writeRequest(socket: Writable, header: Buffer, pieces: readonly Buffer[]): void {
  socket.cork();
  socket.write(header);
  for (const piece of pieces) {
    dataBuffers.retain(piece);
    // Called once written, or with an error when the socket is destroyed first: either way done.
    socket.write(piece, () => dataBuffers.release(piece));
  }
  socket.uncork();
}
