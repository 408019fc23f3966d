import { describe, expect, it } from 'vitest';
import {
  assignRoutes,
  parsePartitionUnit,
  partitionUnit,
  decodeAssignment,
  decodeMetadata,
  encodeJson,
  type GroupMemberView,
  type MemberMetadata,
} from '../../../src/runtime/membership-assignor.ts';

const ROUTES = ['A->B', 'B->A', 'A->C', 'C->A'];

function meta(owned: string[], over: Partial<MemberMetadata> = {}): MemberMetadata {
  return {
    v: 1,
    instance: 'host',
    configHash: 'h1',
    keyHashes: { topics: 't1', clusters: 'c1' },
    capacity: 1,
    units: ROUTES,
    owned,
    ...over,
  };
}

function view(memberId: string, owned: string[], over: Partial<MemberMetadata> = {}): GroupMemberView {
  return { memberId, metadata: meta(owned, over) };
}

function units(result: ReturnType<typeof assignRoutes>): Record<string, string[]> {
  return Object.fromEntries([...result].map(([id, a]) => [id, a.units]));
}

describe('assignRoutes (the leader shares the routes)', () => {
  it('a lone member gets every route', () => {
    expect(units(assignRoutes([view('m1', [])], 'm1'))).toEqual({ m1: ['A->B', 'A->C', 'B->A', 'C->A'] });
  });

  it('shares routes nobody runs evenly, each route exactly once', () => {
    const out = units(assignRoutes([view('m1', []), view('m2', [])], 'm1'));
    expect(out['m1']!.length).toBe(2);
    expect(out['m2']!.length).toBe(2);
    expect([...out['m1']!, ...out['m2']!].sort()).toEqual([...ROUTES].sort());
  });

  it('is sticky: members keep what they run', () => {
    const out = units(assignRoutes([view('m1', ['C->A', 'B->A']), view('m2', ['A->B', 'A->C'])], 'm2'));
    expect(out).toEqual({ m1: ['B->A', 'C->A'], m2: ['A->B', 'A->C'] });
  });

  it('never hands a route another member still runs to a newcomer: the owner gives it back first (two phases)', () => {
    const first = units(assignRoutes([view('m1', ROUTES), view('m2', [])], 'm1'));
    // m1 keeps its share; the rest is withheld from m2 in this generation.
    expect(first['m1']).toEqual(['A->B', 'A->C']);
    expect(first['m2']).toEqual([]);
    // m1 stopped the others and rejoined: now they go to m2.
    const second = units(assignRoutes([view('m1', ['A->B', 'A->C']), view('m2', [])], 'm1'));
    expect(second).toEqual({ m1: ['A->B', 'A->C'], m2: ['B->A', 'C->A'] });
  });

  it("a dead member's routes (it is no longer in the group) go to the others at once", () => {
    const out = units(assignRoutes([view('m1', ['A->B', 'A->C'])], 'm1'));
    expect(out['m1']).toEqual(ROUTES.slice().sort());
  });

  it('weights by capacity; capacity 0 takes nothing', () => {
    const out = units(
      assignRoutes(
        [view('m1', [], { capacity: 3 }), view('m2', [], { capacity: 1 }), view('m3', [], { capacity: 0 })],
        'm1',
      ),
    );
    expect(out['m1']!.length).toBe(3);
    expect(out['m2']!.length).toBe(1);
    expect(out['m3']).toEqual([]);
  });

  it('refuses work to a member whose configuration differs from the majority, naming the keys', () => {
    const out = assignRoutes(
      [
        view('m1', []),
        view('m2', []),
        view('m3', [], { configHash: 'h2', keyHashes: { topics: 't2', clusters: 'c1' } }),
      ],
      'm3',
    );
    expect(out.get('m3')!.units).toEqual([]);
    expect(out.get('m3')!.refused).toContain('in: topics');
    expect(out.get('m3')!.refused).toContain('run by 2 member(s)');
    expect(out.get('m1')!.refused).toBeUndefined();
    expect([...out.get('m1')!.units, ...out.get('m2')!.units].sort()).toEqual([...ROUTES].sort());
  });

  it("a tie goes to the leader's configuration", () => {
    const out = assignRoutes([view('m1', []), view('m2', [], { configHash: 'h2' })], 'm2');
    expect(out.get('m1')!.refused).toBeDefined();
    expect(out.get('m2')!.refused).toBeUndefined();
  });

  it('a refused member that still runs routes gets nothing and its routes wait until it stopped them', () => {
    const out = units(assignRoutes([view('m1', []), view('m2', []), view('m3', ['A->B'], { configHash: 'h2' })], 'm1'));
    expect(out['m3']).toEqual([]);
    expect([...out['m1']!, ...out['m2']!]).not.toContain('A->B');
  });

  it('a member whose metadata it cannot read takes no work', () => {
    const out = assignRoutes([view('m1', []), { memberId: 'm2', metadata: undefined }], 'm1');
    expect(out.get('m2')!.refused).toContain('not protocol mm2ts-routes v1');
    expect(out.get('m1')!.units.length).toBe(4);
  });

  it('round-trips metadata and assignments; rejects foreign metadata', () => {
    expect(decodeMetadata(encodeJson(meta(['A->B'])))).toEqual(meta(['A->B']));
    expect(decodeMetadata(Buffer.from('not json'))).toBeUndefined();
    expect(decodeMetadata(Buffer.from('{"v":2}'))).toBeUndefined();
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ v: 1, units: [], members: [] });
    const a = assignRoutes([view('m1', [])], 'm1').get('m1')!;
    expect(decodeAssignment(encodeJson(a))).toEqual(a);
  });
});

describe('assignRoutes: partition units, balanced by load', () => {
  const ONE = ['A->B'];
  const listed = Array.from({ length: 12 }, (_, p) => `orders:${p}`);
  const unit = (p: number): string => partitionUnit('A->B', 'orders', p);
  const parts = (out: ReturnType<typeof assignRoutes>, id: string): string[] =>
    out.get(id)!.units.filter((u) => u !== 'A->B');
  const v = (id: string, owned: string[], over: Partial<MemberMetadata> = {}): GroupMemberView =>
    view(id, owned, { units: ONE, ...over });

  it('names partitions as route:topic:partition and parses them back; a route name is no partition unit', () => {
    expect(partitionUnit('A->B', 'my.topic-1', 7)).toBe('A->B:my.topic-1:7');
    expect(parsePartitionUnit('A->B:my.topic-1:7')).toEqual({ route: 'A->B', topic: 'my.topic-1', partition: 7 });
    expect(parsePartitionUnit('A->B')).toBeUndefined();
  });

  it('assigns only the flow until its holder reported the partitions; then shares them evenly', () => {
    const first = assignRoutes([v('m1', []), v('m2', []), v('m3', [])], 'm1');
    expect([...first.values()].flatMap((a) => a.units)).toEqual(['A->B']);
    const second = assignRoutes(
      [v('m1', ['A->B'], { partitions: { 'A->B': listed } }), v('m2', []), v('m3', [])],
      'm1',
      5,
    );
    expect(second.get('m1')!.units[0]).toBe('A->B');
    expect(['m1', 'm2', 'm3'].map((id) => parts(second, id).length)).toEqual([4, 4, 4]);
    expect(new Set(['m1', 'm2', 'm3'].flatMap((id) => parts(second, id))).size).toBe(12);
    expect(second.get('m2')!.members[1]).toMatchObject({ flows: [], generation: 5 });
    expect(second.get('m2')!.members[1]!.partitions!['A->B']).toHaveLength(4);
  });

  it('a fourth member: some partitions move to it (two phases), the others stay where they are', () => {
    const own = (ps: number[]): string[] => ps.map(unit);
    const m1 = ['A->B', ...own([0, 1, 2, 3])];
    const members = [
      v('m1', m1, { partitions: { 'A->B': listed } }),
      v('m2', own([4, 5, 6, 7])),
      v('m3', own([8, 9, 10, 11])),
      v('m4', []),
    ];
    const first = assignRoutes(members, 'm1');
    // Withheld this generation: m4 gets nothing yet, the owners give some back.
    expect(parts(first, 'm4')).toEqual([]);
    const kept = ['m1', 'm2', 'm3'].map((id) => parts(first, id));
    const given = 12 - kept.flat().length;
    expect(given).toBeGreaterThanOrEqual(2);
    for (const [i, id] of ['m1', 'm2', 'm3'].entries())
      expect(kept[i]!.every((u) => members.find((m) => m.memberId === id)!.metadata!.owned.includes(u))).toBe(true);
    // The owners stopped them and rejoined: the next generation gives them to m4.
    const second = assignRoutes(
      [
        v('m1', ['A->B', ...kept[0]!], { partitions: { 'A->B': listed } }),
        v('m2', kept[1]!),
        v('m3', kept[2]!),
        v('m4', []),
      ],
      'm1',
    );
    expect(parts(second, 'm4')).toHaveLength(given);
    expect(['m1', 'm2', 'm3'].map((id) => parts(second, id))).toEqual(kept);
  });

  it('balances bytes/s as their owners measured them, not counts: a heavy partition weighs as much as many light ones', () => {
    const all = listed.map((_, p) => unit(p));
    const load = Object.fromEntries(all.map((u, p) => [u, p === 0 ? 11_000 : 1_000]));
    // m1 runs everything; m2 joins. The heavy partition alone makes up m2's share.
    const out = assignRoutes(
      [v('m1', ['A->B', ...all], { partitions: { 'A->B': listed }, load }), v('m2', [], { load: { [unit(1)]: 0 } })],
      'm1',
    );
    expect(parts(out, 'm1')).toEqual(all.filter((u) => u !== unit(0)).sort());
    expect(parts(out, 'm2')).toEqual([]);
  });

  it('sticky: a small imbalance moves nothing', () => {
    const own = (ps: number[]): string[] => ps.map(unit);
    const out = assignRoutes(
      [
        v('m1', ['A->B', ...own([0, 1, 2, 3, 4, 5, 6])], { partitions: { 'A->B': listed } }),
        v('m2', own([7, 8, 9, 10, 11])),
      ],
      'm2',
    );
    expect(parts(out, 'm1')).toHaveLength(6);
    const calm = assignRoutes(
      [
        v('m1', ['A->B', ...own([0, 1, 2, 3, 4, 5])], { partitions: { 'A->B': listed } }),
        v('m2', own([6, 7, 8, 9, 10, 11])),
      ],
      'm2',
    );
    expect(parts(calm, 'm1')).toHaveLength(6);
    expect(parts(calm, 'm2')).toHaveLength(6);
  });

  it("a dead member's partitions go to the others at once", () => {
    const out = assignRoutes(
      [v('m1', ['A->B', unit(0), unit(1)], { partitions: { 'A->B': listed } }), v('m2', [unit(2), unit(3)])],
      'm1',
    );
    expect([...parts(out, 'm1'), ...parts(out, 'm2')].sort()).toEqual([...listed.map((_, p) => unit(p))].sort());
    expect(parts(out, 'm1')).toEqual(expect.arrayContaining([unit(0), unit(1)]));
  });

  it('keeps the partitions known when the flow member dies before another one listed them', () => {
    const all = listed.map((_, p) => unit(p));
    const first = assignRoutes(
      [v('m1', ['A->B', ...all.slice(0, 6)], { partitions: { 'A->B': listed } }), v('m2', all.slice(6))],
      'm1',
    );
    // Every member hears the listing, and reports it back at its next join.
    expect(first.get('m2')!.known).toEqual({ 'A->B': [...listed].sort() });
    // m1 dies: m2 keeps its partitions and takes m1's at once, with the flow.
    const after = assignRoutes([v('m2', all.slice(6), { partitions: first.get('m2')!.known! })], 'm2');
    expect(after.get('m2')!.units).toEqual(['A->B', ...[...all].sort()]);
  });
});
