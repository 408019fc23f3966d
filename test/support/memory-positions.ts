import type { SourcePositionStore } from '../../src/connectors/source/source-task-ports.ts';
import { topicPartitionKey, type TopicPartition } from '../../src/records/index.ts';

/** A source task's position store in memory: what was written, and how many writes. */
export class MemoryPositions implements SourcePositionStore {
  readonly stored = new Map<string, bigint>();
  writes = 0;
  sourcePositions(_alias: string, partitions: readonly TopicPartition[]): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const tp of partitions) {
      const o = this.stored.get(topicPartitionKey(tp));
      if (o !== undefined) out.set(topicPartitionKey(tp), o);
    }
    return out;
  }
  writeSourcePositions(_alias: string, positions: readonly { topic: string; partition: number; offset: bigint }[]) {
    this.writes++;
    for (const p of positions) this.stored.set(topicPartitionKey(p), p.offset);
    return Promise.resolve();
  }
}
