import type { FetchedPartition, UndecodedFetchedPartition } from '../../src/kafka/index.ts';

/**
 * An already decoded partition in the undecoded shape, for fake record sources in tests (the
 * real adapter defers decoding itself).
 */
export function asUndecoded({ records, ...rest }: FetchedPartition): UndecodedFetchedPartition {
  return { ...rest, batchRecordCount: records.length, decode: () => Promise.resolve(records) };
}
