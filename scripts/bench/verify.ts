/**
 * What the benchmark reads back through the project's Kafka port: end offsets (progress of a run),
 * per-partition digests (correctness: the target holds exactly the source's records, in order) and
 * record timestamps (steady-state latency).
 */
import { createHash, type Hash } from 'node:crypto';
import type { ConsumedRecord, KafkaAdmin, RecordSource } from '../../src/kafka/index.ts';

/** End offset (high watermark) per partition, or undefined while the topic does not exist yet. */
export async function endOffsets(admin: KafkaAdmin, topic: string): Promise<Map<number, bigint> | undefined> {
  try {
    // ListOffsets on a missing topic is retried by the client until it appears: that would stall
    // the progress poll (and hide when a mirror created the topic), so ask Metadata first.
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const offsets = await admin.listOffsets(topic);
    if (offsets.length === 0) return undefined;
    return new Map(offsets.map((o) => [o.partition, o.latest]));
  } catch {
    return undefined;
  }
}

export function total(ends: Map<number, bigint> | undefined): number {
  let sum = 0n;
  for (const v of ends?.values() ?? []) sum += v;
  return Number(sum);
}

/**
 * Reads every partition from offset 0 to `ends`, handing each record to `onRecord` in offset order
 * per partition. Throws if a partition stops short of its end within `timeoutMs`.
 */
export async function scan(
  source: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  onRecord: (record: ConsumedRecord) => void,
  timeoutMs: number,
): Promise<void> {
  const positions = new Map([...ends.keys()].map((p) => [p, 0n]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wanted = [...positions]
      .filter(([p, at]) => at < ends.get(p)!)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    if (wanted.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`reading ${topic} did not reach its end within ${timeoutMs} ms: at ${[...positions].join(' ')}`);
    }
    for (const result of await source.fetch(wanted)) {
      if (result.error) throw new Error(`reading ${topic}[${result.partition}]: ${result.error}`);
      const end = ends.get(result.partition)!;
      for (const record of result.records) if (record.offset < end) onRecord(record);
      positions.set(result.partition, result.nextOffset);
    }
  }
}

export interface PartitionDigest {
  count: number;
  /** SHA-256 over each record's key, value, headers (and timestamp if asked), length-prefixed, in order. */
  sha256: string;
}

export interface TopicDigest {
  partitions: Record<number, PartitionDigest>;
  records: number;
  /** Sum of key + value bytes: the payload the MB/s figures count. */
  payloadBytes: number;
}

function updateBytes(hash: Hash, bytes: Buffer | null): void {
  const len = Buffer.alloc(4);
  len.writeInt32BE(bytes === null ? -1 : bytes.length);
  hash.update(len);
  if (bytes) hash.update(bytes);
}

/** Digests a topic. Offsets are not part of it: a mirror may legitimately shift them (it does not here). */
export async function digestTopic(
  source: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  options: { withTimestamps: boolean; timeoutMs: number; onRecord?: (r: ConsumedRecord) => void },
): Promise<TopicDigest> {
  const hashes = new Map<number, { hash: Hash; count: number }>();
  for (const p of ends.keys()) hashes.set(p, { hash: createHash('sha256'), count: 0 });
  let payloadBytes = 0;
  let records = 0;
  const ts = Buffer.alloc(8);
  await scan(
    source,
    topic,
    ends,
    (r) => {
      const h = hashes.get(r.partition)!;
      updateBytes(h.hash, r.key);
      updateBytes(h.hash, r.value);
      for (const header of r.headers) {
        updateBytes(h.hash, Buffer.from(header.key));
        updateBytes(h.hash, header.value);
      }
      if (options.withTimestamps) {
        ts.writeDoubleBE(r.timestamp);
        h.hash.update(ts);
      }
      h.count++;
      records++;
      payloadBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      options.onRecord?.(r);
    },
    options.timeoutMs,
  );
  const partitions: Record<number, PartitionDigest> = {};
  for (const [p, h] of [...hashes].sort((a, b) => a[0] - b[0]))
    partitions[p] = { count: h.count, sha256: h.hash.digest('hex') };
  return { partitions, records, payloadBytes };
}

/** Empty when equal; otherwise one line per differing partition. */
export function compareDigests(source: TopicDigest, target: TopicDigest): string[] {
  const problems: string[] = [];
  const parts = new Set([...Object.keys(source.partitions), ...Object.keys(target.partitions)].map(Number));
  for (const p of [...parts].sort((a, b) => a - b)) {
    const s = source.partitions[p];
    const t = target.partitions[p];
    if (!s || !t) problems.push(`partition ${p} only on the ${s ? 'source' : 'target'}`);
    else if (s.count !== t.count)
      problems.push(`partition ${p}: ${t.count} records on the target, ${s.count} on the source`);
    else if (s.sha256 !== t.sha256) problems.push(`partition ${p}: same count (${s.count}), different checksum`);
  }
  return problems;
}
