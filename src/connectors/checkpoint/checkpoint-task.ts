import {
  kafkaErrorName,
  type KafkaAdmin,
  type KafkaCluster,
  type ProducerRecord,
  type RecordSink,
} from '../../kafka/index.ts';
import {
  encodeCheckpointKey,
  encodeCheckpointValue,
  exactCheckpointHeader,
  topicPartitionKey,
  type Checkpoint,
  type TopicPartition,
} from '../../records/index.ts';
import type { TopicFilter } from '../../policy/filters.ts';
import type { ReplicationPolicy } from '../../policy/replication-policy.ts';
import { CompactedLog } from '../../connect/compacted-log.ts';
import { Scheduler } from '../../connect/scheduler.ts';
import { describeError } from '../../util/errors.ts';
import { isAuthorizationError, notAuthorized, type AccessContext } from '../../connect/not-authorized.ts';
import { traceOf } from '../../connect/task-group.ts';
import type { Logger } from '../../util/logger.ts';
import { withTimeout } from '../../util/timeout.ts';
import type { WorkStatus } from '../../connect/states.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import {
  checkpointsForGroup,
  planGroupOffsetSync,
  renameTopicPartition,
  type CheckpointRoute,
  type UpstreamGroupOffset,
} from './checkpoint-rules.ts';
import type { CheckpointPartitionRecorder, CheckpointRouteRecorder, CheckpointTaskMetrics } from './metrics-port.ts';
import { OffsetSyncReader } from './offset-sync-reader.ts';
import { OffsetSyncStore } from './offset-sync-store.ts';

/** Reading the checkpoints topic at start fails (and is treated as Java's failed load) after this long without progress. */
const LOAD_STALL_MS = 60_000;

/** Default bound of the final round at stop (within the process's 30 s stop budget). */
const FINAL_ROUND_TIMEOUT_MS = 10_000;

export interface CheckpointTaskStopOptions {
  /**
   * Before stopping, run one last round: read the offset-syncs topic up to its current end (the
   * source tasks' final syncs, when they stopped first), emit checkpoints, sync group offsets if
   * enabled, and store the Connect offsets. Bounded by `finalRoundTimeoutMs`. For a graceful stop
   * of the route, not for a reassignment.
   */
  finalRound?: boolean;
}

/** Where Java's worker stores the checkpoint connector's Connect offsets (`{"offset":0}` per checkpoint). */
export interface CheckpointOffsetsWriter {
  writeCheckpointOffsets(group: string, downstream: readonly TopicPartition[]): Promise<void>;
}

export interface CheckpointTaskOptions {
  sourceAlias: string;
  targetAlias: string;
  taskIndex: number;
  /** Java `task.assigned.groups`. */
  groups: readonly string[];
  policy: ReplicationPolicy;
  topicFilter: TopicFilter;
  /** `<S>.checkpoints.internal` on the target. */
  checkpointsTopic: string;
  /** Group offsets on the source (`checkpoint-source-admin`). */
  sourceAdmin: KafkaAdmin;
  /** Group states, offsets and log ends on the target (`checkpoint-target-admin`). */
  targetAdmin: KafkaAdmin;
  /** Reads the checkpoints topic at start (`checkpoints-target-consumer`). */
  checkpointsReader: KafkaCluster;
  /** Writes checkpoint records to the target (the worker's producer in Java). */
  checkpointsWriter: KafkaCluster;
  offsetSyncs: { cluster: KafkaCluster; admin: KafkaAdmin; topic: string };
  /** `emit.checkpoints.interval.seconds` in ms. */
  emitIntervalMs: number;
  /** `sync.group.offsets.*`: interval in ms, or undefined when off. */
  syncGroupOffsetsIntervalMs: number | undefined;
  offsets?: CheckpointOffsetsWriter;
  /** Java `offset.flush.interval.ms`. */
  offsetFlushIntervalMs: number;
  /** `consumer.poll.timeout.ms`: the offset-syncs reader's long-poll wait. */
  pollTimeoutMs: number;
  metrics?: CheckpointTaskMetrics;
  routeMetrics?: CheckpointRouteRecorder;
  /** Bound of the final round of {@link CheckpointTask.stop} (default 10 s). */
  finalRoundTimeoutMs?: number;
  /** Called on every state change (RUNNING, FAILED with its trace, STOPPED): metrics, readiness, restarts. */
  onStateChange?: (status: WorkStatus) => void;
  logger: Logger;
}

export interface CheckpointTaskStatus extends WorkStatus {
  /** Java `task.assigned.groups`. */
  assignedGroups: string[];
}

/** Counters for tests and the status API. */
export interface CheckpointTaskStats {
  checkpointsEmitted: number;
  groupOffsetCommits: number;
  groupOffsetSyncsSkipped: number;
}

/**
 * Java's MirrorCheckpointTask for one set of groups. In the background at {@link start}: loads
 * the checkpoints already in `<S>.checkpoints.internal` for its groups, then reads the offset-syncs
 * topic to its end (keeping only the last sync per partition if the checkpoints could not be
 * loaded, as Java does) and keeps tailing it. Every emit interval it translates each group's
 * committed source offsets and writes the checkpoints that moved forward (or whose upstream group
 * rewound). With `sync.group.offsets.enabled` it also commits translated offsets on the target
 * for groups that are empty or absent there.
 *
 * Translation is {@link OffsetSyncStore.translate}: exact where our marked syncs prove it, Java's
 * lower bound elsewhere (docs/offset-translation.md).
 */
export class CheckpointTask {
  readonly taskIndex: number;
  readonly assignedGroups: readonly string[];
  private readonly options: CheckpointTaskOptions;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly syncStore = new OffsetSyncStore();
  private readonly checkpoints: CheckpointStore;
  private readonly reader: OffsetSyncReader;
  /** How far the reader has applied the offset-syncs topic (the final round waits on it). */
  private readonly offsetSyncsRead = new ReadPosition();
  private readonly route: CheckpointRoute;
  private readonly partitionMetrics = new Map<string, CheckpointPartitionRecorder>();
  /** Checkpoints acknowledged since the last Connect offsets flush: group → downstream partitions. */
  private readonly unflushed = new Map<string, Map<string, TopicPartition>>();
  private sink: RecordSink | undefined;
  private initializing: Promise<void> | undefined;
  private ready = false;
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private readonly counters: CheckpointTaskStats = {
    checkpointsEmitted: 0,
    groupOffsetCommits: 0,
    groupOffsetSyncsSkipped: 0,
  };

  constructor(options: CheckpointTaskOptions) {
    this.options = options;
    this.taskIndex = options.taskIndex;
    this.assignedGroups = [...options.groups];
    this.logger = options.logger.child({ task: options.taskIndex });
    this.scheduler = new Scheduler(this.logger);
    this.checkpoints = new CheckpointStore(options.groups);
    this.reader = new OffsetSyncReader({
      cluster: trackingReads(options.offsetSyncs.cluster, this.offsetSyncsRead),
      admin: options.offsetSyncs.admin,
      topic: options.offsetSyncs.topic,
      store: this.syncStore,
      logger: this.logger,
      pollTimeoutMs: options.pollTimeoutMs,
      // The offset-syncs topic refused (no Read or Describe): nothing to translate with, so the
      // task fails naming the topic (Java's task would log poll errors for ever, RUNNING).
      onRefused: (err) => this.fail(notAuthorized(this.access('checkpoints', options.offsetSyncs.cluster), {}, err)),
      ...(options.routeMetrics ? { onSync: (ts: number) => options.routeMetrics!.offsetSync(ts) } : {}),
    });
    const store = this.syncStore;
    this.route = {
      sourceClusterAlias: options.sourceAlias,
      targetClusterAlias: options.targetAlias,
      policy: options.policy,
      topicFilter: options.topicFilter,
      offsetSyncs: { translateDownstream: (tp, g) => store.translateDownstreamExact(tp, g) },
    };
  }

  get status(): WorkStatus {
    return this.state;
  }

  stats(): Readonly<CheckpointTaskStats> {
    return { ...this.counters };
  }

  /** The task's offset-sync store (read-only use: tests and the failover measurement). */
  get offsetSyncStore(): OffsetSyncStore {
    return this.syncStore;
  }

  /** Schedules the jobs and starts loading in the background; resolves at once. */
  start(): Promise<void> {
    this.setState({ state: 'RUNNING' });
    const o = this.options;
    this.initializing = this.initialize().catch((err: unknown) => {
      if (this.state.state === 'FAILED') return;
      this.setState({ state: 'FAILED', trace: traceOf(err) });
      this.logger.error({ err }, 'checkpoint task failed to start');
    });
    this.scheduler.scheduleRepeating('emit checkpoints', o.emitIntervalMs, () => this.emit(), o.emitIntervalMs);
    if (o.syncGroupOffsetsIntervalMs !== undefined) {
      this.scheduler.scheduleRepeating(
        'sync group offsets',
        o.syncGroupOffsetsIntervalMs,
        () => this.syncGroupOffsets(),
        o.syncGroupOffsetsIntervalMs,
      );
    }
    if (o.offsets) {
      this.scheduler.scheduleRepeating(
        'flush checkpoint offsets',
        o.offsetFlushIntervalMs,
        () => this.flushOffsets(),
        o.offsetFlushIntervalMs,
      );
    }
    return Promise.resolve();
  }

  /** Resolves once the checkpoints are loaded and the offset-syncs topic was read to its end. */
  async whenReady(): Promise<void> {
    await this.initializing;
  }

  /**
   * Stops the jobs and the reader and stores the Connect offsets of what was emitted. With
   * `finalRound` (a graceful stop of the route, after its source tasks sent their final offset
   * syncs), first runs one last bounded round so the checkpoints reflect those syncs: Java's
   * MirrorCheckpointTask gets the same from the worker's last poll and offset commit.
   */
  async stop(options: CheckpointTaskStopOptions = {}): Promise<void> {
    await this.scheduler.close(30_000);
    if (options.finalRound === true && this.state.state === 'RUNNING') await this.finalRound();
    if (this.state.state !== 'FAILED') this.setState({ state: 'STOPPED' });
    await this.reader.stop();
    await this.initializing?.catch(() => {});
    await this.flushOffsets().catch((err: unknown) =>
      this.logger.warn({ err }, 'final checkpoint offsets flush failed'),
    );
    for (const m of this.partitionMetrics.values()) m.remove();
    this.partitionMetrics.clear();
    await this.sink?.close();
  }

  /** Who the task is to Kafka for `feature`, with `client`'s settings (alias, principal). */
  private access(feature: string, client: KafkaCluster): AccessContext {
    return { feature: `${this.options.sourceAlias}->${this.options.targetAlias} ${feature}`, client: client.settings };
  }

  /**
   * A failure retrying cannot fix (a refused ACL): the task is FAILED with `err` as its trace and
   * runs no more rounds (the worker restarts it when auto-restart is on), as Java's task fails on
   * a non-retriable producer error.
   */
  private fail(err: unknown): void {
    if (this.state.state === 'FAILED' || this.state.state === 'STOPPED') return;
    this.logger.error({ err: describeError(err) }, 'checkpoint task failed');
    this.setState({ state: 'FAILED', trace: traceOf(err) });
    void this.scheduler.close(0);
  }

  private setState(status: WorkStatus): void {
    this.state = status;
    try {
      this.options.onStateChange?.(status);
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'state change listener failed');
    }
  }

  /** The last round of a graceful stop (see {@link CheckpointTaskStopOptions.finalRound}); never throws. */
  private async finalRound(): Promise<void> {
    const bound = this.options.finalRoundTimeoutMs ?? FINAL_ROUND_TIMEOUT_MS;
    const round = async (): Promise<number> => {
      await this.initializing;
      if (!this.ready) return 0;
      await this.readOffsetSyncsToCurrentEnd();
      const emitted = await this.emit();
      if (this.options.syncGroupOffsetsIntervalMs !== undefined) await this.syncGroupOffsets();
      return emitted;
    };
    try {
      const emitted = await withTimeout(bound, round());
      this.logger.info({ checkpoints: emitted }, 'final checkpoint round done');
    } catch (err) {
      this.logger.warn(
        { err: describeError(err), timeoutMs: bound },
        'final checkpoint round did not complete; checkpoints stay as of the last round',
      );
    }
  }

  /** Waits until the reader has applied every offset sync written before now. */
  private async readOffsetSyncsToCurrentEnd(): Promise<void> {
    const { admin, topic } = this.options.offsetSyncs;
    const end = (await admin.listOffsets(topic)).find((o) => o.partition === 0)?.latest;
    if (end !== undefined) await this.offsetSyncsRead.reached(end);
  }

  private async initialize(): Promise<void> {
    const loaded = await this.loadCheckpoints();
    await this.reader.start(!loaded);
    if (this.state.state !== 'RUNNING') return;
    this.ready = true;
    this.logger.info({ groups: this.assignedGroups.length, checkpointsLoaded: loaded }, 'checkpoint task ready');
  }

  /**
   * Java `CheckpointStore.start`: the whole checkpoints topic (partition 0), once, as a
   * `KafkaBasedLog` reads it; false if it could not be read (a non-retriable error, no progress
   * for LOAD_STALL_MS, or the task stopping first), after which Java's fallback applies.
   */
  private async loadCheckpoints(): Promise<boolean> {
    const topic = this.options.checkpointsTopic;
    const source = await this.options.checkpointsReader.recordSource();
    let malformed = 0;
    try {
      await new CompactedLog({
        topic,
        source,
        admin: this.options.targetAdmin,
        partitions: [0],
        onRecord: (r) => {
          if (!this.checkpoints.loadRecord(r.key, r.value)) malformed++;
        },
        stallTimeoutMs: LOAD_STALL_MS,
        // The task's stop() stops the reader first: the load ends with it.
        signal: this.reader.stopSignal,
        logger: this.logger,
      }).readToEnd();
      if (malformed > 0) this.logger.warn({ malformed }, 'skipped malformed records in the checkpoints topic');
      return this.checkpoints.completeLoad();
    } catch (err) {
      this.logger.error({ err, topic }, 'could not read the checkpoints topic; earlier checkpoints are ignored');
      return this.checkpoints.failLoad();
    } finally {
      await source.close();
    }
  }

  /** Java `poll` + `commitRecord`: one round of checkpoints for every assigned group. */
  async emit(): Promise<number> {
    if (!this.ready || !this.checkpoints.isInitialized) return 0;
    const emitted: Checkpoint[] = [];
    const committedByGroup = new Map<string, UpstreamGroupOffset[]>();
    const exact = new Set<Checkpoint>();
    for (const group of this.assignedGroups) {
      let upstream: UpstreamGroupOffset[];
      try {
        upstream = (await this.options.sourceAdmin.fetchGroupOffsets(group)).map((o) => ({
          topicPartition: { topic: o.topic, partition: o.partition },
          committed: { offset: o.offset, metadata: o.metadata ?? '' },
        }));
      } catch (err) {
        // A refused Describe on the group is named every round (the other groups go on).
        if (isAuthorizationError(err)) {
          const refused = notAuthorized(
            {
              feature: `${this.options.sourceAlias}->${this.options.targetAlias} checkpoints`,
              cluster: this.options.sourceAlias,
            },
            { resourceType: 'group', resource: group },
            err,
          );
          this.logger.warn(
            { err: refused.message, group },
            'could not read the group offsets on the source; group skipped this round',
          );
        } else {
          this.logger.error({ err, group }, 'could not read the group offsets on the source; group skipped this round');
        }
        continue;
      }
      committedByGroup.set(group, upstream);
      const checkpoints = [...checkpointsForGroup(this.route, this.checkpoints, group, upstream).values()];
      for (const c of checkpoints) if (this.isExact(c, upstream)) exact.add(c);
      emitted.push(...checkpoints);
    }
    if (emitted.length > 0) {
      try {
        await this.send(emitted, exact);
      } catch (err) {
        if (!isAuthorizationError(err)) throw err;
        this.fail(
          notAuthorized(
            this.access('checkpoints', this.options.checkpointsWriter),
            { operation: 'Write', resource: this.options.checkpointsTopic },
            err,
          ),
        );
        return 0;
      }
    }
    if (this.options.metrics) await this.recordFailover(committedByGroup);
    return emitted.length;
  }

  /**
   * Whether checkpoint `c` (built from one of `upstream`'s committed offsets) carries the exact
   * translation: the store proves its downstream offset is the copy's position
   * (docs/offset-translation.md), not just Java's lower bound.
   */
  private isExact(c: Checkpoint, upstream: readonly UpstreamGroupOffset[]): boolean {
    const source = upstream.find(
      (u) =>
        u.committed?.offset === c.upstreamOffset &&
        topicPartitionKey(renameTopicPartition(this.route, u.topicPartition)) === topicPartitionKey(c.topicPartition),
    );
    if (source === undefined) return false;
    const translation = this.syncStore.translate(source.topicPartition, c.upstreamOffset);
    return (
      translation.kind === 'translated' && translation.exact && translation.downstreamOffset === c.downstreamOffset
    );
  }

  private async send(checkpoints: readonly Checkpoint[], exact: ReadonlySet<Checkpoint> = new Set()): Promise<void> {
    const at = Date.now();
    const records: ProducerRecord[] = checkpoints.map((c) => ({
      partition: 0,
      key: encodeCheckpointKey(c),
      value: encodeCheckpointValue(c),
      // Marks exact translations for readers (src/client/checkpoint-exactness.ts); Java ignores it.
      ...(exact.has(c) ? { headers: [exactCheckpointHeader()] } : {}),
      timestamp: at,
    }));
    this.sink ??= await this.options.checkpointsWriter.recordSink({ acks: -1 });
    // Unlike Java, the store learns a checkpoint only once it is acknowledged: a failed send is
    // retried whole at the next interval instead of being filtered out as "not more recent".
    await this.sink.send(this.options.checkpointsTopic, records);
    const latency = Date.now() - at;
    for (const c of checkpoints) {
      this.checkpoints.update(c.consumerGroupId, [c]);
      let pending = this.unflushed.get(c.consumerGroupId);
      if (pending === undefined) this.unflushed.set(c.consumerGroupId, (pending = new Map()));
      pending.set(topicPartitionKey(c.topicPartition), c.topicPartition);
      this.partitionRecorder(c.consumerGroupId, c.topicPartition)?.checkpointed(latency);
    }
    this.counters.checkpointsEmitted += checkpoints.length;
    this.options.routeMetrics?.checkpoint(at);
    this.logger.debug({ checkpoints: checkpoints.length }, 'emitted checkpoints');
  }

  private partitionRecorder(group: string, downstream: TopicPartition): CheckpointPartitionRecorder | undefined {
    const metrics = this.options.metrics;
    if (metrics === undefined) return undefined;
    const key = `${group}\u0000${topicPartitionKey(downstream)}`;
    let recorder = this.partitionMetrics.get(key);
    if (recorder === undefined) {
      recorder = metrics.partition({
        source: this.options.sourceAlias,
        target: this.options.targetAlias,
        group,
        topic: downstream.topic,
        partition: downstream.partition,
      });
      this.partitionMetrics.set(key, recorder);
    }
    return recorder;
  }

  /**
   * The failover view (docs/metrics.md): per group partition with a checkpoint, the records a
   * failover now would re-read on the target and those it would not find there.
   */
  private async recordFailover(committedByGroup: ReadonlyMap<string, UpstreamGroupOffset[]>): Promise<void> {
    const logEndsOf = (admin: KafkaAdmin): ((tp: TopicPartition) => Promise<bigint | undefined>) => {
      const logEnds = new Map<string, Map<number, bigint> | null>();
      return async (tp) => {
        if (!logEnds.has(tp.topic)) {
          try {
            const offsets = await admin.listOffsets(tp.topic);
            logEnds.set(tp.topic, new Map(offsets.map((o) => [o.partition, o.latest])));
          } catch {
            logEnds.set(tp.topic, null);
          }
        }
        return logEnds.get(tp.topic)?.get(tp.partition);
      };
    };
    const sourceLogEnd = logEndsOf(this.options.sourceAdmin);
    const targetLogEnd = logEndsOf(this.options.targetAdmin);
    for (const [group, upstream] of committedByGroup) {
      for (const { topicPartition, committed } of upstream) {
        if (committed === null || !this.route.topicFilter.shouldReplicateTopic(topicPartition.topic)) continue;
        const downstream = renameTopicPartition(this.route, topicPartition);
        const checkpoint = this.checkpoints.lastCheckpoint(group, downstream);
        if (checkpoint === undefined) continue;
        const g = committed.offset;
        const translation = this.syncStore.translate(topicPartition, g);
        let reread: bigint;
        if (translation.kind === 'translated' && translation.exact) {
          reread = translation.downstreamOffset - checkpoint.downstreamOffset;
        } else if (translation.kind === 'translated') {
          // Not provable: an upper bound. Downstream holds at most one record per upstream offset
          // between the sync and the group offset, plus the checkpoint's own staleness.
          reread =
            nonNegative(g - translation.sync.upstreamOffset - 1n) +
            nonNegative(translation.downstreamOffset - checkpoint.downstreamOffset);
        } else {
          continue;
        }
        const end = await sourceLogEnd(topicPartition);
        const replicated = await this.replicatedPosition(topicPartition, downstream, end, targetLogEnd);
        const missed = end === undefined ? Number.NaN : Number(nonNegative(end - (g > replicated ? g : replicated)));
        this.partitionRecorder(group, downstream)?.failover(Number(nonNegative(reread)), missed);
      }
    }
  }

  /**
   * How far the source partition is replicated (docs/metrics.md, `..._failover_missed_records`):
   * one past the newest offset-sync's upstream offset `u`, moved on by the records the target
   * holds after that sync's copy `d` — the records after `d` downstream are copies of records
   * after `u` upstream, in order (docs/offset-translation.md). Syncs are sparse (up to
   * `offset.lag.max` records apart), so the sync alone would count a caught-up partition's
   * records since the newest sync as missed. Never past the source log end.
   */
  private async replicatedPosition(
    upstream: TopicPartition,
    downstream: TopicPartition,
    sourceEnd: bigint | undefined,
    targetLogEnd: (tp: TopicPartition) => Promise<bigint | undefined>,
  ): Promise<bigint> {
    const newestSync = this.syncStore.syncsFor(upstream)?.[0];
    if (newestSync === undefined) return 0n;
    let replicated = newestSync.upstreamOffset + 1n;
    const targetEnd = await targetLogEnd(downstream);
    if (targetEnd !== undefined) replicated += nonNegative(targetEnd - newestSync.downstreamOffset - 1n);
    return sourceEnd !== undefined && replicated > sourceEnd ? sourceEnd : replicated;
  }

  /**
   * Java `refreshIdleConsumerGroupOffset` + `syncGroupOffset` in one step (a shorter race
   * window): for each group with checkpoints, commit the translated offsets on the target when the
   * group is absent (Dead) or Empty there — only forward, never past the target's log end, never
   * for a group with members (Java sends those too and logs the broker's rejection). A group that
   * gains members between the check and the commit makes the commit fail: logged, skipped, tried
   * again next interval.
   */
  async syncGroupOffsets(): Promise<number> {
    if (!this.ready) return 0;
    const admin = this.options.targetAdmin;
    const converted = this.checkpoints.computeConvertedUpstreamOffset();
    if (converted.size === 0) return 0;
    const states = await this.targetGroupStates([...converted.keys()]);
    const logEnds = new Map<string, Map<number, bigint>>();
    let committed = 0;
    for (const [group, offsets] of converted) {
      const state = states.get(group) ?? 'Dead';
      if (state !== 'Empty' && state !== 'Dead') {
        this.counters.groupOffsetSyncsSkipped++;
        this.logger.debug({ group, state }, 'group is active on the target; its offsets are not synced');
        continue;
      }
      try {
        const idle = new Map<string, Map<string, bigint | null>>();
        if (state === 'Empty') {
          const current = await admin.fetchGroupOffsets(group);
          idle.set(group, new Map(current.map((o) => [topicPartitionKey(o), o.offset])));
        }
        const planned = planGroupOffsetSync(new Map([[group, offsets]]), idle).get(group) ?? [];
        const toCommit = [];
        for (const o of planned) {
          let ends = logEnds.get(o.topicPartition.topic);
          if (ends === undefined) {
            ends = new Map((await admin.listOffsets(o.topicPartition.topic)).map((p) => [p.partition, p.latest]));
            logEnds.set(o.topicPartition.topic, ends);
          }
          const end = ends.get(o.topicPartition.partition);
          if (end === undefined || o.offset > end) {
            this.logger.warn(
              {
                group,
                topic: o.topicPartition.topic,
                partition: o.topicPartition.partition,
                offset: o.offset.toString(),
                logEnd: end?.toString(),
              },
              'translated offset is past the target log end; not synced',
            );
            continue;
          }
          toCommit.push({ ...o.topicPartition, offset: o.offset, metadata: o.metadata });
        }
        if (toCommit.length === 0) continue;
        await admin.commitGroupOffsets(group, toCommit);
        committed += toCommit.length;
        this.counters.groupOffsetCommits++;
        this.logger.info({ group, partitions: toCommit.length }, 'synced group offsets to the target');
      } catch (err) {
        this.counters.groupOffsetSyncsSkipped++;
        if (isAuthorizationError(err)) {
          // A missing ACL is named every round; checkpoints and the other groups go on (Java
          // logs the failed alterConsumerGroupOffsets and carries on).
          const refused = notAuthorized(this.access('group offset sync', this.options.checkpointsWriter), {}, err);
          this.logger.warn({ err: refused.message, group }, 'group offset sync refused; skipped this round');
        } else {
          this.logger.warn(
            { err, group },
            'could not sync group offsets to the target (the group may have become active); skipped this round',
          );
        }
      }
    }
    return committed;
  }

  /**
   * Group states on the target. One failing group fails a batched describe (e.g. a broker that
   * answers GROUP_ID_NOT_FOUND for a group that does not exist), so fall back to one call per
   * group: "not found" reads as Dead (absent), any other failure leaves the group out this round.
   */
  private async targetGroupStates(groups: string[]): Promise<Map<string, string>> {
    const admin = this.options.targetAdmin;
    try {
      return await admin.describeGroupStates(groups);
    } catch {
      const states = new Map<string, string>();
      for (const group of groups) {
        try {
          const state = (await admin.describeGroupStates([group])).get(group);
          if (state !== undefined) states.set(group, state);
        } catch (err) {
          if (kafkaErrorName(err) === 'GROUP_ID_NOT_FOUND' || /does not exist/i.test(String(err))) {
            states.set(group, 'Dead');
          } else {
            states.set(group, 'Unknown');
            const named = isAuthorizationError(err)
              ? notAuthorized(this.access('group offset sync', this.options.checkpointsWriter), {}, err).message
              : err;
            this.logger.warn(
              { err: named, group },
              'could not describe the group on the target; not synced this round',
            );
          }
        }
      }
      return states;
    }
  }

  /** Java's worker offset flush for this task: `{"offset":0}` for every checkpoint emitted since the last one. */
  private async flushOffsets(): Promise<void> {
    const writer = this.options.offsets;
    if (writer === undefined || this.unflushed.size === 0) return;
    const batch = [...this.unflushed];
    this.unflushed.clear();
    for (const [group, partitions] of batch) {
      try {
        await writer.writeCheckpointOffsets(group, [...partitions.values()]);
      } catch (err) {
        // Never read back by MM2 (facts §3.2): keep them for the next flush and carry on.
        const again = this.unflushed.get(group) ?? new Map<string, TopicPartition>();
        for (const [k, tp] of partitions) again.set(k, tp);
        this.unflushed.set(group, again);
        this.logger.warn({ err, group }, 'failed to write the checkpoint connector offsets');
      }
    }
  }
}

function nonNegative(value: bigint): bigint {
  return value < 0n ? 0n : value;
}

/** The offset up to which a reader has applied a partition, with waiters for a target offset. */
class ReadPosition {
  private offset = -1n;
  private waiters: { target: bigint; done: () => void }[] = [];

  /** The reader asks for `offset` next: everything before it was applied. */
  advance(offset: bigint): void {
    if (offset <= this.offset) return;
    this.offset = offset;
    const due = this.waiters.filter((w) => w.target <= offset);
    this.waiters = this.waiters.filter((w) => w.target > offset);
    for (const w of due) w.done();
  }

  /** Resolves once everything before `target` was applied (the caller bounds the wait). */
  reached(target: bigint): Promise<void> {
    if (target <= this.offset || target <= 0n) return Promise.resolve();
    return new Promise((done) => this.waiters.push({ target, done }));
  }
}

/**
 * `cluster` whose record sources report each fetch position of partition 0 to `position`: a
 * reader fetches from offset X only after applying everything before X (OffsetSyncReader does),
 * so the position tells how far the offset-syncs topic was read without reaching into the reader.
 */
function trackingReads(cluster: KafkaCluster, position: ReadPosition): KafkaCluster {
  return {
    settings: cluster.settings,
    admin: () => cluster.admin(),
    recordSink: (options) => cluster.recordSink(options),
    close: () => cluster.close(),
    recordSource: async (options) => {
      const source = await cluster.recordSource(options);
      const observe = (requests: readonly { partition: number; offset: bigint }[]): void => {
        for (const r of requests) if (r.partition === 0) position.advance(r.offset);
      };
      return {
        fetch: (requests) => {
          observe(requests);
          return source.fetch(requests);
        },
        fetchUndecoded: (requests) => {
          observe(requests);
          return source.fetchUndecoded(requests);
        },
        close: () => source.close(),
      };
    },
  };
}
