import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildHttpApp, type HealthReport } from '../../../src/http/index.ts';
import { prefersHtml, uiPlugin, type StatusPageData } from '../../../src/http/plugins/ui.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const healthy: HealthReport = { status: 'healthy' };
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const DATA: StatusPageData = {
  generatedAt: '2026-01-01T00:00:00.000Z',
  version: '0.0.0-test',
  clusters: ['A', 'B'],
  routes: [],
};

function app(data: () => Promise<StatusPageData> = async () => DATA): Promise<FastifyInstance> {
  const metrics = createApplianceMetrics({ processMetrics: false, version: '0.0.0-test' });
  return buildHttpApp({
    registry: metrics.registry,
    health: () => healthy,
    logger: silentLogger(),
    version: '0.0.0-test',
    commit: 'abc123',
    plugins: [uiPlugin({ data, logger: silentLogger() })],
  });
}

describe('status page (inject)', () => {
  let instance: FastifyInstance | undefined;
  afterEach(async () => {
    await instance?.close();
    instance = undefined;
  });

  it('GET /ui serves the page, its script and style, with a CSP that allows only their own origin', async () => {
    instance = await app();
    const page = await instance.inject({ method: 'GET', url: '/ui' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<script src="ui/app.js" defer></script>');
    const script = await instance.inject({ method: 'GET', url: '/ui/app.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("fetch('ui/data'");
    // The script writes text nodes only: no markup built from strings.
    expect(script.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    const style = await instance.inject({ method: 'GET', url: '/ui/style.css' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('GET /ui/data answers the data source as JSON, not cached', async () => {
    instance = await app();
    const res = await instance.inject({ method: 'GET', url: '/ui/data' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual(DATA);
  });

  it('GET /ui/data is a 500 without the cause when the data source throws', async () => {
    instance = await app(async () => {
      throw new Error('secret detail');
    });
    const res = await instance.inject({ method: 'GET', url: '/ui/data' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret detail');
    expect(res.json()).toMatchObject({ error_code: 500, code: 'ERR_STATUS_PAGE' });
  });

  it('GET / keeps its JSON for API clients and gives a browser the page', async () => {
    instance = await app();
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.5']) {
      const res = await instance.inject({ method: 'GET', url: '/', headers: accept ? { accept } : {} });
      expect(res.statusCode, accept).toBe(200);
      expect(res.body, accept).toBe('{"version":"0.0.0-test","commit":"abc123"}');
      expect(res.headers['vary'], accept).toBe('Accept');
    }
    const page = await instance.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['vary']).toBe('Accept');
    expect(page.body).toContain('<title>mirrormaker-ts status</title>');
    // Other paths are not touched by the negotiation.
    const health = await instance.inject({ method: 'GET', url: '/health', headers: { accept: BROWSER_ACCEPT } });
    expect(health.json()).toEqual(healthy);
  });
});

describe('status page behind an authentication hook', () => {
  it('a browser at / without credentials gets the 401, not the page, whatever the plugin order', async () => {
    // An onRequest check registered after the status page, at the root like an auth plugin.
    const auth: FastifyPluginAsync = async (root) => {
      root.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== 'Bearer ok') return reply.code(401).send({ error_code: 401 });
      });
    };
    Object.assign(auth, { [Symbol.for('skip-override')]: true });
    const metrics = createApplianceMetrics({ processMetrics: false });
    const instance = await buildHttpApp({
      registry: metrics.registry,
      health: () => healthy,
      logger: silentLogger(),
      plugins: [uiPlugin({ data: async () => DATA, logger: silentLogger() }), auth],
    });
    try {
      const denied = await instance.inject({ method: 'GET', url: '/', headers: { accept: BROWSER_ACCEPT } });
      expect(denied.statusCode).toBe(401);
      expect(denied.body).not.toContain('<html');
      const allowed = await instance.inject({
        method: 'GET',
        url: '/',
        headers: { accept: BROWSER_ACCEPT, authorization: 'Bearer ok' },
      });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('<title>mirrormaker-ts status</title>');
    } finally {
      await instance.close();
    }
  });
});

describe('prefersHtml', () => {
  it.each([
    [BROWSER_ACCEPT, true],
    ['text/html', true],
    ['application/xhtml+xml', true],
    ['text/html;q=0.9, application/json', false],
    ['application/json;q=0.5, text/html', true],
    ['text/html;q=0', false],
    ['*/*', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});
