import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import type {
  AclBinding,
  AlterConfigOp,
  ConfigEntry,
  ConfigSource,
  GroupListing,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicDescription,
  TopicPartitionOffset,
} from '../port.ts';
import type { KafkajsConnection } from './connection.ts';
import {
  INCREMENTAL_ALTER_CONFIGS_API_KEY,
  INCREMENTAL_ALTER_CONFIGS_VERSION,
  decodeIncrementalAlterConfigs,
  encodeIncrementalAlterConfigs,
} from '../wire/incremental-alter-configs.ts';
import { protocolError } from './protocol-errors.ts';
import { aclToKafkajs, aclsFromKafkajs } from './acl-codes.ts';
import { kafkaErrorName } from '../errors.ts';
import { adminRetry } from './settings.ts';
import { toPortError, type PortErrorContext } from './port-errors.ts';
import type { InternalCluster } from './internals.d.ts';
import { doublingBackoffMs } from '../backoff.ts';
import { createTopicsChunks } from './create-topics-chunks.ts';

const { ConfigResourceTypes } = kafkajs;

/** Topics the broker itself flags internal; Java's `listTopics()` leaves them out. */
const BROKER_INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

const CONFIG_SOURCES: Record<number, ConfigSource> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

interface KafkajsConfigEntry {
  configName: string;
  configValue: string | null;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  readOnly: boolean;
}

export class KafkajsAdmin implements KafkaAdmin {
  private readonly connection: KafkajsConnection;
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  /** The kafkajs cluster behind {@link admin}: its metadata topic list, see {@link forgetDeletedTopics}. */
  private readonly adminCluster: InternalCluster | undefined;
  /** {@link listOffsets} calls waiting for the next batch (answered together, see there). */
  private offsetQueue: { topic: string; resolve: (offsets: Promise<PartitionOffsets[]>) => void }[] = [];

  constructor(connection: KafkajsConnection) {
    this.connection = connection;
    // kafkajs gives no handle on the cluster an admin client uses; catch it as admin() creates it.
    const kafka = connection.kafka as unknown as Record<symbol, (options: object) => InternalCluster>;
    const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    const original = factory ? kafka[factory] : undefined;
    let captured: InternalCluster | undefined;
    if (factory && original) kafka[factory] = (options) => (captured = original.call(kafka, options));
    try {
      this.admin = connection.kafka.admin({ retry: adminRetry(connection.settings) });
    } finally {
      if (factory && original) kafka[factory] = original;
    }
    this.adminCluster = captured;
  }

  /**
   * Runs one admin operation with port errors. kafkajs refreshes the metadata of every topic this
   * admin ever looked up (offsets, partitions) and fails the whole refresh once one of them was
   * deleted: from then on every call would fail with UNKNOWN_TOPIC_OR_PARTITION (new topics never
   * mirrored). On that error, topics that no longer exist are forgotten and the call runs once more.
   */
  private async op<T>(context: PortErrorContext, work: () => Promise<T>): Promise<T> {
    try {
      return await this.connection.portErrors(context, work);
    } catch (err) {
      if (kafkaErrorName(err) !== 'UNKNOWN_TOPIC_OR_PARTITION' || !(await this.forgetDeletedTopics())) throw err;
      return this.connection.portErrors(context, work);
    }
  }

  /** Drops deleted topics from the admin's metadata topic list; true if it dropped any. */
  private async forgetDeletedTopics(): Promise<boolean> {
    const cluster = this.adminCluster;
    if (!cluster || cluster.targetTopics.size === 0) return false;
    let existing: Set<string>;
    try {
      existing = new Set(await this.admin.listTopics());
    } catch {
      return false;
    }
    let dropped = false;
    for (const topic of [...cluster.targetTopics]) {
      if (!existing.has(topic)) {
        cluster.targetTopics.delete(topic);
        dropped = true;
      }
    }
    return dropped;
  }

  private async client(): Promise<Admin> {
    this.connection.checkTlsMaterial();
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      // A failed connect is tried again by the next call, not remembered.
      this.connected = undefined;
      throw err;
    });
    await this.connected;
    return this.admin;
  }

  listTopics(): Promise<string[]> {
    return this.op({ op: 'listTopics' }, async () => {
      const names = await (await this.client()).listTopics();
      return names.filter((n) => !BROKER_INTERNAL_TOPICS.has(n)).sort();
    });
  }

  describeTopics(names: string[]): Promise<TopicDescription[]> {
    return this.op({ op: 'describeTopics', ...topicsContext(names) }, async () => {
      if (names.length === 0) return [];
      const { topics } = await (await this.client()).fetchTopicMetadata({ topics: names });
      return topics.map((t) => ({
        name: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition),
      }));
    });
  }

  createTopics(topics: NewTopic[]): Promise<{ name: string; error?: string }[]> {
    return this.op({ op: 'createTopics', ...topicsContext(topics.map((t) => t.name)) }, () =>
      topics.length > 1 && this.adminCluster !== undefined
        ? this.createTogether(topics, this.adminCluster)
        : this.createEach(topics),
    );
  }

  /**
   * Many topics in one CreateTopics request, cut by {@link createTopicsChunks} (Java's
   * `Admin.createTopics` sends them all in one, which a KRaft controller refuses beyond 10,000
   * metadata records), then one wait for all their leaders. One request
   * per topic, each followed by its own leader wait, cost a metadata refresh of every topic the
   * admin knows per topic and wait round: minutes for 1,000 new topics. kafkajs's own
   * `createTopics` reports "all failed topics already existed" without naming them, so the
   * controller is asked directly; per-topic errors come back by name. If a request fails as a
   * whole (no controller, a timeout), its topics go one by one as before.
   */
  private async createTogether(
    topics: NewTopic[],
    cluster: InternalCluster,
  ): Promise<{ name: string; error?: string }[]> {
    await this.client();
    const results: { name: string; error?: string }[] = [];
    for (const chunk of createTopicsChunks(topics)) {
      const errors = new Map<string, string>();
      try {
        await cluster.refreshMetadataIfNecessary();
        const controller = await cluster.findControllerBroker();
        await controller.createTopics({
          timeout: CREATE_TOPICS_TIMEOUT_MS,
          topics: chunk.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: t.replicationFactor,
            configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        const perTopic = (err as { errors?: unknown }).errors;
        if (!Array.isArray(perTopic)) {
          results.push(...(await this.createEach(chunk)));
          continue;
        }
        for (const e of perTopic as { topic?: string; type?: string; message?: string }[]) {
          if (e.topic !== undefined) errors.set(e.topic, e.type ?? e.message ?? 'UNKNOWN_SERVER_ERROR');
        }
      }
      const created = chunk.filter((t) => !errors.has(t.name)).map((t) => t.name);
      await waitForLeaders(await this.client(), created);
      for (const t of chunk) {
        const error = errors.get(t.name);
        results.push(error === undefined ? { name: t.name } : { name: t.name, error });
      }
    }
    return results;
  }

  /** One CreateTopics call per topic; each topic's failure is reported in its result, by Kafka's error name. */
  private async createEach(topics: NewTopic[]): Promise<{ name: string; error?: string }[]> {
    const admin = await this.client();
    return Promise.all(
      topics.map(async (t) => {
        try {
          // Not kafkajs's waitForLeaders: it asks a broker for the new topic's metadata once and
          // reports UNKNOWN_TOPIC_OR_PARTITION if that broker has not caught up yet (KRaft), i.e.
          // a created topic would be reported as failed.
          const created = await admin.createTopics({
            waitForLeaders: false,
            topics: [
              {
                topic: t.name,
                numPartitions: t.partitions,
                replicationFactor: t.replicationFactor,
                configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
              },
            ],
          });
          if (!created) return { name: t.name, error: 'TOPIC_ALREADY_EXISTS' };
          await waitForLeaders(admin, [t.name]);
          return { name: t.name };
        } catch (err) {
          // Kafka's name (e.g. TOPIC_ALREADY_EXISTS, INVALID_CONFIG) when it is a Kafka error, else the client's text.
          const error = kafkaErrorName(toPortError(err, { op: 'createTopics', topic: t.name }, this.connection.origin));
          return { name: t.name, error: error ?? (err instanceof Error ? err.message : String(err)) };
        }
      }),
    );
  }

  createPartitions(topic: string, totalCount: number): Promise<void> {
    return this.op({ op: 'createPartitions', topic, count: totalCount }, async () => {
      await (await this.client()).createPartitions({ topicPartitions: [{ topic, count: totalCount }] });
    });
  }

  describeTopicConfigs(names: string[]): Promise<Map<string, ConfigEntry[]>> {
    return this.op({ op: 'describeConfigs', ...topicsContext(names) }, () => this.describeConfigsOf(names));
  }

  private async describeConfigsOf(names: string[]): Promise<Map<string, ConfigEntry[]>> {
    const result = new Map<string, ConfigEntry[]>();
    if (names.length === 0) return result;
    const { resources } = await (
      await this.client()
    ).describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const r of resources) {
      if (r.errorCode !== 0) throw protocolError(r.errorCode, { op: 'describeConfigs', topic: r.resourceName });
      result.set(
        r.resourceName,
        (r.configEntries as unknown as KafkajsConfigEntry[]).map((e) => ({
          name: e.configName,
          value: e.configValue,
          source: CONFIG_SOURCES[e.configSource] ?? 'UNKNOWN',
          isDefault: e.isDefault,
          isReadOnly: e.readOnly,
          isSensitive: e.isSensitive,
        })),
      );
    }
    return result;
  }

  incrementalAlterTopicConfigs(changes: Map<string, AlterConfigOp[]>): Promise<void> {
    return this.op({ op: 'incrementalAlterConfigs', ...topicsContext([...changes.keys()]) }, () =>
      this.alterConfigs(changes),
    );
  }

  private async alterConfigs(changes: Map<string, AlterConfigOp[]>): Promise<void> {
    if (changes.size === 0) return;
    const cluster = await this.connection.internalCluster();
    // A freshly connected cluster has no metadata yet, and findControllerBroker needs it.
    if (!cluster.brokerPool.metadata) await cluster.refreshMetadata();
    const broker = await cluster.findControllerBroker();
    const body = encodeIncrementalAlterConfigs({
      topics: [...changes].map(([topic, ops]) => ({
        topic,
        ops: ops.map((o) => ({ op: o.op, name: o.name, value: o.op === 'SET' ? o.value : null })),
      })),
    });
    const results = await this.connection.send(
      broker,
      {
        apiKey: INCREMENTAL_ALTER_CONFIGS_API_KEY,
        apiVersion: INCREMENTAL_ALTER_CONFIGS_VERSION,
        apiName: 'IncrementalAlterConfigs',
      },
      body,
      decodeIncrementalAlterConfigs,
    );
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) {
      throw protocolError(failed.errorCode, {
        op: 'incrementalAlterConfigs',
        topic: failed.resourceName,
        detail: failed.errorMessage ?? '',
      });
    }
  }

  describeAcls(filter: { resourceType: 'TOPIC' | 'ANY' }): Promise<AclBinding[]> {
    return this.op({ op: 'describeAcls', resourceType: filter.resourceType }, async () => {
      const response = await (await this.client()).describeAcls(aclToKafkajs.describeFilter(filter.resourceType));
      return aclsFromKafkajs(response.resources);
    });
  }

  createAcls(bindings: AclBinding[]): Promise<void> {
    return this.op({ op: 'createAcls', acls: bindings.length }, async () => {
      if (bindings.length === 0) return;
      await (await this.client()).createAcls({ acl: bindings.map(aclToKafkajs.binding) });
    });
  }

  listGroups(): Promise<GroupListing[]> {
    return this.op({ op: 'listGroups' }, async () => {
      const admin = await this.client();
      const { groups } = await admin.listGroups();
      const states = await this.describeGroupStates(groups.map((g) => g.groupId));
      return groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: states.get(g.groupId) ?? 'Unknown',
      }));
    });
  }

  describeGroupStates(groupIds: string[]): Promise<Map<string, string>> {
    return this.op({ op: 'describeGroups', ...groupsContext(groupIds) }, async () => {
      const states = new Map<string, string>();
      if (groupIds.length === 0) return states;
      const { groups } = await (await this.client()).describeGroups(groupIds);
      for (const g of groups) states.set(g.groupId, g.state);
      return states;
    });
  }

  fetchGroupOffsets(groupId: string): Promise<TopicPartitionOffset[]> {
    return this.op({ op: 'fetchOffsets', group: groupId }, async () => {
      const topics = await (await this.client()).fetchOffsets({ groupId });
      const result: TopicPartitionOffset[] = [];
      for (const t of topics) {
        for (const p of t.partitions) {
          const offset = BigInt(p.offset);
          if (offset < 0n) continue;
          result.push({ topic: t.topic, partition: p.partition, offset, metadata: p.metadata ?? '' });
        }
      }
      return result;
    });
  }

  commitGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    return this.op({ op: 'offsetCommit', group: groupId }, () => this.commitOffsets(groupId, offsets));
  }

  deleteGroups(groupIds: string[]): Promise<void> {
    return this.op({ op: 'deleteGroups', ...groupsContext(groupIds) }, async () => {
      if (groupIds.length === 0) return;
      await (await this.client()).deleteGroups(groupIds);
    });
  }

  private async commitOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const cluster = await this.connection.internalCluster();
    const byTopic = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partition: o.partition, offset: o.offset.toString(), metadata: o.metadata ?? '' });
      byTopic.set(o.topic, list);
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    // A group the coordinator has not seen yet (or one whose coordinator moved) answers with a
    // coordinator error at first: look the coordinator up again and retry, as Java's admin does.
    for (let attempt = 1; ; attempt++) {
      let code = 0;
      let where: { topic: string; partition: number } | undefined;
      try {
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        // Generation -1 and no member id: an outsider commit, as Java's alterConsumerGroupOffsets
        // sends; the coordinator accepts it only while the group has no members.
        const response = await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
        for (const t of response.responses) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0 && code === 0) {
              code = p.errorCode;
              where = { topic: t.topic, partition: p.partition };
            }
          }
        }
      } catch (err) {
        code = kafkajsErrorCode(err) ?? -1;
        if (code === -1) throw err;
      }
      if (code === 0) return;
      if (!COORDINATOR_ERRORS.has(code) || attempt >= 10) {
        throw protocolError(code, { op: 'offsetCommit', group: groupId, ...(where ?? {}) });
      }
      await new Promise((r) => setTimeout(r, doublingBackoffMs(attempt, 2_000)));
    }
  }

  /**
   * Calls made in the same turn of the event loop are answered together: one metadata refresh
   * and one ListOffsets request per leader for all their topics (kafkajs's `fetchTopicOffsets`
   * refreshes the metadata of every topic it has seen each time it meets a new one, so 1,000
   * topics one after another were 1,000 growing refreshes). If the batch fails as a whole, each
   * topic is asked alone, so each caller gets its own topic's answer or error.
   */
  listOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.op(
      { op: 'listOffsets', topic },
      () =>
        new Promise<PartitionOffsets[]>((resolve) => {
          this.offsetQueue.push({ topic, resolve });
          if (this.offsetQueue.length === 1) setImmediate(() => void this.answerOffsetQueue());
        }),
    );
  }

  private async answerOffsetQueue(): Promise<void> {
    const batch = this.offsetQueue;
    this.offsetQueue = [];
    const topics = [...new Set(batch.map((b) => b.topic))];
    let together: Map<string, PartitionOffsets[]> | undefined;
    if (topics.length > 1 && this.adminCluster !== undefined) {
      together = await this.offsetsTogether(topics, this.adminCluster).catch(() => undefined);
    }
    const alone = new Map<string, Promise<PartitionOffsets[]>>();
    for (const { topic, resolve } of batch) {
      const offsets = together?.get(topic);
      if (offsets !== undefined) {
        resolve(Promise.resolve(offsets.map((o) => ({ ...o }))));
        continue;
      }
      let answer = alone.get(topic);
      if (answer === undefined) alone.set(topic, (answer = this.offsetsOf(topic)));
      resolve(answer);
    }
  }

  /** Earliest and latest offsets of every partition of `topics`: one ListOffsets per leader for each end. */
  private async offsetsTogether(topics: string[], cluster: InternalCluster): Promise<Map<string, PartitionOffsets[]>> {
    await this.client();
    await cluster.addMultipleTargetTopics(topics);
    const specs = topics.map((topic) => ({
      topic,
      partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })),
    }));
    if (specs.some((s) => s.partitions.length === 0)) throw new Error('a topic has no partition metadata');
    const [latest, earliest] = await Promise.all([
      cluster.fetchTopicsOffset(specs.map((s) => ({ ...s, fromBeginning: false }))),
      cluster.fetchTopicsOffset(specs.map((s) => ({ ...s, fromBeginning: true }))),
    ]);
    const low = new Map<string, Map<number, string>>();
    for (const t of earliest) low.set(t.topic, new Map(t.partitions.map((p) => [p.partition, p.offset])));
    const out = new Map<string, PartitionOffsets[]>();
    for (const t of latest) {
      const lows = low.get(t.topic);
      const offsets: PartitionOffsets[] = [];
      for (const p of t.partitions) {
        const l = lows?.get(p.partition);
        if (l === undefined) throw new Error(`no earliest offset for ${t.topic}-${p.partition}`);
        offsets.push({ partition: p.partition, earliest: BigInt(l), latest: BigInt(p.offset) });
      }
      out.set(
        t.topic,
        offsets.sort((a, b) => a.partition - b.partition),
      );
    }
    return out;
  }

  private async offsetsOf(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await (await this.client()).fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, earliest: BigInt(o.low), latest: BigInt(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  deleteRecords(topic: string, partitions: { partition: number; beforeOffset: bigint }[]): Promise<void> {
    return this.op({ op: 'deleteRecords', topic }, async () => {
      await (
        await this.client()
      ).deleteTopicRecords({
        topic,
        partitions: partitions.map((p) => ({ partition: p.partition, offset: p.beforeOffset.toString() })),
      });
    });
  }

  brokerCount(): Promise<number> {
    return this.op({ op: 'describeCluster' }, async () => {
      const { brokers } = await (await this.client()).describeCluster();
      return brokers.length;
    });
  }

  clusterId(): Promise<string> {
    return this.op({ op: 'describeCluster' }, async () => (await (await this.client()).describeCluster()).clusterId);
  }

  close(): Promise<void> {
    return this.op({ op: 'close' }, async () => {
      // Also after a failed connect: kafkajs may hold the seed broker's socket.
      await this.admin.disconnect();
      this.connected = undefined;
    });
  }
}

/** The topics a call was about, for error messages: one by name, a few listed, many counted. */
function topicsContext(names: readonly string[]): Record<string, unknown> {
  if (names.length === 1) return { topic: names[0] };
  if (names.length <= 5) return { topics: names.join(',') };
  return { topics: `${names.slice(0, 5).join(',')},… (${names.length})` };
}

function groupsContext(groupIds: readonly string[]): Record<string, unknown> {
  if (groupIds.length === 1) return { group: groupIds[0] };
  return { groups: groupIds.length };
}

/** How long the controller may take to create one request's topics (below the client's 30 s request timeout). */
const CREATE_TOPICS_TIMEOUT_MS = 20_000;

/**
 * Waits (bounded) until the brokers know just-created topics and every partition has a leader,
 * so that callers can describe and use them right away: one metadata request for all of them per
 * try. Gives up quietly: the topics exist.
 */
async function waitForLeaders(admin: Admin, names: string[], timeoutMs = 10_000): Promise<void> {
  if (names.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const ready =
        topics.length === names.length &&
        topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch {
      // not known to the broker yet
    }
    // 100 ms doubling to 1 s: while a broker creates the logs of thousands of new partitions, the
    // newest topics can stay unknown to it for seconds, and a metadata request of hundreds of
    // topics every 100 ms only adds to its load (docs/benchmarks/2026-11-30-scale-3.md).
    await new Promise((resolve) => setTimeout(resolve, doublingBackoffMs(attempt, 1_000)));
  }
}

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR. */
const COORDINATOR_ERRORS = new Set([14, 15, 16]);

/** The Kafka error code a kafkajs protocol error carries, if it is one. */
function kafkajsErrorCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'type' in err) {
    const type = (err as { type?: unknown }).type;
    const byType: Record<string, number> = {
      COORDINATOR_LOAD_IN_PROGRESS: 14,
      GROUP_LOAD_IN_PROGRESS: 14,
      GROUP_COORDINATOR_NOT_AVAILABLE: 15,
      COORDINATOR_NOT_AVAILABLE: 15,
      NOT_COORDINATOR_FOR_GROUP: 16,
      NOT_COORDINATOR: 16,
      UNKNOWN_MEMBER_ID: 25,
      ILLEGAL_GENERATION: 22,
      REBALANCE_IN_PROGRESS: 27,
    };
    if (typeof type === 'string' && type in byType) return byType[type];
  }
  return undefined;
}
