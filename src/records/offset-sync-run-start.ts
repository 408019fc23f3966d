/**
 * The header our offset-sync writer adds to every sync it sends: 8 bytes, a big-endian signed
 * INT64, the *run start*. What it asserts, and why a reader may trust it, is argued where it is
 * written: `OffsetSyncWriter` (src/connectors/source/offset-sync-writer.ts).
 */
export const RUN_START_HEADER = 'mm2ts.run-start';

/** Reads the run start of a sync written with `markExact`; undefined when absent or malformed. */
export function readRunStart(headers: readonly { key: string; value: Buffer | null }[]): bigint | undefined {
  const h = headers.find((x) => x.key === RUN_START_HEADER);
  if (h?.value?.length !== 8) return undefined;
  return h.value.readBigInt64BE(0);
}
