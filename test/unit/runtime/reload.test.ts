import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMirrorMakerConfig, type LoadedConfig } from '../../../src/config/index.ts';
import type { WorkerConnector } from '../../../src/connect/connector-runner.ts';
import type { HeartbeatConnectorStatus } from '../../../src/connectors/heartbeat/heartbeat-connector.ts';
import { Driver } from '../../../src/runtime/driver.ts';
import { Reloader } from '../../../src/runtime/reload.ts';
import type { RouteCollaborators } from '../../../src/runtime/route-runtime.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const silent = silentLogger();

// Heartbeat-only routes: each runs one heartbeat connector, built by the collaborator (no broker).
function fakeCollaborators(built: string[]): RouteCollaborators {
  return {
    openOffsetsStore: () => Promise.reject(new Error('not used')),
    topicSync: () => {
      throw new Error('not used');
    },
    heartbeats: ({ route }): WorkerConnector<HeartbeatConnectorStatus> => {
      built.push(route.name);
      let state: 'RUNNING' | 'STOPPED' = 'RUNNING';
      return {
        start: async () => {},
        stop: async () => void (state = 'STOPPED'),
        status: () => ({ name: 'MirrorHeartbeatConnector', state, tasks: [{ id: 0, state }] }),
      };
    },
  };
}

const BASE = ['clusters = A, B', 'A.bootstrap.servers = 127.0.0.1:1', 'B.bootstrap.servers = 127.0.0.1:2'];

function setup(lines: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'mm2ts-reload-')), 'mm2.properties');
  const write = (l: string[]): void => writeFileSync(file, l.join('\n') + '\n');
  write(lines);
  const load = (): LoadedConfig => loadMirrorMakerConfig(file, { collectErrors: true });
  const config = load();
  const built: string[] = [];
  const driver = new Driver(config, fakeCollaborators(built), silent);
  const outcomes: string[] = [];
  const reloader = new Reloader({
    current: config,
    load,
    driver,
    logger: silent,
    observe: (outcome) => outcomes.push(outcome),
  });
  return { file, write, driver, reloader, built, outcomes };
}

const starts = (driver: Driver) =>
  Object.fromEntries(driver.status().map((r) => [r.route, [r.starts, r.connectors[0]?.starts]]));

describe('hot reload (Reloader + Driver.apply)', () => {
  it('restarts only the changed route; untouched routes keep their runtime and start counts', async () => {
    const s = setup(BASE);
    await s.driver.start();
    const before = s.driver.runtimes();
    expect(starts(s.driver)).toEqual({ 'A->B': [1, 1], 'B->A': [1, 1] });

    s.write([...BASE, 'A->B.heartbeats.topic.replication.factor = 1']);
    const result = await s.reloader.reload('http');
    expect(result).toMatchObject({
      outcome: 'applied',
      changed: { added: [], removed: [], restarted: ['A->B'], unchanged: ['B->A'] },
      restartedBecause: { 'A->B': ['A->B.heartbeats.topic.replication.factor'] },
      needsRestart: [],
    });
    expect(starts(s.driver)).toEqual({ 'A->B': [2, 2], 'B->A': [1, 1] });
    expect(s.driver.runtimes()[1]).toBe(before[1]);
    expect(s.driver.runtimes()[0]).not.toBe(before[0]);
    expect(before[0]!.status().state).toBe('STOPPED');
    await s.driver.stop();
  });

  it('adds and removes routes', async () => {
    const s = setup([...BASE]);
    await s.driver.start();
    s.write([
      'clusters = A, B, C',
      ...BASE.slice(1),
      'C.bootstrap.servers = 127.0.0.1:3',
      'C->A.emit.heartbeats.enabled = false',
    ]);
    const added = await s.reloader.reload('SIGHUP');
    expect(added).toMatchObject({ outcome: 'applied', changed: { removed: [], unchanged: ['A->B', 'B->A'] } });
    expect(added.outcome === 'applied' && added.changed.added.sort()).toEqual(['A->C', 'B->C', 'C->B']);
    s.write(BASE);
    const removed = await s.reloader.reload('SIGHUP');
    expect(removed.outcome === 'applied' && removed.changed.removed.sort()).toEqual(['A->C', 'B->C', 'C->B']);
    expect(s.driver.status().map((r) => r.route)).toEqual(['A->B', 'B->A']);
    await s.driver.stop();
  });

  it('an invalid file changes nothing and reports every error with its line', async () => {
    const s = setup(BASE);
    await s.driver.start();
    s.write([...BASE, 'A->B.enabled = true', 'A->B.topics = t', 'tasks.max = zero']);
    const result = await s.reloader.reload('http');
    expect(result).toMatchObject({ outcome: 'invalid', errors: [{ key: 'tasks.max', line: 6, file: s.file }] });
    expect(starts(s.driver)).toEqual({ 'A->B': [1, 1], 'B->A': [1, 1] });
    expect(s.reloader.config.routes.every((r) => !r.enabled)).toBe(true);

    s.write(['clusters = ', ...BASE.slice(1)]);
    const empty = await s.reloader.reload('http');
    expect(empty).toMatchObject({ outcome: 'invalid', errors: [{ key: 'clusters', line: 1 }] });
    await s.driver.stop();
  });

  it('reports process keys it cannot apply live as needing a restart', async () => {
    const s = setup(BASE);
    await s.driver.start();
    s.write([...BASE, 'mm2ts.http.listener = 127.0.0.1:9']);
    const result = await s.reloader.reload('http');
    expect(result).toMatchObject({
      outcome: 'applied',
      changed: { restarted: [], unchanged: ['A->B', 'B->A'] },
      needsRestart: ['mm2ts.http.listener'],
    });
    await s.driver.stop();
  });

  it('the worker policy restarts every route', async () => {
    const s = setup(BASE);
    await s.driver.start();
    s.write([...BASE, 'mm2ts.task.auto.restart.enabled = true']);
    const result = await s.reloader.reload('http');
    expect(result).toMatchObject({ outcome: 'applied', changed: { restarted: ['A->B', 'B->A'] } });
    await s.driver.stop();
  });

  it('one reload at a time: HTTP is refused while one runs, a signal waits and runs after it', async () => {
    const s = setup(BASE);
    await s.driver.start();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const apply = s.driver.apply.bind(s.driver);
    let applies = 0;
    s.driver.apply = async (...args) => {
      applies++;
      await gate;
      return apply(...args);
    };
    const first = s.reloader.reload('http');
    expect(await s.reloader.reload('http')).toEqual({ outcome: 'busy' });
    const hup1 = s.reloader.reload('SIGHUP');
    const hup2 = s.reloader.reload('SIGHUP');
    expect(hup2).toBe(hup1);
    release();
    expect((await first).outcome).toBe('applied');
    expect((await hup1).outcome).toBe('applied');
    expect(applies).toBe(2);
    expect(s.outcomes).toEqual(['busy', 'applied', 'applied']);
    await s.driver.stop();
  });

  it('a reload that failed unexpectedly does not block the next one', async () => {
    const s = setup(BASE);
    await s.driver.start();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const apply = s.driver.apply.bind(s.driver);
    s.driver.apply = async () => {
      await gate;
      throw new Error('bug');
    };
    const first = s.reloader.reload('http');
    const queued = s.reloader.reload('SIGHUP');
    s.driver.apply = apply;
    release();
    await expect(first).rejects.toThrow('bug');
    expect((await queued).outcome).toBe('applied');
    expect((await s.reloader.reload('SIGHUP')).outcome).toBe('applied');
    await s.driver.stop();
  });
});
