import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadMirrorMakerConfigText } from '../../../src/config/index.ts';
import type {
  GroupCoordinator,
  GroupCoordinatorOptions,
  GroupJoinResult,
  KafkaCluster,
} from '../../../src/kafka/index.ts';
import {
  assignRoutes,
  decodeAssignment,
  decodeMetadata,
  encodeJson,
  partitionUnit,
  type GroupMemberView,
  type MemberMetadata,
} from '../../../src/runtime/membership-assignor.ts';
import { BalanceWatch, SourceRates, bytesPerSecond, wouldMove } from '../../../src/runtime/membership-balance.ts';
import { membershipSettings } from '../../../src/runtime/membership-config.ts';
import { Membership } from '../../../src/runtime/membership.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const PARTITIONS = 12;
const listed = Array.from({ length: PARTITIONS }, (_, p) => `orders:${p}`);
const unit = (p: number): string => partitionUnit('A->B', 'orders', p);

function meta(owned: string[], over: Partial<MemberMetadata> = {}): MemberMetadata {
  return { v: 1, instance: 'h', configHash: 'h1', keyHashes: {}, capacity: 1, units: ['A->B'], owned, ...over };
}

describe('the flow unit weighs what it costs, not a partition', () => {
  const parts = (out: ReturnType<typeof assignRoutes>, id: string): string[] =>
    out.get(id)!.units.filter((u) => u !== 'A->B');

  it('12 equal partitions end 4/4/4 on three members: the flow member that copies 3 gets one from the member with 5', () => {
    const load = Object.fromEntries(listed.map((_, p) => [unit(p), 1_000]));
    const own = (ps: number[]): string[] => ps.map(unit);
    const views: GroupMemberView[] = [
      { memberId: 'm1', metadata: meta(['A->B', ...own([0, 1, 2])], { partitions: { 'A->B': listed }, load }) },
      { memberId: 'm2', metadata: meta(own([3, 4, 5, 6, 7]), { load }) },
      { memberId: 'm3', metadata: meta(own([8, 9, 10, 11]), { load }) },
    ];
    const first = assignRoutes(views, 'm1');
    // Two phases: m2 gives one back, nobody gets it yet.
    expect(parts(first, 'm2')).toHaveLength(4);
    expect(parts(first, 'm1')).toHaveLength(3);
    const kept = ['m1', 'm2', 'm3'].map((id) => first.get(id)!.units);
    const second = assignRoutes(
      views.map((v, i) => ({ memberId: v.memberId, metadata: { ...v.metadata!, owned: kept[i]! } })),
      'm1',
    );
    expect(['m1', 'm2', 'm3'].map((id) => parts(second, id).length)).toEqual([4, 4, 4]);
  });
});

describe('SourceRates, bytesPerSecond, wouldMove, BalanceWatch', () => {
  it('measures records/s per unit from two listings of the source end offsets', async () => {
    let now = 0;
    let ends = new Map<number, bigint>([
      [0, 100n],
      [1, 1_000n],
    ]);
    const rates = new SourceRates(
      async () => ends,
      () => now,
    );
    expect(await rates.sample([unit(0), unit(1), 'A->B'])).toEqual(new Map());
    now = 10_000;
    ends = new Map([
      [0, 200n],
      [1, 1_500n],
    ]);
    expect(await rates.sample([unit(0), unit(1)])).toEqual(
      new Map([
        [unit(0), 10],
        [unit(1), 50],
      ]),
    );
  });

  it('weighs records/s by the bytes per record each owner reported (else their average)', () => {
    const views: GroupMemberView[] = [
      { memberId: 'm1', metadata: meta([], { load: { [unit(0)]: 1_000 }, records: { [unit(0)]: 10 } }) },
      { memberId: 'm2', metadata: meta([], { load: { [unit(1)]: 3_000 }, records: { [unit(1)]: 10 } }) },
    ];
    const bytes = bytesPerSecond(
      views,
      new Map([
        [unit(0), 20],
        [unit(1), 20],
        [unit(2), 20],
      ]),
    );
    expect(bytes).toEqual(
      new Map([
        [unit(0), 2_000],
        [unit(1), 6_000],
        [unit(2), 4_000],
      ]),
    );
  });

  const owned = (ps: number[]): string[] => ps.map(unit);
  const group: GroupMemberView[] = [
    { memberId: 'm1', metadata: meta([], { partitions: { 'A->B': listed } }) },
    { memberId: 'm2', metadata: meta([]) },
    { memberId: 'm3', metadata: meta([]) },
  ];
  const last = new Map([
    ['m1', { v: 1 as const, units: ['A->B', ...owned([0, 1, 2, 3])], members: [] }],
    ['m2', { v: 1 as const, units: owned([4, 5, 6, 7]), members: [] }],
    ['m3', { v: 1 as const, units: owned([8, 9, 10, 11]), members: [] }],
  ]);

  it('a balanced group would move nothing; a member with three times the load would give some away', () => {
    const even = new Map(listed.map((_, p) => [unit(p), 1_000]));
    expect(wouldMove(group, last, 'm1', even)).toBe(false);
    const heavy = new Map(listed.map((_, p) => [unit(p), p >= 4 && p < 8 ? 3_000 : 1_000]));
    expect(wouldMove(group, last, 'm1', heavy)).toBe(true);
    // Within the threshold (20 % of the fair share): sticky.
    const slightly = new Map(listed.map((_, p) => [unit(p), p >= 4 && p < 8 ? 1_100 : 1_000]));
    expect(wouldMove(group, last, 'm1', slightly)).toBe(false);
  });

  it('while the last assignment withheld units (two phases under way) it says nothing', () => {
    const withheld = new Map(last);
    withheld.set('m3', { v: 1, units: owned([8, 9, 10]), members: [] });
    const heavy = new Map(listed.map((_, p) => [unit(p), p >= 4 && p < 8 ? 3_000 : 1_000]));
    expect(wouldMove(group, withheld, 'm1', heavy)).toBe(false);
  });

  it('hysteresis: due only after two imbalanced checks in a row; a balanced check in between starts anew', () => {
    const w = new BalanceWatch();
    expect([true, false, true, false, true, true].map((i) => w.checked(i))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(w.checked(true)).toBe(false);
    w.reset();
    expect(w.checked(true)).toBe(false);
    expect(w.checked(true)).toBe(true);
  });
});

const config = loadMirrorMakerConfigText(
  [
    'clusters = A, B',
    'A.bootstrap.servers = a:9092',
    'B.bootstrap.servers = b:9092',
    'A->B.enabled = true',
    'B->A.enabled = false',
    'mm2ts.cluster.enabled = true',
    'mm2ts.group.session.timeout.ms = 6000',
    'mm2ts.cluster.rebalance.check.interval.ms = 10000',
  ].join('\n'),
);

/**
 * A coordinator for this member (the leader) and two others that run exactly what the leader gave
 * them: every join of the leader is a rebalance the test counts.
 */
class GroupOfThree implements GroupCoordinator {
  options!: GroupCoordinatorOptions;
  joins = 0;
  private given = new Map<string, string[]>([
    ['m-2', []],
    ['m-3', []],
  ]);
  private rebalancing = false;
  async join(memberId: string, protocols: { name: string; metadata: Buffer }[]): Promise<GroupJoinResult> {
    this.joins++;
    this.rebalancing = false;
    const own = decodeMetadata(protocols[0]!.metadata)!;
    const id = memberId || 'm-1';
    const other = (mid: string) => ({
      memberId: mid,
      groupInstanceId: null,
      metadata: encodeJson({ ...own, instance: mid, owned: this.given.get(mid)!, partitions: { 'A->B': listed } }),
    });
    return {
      memberId: id,
      generationId: this.joins,
      leaderId: id,
      protocolName: protocols[0]!.name,
      members: [{ memberId: id, groupInstanceId: null, metadata: protocols[0]!.metadata }, other('m-2'), other('m-3')],
    };
  }
  async sync(_g: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]): Promise<Buffer> {
    for (const a of assignments)
      if (a.memberId !== memberId) this.given.set(a.memberId, decodeAssignment(a.assignment).units);
    return assignments.find((a) => a.memberId === memberId)!.assignment;
  }
  async heartbeat(): Promise<void> {
    if (this.rebalancing) throw new KafkaPortError('KAFKA_REBALANCE_IN_PROGRESS', 'rebalance', { retriable: true });
  }
  async leave(): Promise<void> {}
  async close(): Promise<void> {}
  /** The partitions member `id` copies now. */
  units(id: string): string[] {
    return (this.given.get(id) ?? []).filter((u) => u.includes(':'));
  }
}

describe("Membership: the leader's periodic balance check", () => {
  beforeEach(() =>
    vi.useFakeTimers({
      now: 1_000_000,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    }),
  );
  afterEach(() => vi.useRealTimers());

  /** Starts the member with source partitions arriving at `rate(p)` records/s. */
  async function started(c: GroupOfThree, rate: (p: number) => number) {
    const cluster = {
      groupCoordinator: async (options: GroupCoordinatorOptions) => {
        c.options = options;
        return c;
      },
      close: async () => {},
    } as unknown as KafkaCluster;
    // The records arrived so far per partition, at each moment's rate (the fake clock's ticks).
    const ends = listed.map(() => 0);
    const producing = setInterval(() => {
      for (let p = 0; p < ends.length; p++) ends[p]! += rate(p) / 10;
    }, 100);
    const sourceEnds = async (_route: string, _topic: string): Promise<Map<number, bigint>> =>
      new Map(ends.map((e, p) => [p, BigInt(Math.round(e))]));
    const membership = new Membership(
      membershipSettings(config)!,
      config,
      { assign: async () => {} },
      silentLogger(),
      new Registry(),
      sourceEnds,
    );
    await membership.start(cluster);
    const stop = membership.stop.bind(membership);
    membership.stop = async () => {
      clearInterval(producing);
      await stop();
    };
    // Two generations: the flow first, the partitions the others reported next.
    await vi.advanceTimersByTimeAsync(3_000);
    return membership;
  }

  it('a steady balanced group never rebalances for it', async () => {
    const c = new GroupOfThree();
    const membership = await started(c, () => 10);
    const joins = c.joins;
    expect(membership.status().members!.map((m) => m.units.filter((u) => u.includes(':')).length)).toEqual([4, 4, 4]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(c.joins).toBe(joins);
    await membership.stop();
  });

  it('a lasting imbalance rebalances after two checks, and the heavy partitions spread', async () => {
    const c = new GroupOfThree();
    let heavy = new Set<number>();
    const membership = await started(c, (p) => (heavy.has(p) ? 40 : 10));
    const joins = c.joins;
    // m-2's partitions turn four times as busy.
    heavy = new Set(c.units('m-2').map((u) => Number(u.slice(u.lastIndexOf(':') + 1))));
    expect(heavy.size).toBe(4);
    // The first check only takes a first sample, the second finds the imbalance once: no rebalance yet.
    await vi.advanceTimersByTimeAsync(20_500);
    expect(c.joins).toBe(joins);
    // The third check finds it again: the leader rejoins; m-2 gives partitions back, the others take them.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.joins).toBeGreaterThan(joins);
    await vi.advanceTimersByTimeAsync(3_000);
    const m2 = c.units('m-2').map((u) => Number(u.slice(u.lastIndexOf(':') + 1)));
    expect(m2.length).toBeLessThan(4);
    expect(m2.every((p) => heavy.has(p))).toBe(true);
    await membership.stop();
  });

  it('an imbalance that passes within one check moves nothing', async () => {
    const c = new GroupOfThree();
    let burst = false;
    const membership = await started(c, (p) => (burst && p >= 4 && p < 8 ? 40 : 10));
    const joins = c.joins;
    // Busy between the first check (a first sample, at 10 s) and the second (20 s) only.
    await vi.advanceTimersByTimeAsync(7_100);
    burst = true;
    await vi.advanceTimersByTimeAsync(9_800);
    burst = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(c.joins).toBe(joins);
    await membership.stop();
  });
});
