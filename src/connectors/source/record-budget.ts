import type { UndecodedFetchedPartition } from '../../kafka/index.ts';

/** How much one produce group may hold: records (objects alive) and bytes (decoded sections). */
export interface ProduceBudget {
  readonly records: number;
  readonly bytes: number;
}

/**
 * Splits fetched partitions, in order, into groups of whole partitions within `budget`: at most
 * `budget.records` records and, by `estimatedBytes` (what a partition's decoded records will hold
 * in memory), at most `budget.bytes` bytes. A partition over either budget goes alone. Lazy: each
 * group is cut when it is asked for, so estimates learnt from decoding the groups before it count.
 */
export function* byProduceBudget(
  fetched: UndecodedFetchedPartition[],
  budget: ProduceBudget,
  estimatedBytes: (f: UndecodedFetchedPartition) => number = () => 0,
): Generator<UndecodedFetchedPartition[], void, undefined> {
  let current: UndecodedFetchedPartition[] = [];
  let count = 0;
  let bytes = 0;
  for (const f of fetched) {
    if (
      current.length > 0 &&
      (count + f.batchRecordCount > budget.records || bytes + estimatedBytes(f) > budget.bytes)
    ) {
      yield current;
      current = [];
      count = 0;
      bytes = 0;
    }
    current.push(f);
    count += f.batchRecordCount;
    // Asked again after a cut: what decoding the group just yielded taught counts.
    bytes += estimatedBytes(f);
  }
  if (current.length > 0) yield current;
}
