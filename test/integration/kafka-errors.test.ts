/**
 * Errors that say where and why, with real sockets: a TLS listener whose certificate the client
 * does not trust, one whose certificate names another host, a loopback port nothing listens on,
 * and the test brokers. Each failure must reach the caller within seconds (not after kafkajs's
 * minute of connection retries), name the cluster alias, the broker address and the operation,
 * and be retriable only when retrying can help.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetriable, kafkaErrorName, openKafkaCluster, type KafkaCluster } from '../../src/kafka/index.ts';
import { KafkaPortError } from '../../src/util/errors.ts';
import { testKafka, uniqueName } from '../support/kafka.ts';

/** "A few seconds": kafkajs's connection retrier used to take about a minute for these. */
const FAST_MS = 8_000;
/** A produce to a topic the broker does not know: the sink's retries for a topic that may be just created, plus margin. */
const UNKNOWN_TOPIC_MS = 18_000;

interface LogLine {
  level: number;
  msg: string;
  cluster?: string;
  clientId?: string;
  kafkajs?: string;
}

/** A pino logger at debug that keeps its lines, parsed. */
function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Runs `call`, expecting a rejection; returns the error and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ err: KafkaPortError; ms: number }> {
  const started = Date.now();
  const err = await call().then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  );
  const ms = Date.now() - started;
  expect(err).toBeInstanceOf(KafkaPortError);
  return { err: err as KafkaPortError, ms };
}

/** A self-signed certificate for CN=localhost (no IP SAN), made with the openssl CLI. */
function selfSigned(dir: string, name = 'server'): { cert: string; key: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, `${name}-key.pem`),
      '-out',
      join(dir, `${name}-cert.pem`),
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return {
    cert: readFileSync(join(dir, `${name}-cert.pem`), 'utf8'),
    key: readFileSync(join(dir, `${name}-key.pem`), 'utf8'),
  };
}

function listen(server: TlsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A loopback port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on the loopback `port` (bounded). */
async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a TLS listener the client cannot trust', () => {
  let dir: string;
  let server: TlsServer;
  let port: number;
  let material: { cert: string; key: string };
  const opened: KafkaCluster[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm2ts-tls-'));
    material = selfSigned(dir);
    server = createTlsServer({ cert: material.cert, key: material.key }, (socket) => socket.destroy());
    // Handshake failures surface as server errors too; they are what this test provokes.
    server.on('tlsClientError', () => undefined);
    port = await listen(server);
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((c) => c.close()));
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function open(tls: { ca?: string; checkServerIdentity: boolean }, logger?: pino.Logger): KafkaCluster {
    const cluster = openKafkaCluster(
      {
        clientId: 'A->B|MirrorSourceConnector|replication-source-admin',
        clusterAlias: 'A',
        bootstrapServers: [`127.0.0.1:${port}`],
        securityProtocol: 'SSL',
        tls,
      },
      logger,
    );
    opened.push(cluster);
    return cluster;
  }

  it('an untrusted self-signed certificate: ERR_KAFKA_TLS within seconds, naming alias and broker, not retriable', async () => {
    const { logger, lines } = capturingLogger();
    const admin = await open({ checkServerIdentity: true }, logger).admin();
    const { err, ms } = await failure(() => admin.listTopics());
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(isRetriable(err)).toBe(false);
    expect(ms).toBeLessThan(FAST_MS);
    expect(err.message).toMatch(/^TLS: certificate not trusted: .*self-signed/);
    expect(err.message).toContain('ssl.truststore.location');
    expect(err.message).toContain(`(cluster=A broker=127.0.0.1:${port} op=listTopics)`);
    expect(err.message).not.toMatch(/--use-system-ca|--openssl-legacy-provider|Node\.js/);
    expect(err.details).toMatchObject({ cluster: 'A', broker: `127.0.0.1:${port}`, op: 'listTopics' });
    // The client's own log lines name the alias, not the client id.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ cluster: 'A', clientId: expect.stringContaining('A->B') });
  });

  it('a trusted certificate that does not name the broker address: ERR_KAFKA_TLS (host mismatch), not retriable', async () => {
    const admin = await open({ ca: material.cert, checkServerIdentity: true }).admin();
    const { err, ms } = await failure(() => admin.listTopics());
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(isRetriable(err)).toBe(false);
    expect(ms).toBeLessThan(FAST_MS);
    expect(err.message).toMatch(/^TLS: certificate does not match the broker address: .*ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(err.details).toMatchObject({ cluster: 'A', broker: `127.0.0.1:${port}` });
  });

  it('the data path fails the same way (fetch through the record source)', async () => {
    const source = await open({ checkServerIdentity: true }).recordSource();
    const { err, ms } = await failure(() => source.fetch([{ topic: 't', partition: 0, offset: 0n }]));
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(ms).toBeLessThan(FAST_MS);
    expect(err.details).toMatchObject({ cluster: 'A', broker: `127.0.0.1:${port}`, op: 'fetch' });
  });
});

describe('a TLS listener that requires a client certificate (ssl.client.auth = required)', () => {
  let dir: string;
  let server: ChildProcess;
  let port: number;
  let serverMaterial: { cert: string; key: string };
  let strangerMaterial: { cert: string; key: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm2ts-mtls-'));
    serverMaterial = selfSigned(dir, 'server');
    strangerMaterial = selfSigned(dir, 'stranger');
    port = await closedPort();
    // OpenSSL's test server, not Node's: like a Kafka broker (Java's SSLEngine) it answers a
    // missing or untrusted client certificate with a TLS alert; Node's server just drops the
    // socket. It trusts only its own certificate as a client CA.
    server = spawn(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-cert',
        join(dir, 'server-cert.pem'),
        '-key',
        join(dir, 'server-key.pem'),
        '-CAfile',
        join(dir, 'server-cert.pem'),
        '-Verify',
        '1',
        '-verify_return_error',
        '-quiet',
      ],
      { stdio: 'ignore' },
    );
    await listening(port, 10_000);
  });

  afterAll(() => {
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function listTopicsWith(client: { cert?: string; key?: string }) {
    const cluster = openKafkaCluster({
      clientId: 'c',
      clusterAlias: 'us',
      bootstrapServers: [`127.0.0.1:${port}`],
      securityProtocol: 'SSL',
      // The server's certificate is trusted and its name not checked: only the client side is at fault.
      tls: { ca: serverMaterial.cert, checkServerIdentity: false, ...client },
    });
    try {
      const admin = await cluster.admin();
      return await failure(() => admin.listTopics());
    } finally {
      await cluster.close();
    }
  }

  it('no client certificate: ERR_KAFKA_TLS (certificate required) within seconds, not retriable', async () => {
    const { err, ms } = await listTopicsWith({});
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(isRetriable(err)).toBe(false);
    expect(ms).toBeLessThan(FAST_MS);
    expect(err.message).toMatch(/^TLS: client certificate required by the broker: .*ssl\.keystore\.location/);
    expect(err.details).toMatchObject({ cluster: 'us', broker: `127.0.0.1:${port}` });
  });

  it('a client certificate the broker does not trust: ERR_KAFKA_TLS (rejected) within seconds, not retriable', async () => {
    const { err, ms } = await listTopicsWith(strangerMaterial);
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(isRetriable(err)).toBe(false);
    expect(ms).toBeLessThan(FAST_MS);
    expect(err.message).toMatch(/^TLS: client certificate rejected by the broker: .*ssl\.keystore\.location/);
    expect(err.details).toMatchObject({ cluster: 'us', broker: `127.0.0.1:${port}` });
  });
});

describe('a bootstrap address nothing listens on', () => {
  it('fails within seconds with a retriable ERR_KAFKA_CONNECTION naming alias and address', async () => {
    const port = await closedPort();
    const cluster = openKafkaCluster({
      clientId: 'mm2-worker-shared-admin',
      clusterAlias: 'eu',
      bootstrapServers: [`127.0.0.1:${port}`],
      securityProtocol: 'PLAINTEXT',
    });
    try {
      const admin = await cluster.admin();
      const { err, ms } = await failure(() => admin.listTopics());
      expect(err.code).toBe('ERR_KAFKA_CONNECTION');
      expect(isRetriable(err)).toBe(true);
      expect(ms).toBeLessThan(FAST_MS);
      expect(err.message).toMatch(/^connection refused: /);
      expect(err.message).toContain(`cluster=eu broker=127.0.0.1:${port} op=listTopics`);
      expect(err.details).toMatchObject({ cluster: 'eu', broker: `127.0.0.1:${port}`, op: 'listTopics' });

      // A later call tries again (a failed connect is not remembered): same error, again fast.
      const again = await failure(() => admin.describeTopics(['t']));
      expect(again.err.code).toBe('ERR_KAFKA_CONNECTION');
      expect(again.ms).toBeLessThan(FAST_MS);

      const sink = await cluster.recordSink();
      const produce = await failure(() => sink.send('t', [{ partition: 0, key: null, value: Buffer.from('v') }]));
      expect(produce.err.code).toBe('ERR_KAFKA_CONNECTION');
      expect(isRetriable(produce.err)).toBe(true);
      expect(produce.ms).toBeLessThan(FAST_MS);
      expect(produce.err.details).toMatchObject({ cluster: 'eu', op: 'produce', topic: 't' });
    } finally {
      await cluster.close();
    }
  });
});

describe('against the test brokers', () => {
  const { clusters } = testKafka();
  let cluster: KafkaCluster;
  let capture: ReturnType<typeof capturingLogger>;

  beforeAll(() => {
    capture = capturingLogger();
    cluster = openKafkaCluster(
      {
        clientId: 'A->B|MirrorSourceConnector|replication-target-admin',
        clusterAlias: 'B',
        bootstrapServers: [clusters['B']!],
        securityProtocol: 'PLAINTEXT',
      },
      capture.logger,
    );
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('a normal admin call works; creating a topic that exists is a result, not a warning', async () => {
    const admin = await cluster.admin();
    const topic = uniqueName('errors');
    expect(await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }])).toEqual([{ name: topic }]);
    expect(await admin.listTopics()).toContain(topic);
    expect(await admin.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }])).toEqual([
      { name: topic, error: 'TOPIC_ALREADY_EXISTS' },
    ]);
    // kafkajs logs the CreateTopics error response; it is no problem, so not a warning.
    const warnings = capture.lines.filter((l) => l.level >= 40);
    expect(warnings).toEqual([]);
    expect(capture.lines.some((l) => l.level === 20 && /^Response CreateTopics/.test(l.msg))).toBe(true);
    for (const line of capture.lines) expect(line.cluster).toBe('B');
  });

  it('a produce to a topic that does not exist: a Kafka-named error with the alias, within seconds', async () => {
    const sink = await cluster.recordSink();
    const topic = uniqueName('missing');
    const { err, ms } = await failure(() => sink.send(topic, [{ partition: 0, key: null, value: Buffer.from('v') }]));
    expect(kafkaErrorName(err)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(err.message).toMatch(/^UNKNOWN_TOPIC_OR_PARTITION: /);
    expect(err.message).toContain('cluster=B');
    expect(err.details).toMatchObject({ cluster: 'B', op: 'produce', topic });
    // The sink retries a topic the broker does not know for ~11 s (src/kafka/kafkajs/produce-dispatcher.ts:
    // a just-created topic's metadata lags that long when many are created at once; Java's producer
    // waits max.block.ms = 60 s), then names it.
    expect(ms).toBeLessThan(UNKNOWN_TOPIC_MS);
  });
});
