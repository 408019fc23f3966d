import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reassembleResponsesWithoutConcat } from '../../../src/kafka/kafkajs/response-reassembly.ts';
import { seededRandom } from '../../support/seeded-random.ts';

// kafkajs's Connection class, the one the reassembly patches (CommonJS, loaded as kafkajs-interop.ts does).
const Connection = createRequire(import.meta.url)('kafkajs/src/network/connection.js') as { prototype: object };

interface Delivered {
  size: number;
  correlationId: number;
  payload: Buffer;
}

/** A kafkajs Connection without a socket: only what processData touches. */
function fakeConnection(): {
  connection: { processData(data: Buffer): void; authHandlers: object | null; socket: object };
  delivered: Delivered[];
  destroyed: unknown[];
} {
  const delivered: Delivered[] = [];
  const destroyed: unknown[] = [];
  const connection = Object.assign(Object.create(Connection.prototype) as object, {
    socket: { destroy: (err: unknown) => void destroyed.push(err) },
    authHandlers: null as object | null,
    authExpectResponse: false,
    bytesBuffered: 0,
    bytesNeeded: 4,
    chunks: [] as Buffer[],
    requestQueue: { fulfillRequest: (r: Delivered) => void delivered.push(r) },
  });
  return { connection: connection as never, delivered, destroyed };
}

/** Size-prefixed responses: correlation id, then `bodySize` bytes of a pattern. */
function response(correlationId: number, bodySize: number): Buffer {
  const out = Buffer.allocUnsafe(8 + bodySize);
  out.writeInt32BE(4 + bodySize, 0);
  out.writeInt32BE(correlationId, 4);
  for (let i = 0; i < bodySize; i++) out[8 + i] = (correlationId * 31 + i) & 0xff;
  return out;
}

describe('response reassembly (kafkajs Connection.processData)', () => {
  reassembleResponsesWithoutConcat();
  afterEach(() => vi.restoreAllMocks());

  it('frames responses cut anywhere (size prefix included) without Buffer.concat, and hands on the same payloads (seeded)', () => {
    const concat = vi.spyOn(Buffer, 'concat');
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const sizes = Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
        random() < 0.3 ? Math.floor(random() * 8) : Math.floor(random() * 300_000),
      );
      const responses = sizes.map((size, i) => response(i + 1, size));
      const stream = Buffer.concat(responses);
      concat.mockClear();
      const { connection, delivered } = fakeConnection();
      // Chunks of 1 byte to 128 KB, as a socket delivers them.
      for (let at = 0; at < stream.length;) {
        const roll = random();
        const n = roll < 0.2 ? 1 + Math.floor(random() * 5) : 1 + Math.floor(random() * 131_072);
        connection.processData(Buffer.from(stream.subarray(at, at + n)));
        at += n;
      }
      expect(concat, `seed ${seed}`).not.toHaveBeenCalled();
      expect(
        delivered.map((d) => d.correlationId),
        `seed ${seed}`,
      ).toEqual(sizes.map((_, i) => i + 1));
      for (let i = 0; i < sizes.length; i++) {
        expect(delivered[i]!.size, `seed ${seed} #${i}`).toBe(4 + sizes[i]!);
        expect(delivered[i]!.payload.equals(responses[i]!.subarray(8)), `seed ${seed} #${i}`).toBe(true);
      }
    }
  });

  it('copies every response out of its chunk: the socket read buffer holding it is overwritten by the next read', () => {
    const { connection, delivered } = fakeConnection();
    // One buffer every read lands in (socket-reads.ts): two whole responses and the start of a third…
    const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);
    const stream = Buffer.concat([response(7, 100), response(8, 3), response(9, 70_000), response(10, 20)]);
    let at = 0;
    while (at < stream.length) {
      const n = stream.copy(readBuffer, 0, at, Math.min(stream.length, at + readBuffer.length));
      connection.processData(readBuffer.subarray(0, n));
      at += n;
    }
    // …then the next read overwrote it.
    readBuffer.fill(0xee);
    expect(delivered.map((d) => d.correlationId)).toEqual([7, 8, 9, 10]);
    expect(delivered[0]!.payload.equals(response(7, 100).subarray(8))).toBe(true);
    expect(delivered[1]!.payload.equals(response(8, 3).subarray(8))).toBe(true);
    expect(delivered[2]!.payload.equals(response(9, 70_000).subarray(8))).toBe(true);
    expect(delivered[3]!.payload.equals(response(10, 20).subarray(8))).toBe(true);
    for (const d of delivered) expect(d.payload.buffer).not.toBe(readBuffer.buffer);
  });

  it('copies what it hands to kafkajs framing during a SASL exchange: kafkajs keeps chunks until a response is whole', () => {
    const { connection } = fakeConnection();
    const onSuccess = vi.fn();
    connection.authHandlers = { onSuccess, onError: vi.fn() };
    Object.assign(connection, { authExpectResponse: true });
    const readBuffer = Buffer.allocUnsafeSlow(16);
    const sasl = response(42, 20); // 28 bytes: two reads
    sasl.copy(readBuffer, 0, 0, 16);
    connection.processData(readBuffer.subarray(0, 16));
    readBuffer.fill(0xee);
    const n = sasl.copy(readBuffer, 0, 16);
    connection.processData(readBuffer.subarray(0, n));
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect((onSuccess.mock.calls[0]![0] as Buffer).equals(sasl)).toBe(true);
  });

  it('leaves a SASL exchange to kafkajs and frames again once it is over', () => {
    const { connection, delivered } = fakeConnection();
    const onSuccess = vi.fn();
    connection.processData(response(1, 10).subarray(0, 6)); // a response in progress
    connection.authHandlers = { onSuccess, onError: vi.fn() };
    Object.assign(connection, { authExpectResponse: true });
    // The rest of the response in progress is ours; the SASL response after it is kafkajs's.
    connection.processData(Buffer.concat([response(1, 10).subarray(6), response(99, 5)]));
    expect(delivered.map((d) => d.correlationId)).toEqual([1]);
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect((onSuccess.mock.calls[0]![0] as Buffer).equals(response(99, 5))).toBe(true);
    connection.authHandlers = null; // kafkajs clears it in onSuccess
    connection.processData(response(2, 4));
    expect(delivered.map((d) => d.correlationId)).toEqual([1, 2]);
  });

  it('starts a new frame on a new socket (reconnect), and closes a socket whose size prefix is impossible', () => {
    const { connection, delivered, destroyed } = fakeConnection();
    connection.processData(response(1, 50).subarray(0, 20)); // the old socket died mid-response
    connection.socket = { destroy: (err: unknown) => void destroyed.push(err) };
    connection.processData(response(2, 5));
    expect(delivered.map((d) => d.correlationId)).toEqual([2]);
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(-3, 0);
    connection.processData(bad);
    expect(destroyed).toHaveLength(1);
    expect(String(destroyed[0])).toContain('-3 bytes');
  });
});
