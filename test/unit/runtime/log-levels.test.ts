import { describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/index.ts';
import { connectorsPlugin } from '../../../src/http/plugins/connectors.ts';
import type { ConnectorsPort } from '../../../src/http/connectors-port.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { loggersPort } from '../../../src/runtime/log-levels.ts';
import { createLogger, type Logger } from '../../../src/util/logger.ts';

/** A root logger writing JSON lines into an array, with the loggers a route creates (route-runtime.ts, the Kafka port). */
function setup() {
  const lines: Record<string, unknown>[] = [];
  const root = createLogger({
    level: 'info',
    pretty: false,
    destination: { write: (l: string) => lines.push(JSON.parse(l)) },
  });
  let clock = 1_000;
  const port = loggersPort(root, () => clock);
  const route = (name: string) => {
    const r = root.child({ route: name });
    const source = r.child({ connector: 'MirrorSourceConnector' });
    const checkpoint = r.child({ connector: 'MirrorCheckpointConnector' });
    return {
      r,
      source,
      task: source.child({ task: 0 }),
      checkpoint,
      kafka: source.child({ cluster: 'A', clientId: 'c' }),
    };
  };
  const debugFrom = (logger: Logger, msg: string): boolean => {
    logger.debug(msg);
    return lines.some((l) => l['msg'] === msg);
  };
  return { root, port, route, lines, debugFrom, tick: () => (clock += 1_000) };
}

describe('loggersPort: /admin/loggers over named pino children', () => {
  it('names a logger per route, per connector, kafka and http, each at its effective level', () => {
    const s = setup();
    s.route('A->B');
    const http = s.root.child({ component: 'http' });
    http.child({ reqId: 'r1' }); // a request's child is the http logger, not a new name
    expect(s.port.levels()).toEqual({
      root: { level: 'INFO', last_modified: null },
      'A->B': { level: 'INFO', last_modified: null },
      'A->B.MirrorCheckpointConnector': { level: 'INFO', last_modified: null },
      'A->B.MirrorSourceConnector': { level: 'INFO', last_modified: null },
      http: { level: 'INFO', last_modified: null },
      kafka: { level: 'INFO', last_modified: null },
    });
  });

  it('a connector set to DEBUG logs debug lines (its tasks and Kafka clients too); other routes and connectors do not', () => {
    const s = setup();
    const ab = s.route('A->B');
    const ba = s.route('B->A');
    expect(s.port.setLevel('A->B.MirrorSourceConnector', 'debug')).toEqual(['A->B.MirrorSourceConnector']);
    expect(s.debugFrom(ab.source, 'ab source')).toBe(true);
    expect(s.debugFrom(ab.task, 'ab task')).toBe(true);
    expect(s.debugFrom(ab.kafka, 'ab kafka')).toBe(true);
    expect(s.debugFrom(ab.checkpoint, 'ab checkpoint')).toBe(false);
    expect(s.debugFrom(ab.r, 'ab route')).toBe(false);
    expect(s.debugFrom(ba.source, 'ba source')).toBe(false);
    expect(s.debugFrom(s.root, 'root')).toBe(false);
    expect(s.port.levels()['A->B.MirrorSourceConnector']).toEqual({ level: 'DEBUG', last_modified: 1_000 });
    // The change itself is on record.
    expect(s.lines.find((l) => l['msg'] === 'log level changed through the API')).toMatchObject({
      logger: 'A->B.MirrorSourceConnector',
      to: 'debug',
    });
  });

  it('setting a route sets its connectors (as Connect sets a logger and its children); root sets every logger', () => {
    const s = setup();
    const ab = s.route('A->B');
    s.port.setLevel('A->B.MirrorSourceConnector', 'DEBUG');
    s.tick();
    expect(s.port.setLevel('A->B', 'WARN')).toEqual([
      'A->B',
      'A->B.MirrorCheckpointConnector',
      'A->B.MirrorSourceConnector',
    ]);
    ab.source.info('quiet now');
    expect(s.lines.some((l) => l['msg'] === 'quiet now')).toBe(false);
    expect(s.port.setLevel('root', 'trace').sort()).toEqual([
      'A->B',
      'A->B.MirrorCheckpointConnector',
      'A->B.MirrorSourceConnector',
      'http',
      'kafka',
      'root',
    ]);
    expect(s.debugFrom(ab.checkpoint, 'all debug')).toBe(true);
    expect(Object.values(s.port.levels()).every((l) => l.level === 'TRACE')).toBe(true);
  });

  it('a route started again (a reload) gets the level set for its name', () => {
    const s = setup();
    s.route('A->B');
    s.port.setLevel('A->B', 'DEBUG');
    const again = s.route('A->B');
    expect(s.debugFrom(again.source, 'new source')).toBe(true);
    expect(s.debugFrom(s.route('B->A').source, 'other')).toBe(false);
  });

  it("Connect's log4j names stand for our loggers: every route's source connector, the Kafka clients", () => {
    const s = setup();
    const ab = s.route('A->B');
    const ba = s.route('B->A');
    expect(s.port.setLevel('org.apache.kafka.connect.mirror.MirrorSourceTask', 'DEBUG')).toEqual([
      'A->B.MirrorSourceConnector',
      'B->A.MirrorSourceConnector',
    ]);
    expect(s.debugFrom(ab.task, 'ab')).toBe(true);
    expect(s.debugFrom(ba.task, 'ba')).toBe(true);
    expect(s.port.levels()['org.apache.kafka.connect.mirror.MirrorSourceTask']).toMatchObject({ level: 'DEBUG' });
    expect(s.port.setLevel('org.apache.kafka.clients', 'ERROR')).toEqual(['kafka']);
    ab.kafka.warn('kafka warn');
    expect(s.lines.some((l) => l['msg'] === 'kafka warn')).toBe(false);
  });

  it('an unknown logger is 404 naming the loggers, a bad level 400, over HTTP', async () => {
    const s = setup();
    s.route('A->B');
    const connectors = { list: () => [] } as unknown as ConnectorsPort;
    const app = await buildHttpApp({
      registry: createApplianceMetrics({ processMetrics: false, version: 't' }).registry,
      health: () => ({ status: 'healthy', message: '' }),
      logger: s.root,
      plugins: [connectorsPlugin({ connectors, plugins: [], loggers: s.port })],
    });
    try {
      const unknown = await app.inject({ method: 'PUT', url: '/admin/loggers/nope', payload: { level: 'DEBUG' } });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().message).toMatch(/^Logger nope not found; loggers: root, A->B, .*http, kafka/);
      const bad = await app.inject({ method: 'PUT', url: '/admin/loggers/kafka', payload: { level: 'LOUD' } });
      expect(bad.statusCode).toBe(400);
      const ok = await app.inject({
        method: 'PUT',
        url: `/admin/loggers/${encodeURIComponent('A->B.MirrorSourceConnector')}`,
        payload: { level: 'debug' },
      });
      expect(ok.json()).toEqual(['A->B.MirrorSourceConnector']);
      expect(
        (await app.inject({ url: `/admin/loggers/${encodeURIComponent('A->B.MirrorSourceConnector')}` })).json(),
      ).toEqual({ level: 'DEBUG', last_modified: 1_000 });
      expect((await app.inject({ url: '/admin/loggers' })).json()).toHaveProperty('http');
    } finally {
      await app.close();
    }
  });
});
