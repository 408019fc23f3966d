import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type {
  ConsumedRecord,
  FetchRequest,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSource,
  UndecodedFetchedPartition,
} from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka, kafkaError } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';
import { noTaskMetrics } from '../../support/no-metrics.ts';

const TOPIC = 'orders';
const REMOTE = 'A.orders';

interface Release {
  partition: number;
  records: number;
  nextOffset: bigint;
  /** The highest source offset of the partition the target had acknowledged when it was released. */
  ackedThen: bigint;
}

/**
 * The task hands fetched bytes back (`UndecodedFetchedPartition.release`, so the Kafka port can
 * reuse its buffers, src/kafka/buffer-pool.ts) only once nothing reads them again: after the
 * target acknowledged every record decoded from them, never before, and never after a failed send.
 */
describe('source task: releasing fetched bytes', () => {
  async function run(options: { failSend: boolean }) {
    const source = new InMemoryKafka();
    const target = new InMemoryKafka();
    source.addTopic(TOPIC, 3);
    target.addTopic(REMOTE, 3);
    // Partitions 0 and 1 have records (over several fetch rounds); partition 2 has none.
    for (let p = 0; p < 2; p++)
      source.produce(
        TOPIC,
        Array.from({ length: 30 }, (_, i) => ({ partition: p, key: null, value: Buffer.from(`v-${p}-${i}`) })),
      );
    if (options.failSend) target.inject({ op: 'send', error: kafkaError('RECORD_TOO_LARGE', false), times: Infinity });

    const acked = new Map<number, bigint>();
    const releases: Release[] = [];
    const inner = await source.cluster().recordSource({ maxWaitMs: 20 });
    const sourceRecords: RecordSource = {
      fetch: (requests) => inner.fetch(requests),
      close: () => inner.close(),
      async fetchUndecoded(requests: FetchRequest[], opts): Promise<UndecodedFetchedPartition[]> {
        // Small rounds: 7 records per partition at most, so a partition is fetched and released many times.
        const fetched = await inner.fetchUndecoded(requests, opts);
        return fetched.map((f) => {
          const decode = async (): Promise<ConsumedRecord[]> => (await f.decode()).slice(0, 7);
          const records = Math.min(f.batchRecordCount, 7);
          const nextOffset =
            records > 0 ? requests.find((r) => r.partition === f.partition)!.offset + BigInt(records) : f.nextOffset;
          return {
            ...f,
            batchRecordCount: records,
            nextOffset,
            decode,
            release: () =>
              void releases.push({
                partition: f.partition,
                records,
                nextOffset,
                ackedThen: acked.get(f.partition) ?? -1n,
              }),
          };
        });
      },
    };
    const innerSink = await target.cluster().recordSink();
    const sink: RecordSink = {
      async send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
        const results = await innerSink.send(topic, records);
        for (const r of records as ConsumedRecord[])
          if (r.offset > (acked.get(r.partition) ?? -1n)) acked.set(r.partition, r.offset);
        return results;
      },
      close: () => innerSink.close(),
    };
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: [0, 1, 2].map((partition) => ({ topic: TOPIC, partition })),
      policy: new DefaultReplicationPolicy(),
      sourceRecords,
      sourceAdmin: await source.cluster().admin(),
      targetSink: sink,
      positions: new MemoryPositions(),
      metrics: noTaskMetrics,
      autoOffsetReset: 'earliest',
      offsetFlushIntervalMs: 60_000,
      logger: silentLogger(),
    });
    await task.start();
    const deadline = Date.now() + 5_000;
    const done = () => (options.failSend ? task.status.state === 'FAILED' : target.records(REMOTE).length === 60);
    while (!done() && Date.now() < deadline) await sleep(10);
    await task.stop();
    return { releases, state: task.status.state, copied: target.records(REMOTE).length };
  }

  it('releases each fetched partition once its records are acknowledged, and one without records at once', async () => {
    const { releases, copied } = await run({ failSend: false });
    expect(copied).toBe(60);
    const withRecords = releases.filter((r) => r.records > 0);
    // 30 records per partition in rounds of at most 7: at least 5 rounds each, every one released.
    for (const p of [0, 1]) {
      const own = withRecords.filter((r) => r.partition === p);
      expect(own.length, `releases of partition ${p}`).toBeGreaterThanOrEqual(5);
      expect(own.reduce((n, r) => n + r.records, 0)).toBe(30);
    }
    for (const r of withRecords) {
      // Every record read from the bytes (up to nextOffset - 1) was acknowledged before the release.
      expect(r.ackedThen, `partition ${r.partition} released up to ${r.nextOffset}`).toBeGreaterThanOrEqual(
        r.nextOffset - 1n,
      );
    }
    expect(releases.some((r) => r.partition === 2 && r.records === 0)).toBe(true);
  });

  it('never releases the bytes of a group whose send failed', async () => {
    const { releases, state } = await run({ failSend: true });
    expect(state).toBe('FAILED');
    expect(releases.filter((r) => r.records > 0)).toEqual([]);
  });
});
