import type { ConsumedRecord, KafkaAdmin, RecordSource } from '../../kafka/port.ts';
import { decodeOffsetSync, readRunStart, topicPartitionKey } from '../../records/index.ts';
import { MirrorError } from '../../util/errors.ts';
import type { PartitionSync } from './reverse-translate.ts';

/** Every offset sync of an offset-syncs topic, per upstream partition (`topicPartitionKey`). */
export type SyncsByPartition = ReadonlyMap<string, readonly PartitionSync[]>;

/** Reading a log to a known end did not finish in time (a broker down, a stuck fetch). */
export class LogReadTimeoutError extends MirrorError {
  constructor(topic: string, partition: number, at: bigint, end: bigint, timeoutMs: number) {
    super(
      'ERR_DR_READ_TIMEOUT',
      `reading ${topic}-${partition} stopped at offset ${at} before its end ${end} within ${timeoutMs} ms`,
      { topic, partition, at: at.toString(), end: end.toString() },
    );
  }
}

/**
 * The records of `topic`-`partition` from `from` up to `end` (exclusive), or at most `limit` of
 * them; bounded by `deadline` (epoch ms).
 */
export async function readRange(
  source: RecordSource,
  topic: string,
  partition: number,
  from: bigint,
  end: bigint,
  options: { limit?: number; deadline: number; timeoutMs: number },
): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  let at = from;
  while (at < end && out.length < limit) {
    if (Date.now() > options.deadline) throw new LogReadTimeoutError(topic, partition, at, end, options.timeoutMs);
    const [fetched] = await source.fetch([{ topic, partition, offset: at }]);
    if (fetched === undefined) break;
    if (fetched.error === 'OFFSET_OUT_OF_RANGE') {
      throw new MirrorError('ERR_DR_OUT_OF_RANGE', `offset ${at} of ${topic}-${partition} is no longer in the log`, {
        topic,
        partition,
      });
    }
    for (const r of fetched.records) {
      if (r.offset >= end || out.length >= limit) break;
      out.push(r);
    }
    at = fetched.nextOffset > at ? fetched.nextOffset : at;
  }
  return out;
}

/**
 * Reads a whole offset-syncs topic (one partition, as MM2 creates it) to its current end: every
 * sync, in log order, with its run start when it carries one. An absent topic gives an empty map
 * (`exists: false`), so a plan can say so instead of failing.
 */
export async function readOffsetSyncs(
  admin: KafkaAdmin,
  source: RecordSource,
  topic: string,
  options: { deadline: number; timeoutMs: number },
): Promise<{ exists: boolean; syncs: SyncsByPartition; count: number }> {
  if (!(await admin.listTopics()).includes(topic)) return { exists: false, syncs: new Map(), count: 0 };
  const [p0] = (await admin.listOffsets(topic)).filter((o) => o.partition === 0);
  const syncs = new Map<string, PartitionSync[]>();
  if (p0 === undefined) return { exists: true, syncs, count: 0 };
  const records = await readRange(source, topic, 0, p0.earliest, p0.latest, options);
  let count = 0;
  for (const r of records) {
    let sync;
    try {
      sync = decodeOffsetSync(r.key, r.value);
    } catch {
      continue; // not an offset sync (Java's readers skip it too)
    }
    const key = topicPartitionKey(sync.topicPartition);
    let list = syncs.get(key) ?? [];
    // An upstream rewind (the source topic was recreated or truncated): older syncs describe
    // other records. Java's OffsetSyncStore forgets them too.
    if (list.length > 0 && sync.upstreamOffset < list[list.length - 1]!.upstream) list = [];
    const runStart = readRunStart(r.headers);
    list.push({
      upstream: sync.upstreamOffset,
      downstream: sync.downstreamOffset,
      ...(runStart !== undefined ? { runStart } : {}),
    });
    syncs.set(key, list);
    count++;
  }
  return { exists: true, syncs, count };
}
