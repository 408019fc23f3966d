import type { FetchedPartition, UndecodedFetchedPartition } from './port.ts';

/**
 * An already decoded partition in the undecoded shape: for record sources that have nothing to
 * gain from deferring (fakes in tests, a future adapter whose client decodes on its own).
 */
export function asUndecoded({ records, ...rest }: FetchedPartition): UndecodedFetchedPartition {
  return { ...rest, batchRecordCount: records.length, decode: () => Promise.resolve(records) };
}
