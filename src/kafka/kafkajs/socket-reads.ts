import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { reassembleResponsesWithoutConcat } from './response-reassembly.ts';

/**
 * kafkajs's broker sockets, reading into one buffer the process owns instead of a new one per read.
 *
 * Why: Node allocates a fresh 64 KiB buffer for every socket read, and V8 counts each as external
 * memory; every ~64 MB of it starts a full (mark-compact) collection. A 1 KB-record drain reads
 * ~150 MB/s of fetch responses: 18 full collections in a 500,000-record copy, ~19 % of the
 * mirror's CPU for a heap of ~30 MB (`--trace-gc`, docs/benchmarks/2026-12-01-socket-reads.md).
 * With `onread` (net.Socket, tls.connect) the kernel's bytes land in {@link readBuffer} and no
 * read allocates anything.
 *
 * The contract this sets: a chunk handed to a socket's 'data' listeners is a view of the shared
 * buffer, valid only until the listener returns (the next read of any socket overwrites it). The
 * only listener is kafkajs's `Connection.processData`, which response-reassembly.ts replaces with
 * framing that copies every byte it keeps (into a response buffer, or into kafkajs's own framing
 * while a SASL exchange runs); this factory applies that framing, so one is never used without
 * the other. Reads are serialised on the event loop, so one buffer serves every socket.
 *
 * Otherwise the sockets are kafkajs 2.2.4's own (src/network/socketFactory.js): TLS when `ssl` is
 * set, with the host as SNI server name unless it is an IP address, and TCP keep-alive after 60 s.
 */

/** Bytes one read may take: Node's own reads take at most 64 KiB; larger ones mean fewer callbacks. */
export const READ_BUFFER_BYTES = 256 * 1024;
const KEEP_ALIVE_DELAY_MS = 60_000;

let readBuffer: Buffer | undefined;

export function socketFactoryReadingIntoOneBuffer(): ISocketFactory {
  reassembleResponsesWithoutConcat();
  return ({ host, port, ssl, onConnect }) => {
    const buffer = (readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES));
    // Returns true: false would pause the socket, and kafkajs never resumes one.
    const onread: net.OnReadOpts = {
      buffer,
      // Node passes `buffer` back as the second argument: the view is of it.
      callback: (bytes) => {
        socket.emit('data', buffer.subarray(0, bytes));
        return true;
      },
    };
    const socket: net.Socket = ssl
      ? tls.connect(
          withOnread({ host, port, ...(net.isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onread),
          onConnect,
        )
      : net.connect({ host, port, onread }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
}

/** tls.connect takes `onread` as net.connect does (Node's tls docs); @types/node leaves it out. */
function withOnread(options: tls.ConnectionOptions, onread: net.OnReadOpts): tls.ConnectionOptions {
  return { ...options, onread } as tls.ConnectionOptions;
}
