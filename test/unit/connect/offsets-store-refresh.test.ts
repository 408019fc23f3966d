import { describe, expect, it } from 'vitest';
import { ConnectOffsetsStore } from '../../../src/connect/offsets-store.ts';
import { topicPartitionKey } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

const TOPIC = 'mm2-offsets.A.internal';
const tp = { topic: 'orders', partition: 0 };

/**
 * A scale-out member reads the offsets topic to its end before taking over partitions, while its
 * own tasks go on storing their positions. A position it wrote during that read was applied at
 * once, then overwritten by the older record of the same key the read replayed: a task of its own
 * restarted then (its share changed) resumed from the older position and copied records again.
 */
describe('ConnectOffsetsStore.refresh with writes of its own meanwhile', () => {
  it('keeps the position this store wrote during the read, not the older one the read replays', async () => {
    const kafka = new InMemoryKafka();
    const store = await ConnectOffsetsStore.open({
      cluster: kafka.cluster(),
      topic: TOPIC,
      partitions: 1,
      replicationFactor: 1,
      logger: silentLogger(),
    });
    await store.writeSourcePositions('A', [{ ...tp, offset: 10n }]);
    let release!: () => void;
    kafka.inject({ op: 'fetch', topic: TOPIC, until: new Promise<void>((done) => (release = done)) });
    const refreshing = store.refresh();
    const writing = store.writeSourcePositions('A', [{ ...tp, offset: 20n }]);
    await new Promise((done) => setTimeout(done, 50));
    release();
    await Promise.all([refreshing, writing]);
    expect(store.sourcePositions('A', [tp]).get(topicPartitionKey(tp))).toBe(20n);
    await store.close();
  });
});
