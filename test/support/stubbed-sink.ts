import { KafkajsConnection } from '../../src/kafka/kafkajs/connection.ts';
import { KafkajsRecordSink } from '../../src/kafka/kafkajs/record-sink.ts';
import type { RecordSinkOptions } from '../../src/kafka/port.ts';
import type { ProduceResponseBody } from '../../src/kafka/wire/produce.ts';
import { ProtocolReader, type ProtocolWriter } from '../../src/kafka/wire/codec.ts';
import { silentLogger } from '../../src/util/logger.ts';

/** The topics and partitions a framed Produce v7 request names; its record batches go to `batches`. */
function producedPartitions(body: ProtocolWriter, batches: Buffer[]): { topic: string; partitions: number[] }[] {
  const r = new ProtocolReader(Buffer.concat(body.chunks()));
  r.nullableString();
  r.int16();
  r.int32();
  return r.array((tr) => ({
    topic: tr.string(),
    partitions: tr.array((pr) => {
      const partition = pr.int32();
      batches.push(Buffer.from(pr.bytes()!));
      return partition;
    }),
  }));
}

/**
 * A sink over a connection stand-in: every partition of every topic is led by broker 1 (or by
 * `leader()`), and `answer` gives each produced partition's error code (0: acknowledged).
 * `listed` says which partitions the metadata lists for a topic at the n-th lookup (1-based;
 * default 0 and 1): none is how connection.leadersOf answers a topic its metadata lacks.
 */
export function stubbedSink(
  answer: (topic: string, partition: number, request: number) => number,
  leader = () => 1,
  listed: (topic: string, lookup: number) => number[] = () => [0, 1],
  options?: RecordSinkOptions,
) {
  const calls = {
    lookups: [] as { topics: string[]; refresh: boolean }[],
    requests: [] as { topic: string; partitions: number[] }[][],
    /** Every record batch sent, in request order. */
    batches: [] as Buffer[],
  };
  const connection = new KafkajsConnection(
    { clientId: 'p', clusterAlias: 'B', bootstrapServers: ['b-1:9092'], securityProtocol: 'PLAINTEXT' },
    silentLogger(),
  );
  Object.assign(connection, {
    leadersOf: (topics: string[], refresh = false) => {
      calls.lookups.push({ topics: [...topics], refresh });
      const lookup = calls.lookups.length;
      return Promise.resolve(new Map(topics.map((t) => [t, new Map(listed(t, lookup).map((p) => [p, leader()]))])));
    },
    broker: () => Promise.resolve({}),
    send: (_broker: unknown, _api: unknown, body: ProtocolWriter): Promise<ProduceResponseBody> => {
      const request = calls.requests.length;
      const topics = producedPartitions(body, calls.batches);
      calls.requests.push(topics);
      return Promise.resolve({
        topics: topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((partition) => ({
            partition,
            errorCode: answer(t.topic, partition, request),
            baseOffset: 0n,
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
          })),
        })),
      });
    },
  });
  return { sink: new KafkajsRecordSink(connection, options), calls, connection };
}
