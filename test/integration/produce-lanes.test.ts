/**
 * Produce requests spread over several connections to the same broker (src/kafka/kafkajs/
 * produce-dispatcher.ts, Lanes; `mm2ts.produce.connections.per.broker`), on a real broker: every
 * lane carries requests, a partition's records land in the order they were sent, and a lane that
 * cannot reach the broker gives its partitions to the first connection instead of failing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaCluster, ProducerRecord, RecordSink } from '../../src/kafka/index.ts';
import { KafkajsConnection } from '../../src/kafka/kafkajs/connection.ts';
import { laneOf } from '../../src/kafka/kafkajs/produce-dispatcher.ts';
import { KafkajsRecordSink } from '../../src/kafka/kafkajs/record-sink.ts';
import { PRODUCE_API_KEY } from '../../src/kafka/wire/produce.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { endOffsets } from '../support/records.ts';

const PARTITIONS = 8;
const ROUNDS = 12;
const PER_ROUND = 40;

/** A client of its own to `bootstrap`, counting the Produce requests sent on it. */
function countingConnection(
  bootstrap: string,
  clientId: string,
): { connection: KafkajsConnection; produces: { n: number } } {
  const connection = new KafkajsConnection(
    { clientId, bootstrapServers: [bootstrap], securityProtocol: 'PLAINTEXT' },
    silentLogger(),
  );
  const produces = { n: 0 };
  const send = connection.send.bind(connection);
  connection.send = ((...args: Parameters<typeof send>) => {
    if (args[1].apiKey === PRODUCE_API_KEY) produces.n++;
    return send(...args);
  }) as typeof send;
  return { connection, produces };
}

/** `ROUNDS` sends of `PER_ROUND` records to every partition, one after the other as a source task sends. */
async function sendRounds(sink: RecordSink, topic: string): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const records: ProducerRecord[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++)
      for (let i = 0; i < PER_ROUND; i++)
        records.push({ partition, key: null, value: Buffer.from(`${partition}:${round * PER_ROUND + i}`) });
    await sink.send(topic, records);
  }
}

/** Every partition holds exactly `0 … ROUNDS × PER_ROUND − 1`, in that order. */
async function expectInOrder(cluster: KafkaCluster, admin: KafkaAdmin, topic: string): Promise<void> {
  const ends = await endOffsets(admin, topic);
  expect([...ends.values()]).toEqual(new Array(PARTITIONS).fill(BigInt(ROUNDS * PER_ROUND)));
  const records = await readAll(await cluster.recordSource(), topic, ends);
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const values = records.filter((r) => r.partition === partition).map((r) => r.value!.toString());
    expect(values).toEqual(Array.from({ length: ROUNDS * PER_ROUND }, (_, i) => `${partition}:${i}`));
  }
}

describe('produce requests over several connections to one broker', () => {
  const { clusters } = testKafka();
  let cluster: KafkaCluster;
  let admin: KafkaAdmin;
  const opened: KafkajsConnection[] = [];

  beforeAll(async () => {
    cluster = openTestCluster(clusters['B']!, 'produce-lanes-admin');
    admin = await cluster.admin();
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((c) => c.close()));
    await admin?.close();
    await cluster?.close();
  });

  /** A sink on two clients, the second to `secondBootstrap`, each counting its Produce requests. */
  function twoLaneSink(name: string, secondBootstrap: string) {
    const first = countingConnection(clusters['B']!, `${name}-0`);
    const second = countingConnection(secondBootstrap, `${name}-1`);
    opened.push(first.connection, second.connection);
    const sink = new KafkajsRecordSink(first.connection, { acks: -1 }, [first.connection, second.connection]);
    return { first: first.produces, second: second.produces, sink };
  }

  async function newTopic(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    const created = await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
    expect(created.filter((c) => c.error !== undefined)).toEqual([]);
    return topic;
  }

  it('sends on both lanes, each partition on its own lane, and every partition lands in order', async () => {
    const topic = await newTopic('lanes');
    const { first, second, sink } = twoLaneSink('produce-lanes', clusters['B']!);

    await sendRounds(sink, topic);

    // Half the partitions are the second lane's: each round is one request per lane.
    expect(Array.from({ length: PARTITIONS }, (_, p) => laneOf(topic, p, 2)).filter((l) => l === 1).length).toBe(4);
    expect(first.n).toBeGreaterThanOrEqual(ROUNDS);
    expect(second.n).toBeGreaterThanOrEqual(ROUNDS);
    await expectInOrder(cluster, admin, topic);
  }, 60_000);

  it("gives a lane's partitions to the first connection while that lane cannot reach the broker", async () => {
    const topic = await newTopic('lane-down');
    // Nothing listens on port 1: connecting fails after kafkajs's few quick attempts.
    const { first, second: dead, sink } = twoLaneSink('produce-lane-down', '127.0.0.1:1');

    await sendRounds(sink, topic);

    expect(dead.n).toBe(0);
    // Every round went out on the first connection, both lanes' partitions in it.
    expect(first.n).toBeGreaterThanOrEqual(ROUNDS);
    await expectInOrder(cluster, admin, topic);
  }, 60_000);

  it('a cluster sink asked for two connections per broker copies every record in order, and closes with the cluster', async () => {
    const topic = await newTopic('lanes-cluster');
    const own = openTestCluster(clusters['B']!, 'produce-lanes-cluster');
    const sink = await own.recordSink({ acks: -1, connectionsPerBroker: 2 });
    await sendRounds(sink, topic);
    await sink.close();
    await own.close();
    await expectInOrder(cluster, admin, topic);
  }, 60_000);
});
