import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ConnectorRef, ConnectorsPort, ConnectorStateInfo } from '../../../src/http/connectors-port.ts';
import { buildHttpApp } from '../../../src/http/index.ts';
import { connectorsPlugin } from '../../../src/http/plugins/connectors.ts';
import { createApplianceMetrics } from '../../../src/metrics/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const refs: ConnectorRef[] = [
  { name: 'eu->us.MirrorSourceConnector', source: 'eu', target: 'us', connector: 'MirrorSourceConnector' },
  { name: 'eu->us.MirrorHeartbeatConnector', source: 'eu', target: 'us', connector: 'MirrorHeartbeatConnector' },
  { name: 'us->eu.MirrorHeartbeatConnector', source: 'us', target: 'eu', connector: 'MirrorHeartbeatConnector' },
];

/** A port that records the calls it gets. */
function fakePort(calls: string[]): ConnectorsPort {
  const state = (ref: ConnectorRef): ConnectorStateInfo => ({
    name: ref.name,
    connector: { state: 'RUNNING', worker_id: 'w' },
    tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w' }],
    type: 'source',
  });
  const record = (what: string) => async (ref: ConnectorRef) => void calls.push(`${what} ${ref.name}`);
  return {
    list: () => refs,
    status: state,
    info: (ref) => ({ name: ref.name, config: { 'connector.class': 'x' }, tasks: [], type: 'source' }),
    tasks: () => [],
    pause: record('pause'),
    resume: record('resume'),
    stop: record('stop'),
    restart: async (ref, request) => {
      calls.push(`restart ${ref.name} ${JSON.stringify(request)}`);
      return request.includeTasks ? state(ref) : undefined;
    },
    restartTask: async (ref, task) => void calls.push(`restartTask ${ref.name} ${task}`),
    offsets: async () => [],
    alterOffsets: async (ref, offsets) => void calls.push(`alter ${ref.name} ${JSON.stringify(offsets)}`),
    resetOffsets: record('reset'),
  };
}

describe('connectors API plugin (names, scoping, parameters, errors)', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const build = async (calls: string[]): Promise<FastifyInstance> =>
    (app = await buildHttpApp({
      registry: createApplianceMetrics({ processMetrics: false, version: '0' }).registry,
      health: () => ({ status: 'healthy' }),
      logger: silentLogger(),
      plugins: [connectorsPlugin({ connectors: fakePort(calls), plugins: [] })],
    }));

  it('addresses a connector by its global name (raw or %-encoded `>`) and scoped by flow', async () => {
    const calls: string[] = [];
    const a = await build(calls);
    expect((await a.inject({ method: 'PUT', url: '/connectors/eu->us.MirrorSourceConnector/pause' })).statusCode).toBe(
      202,
    );
    expect(
      (await a.inject({ method: 'PUT', url: '/connectors/eu-%3Eus.MirrorSourceConnector/resume' })).statusCode,
    ).toBe(202);
    expect((await a.inject({ method: 'PUT', url: '/us/eu/connectors/MirrorHeartbeatConnector/stop' })).statusCode).toBe(
      204,
    );
    expect(calls).toEqual([
      'pause eu->us.MirrorSourceConnector',
      'resume eu->us.MirrorSourceConnector',
      'stop us->eu.MirrorHeartbeatConnector',
    ]);
    expect((await a.inject({ url: '/eu/us/connectors' })).json()).toEqual([
      'MirrorSourceConnector',
      'MirrorHeartbeatConnector',
    ]);
  });

  it('404 names the connectors that exist; in a flow, that flow’s', async () => {
    const a = await build([]);
    const global = await a.inject({ url: '/connectors/MirrorSourceConnector/status' });
    expect(global.statusCode).toBe(404);
    expect(global.json()).toEqual({
      error_code: 404,
      code: 'ERR_UNKNOWN_CONNECTOR',
      message:
        'Connector MirrorSourceConnector not found; connectors: eu->us.MirrorSourceConnector, eu->us.MirrorHeartbeatConnector, us->eu.MirrorHeartbeatConnector',
    });
    const scoped = await a.inject({ url: '/us/eu/connectors/MirrorSourceConnector' });
    expect(scoped.json().message).toBe(
      'Connector MirrorSourceConnector not found in flow us->eu; connectors: MirrorHeartbeatConnector',
    );
    expect((await a.inject({ url: '/eu/xx/connectors/MirrorSourceConnector' })).json().message).toContain(
      'no such running flow',
    );
    expect((await a.inject({ url: '/connectors/eu->us.MirrorSourceConnector/tasks/3/status' })).json().message).toBe(
      'Task 3 of eu->us.MirrorSourceConnector not found',
    );
  });

  it('KIP-745 restart: 204 without parameters, 202 with the state otherwise; parameters must be booleans', async () => {
    const calls: string[] = [];
    const a = await build(calls);
    const url = '/connectors/eu->us.MirrorSourceConnector/restart';
    expect((await a.inject({ method: 'POST', url })).statusCode).toBe(204);
    const accepted = await a.inject({ method: 'POST', url: `${url}?includeTasks=true&onlyFailed=true` });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json().name).toBe('eu->us.MirrorSourceConnector');
    expect(calls[1]).toBe('restart eu->us.MirrorSourceConnector {"includeTasks":true,"onlyFailed":true}');
    const bad = await a.inject({ method: 'POST', url: `${url}?onlyFailed=yes` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe("query parameter onlyFailed must be true or false, got 'yes'");
    expect(
      (await a.inject({ method: 'POST', url: '/connectors/eu->us.MirrorSourceConnector/tasks/x/restart' })).json()
        .message,
    ).toBe("task id 'x' is not a task number (0, 1, …)");
  });

  it('expand=status and expand=info; an unknown expand is 400', async () => {
    const a = await build([]);
    const both = (await a.inject({ url: '/connectors?expand=status&expand=info' })).json();
    expect(Object.keys(both)).toEqual(refs.map((r) => r.name));
    expect(Object.keys(both['eu->us.MirrorSourceConnector'])).toEqual(['status', 'info']);
    expect(
      Object.keys((await a.inject({ url: '/connectors?expand=info' })).json()['us->eu.MirrorHeartbeatConnector']),
    ).toEqual(['info']);
    expect((await a.inject({ url: '/connectors?expand=all' })).statusCode).toBe(400);
  });

  it('PATCH offsets: a malformed body is 400 naming what is wrong; a valid one reaches the port', async () => {
    const calls: string[] = [];
    const a = await build(calls);
    const url = '/connectors/eu->us.MirrorSourceConnector/offsets';
    const patch = (payload: unknown) => a.inject({ method: 'PATCH', url, payload: payload as object });
    expect((await patch({})).json().message).toMatch(/^"offsets" is missing or not an array; expected/);
    expect((await patch({ offsets: [] })).json().message).toMatch(/^"offsets" is empty/);
    expect((await patch({ offsets: [{ offset: { offset: 1 } }] })).json().message).toMatch(
      /^offsets\[0\]\.partition is missing or not an object/,
    );
    expect((await patch({ offsets: [{ partition: {}, offset: 5 }] })).json().message).toMatch(
      /^offsets\[0\]\.offset must be an object or null/,
    );
    const ok = await patch({ offsets: [{ partition: { cluster: 'eu' }, offset: null }] });
    expect(ok.statusCode).toBe(200);
    expect(calls).toEqual(['alter eu->us.MirrorSourceConnector [{"partition":{"cluster":"eu"},"offset":null}]']);
  });
});
