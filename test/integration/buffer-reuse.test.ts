import { describe, expect, it } from 'vitest';
import { dataBuffers } from '../../src/kafka/buffer-pool.ts';
import type { CompressionType, ProducerRecord } from '../../src/kafka/index.ts';
import { readAll, uniqueName, useClusterClients } from '../support/kafka.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { endOffsets, makeRecords, partitionDigests } from '../support/records.ts';
import { copyWithSourceTask } from '../support/source-task-copy.ts';

const PARTITIONS = 3;
/** 1,200 records of ~1.5 KB per partition: fetch responses and encoded batches of 64 KiB and more, pooled. */
const RECORDS = 3_600;
const VALUE_BYTES = 1_500;

/**
 * The data path reuses its large buffers (src/kafka/buffer-pool.ts): a fetch response's bytes and
 * its decompressed sections (src/kafka/section-arena.ts) go back to the pool once every record read
 * from them is acknowledged, an encoded batch once the target acknowledged it. A buffer handed out again too early would be overwritten by the next
 * response or batch while still read: the target would hold other records than the source. Here
 * a source task copies several MB through buffers that are reused while it runs, and the target
 * holds the source's records byte for byte, deep (decoded, re-encoded) and pass-through.
 */
describe('data-path buffer reuse on real brokers', () => {
  const t = useClusterClients('buffer-reuse');

  it.each<{ codec: CompressionType; shallow: boolean }>([
    { codec: 'none', shallow: false },
    { codec: 'lz4', shallow: false },
    { codec: 'lz4', shallow: true },
  ])(
    '$codec, shallow $shallow: records byte for byte while buffers are handed out again',
    async ({ codec, shallow }) => {
      const topic = uniqueName(`reuse-${codec}`);
      const remote = `A.${topic}`;
      await t.adminA.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
      await t.adminB.createTopics([{ name: remote, partitions: PARTITIONS, replicationFactor: 1 }]);
      // Random values: compressed batches stay as large as uncompressed ones.
      const random = seededRandom(11);
      const records: ProducerRecord[] = makeRecords(RECORDS, PARTITIONS, 11).map((r) => ({
        ...r,
        value:
          r.value === null ? null : Buffer.from(Array.from({ length: VALUE_BYTES }, () => Math.floor(random() * 256))),
      }));
      const producer = await t.a.recordSink({ compression: codec });
      for (let i = 0; i < RECORDS; i += 600) await producer.send(topic, records.slice(i, i + 600));

      const before = dataBuffers.stats();
      await copyWithSourceTask({
        ...t,
        topic,
        partitions: PARTITIONS,
        recordsOnTarget: RECORDS,
        sinkCodec: codec,
        // 256 KiB per partition per fetch: many responses over the copy, each reusing a returned one.
        source: { maxPartitionBytes: 256 * 1024 },
        shallowMirroring: shallow,
      });
      const after = dataBuffers.stats();
      expect(after.reused - before.reused, 'buffers handed out again during the copy').toBeGreaterThan(5);
      const copied = await readAll(await t.b.recordSource(), remote, await endOffsets(t.adminB, remote));
      expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    },
  );
});
