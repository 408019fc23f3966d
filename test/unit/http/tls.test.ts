import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import {
  createAuthenticator,
  httpsServerOptions,
  readHttpSettings,
  startHttpServer,
  startHttpServers,
  type HttpServer,
  type HttpsServerOptions,
} from '../../../src/http/index.ts';
import { loadKeyMaterial } from '../../../src/config/key-material.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { httpsRequest, makeTestCerts, type TestCerts } from '../../support/tls-certs.ts';

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});

// With the Kafka clients' store loader, as src/cli/http-config-source.ts hands it in.
const read = (values: Record<string, string>): HttpsServerOptions =>
  httpsServerOptions(
    (k) => values[k],
    () => Object.keys(values),
    (props) => loadKeyMaterial(props),
  );

describe('HTTPS listener settings (Connect key names)', () => {
  it('reads a PEM key store file under listeners.https.* and ignores the top-level ssl.* then (all or nothing)', () => {
    const options = read({
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.location': certs.serverStoreFile,
      // Top-level keys are the Kafka clients' here: not the listener's, since a prefixed key is set.
      'ssl.keystore.type': 'JKS',
      'ssl.client.auth': 'required',
    });
    expect(options.cert).toContain('BEGIN CERTIFICATE');
    expect(options.key).toContain('PRIVATE KEY');
    expect(options.clientAuth).toBe('none');
  });

  it('falls back to the top-level ssl.* keys when no listeners.https.* key is set, as Connect', () => {
    const options = read({
      'ssl.keystore.certificate.chain': certs.serverCert,
      'ssl.keystore.key': certs.serverKey,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certs.caFile,
      'ssl.client.auth': 'requested',
      'ssl.enabled.protocols': 'TLSv1.3',
    });
    expect(options).toMatchObject({
      clientAuth: 'requested',
      ca: certs.caCert,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'no key store',
      {},
      /^an https listener needs a certificate and its key: set ssl\.keystore\.type = PEM with ssl\.keystore\.location/,
    ],
    [
      'a JKS key store',
      { 'listeners.https.ssl.keystore.type': 'JKS', 'listeners.https.ssl.keystore.location': '/x.jks' },
      /^listeners\.https\.ssl\.keystore\.location.*\/x\.jks/,
    ],
    [
      'a PKCS12 trust store',
      { 'ssl.keystore.location': 'STORE', 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': '/t.p12' },
      /^ssl\.truststore\.location.*\/t\.p12/,
    ],
    [
      'a binary key store without a type (Java default JKS)',
      { 'ssl.keystore.location': 'BINARY' },
      /^ssl\.keystore\.(location|password)/,
    ],
    [
      'a missing file',
      { 'ssl.keystore.location': '/nope.pem' },
      /^ssl\.keystore\.location = \/nope\.pem: cannot read the file \(ENOENT\)/,
    ],
    ['a chain without its key', { 'ssl.keystore.certificate.chain': 'CERT' }, /must be given together/],
    [
      'a key that does not match the chain',
      { 'ssl.keystore.certificate.chain': 'CERT', 'ssl.keystore.key': 'OTHER_KEY' },
      /^the HTTPS key store .* cannot be used: .*; check the PEM key/,
    ],
    [
      'client auth without a trust store',
      { 'ssl.keystore.location': 'STORE', 'ssl.client.auth': 'required' },
      /^ssl\.client\.auth = required needs the CA certificates client certificates are checked against/,
    ],
    [
      'an unknown client auth mode',
      { 'ssl.keystore.location': 'STORE', 'ssl.client.auth': 'want' },
      /^ssl\.client\.auth = want: expected required, requested or none/,
    ],
    [
      'TLSv1.1',
      { 'ssl.keystore.location': 'STORE', 'ssl.enabled.protocols': 'TLSv1.1,TLSv1.2' },
      /^ssl\.enabled\.protocols: TLSv1\.1 not offered/,
    ],
  ])('%s is a start-up error naming the key', (_what, values, message) => {
    const binary = join(certs.dir, 'store.jks');
    writeFileSync(binary, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    const other = makeOtherKey();
    const filled = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        v === 'STORE'
          ? certs.serverStoreFile
          : v === 'BINARY'
            ? binary
            : v === 'CERT'
              ? certs.serverCert
              : v === 'OTHER_KEY'
                ? other
                : v,
      ]),
    );
    expect(() => read(filled)).toThrow(message);
    try {
      read(filled);
    } catch (err) {
      // Never key material in the message.
      expect(String((err as Error).message)).not.toContain('PRIVATE KEY');
    }
  });
});

function makeOtherKey(): string {
  return certs.client.key;
}

describe('HTTPS server with client certificates (real TLS)', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(clientAuth: 'none' | 'requested' | 'required', withAuth = false): Promise<string> {
    const metrics = createApplianceMetrics({ processMetrics: false });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      health: () => ({ status: 'healthy' }),
      logger: silentLogger(),
      https: read({
        'listeners.https.ssl.keystore.type': 'PEM',
        'listeners.https.ssl.keystore.location': certs.serverStoreFile,
        'listeners.https.ssl.truststore.type': 'PEM',
        'listeners.https.ssl.truststore.location': certs.caFile,
        'listeners.https.ssl.client.auth': clientAuth,
      }),
      ...(withAuth ? { auth: createAuthenticator({ bearerTokens: ['t0k'] })! } : {}),
    });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    return server.url;
  }

  it('serves with PKCS12 and JKS key and trust stores (openssl, keytool), as Connect reads them', async () => {
    const p12 = join(certs.dir, 'rest.p12');
    const jks = join(certs.dir, 'rest.jks');
    const trustJks = join(certs.dir, 'trust.jks');
    const keyFile = join(certs.dir, 'rest.key');
    const certFile = join(certs.dir, 'rest.crt');
    writeFileSync(keyFile, certs.serverKey);
    writeFileSync(certFile, certs.serverCert);
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      certFile,
      '-inkey',
      keyFile,
      '-out',
      p12,
      '-passout',
      'pass:st0re-pw',
    ]);
    execFileSync(
      'keytool',
      [
        '-importkeystore',
        '-srckeystore',
        p12,
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        'st0re-pw',
        '-destkeystore',
        jks,
        '-deststoretype',
        'JKS',
        '-deststorepass',
        'st0re-pw',
        '-destkeypass',
        'st0re-pw',
        '-noprompt',
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'keytool',
      [
        '-importcert',
        '-file',
        certs.caFile,
        '-alias',
        'ca',
        '-keystore',
        trustJks,
        '-storetype',
        'JKS',
        '-storepass',
        'tru5t-pw',
        '-noprompt',
      ],
      { stdio: 'ignore' },
    );
    const stores: Record<string, string>[] = [
      { 'listeners.https.ssl.keystore.type': 'PKCS12', 'listeners.https.ssl.keystore.location': p12 },
      // No type: Java's default, JKS.
      { 'listeners.https.ssl.keystore.location': jks, 'listeners.https.ssl.key.password': 'st0re-pw' },
    ];
    for (const store of stores) {
      const metrics = createApplianceMetrics({ processMetrics: false });
      server = await startHttpServer({
        host: '127.0.0.1',
        port: 0,
        registry: metrics.registry,
        health: () => ({ status: 'healthy' }),
        logger: silentLogger(),
        https: read({
          ...store,
          'listeners.https.ssl.keystore.password': 'st0re-pw',
          'listeners.https.ssl.truststore.type': 'JKS',
          'listeners.https.ssl.truststore.location': trustJks,
          'listeners.https.ssl.truststore.password': 'tru5t-pw',
          'listeners.https.ssl.client.auth': 'required',
        }),
      });
      expect((await httpsRequest(`${server.url}/metrics`, { ca: certs.caCert, cert: certs.client })).status).toBe(200);
      await expect(httpsRequest(`${server.url}/metrics`, { ca: certs.caCert })).rejects.toThrow();
      await server.close();
      server = undefined;
    }
    // A wrong store password names the key, never the password.
    expect(() =>
      read({
        'listeners.https.ssl.keystore.type': 'PKCS12',
        'listeners.https.ssl.keystore.location': p12,
        'listeners.https.ssl.keystore.password': 'wrong-pw',
      }),
    ).toThrow(/^listeners\.https\.ssl\.keystore\.password/);
  }, 30_000); // keytool starts a JVM twice

  it('required: answers only clients with a certificate the trust store signed', async () => {
    const url = await start('required');
    expect((await httpsRequest(`${url}/metrics`, { ca: certs.caCert, cert: certs.client })).status).toBe(200);
    await expect(httpsRequest(`${url}/metrics`, { ca: certs.caCert })).rejects.toThrow();
    await expect(httpsRequest(`${url}/metrics`, { ca: certs.caCert, cert: certs.stranger })).rejects.toThrow();
  });

  it('requested: answers clients without a certificate, refuses an untrusted one (as Java)', async () => {
    const url = await start('requested');
    expect((await httpsRequest(`${url}/metrics`, { ca: certs.caCert })).status).toBe(200);
    expect((await httpsRequest(`${url}/metrics`, { ca: certs.caCert, cert: certs.client })).status).toBe(200);
    await expect(httpsRequest(`${url}/metrics`, { ca: certs.caCert, cert: certs.stranger })).rejects.toThrow();
  });

  it('none: plain server authentication; HTTP authentication still applies on top', async () => {
    const url = await start('none', true);
    expect((await httpsRequest(`${url}/health`, { ca: certs.caCert })).status).toBe(200);
    expect((await httpsRequest(`${url}/metrics`, { ca: certs.caCert })).status).toBe(401);
    expect(
      (await httpsRequest(`${url}/metrics`, { ca: certs.caCert, headers: { authorization: 'Bearer t0k' } })).status,
    ).toBe(200);
    // A client that does not trust the CA refuses the server.
    await expect(httpsRequest(`${url}/health`, { ca: certs.stranger.cert })).rejects.toThrow(
      /self-signed|unable to verify|certificate/i,
    );
  });

  it('serves no plain HTTP on an https listener', async () => {
    const url = await start('none');
    const plain = url.replace('https://', 'http://');
    await expect(fetch(`${plain}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });
});

describe("startHttpServers: one server per listener (Connect's listeners)", () => {
  let servers: HttpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const appOptions = () => ({
    registry: createApplianceMetrics({ processMetrics: false }).registry,
    health: () => ({ status: 'healthy' as const }),
    logger: silentLogger(),
  });

  it('serves plain HTTP and HTTPS side by side, with the same authentication', async () => {
    const tls = read({ 'ssl.keystore.location': certs.serverStoreFile });
    servers = await startHttpServers(
      {
        listeners: [
          { spec: { protocol: 'http', host: '127.0.0.1', port: 0, key: 'listeners' } },
          { spec: { protocol: 'https', host: '127.0.0.1', port: 0, key: 'listeners' }, tls },
        ],
        auth: createAuthenticator({ bearerTokens: ['t0k'] })!,
        warnings: [],
      },
      appOptions(),
    );
    expect(servers.map((s) => s.url.split(':')[0])).toEqual(['http', 'https']);
    const [plain, secure] = servers.map((s) => s.url);
    expect((await fetch(`${plain}/metrics`)).status).toBe(401);
    expect((await fetch(`${plain}/metrics`, { headers: { authorization: 'Bearer t0k' } })).status).toBe(200);
    expect((await httpsRequest(`${secure}/metrics`, { ca: certs.caCert })).status).toBe(401);
    expect(
      (await httpsRequest(`${secure}/metrics`, { ca: certs.caCert, headers: { authorization: 'Bearer t0k' } })).status,
    ).toBe(200);
  });

  it('closes the servers already listening when a later listener cannot listen', async () => {
    const taken = await startHttpServer({ ...appOptions(), host: '127.0.0.1', port: 0 });
    servers = [taken];
    const takenPort = Number(new URL(taken.url).port);
    const freeNow = await startHttpServer({ ...appOptions(), host: '127.0.0.1', port: 0 });
    const firstPort = Number(new URL(freeNow.url).port);
    await freeNow.close();
    await expect(
      startHttpServers(
        {
          listeners: [
            { spec: { protocol: 'http', host: '127.0.0.1', port: firstPort, key: 'listeners' } },
            { spec: { protocol: 'http', host: '127.0.0.1', port: takenPort, key: 'listeners' } },
          ],
          warnings: [],
        },
        appOptions(),
      ),
    ).rejects.toMatchObject({ code: 'ERR_HTTP_LISTEN' });
    // The first one was closed again: its port is free.
    const again = await startHttpServer({ ...appOptions(), host: '127.0.0.1', port: firstPort });
    servers.push(again);
  });
});

describe('readHttpSettings: an https listener', () => {
  it('reads its TLS settings and warns about the Java TLS tuning it does not apply', () => {
    const values: Record<string, string> = {
      listeners: 'https://127.0.0.1:0',
      'listeners.https.ssl.keystore.location': certs.serverStoreFile,
      'listeners.https.ssl.cipher.suites': 'TLS_AES_128_GCM_SHA256',
      // The Kafka clients' (a listeners.https.* key is set): not the listener's concern.
      'ssl.provider': 'SunJSSE',
    };
    const settings = readHttpSettings({
      value: (k) => values[k],
      keys: () => Object.keys(values),
      readProperties: () => new Map(),
      baseDir: '/',
    });
    expect(settings.listeners[0]?.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(settings.warnings).toEqual([
      {
        key: 'listeners.https.ssl.cipher.suites',
        message: "listeners.https.ssl.cipher.suites is not applied to the HTTPS listener: Node's TLS defaults are used",
      },
    ]);
  });
});
