import type {
  AclBinding,
  AlterConfigOp,
  ConfigEntry,
  ConsumedRecord,
  FetchRequest,
  FetchedPartition,
  GroupListing,
  KafkaAdmin,
  KafkaClientSettings,
  KafkaCluster,
  NewTopic,
  PartitionOffsets,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSinkOptions,
  RecordSource,
  RecordSourceOptions,
  TopicDescription,
  TopicPartitionOffset,
  UndecodedFetchedPartition,
} from '../../src/kafka/index.ts';
import { KafkaPortError } from '../../src/util/errors.ts';

/**
 * One Kafka cluster in memory, behind the port interfaces tasks and clients use (RecordSource with
 * `fetchUndecoded`, RecordSink, KafkaAdmin, KafkaCluster), for unit tests of the rules above the
 * port: what is asked, in which order, and what happens when a call fails. Offsets, log start and
 * end, long-poll fetches, out-of-range answers and group offsets behave as a broker's do; real
 * brokers stay the reference (test/integration/, test/e2e/).
 *
 * Faults are injected per port operation ({@link Fault}): reject a call with a given error, on the
 * k-th call or after N ms, hold it until a promise settles, or fail topic creation with an error
 * name. Waits use `setTimeout`, so vitest's fake timers drive them.
 */

/** Port operations a fault can target: record calls, decoding, and every admin method by name. */
export type PortOperation = 'send' | 'fetch' | 'decode' | Exclude<keyof KafkaAdmin, 'close'>;

export interface Fault {
  op: PortOperation;
  /** Only calls touching this topic (a send's topic, any fetched topic, an admin call's topic). */
  topic?: string;
  /** First matching call (1-based, counted per operation over the cluster) the fault applies to; default: the next. */
  call?: number;
  /** How many matching calls it applies to (default 1; Infinity: all). */
  times?: number;
  /** Wait this long before failing (or before going on, without `error`). */
  afterMs?: number;
  /** Wait for this promise before failing (or going on). */
  until?: Promise<unknown>;
  /** The call rejects with this error (a function builds a fresh one per call). */
  error?: unknown;
  /** `createTopics` only: the per-topic error name to answer (e.g. TOPIC_ALREADY_EXISTS). */
  topicError?: string;
}

/** A Kafka error as the port reports it: code `KAFKA_<name>`, `details.retriable` as Kafka defines it. */
export function kafkaError(name: string, retriable: boolean, message = name): KafkaPortError {
  return new KafkaPortError(`KAFKA_${name}`, `${name}: ${message} (in-memory)`, { retriable });
}

interface StoredPartition {
  logStart: bigint;
  logEnd: bigint;
  records: ConsumedRecord[];
}

interface StoredTopic {
  partitions: StoredPartition[];
  configs: Record<string, string>;
}

interface ArmedFault extends Fault {
  left: number;
}

/** One send as the cluster received it (after any fault let it through). */
export interface SendLogEntry {
  topic: string;
  records: ProducerRecord[];
  at: number;
}

export class InMemoryKafka {
  /** Records a fetch answers per partition at most. */
  maxRecordsPerFetch = 500;
  /** Successful sends, in order. */
  readonly sends: SendLogEntry[] = [];
  /** Topics created through the admin, in order. */
  readonly created: NewTopic[] = [];
  readonly acls: AclBinding[] = [];
  /** Every fetch call: when, and what it asked for. */
  readonly fetchLog: { at: number; requests: FetchRequest[] }[] = [];
  private readonly topics = new Map<string, StoredTopic>();
  private readonly groups = new Map<string, Map<string, TopicPartitionOffset>>();
  private readonly groupStates = new Map<string, string>();
  private readonly faults: ArmedFault[] = [];
  private readonly callCounts = new Map<PortOperation, number>();
  private waiters: (() => void)[] = [];

  /** Creates a topic (as an operator would; not counted as an admin call). */
  addTopic(name: string, partitions = 1, configs: Record<string, string> = {}): void {
    if (this.topics.has(name)) return;
    this.topics.set(name, {
      partitions: Array.from({ length: partitions }, () => ({ logStart: 0n, logEnd: 0n, records: [] })),
      configs: { ...configs },
    });
  }

  /** Appends records as a producer would (no faults); returns where each partition's batch landed. */
  produce(topic: string, records: ProducerRecord[]): ProduceResult[] {
    const t = this.topic(topic);
    const byPartition = new Map<number, ProducerRecord[]>();
    for (const r of records) {
      const list = byPartition.get(r.partition);
      if (list) list.push(r);
      else byPartition.set(r.partition, [r]);
    }
    const results: ProduceResult[] = [];
    for (const [partition, batch] of byPartition) {
      const p = t.partitions[partition];
      if (p === undefined) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true, `${topic}-${partition}`);
      const baseOffset = p.logEnd;
      for (const r of batch) {
        p.records.push({
          topic,
          partition,
          offset: p.logEnd,
          timestamp: r.timestamp !== undefined && r.timestamp >= 0 ? r.timestamp : Date.now(),
          timestampType: 'CreateTime',
          key: r.key,
          value: r.value,
          headers: r.headers ?? [],
        });
        p.logEnd++;
      }
      results.push({ topic, partition, baseOffset, recordCount: batch.length });
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return results;
  }

  /** Leaves a gap of `count` offsets in a partition (compaction, transaction markers). */
  skipOffsets(topic: string, partition: number, count: bigint): void {
    this.partition(topic, partition).logEnd += count;
  }

  /** The records a partition holds (or every partition's, in partition order). */
  records(topic: string, partition?: number): ConsumedRecord[] {
    const t = this.topics.get(topic);
    if (t === undefined) return [];
    if (partition !== undefined) return [...(t.partitions[partition]?.records ?? [])];
    return t.partitions.flatMap((p) => p.records);
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** Sets a group's state as `describeGroupStates` reports it (default: Empty with offsets, else Dead). */
  setGroupState(group: string, state: string): void {
    this.groupStates.set(group, state);
  }

  /** Arms a fault (see {@link Fault}). */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** How many calls of `op` the cluster saw (faulted ones included). */
  calls(op: PortOperation): number {
    return this.callCounts.get(op) ?? 0;
  }

  /** Opens a client view of this cluster. */
  cluster(settings: KafkaClientSettings = IN_MEMORY_SETTINGS): InMemoryCluster {
    return new InMemoryCluster(this, settings);
  }

  /** Counts the call, then applies the first armed fault that matches it (waiting, then failing or going on). */
  async enter(op: PortOperation, topics: readonly string[] = []): Promise<{ topicError?: string }> {
    const call = (this.callCounts.get(op) ?? 0) + 1;
    this.callCounts.set(op, call);
    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        f.op === op &&
        (f.topic === undefined || topics.includes(f.topic)) &&
        (f.call === undefined || call >= f.call),
    );
    if (fault === undefined) return {};
    fault.left--;
    if (fault.afterMs !== undefined) await new Promise((done) => setTimeout(done, fault.afterMs));
    if (fault.until !== undefined) await fault.until.catch(() => {});
    if (fault.error !== undefined) {
      throw typeof fault.error === 'function' ? (fault.error as () => unknown)() : fault.error;
    }
    return fault.topicError !== undefined ? { topicError: fault.topicError } : {};
  }

  fetchNow(requests: FetchRequest[]): FetchedPartition[] {
    return requests.map((r) => {
      const p = this.topics.get(r.topic)?.partitions[r.partition];
      if (p === undefined) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true, `${r.topic}-${r.partition}`);
      const base = { topic: r.topic, partition: r.partition, highWatermark: p.logEnd, logStartOffset: p.logStart };
      if (r.offset < p.logStart || r.offset > p.logEnd) {
        return { ...base, records: [], nextOffset: r.offset, error: 'OFFSET_OUT_OF_RANGE' as const };
      }
      const records = p.records.filter((x) => x.offset >= r.offset).slice(0, this.maxRecordsPerFetch);
      const last = records.at(-1);
      // Past the last record: up to the log end when the batch reached it (a gap at the end).
      const nextOffset =
        last === undefined ? p.logEnd : records.length < this.maxRecordsPerFetch ? p.logEnd : last.offset + 1n;
      return { ...base, records, nextOffset: nextOffset < r.offset ? r.offset : nextOffset };
    });
  }

  /** Resolves on the next append or after `ms`, whichever is first. */
  waitForData(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        done();
      }
      this.waiters.push(finish);
    });
  }

  topic(name: string): StoredTopic {
    const t = this.topics.get(name);
    if (t === undefined) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true, name);
    return t;
  }

  partition(topic: string, partition: number): StoredPartition {
    const p = this.topic(topic).partitions[partition];
    if (p === undefined) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true, `${topic}-${partition}`);
    return p;
  }

  groupOffsets(group: string): Map<string, TopicPartitionOffset> {
    let offsets = this.groups.get(group);
    if (offsets === undefined) this.groups.set(group, (offsets = new Map()));
    return offsets;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** A group's committed offsets (none: empty). */
  committedOffsets(group: string): TopicPartitionOffset[] {
    return [...(this.groups.get(group)?.values() ?? [])].map((o) => ({ ...o }));
  }

  deleteGroup(group: string): void {
    this.groups.delete(group);
    this.groupStates.delete(group);
  }

  groupIds(): string[] {
    return [...new Set([...this.groups.keys(), ...this.groupStates.keys()])];
  }

  groupState(group: string): string {
    return this.groupStates.get(group) ?? (this.groups.has(group) ? 'Empty' : 'Dead');
  }
}

const IN_MEMORY_SETTINGS: KafkaClientSettings = {
  clientId: 'in-memory',
  bootstrapServers: ['in-memory:9092'],
  securityProtocol: 'PLAINTEXT',
};

/** A client view of an {@link InMemoryKafka}; `closed` after {@link close}. */
export class InMemoryCluster implements KafkaCluster {
  readonly settings: KafkaClientSettings;
  readonly kafka: InMemoryKafka;
  closed = false;

  constructor(kafka: InMemoryKafka, settings: KafkaClientSettings) {
    this.kafka = kafka;
    this.settings = settings;
  }

  admin(): Promise<KafkaAdmin> {
    return Promise.resolve(inMemoryAdmin(this.kafka));
  }

  recordSource(options: RecordSourceOptions = {}): Promise<RecordSource> {
    return Promise.resolve(new InMemoryRecordSource(this.kafka, options));
  }

  recordSink(options: RecordSinkOptions = {}): Promise<RecordSink> {
    return Promise.resolve(new InMemoryRecordSink(this.kafka, options));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class InMemoryRecordSource implements RecordSource {
  private readonly kafka: InMemoryKafka;
  private readonly maxWaitMs: number;
  /** Per partition, what the last `changedOnly` answer was read from and carried. */
  private readonly lastAnswers = new Map<string, string>();
  closed = false;

  constructor(kafka: InMemoryKafka, options: RecordSourceOptions) {
    this.kafka = kafka;
    // Java's fetch.max.wait.ms default.
    this.maxWaitMs = options.maxWaitMs ?? 500;
  }

  async fetch(requests: FetchRequest[]): Promise<FetchedPartition[]> {
    this.kafka.fetchLog.push({ at: Date.now(), requests: requests.map((r) => ({ ...r })) });
    await this.kafka.enter(
      'fetch',
      requests.map((r) => r.topic),
    );
    let fetched = this.kafka.fetchNow(requests);
    // A long poll: with nothing to return, wait for data up to maxWaitMs, as a broker does.
    if (this.maxWaitMs > 0 && fetched.every((f) => f.records.length === 0 && f.error === undefined)) {
      await this.kafka.waitForData(this.maxWaitMs);
      fetched = this.kafka.fetchNow(requests);
    }
    return fetched;
  }

  /**
   * `changedOnly` answers as an incremental fetch session does: a partition read from the same
   * offset as last time, with no records, no error and the same high watermark and log start, is
   * left out.
   */
  async fetchUndecoded(
    requests: FetchRequest[],
    options?: { changedOnly?: boolean },
  ): Promise<UndecodedFetchedPartition[]> {
    let fetched = await this.fetch(requests);
    if (options?.changedOnly === true) {
      fetched = fetched.filter((f, i) => {
        const k = `${f.topic}\0${f.partition}`;
        const now = `${requests[i]!.offset}/${f.highWatermark}/${f.logStartOffset}`;
        const unchanged = f.records.length === 0 && f.error === undefined && this.lastAnswers.get(k) === now;
        this.lastAnswers.set(k, now);
        return !unchanged;
      });
    }
    return fetched.map(({ records, ...rest }) => ({
      ...rest,
      batchRecordCount: records.length,
      decode: async () => {
        await this.kafka.enter('decode', [rest.topic]);
        return records;
      },
    }));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class InMemoryRecordSink implements RecordSink {
  private readonly kafka: InMemoryKafka;
  readonly options: RecordSinkOptions;
  closed = false;

  constructor(kafka: InMemoryKafka, options: RecordSinkOptions) {
    this.kafka = kafka;
    this.options = options;
  }

  async send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    await this.kafka.enter('send', [topic]);
    const results = this.kafka.produce(topic, records);
    this.kafka.sends.push({ topic, records, at: Date.now() });
    return results;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function configEntry(name: string, value: string): ConfigEntry {
  return { name, value, source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false, isReadOnly: false, isSensitive: false };
}

/** The admin port over an {@link InMemoryKafka}; each method first applies faults armed for it. */
export function inMemoryAdmin(kafka: InMemoryKafka): KafkaAdmin {
  const k = kafka;
  return {
    listTopics: async () => {
      await k.enter('listTopics');
      return k.topicNames();
    },
    describeTopics: async (names) => {
      await k.enter('describeTopics', names);
      return names.map((name): TopicDescription => ({
        name,
        partitions: k.topic(name).partitions.map((_, partition) => ({ partition, leader: 0, replicas: [0], isr: [0] })),
      }));
    },
    createTopics: async (topics) => {
      const { topicError } = await k.enter(
        'createTopics',
        topics.map((t) => t.name),
      );
      return topics.map((t) => {
        k.created.push(t);
        if (topicError !== undefined) return { name: t.name, error: topicError };
        if (k.hasTopic(t.name)) return { name: t.name, error: 'TOPIC_ALREADY_EXISTS' };
        k.addTopic(t.name, t.partitions, t.configs ?? {});
        return { name: t.name };
      });
    },
    createPartitions: async (topic, totalCount) => {
      await k.enter('createPartitions', [topic]);
      const t = k.topic(topic);
      while (t.partitions.length < totalCount) t.partitions.push({ logStart: 0n, logEnd: 0n, records: [] });
    },
    describeTopicConfigs: async (names) => {
      await k.enter('describeTopicConfigs', names);
      return new Map(
        names.map((n) => [n, Object.entries(k.topic(n).configs).map(([name, value]) => configEntry(name, value))]),
      );
    },
    incrementalAlterTopicConfigs: async (changes: Map<string, AlterConfigOp[]>) => {
      await k.enter('incrementalAlterTopicConfigs', [...changes.keys()]);
      for (const [topic, ops] of changes) {
        const configs = k.topic(topic).configs;
        for (const op of ops) {
          if (op.op === 'SET') configs[op.name] = op.value;
          else delete configs[op.name];
        }
      }
    },
    describeAcls: async () => {
      await k.enter('describeAcls');
      return [...k.acls];
    },
    createAcls: async (bindings) => {
      await k.enter('createAcls');
      k.acls.push(...bindings);
    },
    listGroups: async () => {
      await k.enter('listGroups');
      return k
        .groupIds()
        .map((groupId): GroupListing => ({ groupId, protocolType: 'consumer', state: k.groupState(groupId) }));
    },
    describeGroupStates: async (ids) => {
      await k.enter('describeGroupStates');
      return new Map(ids.map((g) => [g, k.groupState(g)]));
    },
    fetchGroupOffsets: async (group) => {
      await k.enter('fetchGroupOffsets');
      return k.committedOffsets(group);
    },
    commitGroupOffsets: async (group, offsets) => {
      await k.enter(
        'commitGroupOffsets',
        offsets.map((o) => o.topic),
      );
      const stored = k.groupOffsets(group);
      for (const o of offsets) stored.set(`${o.topic}-${o.partition}`, { ...o });
    },
    deleteGroups: async (ids) => {
      await k.enter('deleteGroups');
      for (const g of ids) k.deleteGroup(g);
    },
    listOffsets: async (topic) => {
      await k.enter('listOffsets', [topic]);
      return k
        .topic(topic)
        .partitions.map((p, partition): PartitionOffsets => ({ partition, earliest: p.logStart, latest: p.logEnd }));
    },
    deleteRecords: async (topic, partitions) => {
      await k.enter('deleteRecords', [topic]);
      for (const { partition, beforeOffset } of partitions) {
        const p = k.partition(topic, partition);
        if (beforeOffset > p.logStart) p.logStart = beforeOffset > p.logEnd ? p.logEnd : beforeOffset;
        p.records = p.records.filter((r) => r.offset >= p.logStart);
      }
    },
    brokerCount: async () => {
      await k.enter('brokerCount');
      return 1;
    },
    clusterId: async () => {
      await k.enter('clusterId');
      return 'in-memory-cluster';
    },
    close: () => Promise.resolve(),
  };
}
