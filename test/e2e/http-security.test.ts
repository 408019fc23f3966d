import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/kafka/ports.ts';
import { scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { openTestCluster, requireSasl, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, propertiesWith, spawnMirrorMaker, type RunningMirrorMaker } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords } from '../support/records.ts';
import { httpsRequest, makeTestCerts, type HttpsAnswer } from '../support/tls-certs.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The operator API as an operator secures it: HTTPS from a PEM key store, basic auth whose
 * password comes from a config provider file, a Kafka password from the same file. Real HTTPS
 * requests (node's https trusting the test CA) check the answers; every log line and every
 * response body of the run is searched for the secrets.
 */
describe('operator API security (HTTPS, basic auth, secrets)', () => {
  const kafka = testKafka();
  const running: RunningMirrorMaker[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });

  const writeFiles = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'mm2ts-sec-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('serves every endpoint over HTTPS only with valid credentials (except /health); no secret in any log line or response', async () => {
    const sasl = requireSasl(kafka);
    const certs = makeTestCerts();
    const prefix = uniqueName('sec');
    const topic = `${prefix}-t`;
    const httpPassword = `http-pw-${randomBytes(8).toString('hex')}`;
    const kafkaPassword = sasl.users.admin.password;
    const jaas = scramJaasConfig(sasl.users.admin);
    const port = await freePort();
    const dir = writeFiles({
      'secrets.properties': `http.password=${httpPassword}\nsource.jaas=${jaas}\n`,
    });
    const properties = propertiesWith(baseProperties(kafka.clusters), {
      'A->B.enabled': 'true',
      'A->B.topics': `${prefix}.*`,
      'B->A.enabled': 'false',
      'config.providers': 'file',
      'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      'A.bootstrap.servers': sasl.clusters['A']!,
      'A.security.protocol': 'SASL_PLAINTEXT',
      'A.sasl.mechanism': 'SCRAM-SHA-512',
      'A.sasl.jaas.config': `\${file:${dir}/secrets.properties:source.jaas}`,
      'mm2ts.http.listener': `https://127.0.0.1:${port}`,
      'listeners.https.ssl.keystore.type': 'PEM',
      'listeners.https.ssl.keystore.location': certs.serverStoreFile,
      'mm2ts.http.auth.basic.username': 'ops',
      'mm2ts.http.auth.basic.password': `\${file:${dir}/secrets.properties:http.password}`,
    });
    const file = join(dir, 'mm2.properties');
    writeFileSync(file, properties);
    const previousLevel = process.env['E2E_LOG_LEVEL'];
    // DEBUG: the most lines to search (every request, client and config detail).
    process.env['E2E_LOG_LEVEL'] = 'debug';
    const mm = spawnMirrorMaker(file, port);
    if (previousLevel === undefined) delete process.env['E2E_LOG_LEVEL'];
    else process.env['E2E_LOG_LEVEL'] = previousLevel;
    running.push(mm);

    const base = `https://127.0.0.1:${port}`;
    const answers: HttpsAnswer[] = [];
    const good = { authorization: `Basic ${Buffer.from(`ops:${httpPassword}`).toString('base64')}` };
    const get = async (path: string, headers: Record<string, string> = good): Promise<HttpsAnswer> => {
      const a = await httpsRequest(`${base}${path}`, { ca: certs.caCert, headers });
      answers.push(a);
      return a;
    };

    // Records written on A before the mirror runs arrive on B: the Kafka password from the provider works.
    const a = openTestCluster(kafka.clusters['A']!);
    const b = openTestCluster(kafka.clusters['B']!);
    try {
      await (await a.admin()).createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
      await (await a.recordSink()).send(topic, makeRecords(20, 1, 3));
      await waitFor(
        `/ready 200 over HTTPS with credentials (log: ${mm.output().slice(-2000)})`,
        () => get('/ready'),
        (r) => r.status === 200,
        60_000,
      );
      const adminB = await b.admin();
      await waitFor(
        'the records on B',
        () => endOffsets(adminB, `A.${topic}`),
        (ends) => ends.get(0) === 20n,
        30_000,
      );
    } finally {
      await a.close();
      await b.close();
    }

    // Every endpoint on this branch: 200 with credentials, 401 without or with wrong ones (but /health).
    const endpoints = ['/', '/ready', '/status', '/metrics', '/health'];
    for (const path of endpoints) {
      expect((await get(path)).status, `GET ${path} with credentials`).toBe(200);
      const wrongPassword = { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` };
      for (const headers of [{}, wrongPassword]) {
        const answer = await get(path, headers);
        if (path === '/health') {
          expect(answer.status, `GET /health, ${JSON.stringify(headers)}`).toBe(200);
          continue;
        }
        expect(answer.status, `GET ${path}, ${JSON.stringify(headers)}`).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Basic realm="mirrormaker-ts", charset="UTF-8"');
        expect(JSON.parse(answer.body)).toMatchObject({ error_code: 401 });
      }
    }
    expect((await get('/status')).body).toContain('"route":"A->B"');
    expect((await get('/nope')).status).toBe(404);
    // The https listener serves no plain HTTP.
    await expect(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();

    expect(await mm.stop()).toBe(0);
    const log = mm.output();
    // Requests are logged at INFO with method, path, status; the scrapes at DEBUG.
    expect(log).toMatch(/"level":30[^\n]*"method":"GET","path":"\/status","status":401[^\n]*"msg":"HTTP request"/);
    expect(log).toMatch(/"level":30[^\n]*"method":"GET","path":"\/status","status":200[^\n]*"user":"ops"/);
    const everything = [log, ...answers.map((x) => `${JSON.stringify(x.headers)}\n${x.body}`)].join('\n');
    for (const secret of [httpPassword, kafkaPassword, good.authorization.slice('Basic '.length)]) {
      expect(everything.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in the logs or a response`).toBe(
        false,
      );
    }
  });

  it('an unhonourable listener stops the start (exit 2, Java\'s "Stopping due to error") with a message naming the key', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { 'mm2ts.http.listener': 'ftp://127.0.0.1:PORT' },
        /mm2ts\.http\.listener = ftp:\/\/127\.0\.0\.1:\d+: protocol ftp is not served \(only http and https are\); expected host:port, http:\/\/host:port or https:\/\/host:port/,
      ],
      [
        { listeners: 'https://127.0.0.1:PORT' },
        /an https listener needs a certificate and its key: set ssl\.keystore\.type = PEM/,
      ],
      [
        {
          listeners: 'https://127.0.0.1:PORT',
          'listeners.https.ssl.keystore.type': 'JKS',
          'listeners.https.ssl.keystore.location': '/etc/kafka/rest.jks',
        },
        /listeners\.https\.ssl\.keystore\.type = JKS is not supported for the HTTPS listener: only PEM is/,
      ],
    ];
    // The three processes run at once: each exits within a second or two of starting.
    await Promise.all(
      cases.map(async ([settings, message]) => {
        const port = await freePort();
        const file = join(writeFiles({}), 'mm2.properties');
        const overrides = Object.fromEntries(
          Object.entries(settings).map(([k, v]) => [k, v.replace('PORT', String(port))]),
        );
        writeFileSync(file, propertiesWith(baseProperties(kafka.clusters), { ...overrides, 'A->B.enabled': 'true' }));
        const mm = spawnMirrorMaker(file, port);
        running.push(mm);
        const code = await Promise.race([mm.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
        expect(code, mm.output()).toBe(2);
        expect(mm.output()).toMatch(message);
        expect(mm.output()).toMatch(/Stopping due to error/);
        // Nothing started before the error.
        expect(mm.output()).not.toMatch(/operator HTTP server listening|starting MirrorMaker/);
      }),
    );
  });
});
