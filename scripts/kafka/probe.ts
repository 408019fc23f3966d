import { Socket } from 'node:net';

/**
 * Sends one Metadata (v1) request to host:port and returns how many brokers the cluster lists.
 * A KRaft broker lists itself only once it is registered and unfenced, so a count >= 1 means the
 * cluster can serve clients. Written against the wire format so the test bed needs no client library.
 */
export function metadataBrokerCount(host: string, port: number, timeoutMs = 2000): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const socket = new Socket();
    const clientId = Buffer.from('mm2-testbed-probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
    let at = 0;
    at = body.writeInt16BE(3, at); // api key: Metadata
    at = body.writeInt16BE(1, at); // version 1
    at = body.writeInt32BE(1, at); // correlation id
    at = body.writeInt16BE(clientId.length, at);
    at += clientId.copy(body, at);
    body.writeInt32BE(-1, at); // null topic array: no topics needed, brokers only
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);

    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`metadata probe to ${host}:${port} timed out`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      clearTimeout(timer);
      socket.destroy();
      // response: size, correlation id, brokers array (int32 count, ...)
      resolvePromise(received.readInt32BE(8));
    });
    socket.connect(port, host, () => socket.write(frame));
  });
}
