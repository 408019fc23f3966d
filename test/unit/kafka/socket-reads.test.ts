import { once } from 'node:events';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_BUFFER_BYTES, socketFactoryReadingIntoOneBuffer } from '../../../src/kafka/kafkajs/socket-reads.ts';
import { makeIdentity } from '../../support/tls-fixtures.ts';

/** Bytes a server sends: a pattern that shows any chunk read twice, lost or out of place. */
function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed + (i >>> 11)) & 0xff;
  return out;
}

/** What a socket of the factory handed its 'data' listeners: copies of the chunks, and what they were views of. */
async function readAll(socket: net.Socket): Promise<{ bytes: Buffer; stores: Set<ArrayBufferLike> }> {
  const copies: Buffer[] = [];
  const stores = new Set<ArrayBufferLike>();
  socket.on('data', (chunk: Buffer) => {
    stores.add(chunk.buffer);
    copies.push(Buffer.from(chunk)); // the listener's contract: copy what you keep
  });
  await once(socket, 'end');
  return { bytes: Buffer.concat(copies), stores };
}

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listening(server: net.Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('broker sockets read into one buffer (socketFactoryReadingIntoOneBuffer)', () => {
  it('hands every chunk of every plaintext socket over as a view of one shared buffer, in order and whole', async () => {
    const sent = [pattern(3_000_000, 1), pattern(700_000, 2)];
    let accepted = 0;
    const port = await listening(net.createServer((s) => s.end(sent[accepted++]!)));
    const factory = socketFactoryReadingIntoOneBuffer();
    const connected: number[] = [];
    const sockets = [0, 1].map((i) =>
      factory({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: () => connected.push(i) }),
    );
    const [first, second] = await Promise.all(sockets.map(readAll));
    expect(connected.sort()).toEqual([0, 1]);
    expect(first!.bytes.equals(sent[0]!)).toBe(true);
    expect(second!.bytes.equals(sent[1]!)).toBe(true);
    // One store for both sockets, of the documented size: no read allocated a buffer of its own.
    const stores = new Set([...first!.stores, ...second!.stores]);
    expect(stores.size).toBe(1);
    expect([...stores][0]!.byteLength).toBe(READ_BUFFER_BYTES);
    for (const s of sockets) s.destroy();
  });

  it('reads TLS sockets into the same buffer, naming the host for SNI unless it is an IP address', async () => {
    const identity = makeIdentity({ commonName: 'localhost', altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    const sent = pattern(1_000_000, 3);
    const serverNames: (string | false | null | undefined)[] = [];
    const port = await listening(
      tls.createServer({ key: identity.keyPem, cert: identity.certPem }, (s) => {
        serverNames.push(s.servername);
        s.end(sent);
      }),
    );
    const factory = socketFactoryReadingIntoOneBuffer();
    for (const host of ['localhost', '127.0.0.1']) {
      const socket = factory({ host, port, ssl: { ca: [identity.certPem] }, onConnect: () => undefined });
      const { bytes, stores } = await readAll(socket);
      expect(bytes.equals(sent), host).toBe(true);
      expect(stores.size, host).toBe(1);
      expect([...stores][0]!.byteLength, host).toBe(READ_BUFFER_BYTES);
      socket.destroy();
    }
    expect(serverNames).toEqual(['localhost', false]);
  });
});
