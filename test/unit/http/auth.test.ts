import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import {
  buildHttpApp,
  createAuthenticator,
  readHttpSettings,
  type HttpAuthenticator,
  type HttpConfigSource,
} from '../../../src/http/index.ts';
import { createLogger, silentLogger } from '../../../src/util/logger.ts';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Stands in for the endpoints other plugins add (connectors, status, reload): routes with params and bodies. */
const operatorPlugin: FastifyPluginAsync = async (app) => {
  app.get('/status', async () => ({ routes: [] }));
  app.get('/connectors', async () => []);
  app.get('/connectors/:name/status', async () => ({}));
  app.put('/connectors/:name/pause', async (_req, reply) => reply.code(202).send());
  app.post('/connectors/:name/tasks/:task/restart', async (_req, reply) => reply.code(204).send());
  app.delete('/connectors/:name/offsets', async () => ({}));
  app.patch('/connectors/:name/offsets', async () => ({}));
};

function app(auth: HttpAuthenticator | undefined, logger = silentLogger()): Promise<FastifyInstance> {
  const metrics = createApplianceMetrics({ processMetrics: false, version: '0.0.0-test' });
  return buildHttpApp({
    registry: metrics.registry,
    health: () => ({ status: 'healthy' }),
    ready: () => ({ ready: true, message: 'all running', notRunning: [] }),
    logger,
    version: '0.0.0-test',
    plugins: [operatorPlugin],
    ...(auth ? { auth } : {}),
  });
}

/**
 * Every route the app has, as `METHOD /path` with parameters filled in, read from Fastify's route
 * tree (`printRoutes({ commonPrefix: false })`: one node per line, children indented by 4).
 */
function registeredRoutes(instance: FastifyInstance): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of instance.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const parent = stack[depth - 1] ?? '';
    const segment = m[2] ?? '';
    const path = parent === '' ? segment : `${parent.replace(/\/$/, '')}/${segment.replace(/^\//, '')}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) {
      out.push({ method, url: path.replace(/:(\w+)/g, (_all, p: string) => (p === 'task' ? '0' : 'x')) });
    }
  }
  return out;
}

describe('HTTP authentication (inject)', () => {
  let instance: FastifyInstance | undefined;
  afterEach(async () => {
    await instance?.close();
    instance = undefined;
  });

  const auth = createAuthenticator({
    basicUsers: [
      { name: 'ops', password: 's3cret-pw' },
      { name: 'viewer', password: 'other-pw' },
    ],
    bearerTokens: ['tok-123'],
  })!;

  it("answers 401 with a challenge and Connect's error body on every route but /health", async () => {
    instance = await app(auth);
    const routes = registeredRoutes(instance);
    // The table covers the built-in routes and the plugin's (the parser found them all).
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /',
        'GET /health',
        'GET /ready',
        'GET /metrics',
        'GET /status',
        'PUT /connectors/x/pause',
        'POST /connectors/x/tasks/0/restart',
        'DELETE /connectors/x/offsets',
        'PATCH /connectors/x/offsets',
      ]),
    );
    const wrong = [
      undefined,
      basic('ops', 'wrong'),
      basic('ops', 'other-pw'), // another user's password
      basic('nobody', 's3cret-pw'),
      basic('ops', 's3cret-pw').toLowerCase(),
      'Bearer tok-1234',
      'Bearer',
      `Digest ${Buffer.from('ops:s3cret-pw').toString('base64')}`,
    ];
    for (const route of routes) {
      for (const authorization of wrong) {
        const res = await instance.inject({
          method: route.method as 'GET',
          url: route.url,
          ...(authorization !== undefined ? { headers: { authorization } } : {}),
        });
        const what = `${route.method} ${route.url} with ${authorization ?? 'no credentials'}`;
        if (route.url === '/health') {
          expect(res.statusCode, what).toBe(200);
          continue;
        }
        expect(res.statusCode, what).toBe(401);
        expect(res.headers['www-authenticate'], what).toBe(
          'Basic realm="mirrormaker-ts", charset="UTF-8", Bearer realm="mirrormaker-ts"',
        );
        if (route.method !== 'HEAD') {
          expect(res.json(), what).toEqual({
            error_code: 401,
            code: 'ERR_UNAUTHORIZED',
            message: expect.stringMatching(
              /^(authentication required|the credentials in the Authorization header are not valid)/,
            ),
          });
        }
      }
    }
  });

  it('lets valid basic credentials and bearer tokens through, unknown paths included (401 before 404)', async () => {
    instance = await app(auth);
    for (const authorization of [
      basic('ops', 's3cret-pw'),
      basic('viewer', 'other-pw'),
      'Bearer tok-123',
      'bearer  tok-123',
    ]) {
      expect((await instance.inject({ method: 'GET', url: '/status', headers: { authorization } })).statusCode).toBe(
        200,
      );
      expect((await instance.inject({ method: 'GET', url: '/nope', headers: { authorization } })).statusCode).toBe(404);
    }
    expect((await instance.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(401);
  });

  it('without authentication configured, every route answers as before', async () => {
    instance = await app(undefined);
    expect((await instance.inject({ method: 'GET', url: '/status' })).statusCode).toBe(200);
    expect((await instance.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('logs each request at INFO with method, path, status, latency and remote address, never the query or credentials', async () => {
    let text = '';
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void (text += line) } });
    instance = await app(auth, logger);
    await instance.inject({
      method: 'PUT',
      url: '/connectors/x/pause?token=query-secret',
      headers: { authorization: basic('ops', 's3cret-pw'), 'content-type': 'application/json' },
      payload: '{"body":"body-secret"}',
    });
    await instance.inject({ method: 'GET', url: '/status', headers: { authorization: basic('ops', 'wrong-pw') } });
    await instance.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer tok-123' } });
    await instance.inject({ method: 'GET', url: '/health' });
    await instance.inject({ method: 'GET', url: '/metrics' });
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'HTTP request');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        component: 'http',
        method: 'PUT',
        path: '/connectors/x/pause',
        status: 202,
        ms: expect.any(Number),
        remote: '127.0.0.1',
        user: 'ops',
      }),
      expect.objectContaining({ level: 30, method: 'GET', path: '/status', status: 401 }),
      // Scrapes and probes stay at DEBUG, unless their credentials are refused.
      expect.objectContaining({ level: 30, method: 'GET', path: '/metrics', status: 401 }),
    ]);
    for (const secret of ['query-secret', 'body-secret', 's3cret-pw', 'wrong-pw', 'tok-123', 'Basic ', 'Bearer ']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('readHttpSettings: authentication and Connect REST keys', () => {
  const source = (
    values: Record<string, string>,
    files: Record<string, Record<string, string>> = {},
  ): HttpConfigSource => ({
    value: (k) => values[k],
    keys: () => Object.keys(values),
    readProperties: (path) => {
      const f = files[path];
      if (!f) throw new Error('ENOENT');
      return new Map(Object.entries(f));
    },
    baseDir: '/etc/mm2',
  });
  const listener = { 'mm2ts.http.listener': '127.0.0.1:0' };

  it("reads Connect's users file (relative to the config file) and a username/password pair", () => {
    const settings = readHttpSettings(
      source(
        {
          ...listener,
          'mm2ts.http.auth.basic.users.file': 'users.properties',
          'mm2ts.http.auth.basic.username': 'robot',
          'mm2ts.http.auth.basic.password': 'pw-from-provider',
        },
        { '/etc/mm2/users.properties': { alice: 'a-pw' } },
      ),
    );
    expect(settings.auth?.check(basic('alice', 'a-pw'))).toEqual({ ok: true, user: 'alice' });
    expect(settings.auth?.check(basic('robot', 'pw-from-provider'))).toEqual({ ok: true, user: 'robot' });
    expect(settings.auth?.check(basic('robot', 'a-pw'))).toEqual({ ok: false });
    expect(settings.auth?.check('Bearer a-pw')).toEqual({ ok: false });
  });

  it('reads a bearer token', () => {
    const settings = readHttpSettings(source({ ...listener, 'mm2ts.http.auth.bearer.token': ' t0k ' }));
    expect(settings.auth?.check('Bearer t0k')).toEqual({ ok: true });
    expect(settings.auth?.challenges).toEqual(['Bearer realm="mirrormaker-ts"']);
  });

  it.each([
    [
      { 'mm2ts.http.auth.basic.users.file': '/nope' },
      /^mm2ts\.http\.auth\.basic\.users\.file = \/nope: cannot read the file/,
    ],
    [{ 'mm2ts.http.auth.basic.users.file': '/empty' }, /expected one user=password line per user, none empty/],
    [
      { 'mm2ts.http.auth.basic.username': 'robot' },
      /^mm2ts\.http\.auth\.basic\.username and mm2ts\.http\.auth\.basic\.password must be set together/,
    ],
    [{ 'mm2ts.http.auth.basic.password': 'pw' }, /must be set together/],
    [{ 'mm2ts.http.auth.basic.username': 'a:b', 'mm2ts.http.auth.basic.password': 'pw' }, /cannot contain ':'/],
  ])('%o is a start-up error naming the key', (values, message) => {
    expect(() => readHttpSettings(source({ ...listener, ...values }, { '/empty': {} }))).toThrow(message);
  });

  it('credentials without a listener are a start-up error (nothing to protect: a typo)', () => {
    expect(() => readHttpSettings(source({ 'mm2ts.http.auth.bearer.token': 't' }))).toThrow(
      /protect the operator HTTP server, which is off: set mm2ts\.http\.listener/,
    );
  });

  it('no credentials: no authentication', () => {
    expect(readHttpSettings(source(listener)).auth).toBeUndefined();
  });

  it("Connect's REST extensions (its basic-auth extension) are a start-up error, never an unprotected API", () => {
    expect(() =>
      readHttpSettings(
        source({
          ...listener,
          'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension',
        }),
      ),
    ).toThrow(
      /^rest\.extension\.classes: Connect REST extensions are Java classes .* set mm2ts\.http\.auth\.basic\.users\.file/,
    );
    // Without a listener Java MM2's behaviour stays: the key does nothing.
    expect(readHttpSettings(source({ 'rest.extension.classes': 'x.Y' })).listeners).toEqual([]);
  });

  it('says which Connect REST keys it does not apply', () => {
    expect(
      readHttpSettings(source({ ...listener, 'access.control.allow.origin': '*', 'rest.advertised.port': '1' }))
        .warnings,
    ).toEqual([
      {
        key: 'rest.advertised.port',
        message: 'rest.advertised.port is not applied by this appliance: a single node advertises nothing',
      },
      {
        key: 'access.control.allow.origin',
        message:
          'access.control.allow.origin is not applied by this appliance: no CORS headers are sent (browsers on other origins are refused)',
      },
    ]);
    expect(readHttpSettings(source({ 'access.control.allow.origin': '*' })).warnings).toEqual([]);
  });
});
