import type {
  KafkaAdmin,
  KafkaCluster,
  NewTopic,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSource,
} from '../../../src/kafka/index.ts';

/**
 * In-memory stand-ins for the Kafka port, for the pure rules of the writers (which syncs, in what
 * order, how many in flight, what happens on failure). Real brokers are in test/integration/.
 */
export class FakeSink implements RecordSink {
  readonly sent: { topic: string; records: ProducerRecord[] }[] = [];
  /** Decides each send's fate; default: acknowledge at once. */
  behaviour: (records: ProducerRecord[]) => Promise<void> = () => Promise.resolve();

  async send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    await this.behaviour(records);
    this.sent.push({ topic, records });
    return [{ topic, partition: records[0]!.partition, baseOffset: 0n, recordCount: records.length }];
  }

  async close(): Promise<void> {}

  records(): ProducerRecord[] {
    return this.sent.flatMap((s) => s.records);
  }
}

export function fakeAdmin(createResult: (t: NewTopic) => string | undefined = () => undefined): KafkaAdmin & {
  created: NewTopic[];
} {
  const created: NewTopic[] = [];
  const unsupported = (): Promise<never> => Promise.reject(new Error('not in the fake'));
  return {
    created,
    createTopics: (topics: NewTopic[]) => {
      created.push(...topics);
      return Promise.resolve(
        topics.map((t) => {
          const error = createResult(t);
          return error === undefined ? { name: t.name } : { name: t.name, error };
        }),
      );
    },
    listTopics: unsupported,
    describeTopics: unsupported,
    createPartitions: unsupported,
    describeTopicConfigs: unsupported,
    incrementalAlterTopicConfigs: unsupported,
    describeAcls: unsupported,
    createAcls: unsupported,
    listGroups: unsupported,
    describeGroupStates: unsupported,
    fetchGroupOffsets: unsupported,
    commitGroupOffsets: unsupported,
    listOffsets: unsupported,
    deleteRecords: unsupported,
    brokerCount: unsupported,
    close: () => Promise.resolve(),
  };
}

export function fakeCluster(sink: RecordSink, admin: KafkaAdmin = fakeAdmin()): KafkaCluster {
  return {
    settings: { clientId: 'fake', bootstrapServers: ['fake:9092'], securityProtocol: 'PLAINTEXT' },
    admin: () => Promise.resolve(admin),
    recordSource: () => Promise.reject(new Error('not in the fake')) as Promise<RecordSource>,
    recordSink: () => Promise.resolve(sink),
    close: () => Promise.resolve(),
  };
}

/** A promise with its resolve/reject exposed. */
export function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
