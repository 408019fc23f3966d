import {
  assignRoutes,
  parsePartitionUnit,
  type GroupMemberView,
  type MemberAssignment,
  type MemberMetadata,
} from './membership-assignor.ts';

/** The end offset of each partition of a source topic of a route (the source admin's listing). */
export type SourceEndOffsets = (route: string, topic: string) => Promise<ReadonlyMap<number, bigint>>;

/**
 * Records/s arriving at the source partition of each partition unit, from the source's end offsets
 * at two samples: what a partition costs to keep up with, whoever copies it and however far behind
 * it is. A member's own bytes/s (src/runtime/membership-load.ts) counts catch-up too: a partition
 * that just moved and copies a backlog looks several times heavier than it is.
 */
export class SourceRates {
  private readonly listEnds: SourceEndOffsets;
  private readonly clock: () => number;
  private previous: { at: number; ends: Map<string, bigint> } | undefined;

  constructor(listEnds: SourceEndOffsets, clock: () => number = () => performance.now()) {
    this.listEnds = listEnds;
    this.clock = clock;
  }

  /**
   * Lists the end offsets of the units' source partitions; returns records/s per unit since the
   * previous sample (units listed both times), empty at the first sample.
   */
  async sample(units: Iterable<string>): Promise<Map<string, number>> {
    const topics = new Map<string, { route: string; topic: string }>();
    for (const u of units) {
      const p = parsePartitionUnit(u);
      if (p) topics.set(`${p.route}\u0000${p.topic}`, { route: p.route, topic: p.topic });
    }
    const at = this.clock();
    const ends = new Map<string, bigint>();
    for (const { route, topic } of topics.values()) {
      for (const [partition, end] of await this.listEnds(route, topic)) ends.set(`${route}:${topic}:${partition}`, end);
    }
    const previous = this.previous;
    this.previous = { at, ends };
    const rates = new Map<string, number>();
    if (!previous || at <= previous.at) return rates;
    const seconds = (at - previous.at) / 1000;
    for (const [unit, end] of ends) {
      const before = previous.ends.get(unit);
      if (before !== undefined && end >= before) rates.set(unit, Number(end - before) / seconds);
    }
    return rates;
  }
}

/**
 * Bytes/s per unit from records/s: each unit at the bytes per record its owner reported at its
 * last join (`load` / `records`), else the average of the units that have both, else 1 byte.
 */
export function bytesPerSecond(
  views: readonly GroupMemberView[],
  recordRates: ReadonlyMap<string, number>,
): Map<string, number> {
  const perRecord = new Map<string, number>();
  for (const v of views) {
    const m = v.metadata;
    for (const [u, bps] of Object.entries(m?.load ?? {})) {
      const rps = m?.records?.[u];
      if (typeof rps === 'number' && rps > 0 && typeof bps === 'number') perRecord.set(u, bps / rps);
    }
  }
  const sizes = [...perRecord.values()];
  const average = sizes.length > 0 ? sizes.reduce((s, b) => s + b, 0) / sizes.length : 1;
  return new Map([...recordRates].map(([u, rps]) => [u, rps * (perRecord.get(u) ?? average)]));
}

/**
 * Whether the leader, assigning now with the `observed` loads, would move a unit away from the
 * member it gave it to last (`last`): the group as last assigned, each member owning what it was
 * given. False when the last assignment still withheld units (a second generation follows anyway).
 */
export function wouldMove(
  views: readonly GroupMemberView[],
  last: ReadonlyMap<string, MemberAssignment>,
  leaderId: string,
  observed: ReadonlyMap<string, number>,
): boolean {
  const given = (id: string): string[] => (last.get(id)?.refused ? [] : (last.get(id)?.units ?? []));
  const now = views.map((v) => ({
    memberId: v.memberId,
    metadata: v.metadata ? ({ ...v.metadata, owned: given(v.memberId) } satisfies MemberMetadata) : undefined,
  }));
  const next = assignRoutes(now, leaderId, undefined, observed);
  const assigned = new Set(views.flatMap((v) => given(v.memberId)));
  const nextAssigned = [...next.values()].flatMap((a) => a.units);
  // Units the last assignment withheld show up now: that rebalance is not over yet.
  if (nextAssigned.some((u) => !assigned.has(u))) return false;
  for (const v of views) {
    const before = new Set(given(v.memberId));
    const after = next.get(v.memberId)?.units ?? [];
    if (after.length !== before.size || after.some((u) => !before.has(u))) return true;
  }
  return false;
}

/**
 * The leader's periodic look at the balance: a rebalance is worth it only when the imbalance
 * lasts. {@link checked} counts consecutive checks that found one; {@link due} says when it held
 * for more than one check (hysteresis: a passing burst or a catch-up moves nothing).
 */
export class BalanceWatch {
  private streak = 0;

  /** Records one check's finding; true when a rebalance is due (and starts counting anew). */
  checked(imbalanced: boolean): boolean {
    this.streak = imbalanced ? this.streak + 1 : 0;
    if (this.streak < 2) return false;
    this.streak = 0;
    return true;
  }

  /** A rebalance happened for another reason: the count starts anew. */
  reset(): void {
    this.streak = 0;
  }
}
