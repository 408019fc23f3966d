import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { SourcePositionStore } from '../../../src/connectors/source/source-task-ports.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { topicPartitionKey, type TopicPartition } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

const TOPIC = 'orders';
const FLUSH_MS = 1_000;

/** Positions as the offsets store keeps them, each write stamped with the (fake) time it was made at. */
class StampedPositions implements SourcePositionStore {
  readonly stored = new Map<string, bigint>();
  readonly writes: { at: number; offset: bigint }[] = [];
  private readonly start: number;
  constructor(start: number) {
    this.start = start;
  }
  sourcePositions(_alias: string, partitions: readonly TopicPartition[]): Map<string, bigint> {
    return new Map(
      partitions.flatMap((tp) => {
        const o = this.stored.get(topicPartitionKey(tp));
        return o === undefined ? [] : [[topicPartitionKey(tp), o] as const];
      }),
    );
  }
  async writeSourcePositions(
    _alias: string,
    positions: readonly { topic: string; partition: number; offset: bigint }[],
  ) {
    for (const p of positions) {
      this.stored.set(topicPartitionKey(p), p.offset);
      this.writes.push({ at: Date.now() - this.start, offset: p.offset });
    }
  }
}

/**
 * A task that takes over a partition copies its backlog first (the records that came while no
 * member copied it, or its whole history without a stored position). A member killed before its
 * first periodic flush left no trace of that copy: the next owner started where the member before
 * it had stopped and copied the backlog again — 42–98 records per partition in the scale-out
 * kill -9 test (docs/scale-out.md, "When a member goes"). The first flush interval now stores each
 * acknowledged round at once.
 */
describe('SourceTask: its first flush interval stores what each round copied', () => {
  beforeEach(() =>
    vi.useFakeTimers({
      now: 1_000_000,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    }),
  );
  afterEach(() => vi.useRealTimers());

  it('a backlog copied right after the start is stored within the round, not one flush interval later', async () => {
    const source = new InMemoryKafka();
    const target = new InMemoryKafka();
    source.addTopic(TOPIC, 1);
    target.addTopic(`A.${TOPIC}`, 1);
    source.produce(
      TOPIC,
      Array.from({ length: 98 }, (_, i) => ({ partition: 0, key: null, value: Buffer.from(`v${i}`), timestamp: 1 })),
    );
    const positions = new StampedPositions(Date.now());
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: [{ topic: TOPIC, partition: 0 }],
      policy: new DefaultReplicationPolicy(),
      sourceRecords: await source.cluster().recordSource({ maxWaitMs: 500 }),
      sourceAdmin: await source.cluster().admin(),
      targetSink: await target.cluster().recordSink(),
      positions,
      autoOffsetReset: 'earliest',
      offsetFlushIntervalMs: FLUSH_MS,
      logger: silentLogger(),
    });
    await task.start();
    for (let t = 0; t < 100; t += 10) await vi.advanceTimersByTimeAsync(10);
    expect(target.records(`A.${TOPIC}`, 0)).toHaveLength(98);
    // Killed now (100 ms after the start), the next owner resumes after the backlog.
    expect(positions.stored.get(topicPartitionKey({ topic: TOPIC, partition: 0 }))).toBe(97n);
    // After the first interval, positions go out on the flush interval again: one write for new records.
    for (let t = 0; t < 2_000; t += 50) await vi.advanceTimersByTimeAsync(50);
    const before = positions.writes.length;
    source.produce(TOPIC, [{ partition: 0, key: null, value: Buffer.from('late'), timestamp: 1 }]);
    for (let t = 0; t < 200; t += 10) await vi.advanceTimersByTimeAsync(10);
    expect(positions.writes.length).toBe(before);
    for (let t = 0; t < 1_000; t += 50) await vi.advanceTimersByTimeAsync(50);
    expect(positions.writes.slice(before).map((w) => w.offset)).toEqual([98n]);
    const stopping = task.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
  });
});
