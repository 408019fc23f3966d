import type {
  ConsumedRecord,
  FetchRequest,
  FetchedPartition,
  KafkaCluster,
  PartitionOffsets,
  RecordHeader,
  RecordSource,
} from '../../../src/kafka/port.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';

/**
 * A tiny in-memory topic that is its own record source and offsets lister, for unit tests of
 * the readers of compacted internal topics: fetches return up to `batch` records, long-poll up
 * to `maxWaitMs` at the end (answering early when a record is appended), and answer
 * OFFSET_OUT_OF_RANGE outside [log start, high watermark], as a broker does.
 */
export class MemoryTopic implements RecordSource {
  readonly name: string;
  readonly logs: { records: ConsumedRecord[]; logStart: bigint; end: bigint }[];
  batch = 2;
  maxWaitMs = 200;
  /** The topic does not exist (yet): listing its offsets fails as Kafka's UNKNOWN_TOPIC_OR_PARTITION. */
  missing = false;
  /** Thrown by the next fetches, one per fetch. */
  failures: Error[] = [];
  /** Every fetch fails with this. */
  alwaysFail: Error | undefined;
  /** No partition has a leader: empty answers with an unknown high watermark. */
  noLeader = false;
  fetches = 0;
  inFlight = 0;
  private wake: (() => void)[] = [];

  constructor(name: string, partitions: number) {
    this.name = name;
    this.logs = Array.from({ length: partitions }, () => ({ records: [], logStart: 0n, end: 0n }));
  }

  /** Appends records whose key is `k<offset>` and value the string given (null: a tombstone). */
  append(partition: number, ...values: (string | null)[]): void {
    for (const value of values) {
      const offset = this.logs[partition]!.end;
      this.appendRecord(partition, Buffer.from(`k${offset}`), value === null ? null : Buffer.from(value), [
        { key: 'h', value: Buffer.from('v') },
      ]);
    }
  }

  appendRecord(partition: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[] = []): void {
    const log = this.logs[partition]!;
    log.records.push({
      topic: this.name,
      partition,
      offset: log.end,
      timestamp: 1_700_000_000_000 + Number(log.end),
      timestampType: 'CreateTime',
      key,
      value,
      headers,
    });
    log.end++;
    for (const wake of this.wake.splice(0)) wake();
  }

  /** DeleteRecords: the log start moves to `offset`. */
  deleteBefore(partition: number, offset: bigint): void {
    const log = this.logs[partition]!;
    log.records = log.records.filter((r) => r.offset >= offset);
    log.logStart = offset;
  }

  listOffsets = (topic: string): Promise<PartitionOffsets[]> => {
    if (topic !== this.name || this.missing) {
      return Promise.reject(
        new KafkaPortError('KAFKA_UNKNOWN_TOPIC_OR_PARTITION', `unknown topic ${topic}`, { retriable: true }),
      );
    }
    return Promise.resolve(this.logs.map((l, partition) => ({ partition, earliest: l.logStart, latest: l.end })));
  };

  /** A cluster whose record sources read this topic (admin and sink are not offered). */
  cluster(): KafkaCluster {
    return {
      settings: { clientId: 'memory', bootstrapServers: [], securityProtocol: 'PLAINTEXT' },
      admin: () => Promise.reject(new Error('not offered')),
      recordSource: () => Promise.resolve(this),
      recordSink: () => Promise.reject(new Error('not offered')),
      close: () => Promise.resolve(),
    };
  }

  async fetch(requests: FetchRequest[]): Promise<FetchedPartition[]> {
    this.fetches++;
    this.inFlight++;
    try {
      const failure = this.alwaysFail ?? this.failures.shift();
      if (failure !== undefined) throw failure;
      let answer = requests.map((r) => this.answer(r));
      if (answer.every((a) => a.records.length === 0 && a.error === undefined && a.highWatermark >= 0n)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.maxWaitMs);
          this.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        answer = requests.map((r) => this.answer(r));
      }
      return answer;
    } finally {
      this.inFlight--;
    }
  }

  fetchUndecoded(): never {
    throw new Error('not used');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private answer(r: FetchRequest): FetchedPartition {
    const log = this.logs[r.partition]!;
    const base = { topic: r.topic, partition: r.partition, nextOffset: r.offset, records: [] as ConsumedRecord[] };
    if (this.noLeader) return { ...base, highWatermark: -1n, logStartOffset: -1n };
    if (r.offset < log.logStart || r.offset > log.end) {
      // A broker answers an out-of-range fetch without offsets.
      return { ...base, highWatermark: -1n, logStartOffset: -1n, error: 'OFFSET_OUT_OF_RANGE' };
    }
    const records = log.records.filter((x) => x.offset >= r.offset).slice(0, this.batch);
    const last = records.at(-1);
    return {
      ...base,
      records,
      nextOffset: last === undefined ? r.offset : last.offset + 1n,
      highWatermark: log.end,
      logStartOffset: log.logStart,
    };
  }
}
