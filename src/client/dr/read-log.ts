import { CompactedLog } from '../../connect/compacted-log.ts';
import type { ConsumedRecord, KafkaAdmin, KafkaCluster } from '../../kafka/port.ts';

/** How long reading a small internal topic may go without progress before the command gives up. */
export const READ_STALL_MS = 15_000;

/**
 * Reads `topic` of `cluster` from its beginning to its current end (Connect's KafkaBasedLog
 * read, src/connect/compacted-log.ts), handing every record to `onRecord`. False when the topic
 * does not exist.
 */
export async function readWholeTopic(
  cluster: KafkaCluster,
  admin: KafkaAdmin,
  topic: string,
  onRecord: (record: ConsumedRecord) => void,
): Promise<boolean> {
  if (!(await admin.listTopics()).includes(topic)) return false;
  const source = await cluster.recordSource({ isolationLevel: 'read_uncommitted' });
  try {
    await new CompactedLog({ topic, source, admin, onRecord, stallTimeoutMs: READ_STALL_MS }).readToEnd();
    return true;
  } finally {
    await source.close();
  }
}

/** Records of one partition in [from, to), at most `max` of them (fewer when the log ends first). */
export async function readRange(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  from: bigint,
  to: bigint,
  max = 10_000,
): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  if (from >= to) return out;
  const source = await cluster.recordSource({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
  try {
    let offset = from;
    while (offset < to && out.length < max) {
      const [fetched] = await source.fetch([{ topic, partition, offset }]);
      if (fetched === undefined || fetched.error !== undefined) break;
      out.push(...fetched.records.filter((r) => r.offset >= offset && r.offset < to).slice(0, max - out.length));
      // Nothing past `offset` yet (the end of the log, or an empty long poll): stop here.
      if (fetched.nextOffset <= offset) break;
      offset = fetched.nextOffset;
    }
    return out;
  } finally {
    await source.close();
  }
}
