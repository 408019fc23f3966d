import Connection from 'kafkajs/src/network/connection.js';
import type { Socket } from 'node:net';
import { dataBuffers } from '../buffer-pool.ts';

/**
 * Response framing for kafkajs 2.2.4's broker connections without a `Buffer.concat` per response.
 *
 * kafkajs's `Connection.processData` (src/network/connection.js) keeps every socket chunk of a
 * response until the last one arrives, then `Buffer.concat`s them: a multi-MB fetch response is
 * held twice (the chunks, old enough by then to have left the young generation, and the copy),
 * and the copy was 4–11 % of the mirror's CPU (docs/benchmarks/README.md, profile summary). Here
 * the size prefix is read first, one buffer of exactly that size is taken (from the data-path
 * pool, src/kafka/buffer-pool.ts, when large), and each chunk is copied in as it arrives.
 *
 * Chunks are views of one read buffer shared by every socket (socket-reads.ts), valid only during
 * the call: every byte kept is copied, a response lying whole inside one chunk too, and what goes
 * to kafkajs's own framing (which keeps its chunks) is copied first.
 *
 * Responses are handed to the connection's request queue exactly as kafkajs does
 * (`fulfillRequest({ size, correlationId, payload })`, payload = after the correlation id). While
 * a SASL exchange runs (`authHandlers`), or kafkajs's own framing still holds bytes from it, the
 * data goes to kafkajs's code, which frames those responses itself.
 *
 * It changes kafkajs's class, so it runs only when a cluster is first opened (never on import),
 * and once.
 */

/** The fields of kafkajs's Connection the framing reads and writes. */
interface FramedConnection {
  socket: Socket;
  authHandlers: object | null;
  /** kafkajs's own framing: bytes it holds (SASL responses, or data that arrived during one). */
  bytesBuffered: number;
  requestQueue: { fulfillRequest(response: { size: number; correlationId: number; payload: Buffer }): void };
  /** Our framing state, per socket (a reconnect starts a new socket, and a new frame). */
  [FRAME]?: Frame;
}

const FRAME = Symbol('mm2ts:responseFrame');

/** One response being received. */
interface Frame {
  readonly socket: Socket;
  /** Bytes of the 4-byte size prefix seen so far (it can be split across chunks). */
  prefix: Buffer;
  prefixFilled: number;
  /** The response (correlation id and body) being filled, once its size is known. */
  body: Buffer | undefined;
  filled: number;
}

const SIZE_BYTES = 4;
const CORRELATION_ID_BYTES = 4;

let applied = false;

export function reassembleResponsesWithoutConcat(): void {
  if (applied) return;
  applied = true;
  const proto = Connection.prototype as unknown as { processData(this: FramedConnection, data: Buffer): void };
  const original = proto.processData;
  proto.processData = function (this: FramedConnection, data: Buffer): void {
    let frame = this[FRAME];
    if (frame === undefined || frame.socket !== this.socket) this[FRAME] = frame = newFrame(this.socket);
    const idle = frame.body === undefined && frame.prefixFilled === 0;
    if (idle && (this.authHandlers !== null || this.bytesBuffered > 0)) {
      original.call(this, Buffer.from(data));
      return;
    }
    const rest = consume(this, frame, data);
    if (rest !== undefined) original.call(this, Buffer.from(rest));
  };
}

function newFrame(socket: Socket): Frame {
  return { socket, prefix: Buffer.alloc(SIZE_BYTES), prefixFilled: 0, body: undefined, filled: 0 };
}

/**
 * Frames `data` into responses and hands each complete one on. Returns the bytes left when a SASL
 * exchange began between two responses (kafkajs's framing takes those), else undefined.
 */
function consume(connection: FramedConnection, frame: Frame, data: Buffer): Buffer | undefined {
  let at = 0;
  while (at < data.length) {
    if (frame.body === undefined) {
      if (frame.prefixFilled === 0 && connection.authHandlers !== null) return data.subarray(at);
      let size: number;
      if (frame.prefixFilled === 0 && data.length - at >= SIZE_BYTES) {
        size = data.readInt32BE(at);
        at += SIZE_BYTES;
      } else {
        const n = Math.min(SIZE_BYTES - frame.prefixFilled, data.length - at);
        data.copy(frame.prefix, frame.prefixFilled, at, at + n);
        frame.prefixFilled += n;
        at += n;
        if (frame.prefixFilled < SIZE_BYTES) return undefined;
        size = frame.prefix.readInt32BE(0);
        frame.prefixFilled = 0;
      }
      if (size < CORRELATION_ID_BYTES) {
        // Not a Kafka response: the stream is out of step and nothing after this can be trusted.
        frame.body = undefined;
        connection.socket.destroy(new Error(`broker sent a response of ${size} bytes (at least 4 expected)`));
        return undefined;
      }
      // From the data-path pool: a fetch response's holders (record-source.ts) return it once its
      // records are copied; any other response is left to the garbage collector as before.
      frame.body = dataBuffers.acquire(size);
      frame.filled = 0;
    }
    const body = frame.body;
    const n = Math.min(body.length - frame.filled, data.length - at);
    data.copy(body, frame.filled, at, at + n);
    frame.filled += n;
    at += n;
    if (frame.filled === body.length) {
      frame.body = undefined;
      deliver(connection, body);
    }
  }
  return undefined;
}

function deliver(connection: FramedConnection, response: Buffer): void {
  connection.requestQueue.fulfillRequest({
    size: response.length,
    correlationId: response.readInt32BE(0),
    payload: response.subarray(CORRELATION_ID_BYTES),
  });
}
