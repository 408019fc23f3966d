import { describe, expect, it } from 'vitest';
import { diffRoutes, loadMirrorMakerConfigText, changedTopLevelKeys } from '../../../src/config/index.ts';

const base = [
  'clusters = A, B, C',
  'A.bootstrap.servers = a:9092',
  'B.bootstrap.servers = b:9092',
  'C.bootstrap.servers = c:9092',
  'emit.heartbeats.enabled = false',
  'A->B.enabled = true',
  'A->B.topics = one',
  'C->B.enabled = true',
  'C->B.topics = three',
];
const load = (lines: string[]) => loadMirrorMakerConfigText(lines.join('\n'));
const edit = (changes: Record<string, string | undefined>): string[] => {
  const out = base.filter((l) => {
    const key = l.split('=')[0]!.trim();
    return !(key in changes);
  });
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) out.push(`${k} = ${v}`);
  return out;
};

describe('route difference between two versions of the file', () => {
  it('an identical file changes nothing, also with keys moved and comments added', () => {
    const before = load(base);
    const after = load(['# edited', ...[...base].reverse()]);
    expect(diffRoutes(before.routes, after.routes)).toEqual({
      added: [],
      removed: [],
      restarted: [],
      unchanged: ['A->B', 'C->B'],
    });
  });

  it("a route's topics restart that route only, naming the key", () => {
    const d = diffRoutes(load(base).routes, load(edit({ 'A->B.topics': 'one, two' })).routes);
    expect(d.restarted).toEqual([{ route: 'A->B', keys: ['A->B.topics'] }]);
    expect(d.unchanged).toEqual(['C->B']);
  });

  it("a cluster's bootstrap restarts every route that uses the cluster, on either side", () => {
    const d = diffRoutes(load(base).routes, load(edit({ 'C.bootstrap.servers': 'c2:9092' })).routes);
    expect(d.restarted).toEqual([{ route: 'C->B', keys: ['C.bootstrap.servers'] }]);
    const target = diffRoutes(load(base).routes, load(edit({ 'B.bootstrap.servers': 'b2:9092' })).routes);
    expect(target.restarted.map((r) => r.route)).toEqual(['A->B', 'C->B']);
  });

  it('a top-level connector key restarts every route it reaches; a route-prefixed one overrides it', () => {
    const d = diffRoutes(load(base).routes, load(edit({ 'tasks.max': '4' })).routes);
    expect(d.restarted.map((r) => r.route)).toEqual(['A->B', 'C->B']);
    expect(d.restarted[0]!.keys).toEqual(['tasks.max']);
  });

  it('routes enabled and disabled are added and removed', () => {
    const d = diffRoutes(
      load(base).routes,
      load(edit({ 'C->B.enabled': undefined, 'C->B.topics': undefined, 'B->A.enabled': 'true' })).routes,
    );
    expect(d).toEqual({ added: ['B->A'], removed: ['C->B'], restarted: [], unchanged: ['A->B'] });
  });

  it('route-wide keys (the worker policy) restart every route that stays', () => {
    const d = diffRoutes(load(base).routes, load(base).routes, ['mm2ts.task.auto.restart.enabled']);
    expect(d.restarted.map((r) => r.keys)).toEqual([
      ['mm2ts.task.auto.restart.enabled'],
      ['mm2ts.task.auto.restart.enabled'],
    ]);
  });

  it('process keys are not route settings: the listener changes no route', () => {
    const before = load(base);
    const after = load(edit({ 'mm2ts.http.listener': '127.0.0.1:9999' }));
    expect(diffRoutes(before.routes, after.routes).restarted).toEqual([]);
    expect(
      changedTopLevelKeys(before.properties.values, after.properties.values, (k) => k.startsWith('mm2ts.')),
    ).toEqual(['mm2ts.http.listener']);
  });
});
