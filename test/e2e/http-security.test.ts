import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/kafka/ports.ts';
import { scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { openTestCluster, requireSasl, testKafka, uniqueName } from '../support/kafka.ts';
import { parseLogLines } from '../support/log-lines.ts';
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
    const send = async (
      method: string,
      path: string,
      headers: Record<string, string> = good,
      body?: string,
    ): Promise<HttpsAnswer> => {
      const a = await httpsRequest(`${base}${path}`, {
        ca: certs.caCert,
        method,
        headers: body !== undefined ? { ...headers, 'content-type': 'application/json' } : headers,
        ...(body !== undefined ? { body } : {}),
      });
      answers.push(a);
      return a;
    };
    const get = (path: string, headers: Record<string, string> = good): Promise<HttpsAnswer> =>
      send('GET', path, headers);

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

    // Every route the server registered (it logs them at DEBUG), so an endpoint added later is
    // covered without editing this test: 401 without or with wrong credentials (but /health),
    // and with credentials an answer from the endpoint itself.
    const routesLine = parseLogLines(mm.output()).find((l) => l['msg'] === 'HTTP routes');
    const served = (routesLine?.['routes'] as string[] | undefined) ?? [];
    expect(served.length, 'the server logs the routes it serves').toBeGreaterThan(20);
    for (const endpoint of ['/', '/ready', '/status', '/metrics', '/health', '/reload', '/ui', '/ui/data'])
      expect(
        served.some((r) => r.endsWith(` ${endpoint}`)),
        endpoint,
      ).toBe(true);
    expect(served).toContain('PUT /admin/loggers/:logger');
    expect(served).toContain('PATCH /connectors/:name/offsets');
    const wrongPassword = { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` };
    const wrongToken = { authorization: 'Bearer nope' };
    const refused: string[] = [];
    for (const route of served) {
      const [method = 'GET', pattern = '/'] = route.split(' ');
      const open = pattern === '/health';
      // A connector that does not exist: with credentials a mutating call reaches the endpoint
      // (404 from it) and changes nothing.
      const path = (connector: string): string =>
        pattern
          .replace('/:source/:target/', '/A/B/')
          .replace(':name', pattern.startsWith('/:source') ? connector : encodeURIComponent(`A->B.${connector}`))
          .replace(':task', '0')
          .replace(':logger', 'root')
          .replace('*', '');
      for (const headers of [{}, wrongPassword, wrongToken]) {
        const answer = await send(method, path('MirrorSourceConnector'), headers);
        if (open) {
          expect(answer.status, `${method} ${pattern} without valid credentials`).toBe(200);
          continue;
        }
        if (answer.status !== 401) refused.push(`${method} ${pattern} ${JSON.stringify(headers)}: ${answer.status}`);
        else {
          expect(answer.headers['www-authenticate'], route).toBe('Basic realm="mirrormaker-ts", charset="UTF-8"');
          if (method !== 'HEAD') expect(JSON.parse(answer.body), route).toMatchObject({ error_code: 401 });
        }
      }
      const reading = method === 'GET' || method === 'HEAD';
      const answer = reading
        ? await send(method, path('MirrorSourceConnector'))
        : await send(method, path('Nope'), good, method === 'DELETE' ? undefined : '{}');
      if (reading) expect(answer.status, `${route} with credentials: ${answer.body}`).toBe(200);
      else if (pattern.includes(':name')) expect(answer.status, `${route} with credentials: ${answer.body}`).toBe(404);
      else expect(answer.status, `${route} with credentials: ${answer.body}`).not.toBe(401);
    }
    expect(refused, 'routes that answered without valid credentials').toEqual([]);
    // The endpoints outside the connectors API, with credentials, as an operator calls them.
    expect((await send('PUT', '/admin/loggers/root', good, '{"level":"DEBUG"}')).status).toBe(200);
    expect((await send('POST', '/reload')).status).toBe(200);
    // Named loggers per route, per connector, for the Kafka clients and the HTTP server.
    expect(Object.keys(JSON.parse((await get('/admin/loggers')).body) as object)).toEqual(
      expect.arrayContaining(['root', 'A->B', 'A->B.MirrorSourceConnector', 'kafka', 'http']),
    );
    // GET / names every cluster's id (read in the background: null until the cluster answered).
    const root = await waitFor(
      'GET / with both cluster ids',
      async () => JSON.parse((await get('/')).body) as { kafka_clusters?: Record<string, string | null> },
      (r) => typeof r.kafka_clusters?.['A'] === 'string' && typeof r.kafka_clusters['B'] === 'string',
      15_000,
    );
    expect(Object.keys(root.kafka_clusters ?? {}).sort()).toEqual(['A', 'B']);
    expect(root.kafka_clusters?.['A']).not.toBe(root.kafka_clusters?.['B']);
    // A reload that changes the listener's authentication: valid, so it is applied to the routes
    // (none changed), and the HTTP keys are reported as needing a restart: the running server
    // keeps the credentials it started with.
    const token = `tok-${randomBytes(8).toString('hex')}`;
    writeFileSync(
      file,
      propertiesWith(properties, { 'mm2ts.http.auth.basic.username': 'ops2', 'mm2ts.http.auth.bearer.token': token }),
    );
    const reloaded = await send('POST', '/reload');
    expect(reloaded.status, reloaded.body).toBe(200);
    expect(JSON.parse(reloaded.body)).toMatchObject({
      changed: { added: [], removed: [], restarted: [], unchanged: ['A->B', 'B->A'] },
      needsRestart: expect.arrayContaining(['mm2ts.http.auth.basic.username', 'mm2ts.http.auth.bearer.token']),
    });
    expect((await get('/status')).status).toBe(200);
    expect((await get('/status', { authorization: `Bearer ${token}` })).status).toBe(401);
    // An edit that breaks them (a user name with ':', RFC 7617) is refused with its line; nothing changes.
    writeFileSync(file, propertiesWith(properties, { 'mm2ts.http.auth.basic.username': 'o:ps' }));
    const refusedReload = await send('POST', '/reload');
    expect(refusedReload.status, refusedReload.body).toBe(400);
    expect(JSON.parse(refusedReload.body)).toMatchObject({
      errors: [
        {
          key: 'mm2ts.http.auth.basic.username',
          line: expect.any(Number),
          message: expect.stringMatching(/cannot contain ':'/),
        },
      ],
    });
    writeFileSync(file, properties);
    expect((await send('POST', '/reload')).status).toBe(200);
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
    for (const secret of [httpPassword, kafkaPassword, good.authorization.slice('Basic '.length), token]) {
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
        /listeners\.https\.ssl\.keystore\.location.*\/etc\/kafka\/rest\.jks/,
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
