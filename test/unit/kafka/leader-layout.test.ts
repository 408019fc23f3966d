/**
 * The record source keeps a round's grouping of partitions by leader while the next round asks
 * for the same partitions in the same order and metadata hands out the same leader tables. A
 * seeded differential test: whatever the caller does between rounds (same array reused, order
 * changed, partitions added or dropped, leaders moved), the grouping it fetches by equals one
 * made afresh for that round.
 */
import { describe, expect, it } from 'vitest';
import type { FetchRequest } from '../../../src/kafka/index.ts';
import { LeaderLayout } from '../../../src/kafka/kafkajs/leader-layout.ts';
import { seededRandom } from '../../support/seeded-random.ts';

type Leaders = Map<string, ReadonlyMap<number, number>>;

/** What fetchAll does with a layout: topics to look up, then the layout to fetch by. */
function nextLayout(previous: LeaderLayout | undefined, requests: FetchRequest[], leaders: Leaders): LeaderLayout {
  return LeaderLayout.next(previous, requests, LeaderLayout.topicsFor(previous, requests), leaders);
}

/** The grouping as requests: per leader, in request order; and the leaderless ones. */
function grouping(layout: LeaderLayout, requests: FetchRequest[]) {
  return {
    byLeader: [...layout.byLeader]
      .map(([leader, at]) => [leader, at.map((i) => `${requests[i]!.topic}/${requests[i]!.partition}`)] as const)
      .sort(([a], [b]) => a - b),
    leaderless: layout.leaderless.map((i) => `${requests[i]!.topic}/${requests[i]!.partition}`),
    topics: [...layout.topics].sort(),
  };
}

describe('LeaderLayout', () => {
  it('a round like the last one reuses the layout; new metadata tables or another order do not', () => {
    const table: Leaders = new Map([['a', new Map([[0, 1]])]]);
    const requests = [{ topic: 'a', partition: 0, offset: 0n }];
    const first = nextLayout(undefined, requests, table);
    expect(nextLayout(first, [{ topic: 'a', partition: 0, offset: 9n }], table)).toBe(first);
    expect(nextLayout(first, requests, new Map([['a', new Map([[0, 1]])]]))).not.toBe(first);
    const two = [...requests, { topic: 'a', partition: 1, offset: 0n }];
    const second = nextLayout(first, two, table);
    expect(second).not.toBe(first);
    expect(grouping(second, two).leaderless).toEqual(['a/1']);
    expect(nextLayout(second, [...two].reverse(), table)).not.toBe(second);
  });

  it.each(Array.from({ length: 30 }, (_, i) => 500 + i))(
    'seed %i: the grouping equals a fresh one, round after round',
    (seed) => {
      const next = seededRandom(seed);
      const all: [string, number][] = [];
      for (const t of ['a', 'b', 'c', 'd']) for (let p = 0; p < 5; p++) all.push([t, p]);
      // Metadata: one table per topic, replaced as a whole when anything in it changes (as kafkajs'
      // metadata is, see leadersIn in src/kafka/kafkajs/connection.ts).
      const leaderOf = new Map(all.map(([t, p]) => [`${t}/${p}`, 1 + Math.floor(next() * 3)]));
      const tables = (): Leaders =>
        new Map(
          ['a', 'b', 'c', 'd'].map((t) => {
            const m = new Map<number, number>();
            for (const [tt, p] of all) if (tt === t) m.set(p, leaderOf.get(`${t}/${p}`)!);
            return [t, m];
          }),
        );
      let leaders = tables();
      // A reused array, as a caller may keep one.
      const requests: FetchRequest[] = all
        .filter(() => next() < 0.6)
        .map(([topic, partition]) => ({ topic, partition, offset: 0n }));
      let layout: LeaderLayout | undefined;
      let reused = 0;
      for (let round = 0; round < 200; round++) {
        const x = next();
        if (x < 0.08) {
          // A leader moves (or is lost: -1) and metadata is refreshed.
          const [t, p] = all[Math.floor(next() * all.length)]!;
          leaderOf.set(`${t}/${p}`, next() < 0.2 ? -1 : 1 + Math.floor(next() * 3));
          leaders = tables();
        } else if (x < 0.12) {
          leaders = tables(); // refreshed, nothing moved
        } else if (x < 0.2) {
          // The same partition count, one swapped for another: the array is edited in place.
          const [topic, partition] = all[Math.floor(next() * all.length)]!;
          if (requests.length > 0) requests[Math.floor(next() * requests.length)] = { topic, partition, offset: 0n };
        } else if (x < 0.25) {
          requests.reverse();
        } else if (x < 0.3) {
          const [topic, partition] = all[Math.floor(next() * all.length)]!;
          requests.push({ topic, partition, offset: 0n });
        } else if (x < 0.35) {
          requests.splice(Math.floor(next() * requests.length), 1);
        } else {
          // The usual round: positions move, nothing else.
          for (let i = 0; i < requests.length; i++)
            if (next() < 0.2) requests[i] = { ...requests[i]!, offset: requests[i]!.offset + 1n };
        }
        const before = layout;
        layout = nextLayout(layout, requests, leaders);
        if (layout === before) reused++;
        const topics = [...new Set(requests.map((r) => r.topic))];
        expect(grouping(layout, requests), `seed ${seed} round ${round}`).toEqual(
          grouping(new LeaderLayout(requests, topics, leaders), requests),
        );
      }
      expect(reused).toBeGreaterThan(50);
    },
  );
});
