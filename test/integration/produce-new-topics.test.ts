/**
 * The first produce to many just-created topics on a real broker (src/kafka/kafkajs/
 * produce-dispatcher.ts): the broker may answer NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION
 * for partitions it has not brought online yet, although the metadata already names their leader.
 * Every record still lands once, and the topics sent together share their requests: a handful of
 * Produce requests for 100 topics, not one (or more, with retries) per topic. A topic the broker
 * does not know yet is named by our own Metadata request (kafkajs's lookup fails as a whole).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { KafkajsConnection } from '../../src/kafka/kafkajs/connection.ts';
import { KafkajsRecordSink } from '../../src/kafka/kafkajs/record-sink.ts';
import { PRODUCE_API_KEY } from '../../src/kafka/wire/produce.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';

const TOPICS = 100;
const PARTITIONS = 4;

describe('producing right after CreateTopics on a real broker', () => {
  const { clusters } = testKafka();
  let cluster: KafkaCluster;
  let admin: KafkaAdmin;
  let connection: KafkajsConnection;

  beforeAll(async () => {
    cluster = openTestCluster(clusters['B']!, 'produce-new-topics-admin');
    admin = await cluster.admin();
    connection = new KafkajsConnection(
      { clientId: 'produce-new-topics', bootstrapServers: [clusters['B']!], securityProtocol: 'PLAINTEXT' },
      silentLogger(),
    );
  });

  afterAll(async () => {
    await connection?.close();
    await admin?.close();
    await cluster?.close();
  });

  it(`copies one record to each partition of ${TOPICS} new topics with a few shared requests`, async () => {
    const prefix = uniqueName('fresh');
    const names = Array.from({ length: TOPICS }, (_, i) => `${prefix}-${i}`);
    const created = await admin.createTopics(
      names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })),
    );
    expect(created.filter((c) => c.error !== undefined)).toEqual([]);

    let produceRequests = 0;
    const send = connection.send.bind(connection);
    connection.send = ((...args: Parameters<typeof send>) => {
      if (args[1].apiKey === PRODUCE_API_KEY) produceRequests++;
      return send(...args);
    }) as typeof send;
    const sink = new KafkajsRecordSink(connection, { acks: -1 });
    const results = await Promise.all(
      names.map((topic) =>
        sink.send(
          topic,
          Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, key: null, value: Buffer.from(topic) })),
        ),
      ),
    );
    expect(results.flat().length).toBe(TOPICS * PARTITIONS);
    // Retry rounds share requests too: far fewer than one per topic.
    expect(produceRequests).toBeLessThan(TOPICS / 4);

    const offsets = await Promise.all(names.map((t) => admin.listOffsets(t)));
    expect(offsets.flat().every((o) => o.latest === 1n)).toBe(true);
  }, 30_000);

  it('our own Metadata request names each topic the broker does not know instead of failing as a whole', async () => {
    const known = uniqueName('known');
    const missing = uniqueName('missing');
    await admin.createTopics([{ name: known, partitions: 2, replicationFactor: 1 }]);
    // A new client, whose kafkajs metadata was never loaded: the request goes to the bootstrap broker.
    const fresh = new KafkajsConnection(
      { clientId: 'produce-new-topics-fresh', bootstrapServers: [clusters['B']!], securityProtocol: 'PLAINTEXT' },
      silentLogger(),
    );
    const { leaders, errors } = await fresh.leadersEach([known, missing]).finally(() => fresh.close());
    expect([...leaders.keys()]).toEqual([known]);
    expect([...leaders.get(known)!.keys()].sort()).toEqual([0, 1]);
    expect([...leaders.get(known)!.values()].every((leader) => leader >= 0)).toBe(true);
    expect(errors).toEqual(new Map([[missing, 3]])); // UNKNOWN_TOPIC_OR_PARTITION
  });
});
