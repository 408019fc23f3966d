/**
 * What an operator reads when a cluster cannot be used: every port error names the cluster alias,
 * the broker, the operation and the cause in Kafka's terms; faults retrying cannot fix (TLS trust,
 * certificate rejected, key passphrase, unreadable PEM, SASL authentication, authorization) are not
 * retriable and carry no Node/OpenSSL advice. The errors are built in the shapes kafkajs and Node
 * produce them (kafkajs's own classes, Node's TLS error codes and texts).
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { isRetriable, kafkaErrorName } from '../../../src/kafka/index.ts';
import { KafkajsCluster } from '../../../src/kafka/kafkajs/cluster.ts';
import { KafkajsConnection } from '../../../src/kafka/kafkajs/connection.ts';
import { toPortError, type PortOrigin } from '../../../src/kafka/kafkajs/port-errors.ts';
import { KafkajsRecordSink } from '../../../src/kafka/kafkajs/record-sink.ts';
import { OAuthTokenError } from '../../../src/kafka/oauth-token.ts';
import { protocolError } from '../../../src/kafka/kafkajs/protocol-errors.ts';
import { isBenignKafkajsLine } from '../../../src/kafka/kafkajs/settings.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import type { Logger } from '../../../src/util/logger.ts';
import { silentLogger } from '../../../src/util/logger.ts';

type ErrorClass = new (...args: unknown[]) => Error;
type Retrier = <T>(fn: (bail: (e: Error) => void) => Promise<T>) => Promise<T>;

const require = createRequire(import.meta.url);
const errors = require('kafkajs/src/errors.js') as Record<string, ErrorClass>;
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Error;
};
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => Retrier;

const origin: PortOrigin = { cluster: 'eu', bootstrap: ['kafka-eu-1:9093', 'kafka-eu-2:9093'] };
const BROKER = 'kafka-eu-1:9093';

function portError(err: unknown, context: { op: string } & Record<string, unknown> = { op: 'listTopics' }) {
  const converted = toPortError(err, context, origin);
  expect(converted).toBeInstanceOf(KafkaPortError);
  return converted as KafkaPortError;
}

/** kafkajs's wrapping of a socket error (src/network/connection.js, onError). */
function kafkajsSocketError(nodeMessage: string, code: string): Error {
  return new errors.KafkaJSConnectionError!(`Connection error: ${nodeMessage}`, { broker: BROKER, code });
}

/** What kafkajs's retrier rejects with once it gave up on `error`. */
async function afterRetries(error: Error): Promise<unknown> {
  const retrier = createRetry({ retries: 1, initialRetryTime: 1, maxRetryTime: 1 });
  return retrier(() => Promise.reject(error)).then(
    () => expect.unreachable(),
    (err: unknown) => err,
  );
}

/** Nothing Node- or OpenSSL-specific reaches the operator: no flags, no raw library codes in text. */
function expectOperatorText(message: string): void {
  expect(message).not.toMatch(/--use-system-ca|--openssl-legacy-provider|Node\.js|routines::|error:[0-9A-F]{8}/);
}

describe('TLS faults: ERR_KAFKA_TLS, not retriable, naming alias, broker and the key to check', () => {
  // [Node's code, Node's message (as Node 24 words it), the fault's words, a config key it names]
  const cases: [string, string, RegExp, string][] = [
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'unable to verify the first certificate',
      /TLS: certificate not trusted/,
      'ssl.truststore.location',
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
      /TLS: certificate not trusted/,
      'ssl.truststore.location',
    ],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
      /TLS: certificate not trusted.*self-signed/,
      'ssl.truststore.location',
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      /TLS: certificate not trusted/,
      'ssl.truststore.certificates',
    ],
    ['CERT_HAS_EXPIRED', 'certificate has expired', /TLS: certificate not valid now/, 'ssl.truststore.location'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: Host: kafka-eu-1. is not in the cert's altnames: DNS:other",
      /TLS: certificate does not match the broker address/,
      'ssl.endpoint.identification.algorithm',
    ],
    [
      'ERR_SSL_TLSV1_ALERT_BAD_CERTIFICATE',
      'C0D7A1F1E77F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:916:SSL alert number 42',
      /TLS: client certificate rejected by the broker/,
      'ssl.keystore.location',
    ],
    [
      // What Node 24 (OpenSSL 3) reports when a Java broker's mTLS listener gets no client certificate.
      'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
      'C0D7A1F1E77F0000:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:ssl/record/rec_layer_s3.c:918:SSL alert number 42',
      /TLS: client certificate rejected by the broker/,
      'ssl.keystore.location',
    ],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'C0D7A1F1E77F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:916:SSL alert number 116',
      /TLS: client certificate required by the broker/,
      'ssl.keystore.location',
    ],
    [
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'C0D7A1F1E77F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      /TLS: handshake failed/,
      'security.protocol',
    ],
  ];

  it.each(cases)('%s', async (code, nodeMessage, words, key) => {
    const raw = kafkajsSocketError(nodeMessage, code);
    // As the port sees it: after kafkajs's connection retrier gave up.
    for (const thrown of [raw, await afterRetries(raw)]) {
      const err = portError(thrown);
      expect(err.code).toBe('ERR_KAFKA_TLS');
      expect(isRetriable(err)).toBe(false);
      expect(err.message).toMatch(words);
      expect(err.message).toContain(key);
      expect(err.message).toContain('cluster=eu');
      expect(err.message).toContain(`broker=${BROKER}`);
      expect(err.message).toContain('op=listTopics');
      expect(err.message).toContain(`(${code})`);
      expectOperatorText(err.message);
      expect(err.details).toMatchObject({ cluster: 'eu', broker: BROKER, op: 'listTopics', reason: code });
      expect(err.cause).toBe(thrown);
    }
  });

  it('a wrong key passphrase, as Node raises it building the TLS context: ERR_KAFKA_TLS naming ssl.key.password', () => {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-Right-4711' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    let nodeError: unknown;
    try {
      createSecureContext({ key: privateKey, passphrase: 'pw-Wrong-0815' });
    } catch (e) {
      nodeError = e;
    }
    expect((nodeError as { code?: string }).code).toBe('ERR_OSSL_BAD_DECRYPT');
    const err = portError(nodeError);
    expect(err.code).toBe('ERR_KAFKA_TLS');
    expect(isRetriable(err)).toBe(false);
    expect(err.message).toMatch(/TLS: cannot decrypt the private key.*ssl\.key\.password/);
    expect(err.message).not.toContain('pw-');
    expectOperatorText(err.message);
  });

  it("a key kafkajs could not load (its 'Failed to connect: …' without a code) is classified by OpenSSL's words", () => {
    const badDecrypt = new errors.KafkaJSConnectionError!(
      'Failed to connect: error:1C800064:Provider routines::bad decrypt',
      { broker: BROKER },
    );
    expect(portError(badDecrypt)).toMatchObject({ code: 'ERR_KAFKA_TLS', details: { retriable: false } });
    expect(portError(badDecrypt).message).toMatch(/cannot decrypt the private key/);
    const noStartLine = new errors.KafkaJSConnectionError!(
      'Failed to connect: error:0480006C:PEM routines::no start line',
      { broker: BROKER },
    );
    expect(portError(noStartLine).message).toMatch(/TLS: unreadable key material.*ssl\.keystore\.location/);
    expectOperatorText(portError(noStartLine).message);
  });

  it('unreadable PEM and a wrong passphrase fail the first call of a cluster at once, without connecting', async () => {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-Right-4711' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const cases = [
      { key: privateKey, passphrase: 'pw-Wrong-0815', words: /cannot decrypt the private key/ },
      { key: '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n', words: /unreadable/ },
    ];
    for (const { words, ...tls } of cases) {
      const cluster = new KafkajsCluster({
        clientId: 'c',
        clusterAlias: 'eu',
        // Nothing listens there: a connection attempt would fail differently.
        bootstrapServers: ['127.0.0.1:1'],
        securityProtocol: 'SSL',
        tls: { ...tls, cert: '', checkServerIdentity: true },
      });
      try {
        const started = Date.now();
        const admin = await cluster.admin();
        const err = await admin.listTopics().catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(err).toMatchObject({ code: 'ERR_KAFKA_TLS', details: { cluster: 'eu', retriable: false } });
        expect((err as Error).message).toMatch(words);
        expect((err as Error).message).not.toContain('pw-');
        const source = await cluster.recordSource();
        await expect(source.fetch([{ topic: 't', partition: 0, offset: 0n }])).rejects.toMatchObject({
          code: 'ERR_KAFKA_TLS',
        });
      } finally {
        await cluster.close();
      }
    }
  });

  it('a wrong passphrase OpenSSL does not call a bad decrypt (the garbage has valid padding) is still the passphrase', async () => {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-Right-4711' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    // About one wrong passphrase in 256 decrypts to garbage with valid padding: find one.
    let passphrase: string | undefined;
    for (let i = 0; i < 5_000 && passphrase === undefined; i++) {
      try {
        createPrivateKey({ key: privateKey, passphrase: `pw-Wrong-${i}` });
      } catch (err) {
        if (!/bad decrypt/i.test((err as Error).message)) passphrase = `pw-Wrong-${i}`;
      }
    }
    expect(passphrase, 'a wrong passphrase that gets past the padding check').toBeDefined();
    const cluster = new KafkajsCluster({
      clientId: 'c',
      clusterAlias: 'eu',
      bootstrapServers: ['127.0.0.1:1'],
      securityProtocol: 'SSL',
      tls: { key: privateKey, passphrase: passphrase!, cert: '', checkServerIdentity: true },
    });
    try {
      const err = await (await cluster.admin()).listTopics().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_KAFKA_TLS', details: { cluster: 'eu', retriable: false } });
      expect((err as Error).message).toMatch(/cannot decrypt the private key.*ssl\.key\.password/);
      expect((err as Error).message).not.toContain('pw-');
    } finally {
      await cluster.close();
    }
  });
});

describe('authentication and authorization: not retriable, in Kafka terms', () => {
  it('SASL authentication failed: ERR_KAFKA_AUTHENTICATION naming the alias, the bootstrap servers and sasl.jaas.config', async () => {
    const sasl = new errors.KafkaJSSASLAuthenticationError!(
      'SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    );
    for (const thrown of [sasl, await afterRetries(sasl)]) {
      const err = portError(thrown);
      expect(err.code).toBe('ERR_KAFKA_AUTHENTICATION');
      expect(isRetriable(err)).toBe(false);
      expect(err.message).toMatch(/^authentication failed: /);
      expect(err.message).toContain('sasl.jaas.config');
      expect(err.message).toContain('cluster=eu');
      expect(err.message).toContain('(cluster=eu bootstrap=kafka-eu-1:9093,kafka-eu-2:9093 op=listTopics)');
      // kafkajs quotes the broker's reason; it is Kafka's text and holds no secret.
      expect(err.message).toContain('invalid credentials with SASL mechanism SCRAM-SHA-256');
      expect(err.details).toMatchObject({ cluster: 'eu', op: 'listTopics', retriable: false });
    }
  });

  it('no OAUTHBEARER token: ERR_KAFKA_AUTHENTICATION naming the token endpoint key and what the endpoint answered', async () => {
    const refused = new OAuthTokenError(
      'token endpoint https://idp.example/token answered HTTP 401: check the client id and secret',
    );
    for (const thrown of [refused, await afterRetries(refused)]) {
      const err = portError(thrown);
      expect(err.code).toBe('ERR_KAFKA_AUTHENTICATION');
      expect(isRetriable(err)).toBe(false);
      expect(err.message).toMatch(/^authentication failed: no OAUTHBEARER token/);
      expect(err.message).toContain('sasl.oauthbearer.token.endpoint.url');
      expect(err.message).toContain('answered HTTP 401');
    }
  });

  it.each([
    [29, 'TOPIC_AUTHORIZATION_FAILED'],
    [30, 'GROUP_AUTHORIZATION_FAILED'],
    [31, 'CLUSTER_AUTHORIZATION_FAILED'],
  ])('Kafka error %i is KAFKA_%s, not retriable, saying which principal lacks an ACL', (code, name) => {
    const err = portError(createErrorFromCode(code), { op: 'produce', topic: 'A.orders' });
    expect(err.code).toBe(`KAFKA_${name}`);
    expect(kafkaErrorName(err)).toBe(name);
    expect(isRetriable(err)).toBe(false);
    expect(err.message).toMatch(new RegExp(`^${name}: .*lacks an ACL.*\\(cluster=eu op=produce topic=A\\.orders\\)$`));
  });
});

describe('network faults stay retriable and say what happened', () => {
  it('connection refused: ERR_KAFKA_CONNECTION, retriable, naming alias and broker', async () => {
    const refused = new errors.KafkaJSConnectionError!('Connection error: connect ECONNREFUSED 10.0.0.7:9093', {
      broker: '10.0.0.7:9093',
      code: 'ECONNREFUSED',
    });
    const err = portError(await afterRetries(refused));
    expect(err.code).toBe('ERR_KAFKA_CONNECTION');
    expect(isRetriable(err)).toBe(true);
    expect(err.message).toMatch(/^connection refused: .*\(cluster=eu broker=10\.0\.0\.7:9093 op=listTopics\)$/);
    expect(err.details).toMatchObject({ cluster: 'eu', broker: '10.0.0.7:9093', op: 'listTopics' });
  });

  it('a connection timeout without a broker names the bootstrap servers', () => {
    const err = portError(new errors.KafkaJSConnectionError!('Connection timeout'));
    expect(err.code).toBe('ERR_KAFKA_CONNECTION');
    expect(err.message).toMatch(/^connection timed out: .*bootstrap=kafka-eu-1:9093,kafka-eu-2:9093/);
  });

  it('a Kafka error raised inside a port call (a decoded response) gets the cluster added', () => {
    const inner = protocolError(3, { op: 'produce', topic: 'x', partition: 0 });
    const err = portError(inner, { op: 'produce', topic: 'x' });
    expect(err.code).toBe('KAFKA_UNKNOWN_TOPIC_OR_PARTITION');
    expect(err.message).toMatch(/^UNKNOWN_TOPIC_OR_PARTITION: .*\(cluster=eu op=produce topic=x partition=0\)$/);
    expect(err.details).toMatchObject({ cluster: 'eu', op: 'produce', topic: 'x', partition: 0, retriable: true });
    expect(isRetriable(err)).toBe(true);
    // Already placed: passed through as it is.
    expect(toPortError(err, { op: 'other' }, { cluster: 'us', bootstrap: [] })).toBe(err);
  });

  it('without an alias (a tool given bare client properties) errors name the bootstrap servers', () => {
    const err = toPortError(createErrorFromCode(3), { op: 'listOffsets' }, { bootstrap: ['h:1'] });
    expect(err.message).toContain('(bootstrap=h:1 op=listOffsets)');
  });
});

describe('logging: the cluster alias, and kafkajs chatter at debug', () => {
  it('the port logger binds cluster = alias and clientId separately', () => {
    const bindings: Record<string, unknown>[] = [];
    const logger = {
      child(b: Record<string, unknown>) {
        bindings.push(b);
        return silentLogger();
      },
    } as unknown as Logger;
    const connection = new KafkajsCluster(
      {
        clientId: 'A->B|MirrorSourceConnector|replication-target-admin',
        clusterAlias: 'B',
        bootstrapServers: ['127.0.0.1:1'],
        securityProtocol: 'PLAINTEXT',
      },
      logger,
    );
    expect(bindings).toEqual([{ cluster: 'B', clientId: 'A->B|MirrorSourceConnector|replication-target-admin' }]);
    void connection.close();
  });

  it.each([
    'Response CreateTopics(key: 19, version: 3)',
    'Response Metadata(key: 3, version: 6)',
    'Could not create topics',
    'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED',
    'Failed to connect to broker, reconnecting',
    'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    'Connection timeout',
  ])('demotes %j', (message) => {
    expect(isBenignKafkajsLine(message)).toBe(true);
  });

  it.each([
    'SASL SCRAM SHA256 authentication failed: invalid credentials',
    'Response without match',
    'Something kafkajs has never said before',
  ])('keeps %j at its level', (message) => {
    expect(isBenignKafkajsLine(message)).toBe(false);
  });
});

describe('importing the library has no global side effects', () => {
  it('leaves process.emitWarning and kafkajs CompressionCodecs untouched; opening a cluster warns of no negative timeout', () => {
    const script = `
      const kafkajs = (await import('kafkajs')).default;
      const emitWarning = process.emitWarning;
      const codecs = { ...kafkajs.CompressionCodecs };
      await import('./src/index.ts');
      const { openKafkaCluster } = await import('./src/kafka/index.ts');
      const afterImport = {
        emitWarning: process.emitWarning === emitWarning,
        codecs: JSON.stringify(Object.keys(kafkajs.CompressionCodecs)) === JSON.stringify(Object.keys(codecs)) &&
          Object.keys(codecs).every((k) => kafkajs.CompressionCodecs[k] === codecs[k]),
      };
      const cluster = openKafkaCluster({ clientId: 'c', bootstrapServers: ['127.0.0.1:1'], securityProtocol: 'PLAINTEXT' });
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.name));
      const RequestQueue = (await import('kafkajs/src/network/requestQueue/index.js')).default;
      const queue = new RequestQueue({ logger: { debug() {}, namespace() { return this; } }, clientId: 'c', broker: 'b' });
      queue.scheduleCheckPendingRequests();
      await new Promise((r) => setTimeout(r, 20));
      queue.destroy();
      await cluster.close();
      console.log(JSON.stringify({ ...afterImport, emitWarningAfterOpen: process.emitWarning === emitWarning, warnings }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      emitWarning: true,
      codecs: true,
      emitWarningAfterOpen: true,
      warnings: [],
    });
  });
});

describe('connections of a cluster', () => {
  it('the origin names the alias and bootstrap servers', () => {
    const connection = new KafkajsConnection(
      { clientId: 'c', clusterAlias: 'A', bootstrapServers: ['h:1', 'h:2'], securityProtocol: 'PLAINTEXT' },
      silentLogger(),
    );
    expect(connection.origin).toEqual({ cluster: 'A', bootstrap: ['h:1', 'h:2'] });
  });
});

describe('the record sink: a broken connection is resent, a security fault is not', () => {
  /** A sink over a connection stub whose sends fail with `failures` in turn, then succeed. */
  function sinkWith(failures: Error[]) {
    let sends = 0;
    const connection = new KafkajsConnection(
      { clientId: 'p', clusterAlias: 'us', bootstrapServers: ['us-1:9093'], securityProtocol: 'PLAINTEXT' },
      silentLogger(),
    );
    Object.assign(connection, {
      leadersOf: (topics: string[]) => Promise.resolve(new Map(topics.map((t) => [t, new Map([[0, 1]])]))),
      broker: () => Promise.resolve({}),
      send: () => {
        const failure = failures[sends++];
        if (failure) return Promise.reject(failure);
        return Promise.resolve({
          topics: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: 7n }] }],
        });
      },
    });
    return { sink: new KafkajsRecordSink(connection), sends: () => sends };
  }
  const record = { partition: 0, key: null, value: Buffer.from('v') };

  it('a connection reset is resent and the records land', async () => {
    const { sink, sends } = sinkWith([kafkajsSocketError('read ECONNRESET', 'ECONNRESET')]);
    await expect(sink.send('t', [record])).resolves.toEqual([
      { topic: 't', partition: 0, baseOffset: 7n, recordCount: 1 },
    ]);
    expect(sends()).toBe(2);
  });

  it('a TLS fault on the produce connection fails the send at once: ERR_KAFKA_TLS, not retriable', async () => {
    const { sink, sends } = sinkWith([
      kafkajsSocketError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
    ]);
    const err = await sink.send('t', [record]).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ERR_KAFKA_TLS',
      details: { cluster: 'us', broker: BROKER, op: 'produce', topic: 't', retriable: false },
    });
    expect(isRetriable(err)).toBe(false);
    expect(sends()).toBe(1);
  });
});
