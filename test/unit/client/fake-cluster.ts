import type {
  ConsumedRecord,
  FetchRequest,
  FetchedPartition,
  KafkaAdmin,
  KafkaClientSettings,
  KafkaCluster,
  RecordSource,
} from '../../../src/kafka/port.ts';
import { asUndecoded } from '../../support/undecoded.ts';

/**
 * An in-memory stand-in for the Kafka port, only for the client's pure logic (what it asks and
 * how it folds the answers); everything that touches Kafka is tested on real brokers in
 * test/integration/client.test.ts.
 */
export class FakeCluster implements KafkaCluster {
  readonly settings: KafkaClientSettings;
  readonly topics = new Map<string, ConsumedRecord[]>();
  /** Records per fetch, to make reads take several rounds. */
  batch = 2;
  /** Delay of every fetch, ms. */
  fetchDelayMs = 0;
  fetches = 0;
  closed = false;

  constructor(settings: KafkaClientSettings) {
    this.settings = settings;
  }

  addTopic(name: string, records: { key: Buffer | null; value: Buffer | null; timestamp?: number }[] = []): void {
    this.topics.set(
      name,
      records.map((r, i) => ({
        topic: name,
        partition: 0,
        offset: BigInt(i),
        timestamp: r.timestamp ?? 1_700_000_000_000 + i,
        timestampType: 'CreateTime',
        key: r.key,
        value: r.value,
        headers: [],
      })),
    );
  }

  admin(): Promise<KafkaAdmin> {
    const listTopics = (): Promise<string[]> => Promise.resolve([...this.topics.keys()].sort());
    return Promise.resolve({ listTopics, close: () => Promise.resolve() } as unknown as KafkaAdmin);
  }

  recordSource(): Promise<RecordSource> {
    const fetch = async (requests: FetchRequest[]): Promise<FetchedPartition[]> => {
      this.fetches++;
      if (this.fetchDelayMs > 0) await new Promise((r) => setTimeout(r, this.fetchDelayMs));
      return requests.map((r) => {
        const records = this.topics.get(r.topic) ?? [];
        const slice = records.filter((x) => x.offset >= r.offset).slice(0, this.batch);
        const last = slice.at(-1);
        return {
          topic: r.topic,
          partition: r.partition,
          records: slice,
          nextOffset: last === undefined ? r.offset : last.offset + 1n,
          highWatermark: BigInt(records.length),
          logStartOffset: 0n,
        };
      });
    };
    const fetchUndecoded = async (requests: FetchRequest[]) => (await fetch(requests)).map(asUndecoded);
    return Promise.resolve({ fetch, fetchUndecoded, close: () => Promise.resolve() });
  }

  recordSink(): never {
    throw new Error('not used');
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
