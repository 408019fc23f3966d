import { describe, expect, it } from 'vitest';
import {
  assignRoutes,
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
