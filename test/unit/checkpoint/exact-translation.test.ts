import { describe, expect, it } from 'vitest';
import { ExactRunIndex } from '../../../src/connectors/checkpoint/exact-runs.ts';
import { OffsetSyncStore } from '../../../src/connectors/checkpoint/offset-sync-store.ts';
import type { TopicPartition } from '../../../src/records/topic-partition.ts';
import { JavaRandom } from './java-random.ts';

/** An int in [0, bound) from Java's generator (deterministic across runs). */
function nextInt(random: JavaRandom, bound: number): number {
  return Number(random.nextLongBetween(0n, BigInt(bound)));
}

const tp: TopicPartition = { topic: 't', partition: 0 };

function ready(mustReadToEnd = true): OffsetSyncStore {
  const store = new OffsetSyncStore();
  store.start(mustReadToEnd);
  store.markReadToEnd();
  return store;
}

function marked(store: OffsetSyncStore, u: bigint, d: bigint, s?: bigint): void {
  store.handleSync({ topicPartition: tp, upstreamOffset: u, downstreamOffset: d }, s);
}

describe('exact translation over marked offset syncs', () => {
  it('translates exactly inside a run where Java only has a lower bound', () => {
    const store = ready();
    marked(store, 0n, 0n, 0n);
    marked(store, 100n, 100n, 0n);
    marked(store, 200n, 200n, 0n);
    // Java: the newest sync at or below 150 is (100, 100) → 101, re-reading 49 records.
    expect(store.translateDownstream(tp, 150n)).toBe(101n);
    expect(store.translate(tp, 150n)).toMatchObject({ downstreamOffset: 150n, exact: true, baseline: 101n });
    // One past the run's last record is exact too (a caught-up group).
    expect(store.translate(tp, 201n)).toMatchObject({ downstreamOffset: 201n, exact: true });
    // Past the proven range: Java's lower bound, not exact.
    expect(store.translate(tp, 250n)).toMatchObject({ downstreamOffset: 201n, exact: false, baseline: 201n });
    expect(store.exactRunsFor(tp)).toEqual([{ start: 0n, end: 200n, delta: 0n }]);
  });

  it('follows a delta change (upstream gap) run by run', () => {
    const store = ready();
    // Records 0..99 at 0..99; 100..109 compacted away upstream; 110.. land at 100..
    marked(store, 50n, 50n, 0n);
    marked(store, 99n, 99n, 0n); // closing sync of the first run
    marked(store, 110n, 100n, 110n);
    marked(store, 250n, 240n, 110n);
    expect(store.translate(tp, 80n)).toMatchObject({ downstreamOffset: 80n, exact: true });
    expect(store.translate(tp, 100n)).toMatchObject({ downstreamOffset: 100n, exact: true }); // end + 1 of run 1
    // Inside the gap nothing proves the position: Java's bound (its sparse history kept (50, 50)).
    expect(store.translate(tp, 105n)).toMatchObject({ downstreamOffset: 51n, exact: false });
    expect(store.translate(tp, 120n)).toMatchObject({ downstreamOffset: 110n, exact: true, baseline: 51n });
    // Java's sparse history no longer holds (110, 100): it re-reads from 51.
    expect(store.translateDownstream(tp, 120n)).toBe(51n);
  });

  it('behaves exactly like Java for syncs without the header', () => {
    const store = ready();
    marked(store, 100n, 200n);
    marked(store, 150n, 251n);
    for (const g of [5n, 100n, 120n, 150n, 151n, 400n]) {
      expect(store.translateDownstreamExact(tp, g)).toBe(store.translateDownstream(tp, g));
    }
    expect(store.translate(tp, 151n)).toMatchObject({ downstreamOffset: 252n, exact: true });
    expect(store.translate(tp, 152n)).toMatchObject({ downstreamOffset: 252n, exact: false });
  });

  it('forgets runs when the upstream rewinds, as Java forgets its syncs', () => {
    const store = ready();
    marked(store, 500n, 500n, 0n);
    marked(store, 10n, 900n, 10n); // topic recreated upstream: offsets restart
    expect(store.exactRunsFor(tp)).toEqual([{ start: 10n, end: 10n, delta: 890n }]);
    expect(store.translate(tp, 300n)).toMatchObject({ downstreamOffset: 901n, exact: false });
  });

  it('keeps only the last run during a last-sync-only initial load', () => {
    const store = new OffsetSyncStore();
    store.start(true);
    marked(store, 100n, 100n, 0n);
    marked(store, 120n, 110n, 110n);
    store.markReadToEnd();
    expect(store.exactRunsFor(tp)).toEqual([{ start: 110n, end: 120n, delta: -10n }]);
    expect(store.translate(tp, 50n)).toMatchObject({ kind: 'too-old' });
    // An offset before the newest sync but inside its run is proven: translated although Java says -1.
    expect(store.translateDownstream(tp, 115n)).toBe(-1n);
    expect(store.translate(tp, 115n)).toMatchObject({ downstreamOffset: 105n, exact: true, baseline: -1n });
  });

  it('ignores impossible claims', () => {
    const index = new ExactRunIndex();
    const sync = { topicPartition: tp, upstreamOffset: 10n, downstreamOffset: 5n };
    expect(index.add(sync, 11n)).toBe(false); // starts after its own record
    expect(index.add(sync, 0n)).toBe(false); // would begin at downstream -5
    expect(index.add(sync, -1n)).toBe(false);
    expect(index.add(sync, 5n)).toBe(true);
    expect(index.lookup(tp, 4n)).toBeUndefined();
    expect(index.lookup(tp, 11n)).toBe(6n);
    expect(index.lookup(tp, 12n)).toBeUndefined();
  });

  it('bounds the runs kept per partition, dropping the oldest', () => {
    const index = new ExactRunIndex(3);
    for (let i = 0n; i < 5n; i++)
      index.add({ topicPartition: tp, upstreamOffset: i * 10n + 5n, downstreamOffset: i * 6n + 5n }, i * 10n);
    expect(index.runsFor(tp).map((r) => r.start)).toEqual([20n, 30n, 40n]);
    expect(index.lookup(tp, 3n)).toBeUndefined();
  });

  it('prefers the later copy when a re-send covers the same offsets', () => {
    const index = new ExactRunIndex();
    index.add({ topicPartition: tp, upstreamOffset: 50n, downstreamOffset: 50n }, 0n);
    index.add({ topicPartition: tp, upstreamOffset: 50n, downstreamOffset: 90n }, 10n); // re-sent from 10 at 50
    expect(index.lookup(tp, 20n)).toBe(60n);
    expect(index.lookup(tp, 5n)).toBe(5n);
  });

  it('never skips an unconsumed record and is exact where it says so (random logs with gaps)', () => {
    const random = new JavaRandom(20240601n);
    for (let round = 0; round < 40; round++) {
      // An upstream log with gaps (compaction, transaction markers), copied in order downstream.
      const upstream: bigint[] = [];
      let next = BigInt(nextInt(random, 50));
      for (let i = 0; i < 400; i++) {
        upstream.push(next);
        next += nextInt(random, 10) < 2 ? BigInt(2 + nextInt(random, 5)) : 1n;
      }
      const store = ready();
      let runStart = upstream[0]!;
      for (let i = 0; i < upstream.length; i++) {
        const u = upstream[i]!;
        if (i > 0 && u !== upstream[i - 1]! + 1n) runStart = u;
        // Syncs at random places, always one for the last record of a run (the closing sync).
        const closesRun = i + 1 === upstream.length || upstream[i + 1] !== u + 1n;
        if (closesRun || nextInt(random, 30) === 0) marked(store, u, BigInt(i), runStart);
      }
      const truth = (g: bigint): bigint => {
        // Downstream position of the first record at or after upstream g (log end if none).
        const i = upstream.findIndex((u) => u >= g);
        return BigInt(i === -1 ? upstream.length : i);
      };
      for (let g = upstream[0]!; g <= upstream.at(-1)! + 1n; g++) {
        const t = store.translate(tp, g);
        if (t.kind !== 'translated') continue;
        expect(t.downstreamOffset).toBeLessThanOrEqual(truth(g));
        expect(t.downstreamOffset).toBeGreaterThanOrEqual(t.baseline);
        if (t.exact) expect(t.downstreamOffset).toBe(truth(g));
        // Every record of a run is covered: inside runs translation is exact.
        if (upstream.includes(g)) expect(t.exact).toBe(true);
      }
    }
  });
});
