import { describe, expect, it } from 'vitest';
import { byProduceBudget } from '../../../src/connectors/source/record-budget.ts';
import type { UndecodedFetchedPartition } from '../../../src/kafka/index.ts';

const part = (partition: number, batchRecordCount: number): UndecodedFetchedPartition => ({
  topic: 't',
  partition,
  batchRecordCount,
  nextOffset: 0n,
  highWatermark: 0n,
  logStartOffset: 0n,
  decode: () => Promise.resolve([]),
});

const partitions = (groups: Iterable<UndecodedFetchedPartition[]>): number[][] =>
  [...groups].map((g) => g.map((p) => p.partition));

describe('byProduceBudget', () => {
  it('groups whole partitions, in order, up to the record budget; a partition over budget goes alone', () => {
    const budget = { records: 25, bytes: Infinity };
    const groups = byProduceBudget([part(0, 10), part(1, 10), part(2, 5), part(3, 40), part(4, 1)], budget);
    expect(partitions(groups)).toEqual([[0, 1, 2], [3], [4]]);
    expect([...byProduceBudget([], budget)]).toEqual([]);
  });

  it('cuts a group where the estimated bytes would pass the byte budget, whichever budget binds first', () => {
    // 10 records each; 1 KB records on even partitions, 100 B on odd ones.
    const fetched = [0, 1, 2, 3, 4, 5].map((p) => part(p, 10));
    const bytesOf = (f: UndecodedFetchedPartition): number => f.batchRecordCount * (f.partition % 2 === 0 ? 1000 : 100);
    expect(partitions(byProduceBudget(fetched, { records: 100, bytes: 12_000 }, bytesOf))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    // The record budget binds before the bytes do.
    expect(partitions(byProduceBudget(fetched, { records: 20, bytes: 1e9 }, bytesOf))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    // A partition larger than the byte budget alone is its own group; unknown sizes count as 0.
    const mixed = [1, 3, 0, 5].map((p) => fetched[p]!);
    expect(partitions(byProduceBudget(mixed, { records: 100, bytes: 5_000 }, bytesOf))).toEqual([[1, 3], [0], [5]]);
    expect(partitions(byProduceBudget(fetched, { records: 100, bytes: 5_000 }))).toEqual([[0, 1, 2, 3, 4, 5]]);
  });

  it('cuts each group when asked for it, with what the estimate has learnt by then', () => {
    const fetched = [0, 1, 2, 3].map((p) => part(p, 10));
    let perRecord = 0; // nothing known until the first group is decoded
    const groups = byProduceBudget(fetched, { records: 25, bytes: 15_000 }, (f) => f.batchRecordCount * perRecord);
    expect(groups.next().value?.map((p) => p.partition)).toEqual([0, 1]); // the record budget cut it
    perRecord = 1000; // learnt from decoding [0, 1]: 10,000 bytes per partition
    expect(partitions(groups)).toEqual([[2], [3]]);
  });
});
