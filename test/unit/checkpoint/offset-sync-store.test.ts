import { describe, expect, it } from 'vitest';
import { OffsetSyncStore, SYNCS_PER_PARTITION } from '../../../src/connectors/checkpoint/offset-sync-store.ts';
import { encodeOffsetSyncKey, encodeOffsetSyncValue } from '../../../src/records/offset-sync.ts';
import type { TopicPartition } from '../../../src/records/topic-partition.ts';
import { RecordFormatError } from '../../../src/util/errors.ts';
import { JavaRandom } from './java-random.ts';

const tp: TopicPartition = { topic: 'topic1', partition: 2 };

/** Feeds a sync through the record codec, as the offset-syncs topic would. */
function sync(store: OffsetSyncStore, upstream: bigint, downstream: bigint, partition: TopicPartition = tp): void {
  const record = { topicPartition: partition, upstreamOffset: upstream, downstreamOffset: downstream };
  store.handleRecord(encodeOffsetSyncKey(record), encodeOffsetSyncValue(record));
}

/** A store whose initial read delivered `initial` syncs (upstream = downstream). */
function startedStore(mustReadToEnd: boolean, initial: bigint[] = []): OffsetSyncStore {
  const store = new OffsetSyncStore();
  store.start(mustReadToEnd);
  for (const offset of initial) sync(store, offset, offset);
  store.markReadToEnd();
  return store;
}

function range(from: number, to: number, step: number): bigint[] {
  const out: bigint[] = [];
  for (let o = from; o <= to; o += step) out.push(BigInt(o));
  return out;
}

/** Java's assertSparseSync: offsets around a sync translate to (previous + 1 | -1), exact, +1, +1. */
function expectSparseSync(store: OffsetSyncStore, syncOffset: bigint, previousOffset: bigint): void {
  expect(store.translateDownstream(tp, syncOffset - 1n)).toBe(previousOffset === -1n ? -1n : previousOffset + 1n);
  expect(store.translateDownstream(tp, syncOffset)).toBe(syncOffset);
  expect(store.translateDownstream(tp, syncOffset + 1n)).toBe(syncOffset + 1n);
  expect(store.translateDownstream(tp, syncOffset + 2n)).toBe(syncOffset + 1n);
}

/** Invariants B and C of the sparse array, with Java's 64-bit overflow handling of the bounds. */
function expectSparseSyncInvariant(store: OffsetSyncStore): void {
  const syncs = store.syncsFor(tp)!;
  for (let j = 0; j < SYNCS_PER_PARTITION; j++) {
    for (let i = 0; i < j; i++) {
      const jUp = syncs[j]!.upstreamOffset;
      const iUp = syncs[i]!.upstreamOffset;
      if (jUp === iUp) continue;
      const lower = BigInt.asIntN(64, jUp + BigInt.asIntN(64, 1n << BigInt(Math.max(i - 2, 0))));
      if (lower < 0n) continue;
      if (iUp < lower) throw new Error(`invariant C(${i},${j}) violated: ${iUp} < ${lower}`);
      const upper = BigInt.asIntN(64, jUp + BigInt.asIntN(64, 1n << BigInt(j)) - BigInt.asIntN(64, 1n << BigInt(i)));
      if (upper < 0n) continue;
      if (iUp > upper) throw new Error(`invariant B(${i},${j}) violated: ${iUp} > ${upper}`);
    }
  }
}

function countDistinctSyncs(store: OffsetSyncStore): number {
  const syncs = store.syncsFor(tp)!;
  let count = 1;
  for (let i = 1; i < SYNCS_PER_PARTITION; i++) if (syncs[i - 1] !== syncs[i]) count++;
  return count;
}

/**
 * Java's assertSyncSpacingHasBoundedExpirations: after each new sync, the newest and the first
 * sync are retained and at most `maximumExpirations` distinct syncs were dropped.
 */
function expectBoundedExpirations(firstOffset: bigint, steps: Iterable<bigint>, maximumExpirations: number): void {
  const store = startedStore(true);
  // Plain checks rather than expect(): this runs ~300k times.
  const feed = (o: bigint): void => store.handleSync({ topicPartition: tp, upstreamOffset: o, downstreamOffset: o });
  feed(firstOffset);
  let offset = firstOffset;
  let lastCount = 1;
  for (const step of steps) {
    offset += step;
    if (offset < 0n || offset >= 1n << 63n) throw new Error('test is invalid, offset overflowed');
    feed(offset);
    const syncs = store.syncsFor(tp)!;
    if (syncs[0]!.upstreamOffset !== offset) throw new Error(`invariant A violated after ${offset}`);
    if (syncs[SYNCS_PER_PARTITION - 1]!.upstreamOffset !== firstOffset) {
      throw new Error(`invariant D violated after ${offset}`);
    }
    const count = countDistinctSyncs(store);
    const expired = lastCount - count + 1;
    if (expired > maximumExpirations) {
      throw new Error(`store expired ${expired} > ${maximumExpirations} syncs after offset ${offset}`);
    }
    lastCount = count;
  }
}

describe('OffsetSyncStore (OffsetSyncStoreTest)', () => {
  it('translates one past a sync, exactly at a sync, -1 before any sync, and follows resets', () => {
    const store = startedStore(true);
    sync(store, 100n, 200n);
    expect(store.translateDownstream(tp, 150n)).toBe(201n);
    sync(store, 150n, 251n);
    expect(store.translateDownstream(tp, 150n)).toBe(251n);
    expect(store.translateDownstream(tp, 5n)).toBe(-1n);
    sync(store, 200n, 10n); // downstream reset
    expect(store.translateDownstream(tp, 200n)).toBe(10n);
    sync(store, 20n, 20n); // upstream reset
    expect(store.translateDownstream(tp, 20n)).toBe(20n);
  });

  it('translates nothing before the initial read reached the end', () => {
    const store = new OffsetSyncStore();
    expect(store.translateDownstream(tp, 0n)).toBeUndefined();
    store.start(true);
    sync(store, 100n, 200n);
    for (const offset of [0n, 100n, 200n]) expect(store.translateDownstream(tp, offset)).toBeUndefined();
    store.markReadToEnd();
    expect(store.translateDownstream(tp, 0n)).toBe(-1n);
    expect(store.translateDownstream(tp, 100n)).toBe(200n);
    expect(store.translateDownstream(tp, 200n)).toBe(201n);
  });

  it('has no translation for a partition without syncs', () => {
    const store = startedStore(true);
    expect(store.translateDownstream(tp, 0n)).toBeUndefined();
    sync(store, 1n, 1n, { topic: 'topic1', partition: 3 });
    expect(store.translateDownstream(tp, 0n)).toBeUndefined();
  });

  it('keeps a sparse history (initial read keeps only the last sync)', () => {
    const store = new OffsetSyncStore();
    store.start(true);
    for (const offset of range(0, 1000, 10)) {
      sync(store, offset, offset);
      expectSparseSyncInvariant(store);
    }
    store.markReadToEnd();
    expectSparseSync(store, 1000n, -1n);

    for (const offset of range(1010, 10000, 10)) {
      sync(store, offset, offset);
      expectSparseSyncInvariant(store);
    }
    expectSparseSync(store, 1000n, -1n);
    const expected: [bigint, bigint][] = [
      [4840n, 1000n],
      [6760n, 4840n],
      [8680n, 6760n],
      [9160n, 8680n],
      [9640n, 9160n],
      [9880n, 9640n],
      [9940n, 9880n],
      [9970n, 9940n],
      [9990n, 9970n],
      [10000n, 9990n],
    ];
    for (const [syncOffset, previous] of expected) expectSparseSync(store, syncOffset, previous);

    sync(store, 1500n, 11000n); // upstream rewind clears history
    expectSparseSyncInvariant(store);
    expect(store.translateDownstream(tp, 1499n)).toBe(-1n);
    expect(store.translateDownstream(tp, 1500n)).toBe(11000n);
    expect(store.translateDownstream(tp, 2000n)).toBe(11001n);
  });

  it('keeps a sparse history (initial read keeps the whole history)', () => {
    const store = new OffsetSyncStore();
    store.start(false);
    for (const offset of range(0, 1000, 10)) {
      sync(store, offset, offset);
      expectSparseSyncInvariant(store);
    }
    store.markReadToEnd();
    expectSparseSync(store, 480n, 0n);
    expectSparseSync(store, 720n, 480n);
    expectSparseSync(store, 1000n, 990n);

    for (const offset of range(1000, 10000, 10)) {
      sync(store, offset, offset);
      expectSparseSyncInvariant(store);
    }
    const expected: [bigint, bigint][] = [
      [3840n, 0n],
      [7680n, 3840n],
      [8640n, 7680n],
      [9120n, 8640n],
      [9600n, 9120n],
      [9840n, 9600n],
      [9900n, 9840n],
      [9960n, 9900n],
      [9990n, 9960n],
      [10000n, 9990n],
    ];
    for (const [syncOffset, previous] of expected) expectSparseSync(store, syncOffset, previous);

    sync(store, 1500n, 11000n);
    expectSparseSyncInvariant(store);
    expect(store.translateDownstream(tp, 1499n)).toBe(-1n);
    expect(store.translateDownstream(tp, 1500n)).toBe(11000n);
    expect(store.translateDownstream(tp, 2000n)).toBe(11001n);
  });

  it('expires at most one sync per update when syncs are evenly spaced', () => {
    const iterations = 100n;
    const maxStep = ((1n << 63n) - 1n) / iterations;
    for (let step = 1n; step < maxStep; step = step * 2n + 1n) {
      for (let firstOffset = 0n; firstOffset < 30n; firstOffset++) {
        expectBoundedExpirations(
          firstOffset,
          Array.from({ length: Number(iterations) }, () => step),
          1,
        );
      }
    }
  }, 60_000);

  it('expires at most n+2 syncs per update when steps differ by up to 2^n (Java Random(0) streams)', () => {
    const random = new JavaRandom(0n);
    const iterations = 1 << 10;
    for (let n = 1; n < 64 - 10; n++) {
      const maximumDifference = 1n << BigInt(n);
      const steps = Array.from({ length: iterations }, () => random.nextLongBetween(0n, maximumDifference));
      expectBoundedExpirations(0n, steps, n + 2);
      const offsetLagMax = 1n << 16n;
      const laggedSteps = Array.from({ length: iterations }, () =>
        random.nextLongBetween(offsetLagMax, offsetLagMax + maximumDifference),
      );
      expectBoundedExpirations(0n, laggedSteps, n + 2);
    }
  }, 60_000);

  it('expires at most 2 syncs per update when every other sync may be dropped', () => {
    const random = new JavaRandom(0n);
    const offsetLagMax = 100n;
    const steps = Array.from({ length: 10000 }, () => (random.nextDouble() < 0.5 ? 2n : 1n) * offsetLagMax);
    expectBoundedExpirations(0n, steps, 2);
  }, 60_000);

  it('handles offsets near 2^63 with Java overflow semantics', () => {
    const store = startedStore(true);
    const top = (1n << 63n) - 1n;
    for (const offset of [top - 1000n, top - 100n, top - 10n, top]) {
      sync(store, offset, offset);
      expectSparseSyncInvariant(store);
    }
    expect(store.translateDownstream(tp, top)).toBe(top);
    expect(store.translateDownstream(tp, top - 50n)).toBe(top - 99n);
  });

  it('rejects a malformed record or tombstone without changing its state', () => {
    const store = startedStore(true);
    sync(store, 10n, 20n);
    expect(() => store.handleRecord(Buffer.from([0, 1, 0x74]), Buffer.alloc(16))).toThrow(RecordFormatError);
    expect(() => store.handleRecord(Buffer.from([0, 1, 0x74, 0, 0, 0, 2]), null)).toThrow(RecordFormatError);
    expect(store.translateDownstream(tp, 10n)).toBe(20n);
  });

  it('reports the sync used and whether the translation is exact', () => {
    const store = startedStore(true);
    sync(store, 100n, 200n);
    expect(store.translate(tp, 100n)).toMatchObject({ kind: 'translated', downstreamOffset: 200n, exact: true });
    expect(store.translate(tp, 150n)).toMatchObject({ kind: 'translated', downstreamOffset: 201n, exact: false });
    expect(store.translate(tp, 50n)).toMatchObject({ kind: 'too-old' });
  });
});
