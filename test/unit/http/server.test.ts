import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import {
  buildHttpApp,
  HttpError,
  startHttpServer,
  type HealthReport,
  type HttpServer,
} from '../../../src/http/index.ts';
import { MirrorError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const healthy: HealthReport = { status: 'healthy', message: 'all routes running' };

function app(overrides: Partial<Parameters<typeof buildHttpApp>[0]> = {}): Promise<FastifyInstance> {
  const metrics = createApplianceMetrics({ processMetrics: false, version: '0.0.0-test' });
  metrics.source.partition({ source: 'A', target: 'B', topic: 'A.t', partition: 0 }).acked(2, 1, 1, 2);
  return buildHttpApp({
    registry: metrics.registry,
    health: () => healthy,
    logger: silentLogger(),
    version: '0.0.0-test',
    ...overrides,
  });
}

describe('HTTP routes (inject)', () => {
  let instance: FastifyInstance | undefined;
  afterEach(async () => {
    await instance?.close();
    instance = undefined;
  });

  it("GET / answers the version like Connect's root resource", async () => {
    instance = await app({ commit: 'abc123' });
    const res = await instance.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ version: '0.0.0-test', commit: 'abc123' });
  });

  it('GET / leaves out an unknown commit', async () => {
    instance = await app();
    expect((await instance.inject({ method: 'GET', url: '/' })).json()).toEqual({ version: '0.0.0-test' });
  });

  it('GET /metrics serves the registry in Prometheus text format', async () => {
    instance = await app();
    const res = await instance.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain(
      'kafka_connect_mirror_source_connector_record_count{source="A",target="B",topic="A.t",partition="0"} 2',
    );
    expect(res.body).toContain('mm2ts_build_info{version="0.0.0-test"} 1');
  });

  it('GET /health is 200 when healthy', async () => {
    instance = await app();
    const res = await instance.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(healthy);
  });

  it('GET /health is 503 while starting or unhealthy, with the report', async () => {
    let report: HealthReport = { status: 'starting', message: 'reading offsets' };
    instance = await app({ health: async () => report });
    expect((await instance.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
    report = {
      status: 'unhealthy',
      message: 'task failed',
      checks: { 'A->B': { status: 'unhealthy', message: 'task 0 FAILED' } },
    };
    const res = await instance.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(report);
  });

  it('GET /health is 503 with a generic message when the check throws, hiding the error text', async () => {
    instance = await app({
      health: () => {
        throw new Error('password=hunter2 leaked into an exception');
      },
    });
    const res = await instance.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('unhealthy');
    expect(res.body).not.toContain('hunter2');
  });

  it('answers an unknown path with a JSON 404 carrying a code', async () => {
    instance = await app();
    const res = await instance.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error_code: 404, code: 'ERR_NOT_FOUND', message: 'no resource at GET /nope' });
  });

  it('answers errors from plugins as JSON with their code, hiding unexpected error text', async () => {
    const plugin: FastifyPluginAsync = async (a) => {
      a.get('/connectors/x', async () => {
        throw new HttpError(404, 'ERR_UNKNOWN_CONNECTOR', 'no connector x');
      });
      a.get('/ours', async () => {
        throw new MirrorError('ERR_ROUTE_STOPPED', 'route A->B is stopping');
      });
      a.get('/boom', async () => {
        throw new Error('sasl.jaas.config=secret');
      });
      a.post('/echo', async (req) => req.body);
    };
    instance = await app({ plugins: [plugin] });
    const notFound = await instance.inject({ method: 'GET', url: '/connectors/x' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toEqual({ error_code: 404, code: 'ERR_UNKNOWN_CONNECTOR', message: 'no connector x' });
    const ours = await instance.inject({ method: 'GET', url: '/ours' });
    expect(ours.statusCode).toBe(500);
    expect(ours.json()).toEqual({ error_code: 500, code: 'ERR_ROUTE_STOPPED', message: 'route A->B is stopping' });
    const boom = await instance.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ error_code: 500, code: 'ERR_INTERNAL', message: 'internal server error' });
    // Fastify's own errors (here a malformed JSON body) keep Fastify's code.
    const bad = await instance.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error_code: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });
});

describe('startHttpServer', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('listens on a free loopback port and serves over real HTTP', async () => {
    const metrics = createApplianceMetrics({ version: '0.0.0-test' });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      health: () => healthy,
      logger: silentLogger(),
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^mm2ts_process_cpu_user_seconds_total /m);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('fails with a typed error when the port is taken', async () => {
    const metrics = createApplianceMetrics({ processMetrics: false });
    const base = { host: '127.0.0.1', registry: metrics.registry, health: () => healthy, logger: silentLogger() };
    server = await startHttpServer({ ...base, port: 0 });
    const port = Number(new URL(server.url).port);
    await expect(startHttpServer({ ...base, port })).rejects.toMatchObject({ code: 'ERR_HTTP_LISTEN' });
  });
});
