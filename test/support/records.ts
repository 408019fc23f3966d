import { createHash } from 'node:crypto';
import type { ConsumedRecord, KafkaAdmin, ProducerRecord } from '../../src/kafka/index.ts';
import { retry } from '../../src/connect/retry.ts';

/**
 * Timestamps of test records: recent, because brokers delete records older than `retention.ms`
 * (7 days by default) at their next retention check, which would make tests fail at random.
 */
export const RECENT_BASE_TIMESTAMP = Date.now() - 3_600_000;

/** Deterministic, varied records for partition `p`: keys, null keys/values, repeated headers, explicit timestamps. */
export function makeRecords(count: number, partitions: number, seed = 0, valueBytes = 120): ProducerRecord[] {
  const base = RECENT_BASE_TIMESTAMP + seed * 10_000;
  return Array.from({ length: count }, (_, i) => ({
    partition: i % partitions,
    key: i % 13 === 0 ? null : Buffer.from(`k-${seed}-${i}`),
    value: i % 17 === 3 ? null : Buffer.from(`v-${seed}-${i}-`.padEnd(valueBytes, String.fromCharCode(97 + (i % 26)))),
    timestamp: base + i,
    headers:
      i % 4 === 0
        ? []
        : [
            { key: 'seq', value: Buffer.from(String(i)) },
            { key: 'origin', value: Buffer.from('A') },
            { key: 'seq', value: Buffer.from(`${i}-again`) },
          ],
  }));
}

/** One line per record holding everything a mirror must keep (not the offset). */
export function fingerprint(r: ConsumedRecord | ProducerRecord): string {
  const b = (x: Buffer | null | undefined): string => (x === null || x === undefined ? '-' : x.toString('base64'));
  return [r.timestamp, b(r.key), b(r.value), ...(r.headers ?? []).map((h) => `${h.key}=${b(h.value)}`)].join('|');
}

/** Per partition: how many records and a SHA-256 over their fingerprints in order. */
export function partitionDigests(
  records: (ConsumedRecord | ProducerRecord)[],
): Map<number, { count: number; sha256: string }> {
  const hashes = new Map<number, { count: number; hash: ReturnType<typeof createHash> }>();
  for (const r of records) {
    let h = hashes.get(r.partition);
    if (!h) hashes.set(r.partition, (h = { count: 0, hash: createHash('sha256') }));
    h.count++;
    h.hash.update(fingerprint(r)).update('\n');
  }
  return new Map([...hashes].map(([p, h]) => [p, { count: h.count, sha256: h.hash.digest('hex') }]));
}

/**
 * The end offset of every partition of `topic`. A retriable refusal (a broker moving a partition's
 * leadership or bringing a new topic online answers NOT_LEADER_OR_FOLLOWER for a moment; seen once
 * on a loaded CI run) is asked again, 100 ms doubling to 1 s, six attempts at most; the last error
 * is thrown, as a non-retriable one is at once.
 */
export async function endOffsets(admin: KafkaAdmin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await retry(`end offsets of ${topic}`, () => admin.listOffsets(topic), {
    policy: { initialMs: 100, maxMs: 1_000 },
    maxAttempts: 6,
  });
  return new Map(offsets.map((o) => [o.partition, o.latest]));
}

export function total(ends: Map<number, bigint>): bigint {
  let sum = 0n;
  for (const v of ends.values()) sum += v;
  return sum;
}
