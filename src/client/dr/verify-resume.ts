import type { ConsumedRecord } from '../../kafka/port.ts';
import type { DrRoute } from './dr-route.ts';
import { readRange } from './read-log.ts';

/** How far from a resume position the copy of the last consumed record is looked for. */
const SEARCH_WINDOW = 10_000n;

/** What resuming at `resumeAt` on T would do to a group that consumed S up to `sourceCommitted`. */
export interface ResumeCheck {
  /** Records the group would read a second time; null when it cannot be told. */
  readonly reread: bigint | null;
  /** Records after the S position the group would skip (must be 0); null when it cannot be told. */
  readonly missing: bigint | null;
  /** Why a figure is null. */
  readonly note?: string;
}

function sameRecord(a: ConsumedRecord, b: ConsumedRecord): boolean {
  const eq = (x: Buffer | null, y: Buffer | null): boolean => (x === null ? y === null : y !== null && x.equals(y));
  return a.timestamp === b.timestamp && eq(a.key, b.key) && eq(a.value, b.value);
}

/**
 * Checks a resume position against the data: finds on T the copy of the last record the group
 * consumed on S (offset `sourceCommitted - 1`; MM2 keeps key, value and timestamp). Found just
 * before `resumeAt`: nothing re-read, nothing missing. Found at or after it: the records from
 * `resumeAt` to the copy are re-read. Found further back: the records in between would be skipped.
 */
export async function checkResume(
  route: DrRoute,
  where: { sourceTopic: string; remoteTopic: string; partition: number },
  sourceCommitted: bigint,
  resumeAt: bigint,
): Promise<ResumeCheck> {
  const { sourceTopic, remoteTopic, partition } = where;
  if (sourceCommitted <= 0n) return { reread: 0n, missing: 0n };
  const [last] = await readRange(route.sourceCluster, sourceTopic, partition, sourceCommitted - 1n, sourceCommitted, 1);
  if (last === undefined)
    return { reread: null, missing: null, note: 'the last consumed record is no longer on the source' };
  if (resumeAt > 0n) {
    const [before] = await readRange(route.targetCluster, remoteTopic, partition, resumeAt - 1n, resumeAt, 1);
    if (before !== undefined && sameRecord(before, last)) return { reread: 0n, missing: 0n };
  }
  const ahead = await readRange(route.targetCluster, remoteTopic, partition, resumeAt, resumeAt + SEARCH_WINDOW);
  const found = ahead.find((r) => sameRecord(r, last));
  if (found !== undefined) return { reread: found.offset - resumeAt + 1n, missing: 0n };
  const from = resumeAt > SEARCH_WINDOW ? resumeAt - SEARCH_WINDOW : 0n;
  const behind = await readRange(route.targetCluster, remoteTopic, partition, from, resumeAt);
  const copy = behind.findLast((r) => sameRecord(r, last));
  if (copy !== undefined) return { reread: 0n, missing: resumeAt - 1n - copy.offset };
  return { reread: null, missing: null, note: 'the last consumed record is not on the target (not replicated yet?)' };
}
