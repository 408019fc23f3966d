/**
 * A fetched partition's batches as the mirror copies them (`UndecodedFetchedPartition.decodePieces`,
 * src/kafka/port.ts): runs of batches decoded into {@link FetchedRecord}s with their
 * {@link FetchedSummary}, and batches that may pass through kept whole (pass-through.ts).
 */
import type { CompressionType, ConsumedRecord, FetchedPiece, PassThroughRule } from '../port.ts';
import type { SectionArena } from '../section-arena.ts';
import { recordsSection, recordsSectionInto } from './decode.ts';
import { decodeFetchedRecordsInto } from './fetched-record.ts';
import { passThroughBlocker } from './pass-through.ts';
import { FetchedSummary } from './record-columns.ts';
import { transcodeRecords } from './transcode.ts';
import type { RecordBatchView } from './types.ts';

/**
 * The pieces of `views` (one partition's data batches, in offset order, control batches removed),
 * read from offset `from`: with `passThrough` undefined, every batch decoded into one piece. With
 * `encodeFor`, decoded runs come re-encoded for that codec (transcode.ts), not as records.
 */
export async function decodeFetchedPieces(
  views: readonly RecordBatchView[],
  topic: string,
  partition: number,
  from: bigint,
  passThrough: PassThroughRule | undefined,
  arena?: SectionArena,
  encodeFor?: CompressionType,
): Promise<FetchedPiece[]> {
  const sectionOf = (view: RecordBatchView): Promise<Buffer> =>
    arena === undefined ? recordsSection(view) : recordsSectionInto(view, arena);
  const decodeRun = async (run: readonly RecordBatchView[], blocker: string | undefined): Promise<FetchedPiece> => {
    // Compressed batches are decompressed concurrently (off the event loop), then decoded in order.
    const sections = await Promise.all(run.map(sectionOf));
    const summary = new FetchedSummary();
    if (encodeFor !== undefined) {
      const encoded = transcodeRecords(run, sections, from, encodeFor, summary);
      const piece = { encoded, batches: run.length, summary };
      return blocker === undefined ? piece : { ...piece, blocker };
    }
    const records: ConsumedRecord[] = [];
    for (let i = 0; i < run.length; i++)
      decodeFetchedRecordsInto(run[i]!, sections[i]!, topic, partition, from, records, summary);
    const piece = { records, batches: run.length, summary };
    return blocker === undefined ? piece : { ...piece, blocker };
  };
  if (passThrough === undefined) return views.length > 0 ? [await decodeRun(views, undefined)] : [];
  const pieces: FetchedPiece[] = [];
  let deep: RecordBatchView[] = [];
  let blocker: string | undefined;
  for (const view of views) {
    const why = passThroughBlocker(view, from, passThrough);
    if (why !== undefined) {
      if (deep.length === 0) blocker = why;
      deep.push(view);
      continue;
    }
    if (deep.length > 0) pieces.push(await decodeRun(deep, blocker));
    deep = [];
    blocker = undefined;
    const { bytes, baseOffset, recordCount, baseTimestamp, maxTimestamp } = view;
    pieces.push({ batch: { bytes, baseOffset, recordCount, baseTimestamp, maxTimestamp } });
  }
  if (deep.length > 0) pieces.push(await decodeRun(deep, blocker));
  return pieces;
}
