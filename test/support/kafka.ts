import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openKafkaCluster, type KafkaCluster, type ConsumedRecord, type RecordSource } from '../../src/kafka/index.ts';

/** The clusters the integration project's global setup provides. */
export function testKafka(): { version: string; clusters: Record<string, string>; pids?: Record<string, number> } {
  return inject('kafka');
}

/** A name no other test (or earlier run on the same clusters) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function openTestCluster(bootstrap: string, clientId = 'mm2ts-test'): KafkaCluster {
  return openKafkaCluster({ clientId, bootstrapServers: [bootstrap], securityProtocol: 'PLAINTEXT' });
}

/** Reads partitions from offset 0 up to their current end through the port's record source. */
export async function readAll(
  source: RecordSource,
  topic: string,
  ends: Map<number, bigint>,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const positions = new Map([...ends.keys()].map((p) => [p, 0n]));
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while ([...positions].some(([p, at]) => at < ends.get(p)!)) {
    if (Date.now() > deadline) {
      throw new Error(
        `reading ${topic} did not reach its end within ${timeoutMs} ms: positions ${[...positions].join(' ')}, ends ${[...ends].join(' ')}, last fetch ${last}`,
      );
    }
    const wanted = [...positions]
      .filter(([p, at]) => at < ends.get(p)!)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    const results = await source.fetch(wanted);
    last = results
      .map(
        (r) =>
          `${r.partition}: ${r.records.length} records, next ${r.nextOffset}, hw ${r.highWatermark}${r.error ? ` ${r.error}` : ''}`,
      )
      .join('; ');
    for (const result of results) {
      out.push(...result.records);
      positions.set(result.partition, result.nextOffset);
    }
  }
  return out;
}
