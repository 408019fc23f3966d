import { describe, expect, it } from 'vitest';
import { byRecordBudget } from '../../../src/connectors/source/record-budget.ts';
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

describe('byRecordBudget', () => {
  it('groups whole partitions, in order, up to the budget; a partition over budget goes alone', () => {
    const groups = byRecordBudget([part(0, 10), part(1, 10), part(2, 5), part(3, 40), part(4, 1)], 25);
    expect(groups.map((g) => g.map((p) => p.partition))).toEqual([[0, 1, 2], [3], [4]]);
    expect(byRecordBudget([], 25)).toEqual([]);
  });
});
