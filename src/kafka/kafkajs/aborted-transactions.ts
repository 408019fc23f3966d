import type { AbortedTransaction } from '../wire/fetch.ts';
import { decodeRecords } from '../protocol/decode.ts';
import type { RecordBatchView } from '../protocol/types.ts';

/**
 * Drops records of aborted transactions from one partition's fetched batches, as a read_committed
 * Java consumer does: a producer's transaction becomes "aborted" at the first offset the broker
 * lists for it and stays so until that producer's ABORT marker (a control batch).
 */
export function withoutAbortedTransactions(
  batches: RecordBatchView[],
  aborted: AbortedTransaction[] | null,
): RecordBatchView[] {
  if (!aborted || aborted.length === 0) return batches;
  const pending = [...aborted].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  );
  const abortedProducers = new Set<bigint>();
  const kept: RecordBatchView[] = [];
  for (const batch of batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= batch.baseOffset + BigInt(batch.lastOffsetDelta)) {
      abortedProducers.add(pending.shift()!.producerId);
    }
    if (batch.isControl) {
      // An ABORT marker (control type 0) closes that producer's aborted transaction.
      if (batch.isTransactional && isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      kept.push(batch);
      continue;
    }
    if (batch.isTransactional && abortedProducers.has(batch.producerId)) continue;
    kept.push(batch);
  }
  return kept;
}

/** Control record key: version int16, type int16 (0 ABORT, 1 COMMIT). Control batches are never compressed. */
function isAbortMarker(batch: RecordBatchView): boolean {
  const key = decodeRecords(batch, batch.recordsData)[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}
