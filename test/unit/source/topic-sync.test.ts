import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TopicSyncSteps } from '../../../src/connectors/source/source-connector.ts';
import { TopicSynchronizer, TopicSyncError } from '../../../src/connectors/source/topic-sync.ts';
import type { AclBinding, AlterConfigOp, ConfigEntry, KafkaAdmin, NewTopic } from '../../../src/kafka/port.ts';
import {
  DefaultConfigPropertyFilter,
  DefaultReplicationPolicy,
  DefaultTopicFilter,
} from '../../../src/policy/index.ts';
import { KafkaPortError, MirrorError } from '../../../src/util/errors.ts';

/** What the Kafka port throws for a Kafka error: a KafkaPortError named `KAFKA_<NAME>`. */
const portError = (name: string) => new KafkaPortError(`KAFKA_${name}`, name);

/** An in-memory cluster: topic name → partition count and configs. Calls are recorded. */
class FakeAdmin implements KafkaAdmin {
  readonly topics = new Map<string, { partitions: number; configs: ConfigEntry[] }>();
  readonly calls: string[] = [];
  readonly altered: Map<string, AlterConfigOp[]>[] = [];
  readonly createdAcls: AclBinding[][] = [];
  acls: AclBinding[] = [];
  failDescribe = new Map<string, Error>();
  failAlter = new Map<string, Error>();
  failDescribeAcls: Error | undefined;

  addTopic(name: string, partitions: number, configs: ConfigEntry[] = []): this {
    this.topics.set(name, { partitions, configs });
    return this;
  }

  async listTopics() {
    return [...this.topics.keys()].sort();
  }
  async describeTopics(names: string[]) {
    this.calls.push(`describeTopics ${names.join(',')}`);
    for (const n of names) {
      const failure = this.failDescribe.get(n);
      if (failure) throw failure;
      if (!this.topics.has(n)) throw portError('UNKNOWN_TOPIC_OR_PARTITION');
    }
    return names.map((name) => ({
      name,
      partitions: Array.from({ length: this.topics.get(name)!.partitions }, (_, partition) => ({
        partition,
        leader: 1,
        replicas: [1],
        isr: [1],
      })),
    }));
  }
  async createTopics(topics: NewTopic[]) {
    return topics.map((t) => {
      if (this.topics.has(t.name)) return { name: t.name, error: 'TOPIC_ALREADY_EXISTS' };
      const configs = Object.entries(t.configs ?? {}).map(([name, value]) => entry(name, value));
      this.topics.set(t.name, { partitions: t.partitions, configs });
      return { name: t.name };
    });
  }
  async createPartitions(topic: string, totalCount: number) {
    this.calls.push(`createPartitions ${topic} ${totalCount}`);
    this.topics.get(topic)!.partitions = totalCount;
  }
  async describeTopicConfigs(names: string[]) {
    for (const n of names) if (!this.topics.has(n)) throw portError('UNKNOWN_TOPIC_OR_PARTITION');
    return new Map(names.map((n) => [n, this.topics.get(n)!.configs]));
  }
  async incrementalAlterTopicConfigs(changes: Map<string, AlterConfigOp[]>) {
    this.altered.push(changes);
    for (const topic of changes.keys()) {
      const failure = this.failAlter.get(topic) ?? this.failAlter.get('*');
      if (failure) throw failure;
    }
  }
  async describeAcls() {
    if (this.failDescribeAcls) throw this.failDescribeAcls;
    return this.acls;
  }
  async createAcls(bindings: AclBinding[]) {
    this.createdAcls.push(bindings);
  }
  listGroups = notUsed;
  describeGroupStates = notUsed;
  fetchGroupOffsets = notUsed;
  commitGroupOffsets = notUsed;
  deleteGroups = notUsed;
  listOffsets = notUsed;
  deleteRecords = notUsed;
  brokerCount = notUsed;
  clusterId = notUsed;
  async close() {}
}

async function notUsed(): Promise<never> {
  throw new Error('not used by the topic synchronizer');
}

function entry(name: string, value: string, source: ConfigEntry['source'] = 'DYNAMIC_TOPIC_CONFIG'): ConfigEntry {
  return { name, value, source, isDefault: source === 'DEFAULT_CONFIG', isReadOnly: false, isSensitive: false };
}

function setup(options: { raiseError?: (e: MirrorError) => void } = {}) {
  const source = new FakeAdmin();
  const target = new FakeAdmin();
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const sync = new TopicSynchronizer({
    sourceAdmin: source,
    targetAdmin: target,
    sourceAlias: 'A',
    targetAlias: 'B',
    policy: new DefaultReplicationPolicy(),
    topicFilter: new DefaultTopicFilter(),
    configPropertyFilter: new DefaultConfigPropertyFilter(),
    settings: { replicationFactor: 3, heartbeatsReplicationEnabled: true },
    logger,
    ...(options.raiseError ? { raiseError: options.raiseError } : {}),
  });
  return { source, target, sync, lines };
}

describe('TopicSynchronizer', () => {
  it('is what the source connector schedules', () => {
    const steps: TopicSyncSteps = setup().sync;
    expect(typeof steps.refresh).toBe('function');
  });

  it('loads and creates like Java start-up; a refresh without changes reports none', async () => {
    const { source, target, sync } = setup();
    source.addTopic('t0', 2).addTopic('B.back', 1).addTopic('x.internal', 1);
    target.addTopic('A.t0', 1).addTopic('other', 1);

    const sourcePartitions = await sync.loadSourceTopicPartitions();
    expect(sourcePartitions).toEqual([
      { topic: 't0', partition: 0 },
      { topic: 't0', partition: 1 },
    ]);
    const targetPartitions = await sync.loadTargetTopicPartitions();
    expect(targetPartitions).toEqual([{ topic: 'A.t0', partition: 0 }]);
    const result = await sync.createMissingTopicsAndPartitions(sourcePartitions, targetPartitions);
    expect(result).toEqual({ created: [], grown: ['A.t0'], failed: [] });
    expect(target.topics.get('A.t0')?.partitions).toBe(2);
    expect(sync.targetPartitions).toHaveLength(2);

    expect(await sync.refresh()).toEqual({ sourcePartitions, changed: false });
  });

  it('partitions appearing only on the target never trigger reassignment (Java testRefreshTopicPartitionsTopicOnTargetFirst)', async () => {
    const { source, target, sync } = setup();
    source.addTopic('t', 1);
    target.addTopic('A.t', 1);
    await sync.initialize();
    target.addTopic('A.later', 3);
    expect((await sync.refresh()).changed).toBe(false);
  });

  it('reports a change when a source partition is missing on the target, and creates it', async () => {
    const { source, target, sync } = setup();
    source.addTopic('t', 2);
    await sync.initialize();
    expect(target.topics.get('A.t')?.partitions).toBe(2);
    target.topics.delete('A.t');
    expect((await sync.refresh()).changed).toBe(true);
    expect(target.topics.get('A.t')?.partitions).toBe(2);
    expect((await sync.refresh()).changed).toBe(false);
  });

  it('leaves out a topic deleted while being described, but fails the load on any other error', async () => {
    const { source, sync } = setup();
    source.addTopic('a', 1).addTopic('b', 1).addTopic('c', 1);
    source.failDescribe.set('b', portError('UNKNOWN_TOPIC_OR_PARTITION'));
    expect((await sync.loadSourceTopicPartitions()).map((tp) => tp.topic)).toEqual(['a', 'c']);

    source.failDescribe.set('b', portError('REQUEST_TIMED_OUT'));
    await expect(sync.loadSourceTopicPartitions()).rejects.toThrow();
    // The failed load left the known set alone.
    expect(sync.sourcePartitions.map((tp) => tp.topic)).toEqual(['a', 'c']);
  });

  it('config sync: one failing topic is logged, the others are altered', async () => {
    const { source, target, sync, lines } = setup();
    for (const t of ['a', 'b', 'c']) {
      source.addTopic(t, 1, [entry('retention.ms', '1'), entry('segment.ms', '604800000', 'DEFAULT_CONFIG')]);
    }
    await sync.initialize();
    target.failAlter.set('A.b', portError('INVALID_CONFIG'));
    const result = await sync.syncTopicConfigs();
    expect(result).toEqual({
      altered: ['A.a', 'A.c'],
      failed: [expect.objectContaining({ topic: 'A.b', error: 'INVALID_CONFIG' })],
    });
    // One batched call, then topic by topic to find the failing one.
    expect(target.altered.map((c) => [...c.keys()])).toEqual([['A.a', 'A.b', 'A.c'], ['A.a'], ['A.b'], ['A.c']]);
    expect(target.altered[0]!.get('A.a')).toEqual([
      { op: 'SET', name: 'retention.ms', value: '1' },
      { op: 'DELETE', name: 'segment.ms' },
    ]);
    expect(lines.some((l) => l.level === 40 && l.msg.includes('A.b'))).toBe(true);
  });

  it('config sync on a target without IncrementalAlterConfigs raises a connector error, as Java does', async () => {
    const raised: MirrorError[] = [];
    const { source, target, sync } = setup({ raiseError: (e) => raised.push(e) });
    source.addTopic('a', 1, [entry('retention.ms', '1')]);
    await sync.initialize();
    target.failAlter.set('*', portError('UNSUPPORTED_VERSION'));
    await sync.syncTopicConfigs();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toBeInstanceOf(TopicSyncError);
    expect(raised[0]!.code).toBe('ERR_INCREMENTAL_ALTER_CONFIGS_UNSUPPORTED');
  });

  it('ACL sync against a source without an authorizer: info once, then debug, nothing written', async () => {
    const { source, target, sync, lines } = setup();
    source.failDescribeAcls = portError('SECURITY_DISABLED');
    expect(await sync.syncTopicAcls()).toEqual({ sourceHasAuthorizer: false, synced: [], failed: [] });
    // Also when wrapped in an error of ours.
    source.failDescribeAcls = new MirrorError('ERR_WRAPPED', 'wrapped', {}, { cause: portError('SECURITY_DISABLED') });
    await sync.syncTopicAcls();
    const about = lines.filter((l) => /authorizer/i.test(l.msg));
    expect(about.map((l) => l.level)).toEqual([30, 20]);
    expect(target.createdAcls).toEqual([]);

    source.failDescribeAcls = portError('CLUSTER_AUTHORIZATION_FAILED');
    await expect(sync.syncTopicAcls()).rejects.toThrow();
  });

  it('steps run one at a time, and a failed step does not block the next', async () => {
    const { source, sync } = setup();
    source.addTopic('t', 1);
    source.failDescribeAcls = portError('CLUSTER_AUTHORIZATION_FAILED');
    const results = await Promise.allSettled([sync.syncTopicAcls(), sync.loadSourceTopicPartitions()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });
});
