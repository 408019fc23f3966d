import type { UndecodedFetchedPartition } from '../../kafka/index.ts';

/** Splits fetched partitions, in order, into groups of at most `budget` records (whole partitions). */
export function byRecordBudget(fetched: UndecodedFetchedPartition[], budget: number): UndecodedFetchedPartition[][] {
  const groups: UndecodedFetchedPartition[][] = [];
  let current: UndecodedFetchedPartition[] = [];
  let count = 0;
  for (const f of fetched) {
    if (current.length > 0 && count + f.batchRecordCount > budget) {
      groups.push(current);
      current = [];
      count = 0;
    }
    current.push(f);
    count += f.batchRecordCount;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
