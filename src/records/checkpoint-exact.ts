/**
 * The header our checkpoint runtime adds to a checkpoint whose downstream offset is the exact
 * position of its upstream offset (`OffsetSyncStore.translate` answered `exact: true`, see
 * docs/offset-translation.md): a failover there re-reads nothing. One byte, 1. Absent means a
 * lower bound (Java's guarantee). Key and value bytes stay Java's; Java readers ignore headers.
 */
export const CHECKPOINT_EXACT_HEADER = 'mm2ts.exact';

/** The header that marks an exact checkpoint. */
export function exactCheckpointHeader(): { key: string; value: Buffer } {
  return { key: CHECKPOINT_EXACT_HEADER, value: Buffer.from([1]) };
}

/** True only when the headers carry {@link CHECKPOINT_EXACT_HEADER} with the value 1. */
export function hasExactCheckpointHeader(headers: readonly { key: string; value: Buffer | null }[]): boolean {
  const h = headers.find((x) => x.key === CHECKPOINT_EXACT_HEADER);
  return h?.value?.length === 1 && h.value[0] === 1;
}
