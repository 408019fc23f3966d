import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumedRecord, RecordSource } from '../kafka/port.ts';
import { beforeDeadline } from './deadline.ts';
import { MirrorClientError } from './errors.ts';

/** How far a read-to-end got. */
export interface ReadToEndResult {
  /** True when the read reached the partition's end (high watermark) before the deadline. */
  readonly complete: boolean;
  /** The next offset that would have been read. */
  readonly position: bigint;
  /** The last high watermark seen (-1 when none was seen). */
  readonly endOffset: bigint;
}

/**
 * Reads one partition from its beginning to its end, as Java's MirrorClient does with an assigned
 * consumer: seek to the beginning, poll until the position reaches the end offset (re-read every
 * round, so records appended meanwhile are read too) or the deadline passes. Records are handed
 * to `onRecord` in offset order. Costs one Fetch round trip per ~1 MiB of the partition.
 */
export async function readPartitionToEnd(
  source: RecordSource,
  topic: string,
  partition: number,
  deadline: number,
  onRecord: (record: ConsumedRecord) => void,
): Promise<ReadToEndResult> {
  let position = 0n;
  let endOffset = -1n;
  while (Date.now() < deadline) {
    let fetched;
    try {
      fetched = await beforeDeadline(
        source.fetch([{ topic, partition, offset: position }]),
        deadline,
        `reading ${topic}-${partition}`,
      );
    } catch (err) {
      if (err instanceof MirrorClientError && err.code === 'ERR_CLIENT_TIMEOUT') break;
      throw err;
    }
    const result = fetched.find((r) => r.partition === partition);
    if (result === undefined || result.highWatermark < 0n) {
      // No leader known right now: the next fetch refreshes metadata.
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
      continue;
    }
    endOffset = result.highWatermark;
    if (result.error === 'OFFSET_OUT_OF_RANGE') {
      // Retention or DeleteRecords moved the log start past our position: start from there.
      if (result.logStartOffset > position) position = result.logStartOffset;
      else position = result.highWatermark;
      continue;
    }
    for (const record of result.records) onRecord(record);
    position = result.nextOffset;
    if (position >= endOffset) return { complete: true, position, endOffset };
  }
  return { complete: endOffset >= 0n && position >= endOffset, position, endOffset };
}
