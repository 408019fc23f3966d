import type { RouteConfig } from '../config/index.ts';
import { ConnectorRunner, type TargetState, type WorkerConnector } from '../connect/connector-runner.ts';
import type { ConnectOffsetsStore } from '../connect/offsets-store.ts';
import { keepStarting } from '../connect/keep-starting.ts';
import type { BackoffPolicy } from '../connect/retry.ts';
import type { ConnectorStatusEntry, WorkStatus } from '../connect/states.ts';
import { traceOf } from '../connect/task-group.ts';
import { SourceConnector, type ConnectorStatus, type TopicSyncSteps } from '../connectors/source/source-connector.ts';
import type { TopicPartition } from '../records/index.ts';
import { SourceTask } from '../connectors/source/source-task.ts';
import type { CheckpointConnectorStatus } from '../connectors/checkpoint/checkpoint-connector.ts';
import type { CheckpointRuntime, CheckpointRuntimeArgs } from '../connectors/checkpoint/checkpoint-runtime.ts';
import type { CheckpointOffsetsWriter } from '../connectors/checkpoint/checkpoint-task.ts';
import type { HeartbeatConnectorStatus } from '../connectors/heartbeat/heartbeat-connector.ts';
import type {
  OffsetSyncEmitter,
  SourcePositionStore,
  SourceTaskMetrics,
} from '../connectors/source/source-task-ports.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster } from '../kafka/index.ts';
import type { Logger } from '../util/logger.ts';
import { withTimeout } from '../util/timeout.ts';
import {
  ClusterPool,
  clientSettings,
  replicationConsumer,
  replicationProducer,
  workerClientSettings,
} from './route-clients.ts';
import { buildRoutePlugins, type RoutePlugins } from './route-plugins.ts';

/** Builders for the pieces other modules own, so the route wires them without knowing their internals. */
export interface RouteCollaborators {
  openOffsetsStore(args: {
    cluster: KafkaCluster;
    topic: string;
    partitions: number;
    replicationFactor: number;
    logger: Logger;
  }): Promise<RouteOffsetsStore>;
  topicSync(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    sourceAdmin: KafkaAdmin;
    targetAdmin: KafkaAdmin;
    logger: Logger;
  }): TopicSyncSteps;
  offsetSyncs?(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    cluster: KafkaCluster;
    admin: KafkaAdmin;
    logger: Logger;
  }): { ensureTopic(): Promise<void>; writer(taskIndex: number): OffsetSyncEmitter };
  /** The heartbeat connector of the route (absent: the route runs none). */
  heartbeats?(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    cluster: KafkaCluster;
    logger: Logger;
  }): WorkerConnector<HeartbeatConnectorStatus>;
  /** The checkpoint connector; absent: the route runs none. */
  checkpoints?(args: Omit<CheckpointRuntimeArgs, 'metrics'>): CheckpointRuntime;
  metrics?: SourceTaskMetrics;
  /**
   * The flow's connector target states on T (the config topic, `mm2-configs.<S>.internal`);
   * absent: pause and stop last until the process ends.
   */
  openTargetStates?(args: {
    cluster: KafkaCluster;
    topic: string;
    replicationFactor: number;
    logger: Logger;
  }): Promise<RouteTargetStates>;
  /** The flow's status topic on T (`mm2-status.<S>.internal`); absent: states are not written there. */
  openStatusStore?(args: {
    cluster: KafkaCluster;
    topic: string;
    partitions: number;
    replicationFactor: number;
    logger: Logger;
  }): Promise<RouteStatusStore>;
}

/**
 * Scale-out (docs/scale-out.md): what of a route this process runs. `flow`: the once-per-flow work
 * (partition listing, topic/config/ACL sync, the checkpoint and heartbeat connectors);
 * `partitions`: the source partitions its source tasks copy.
 */
export interface RouteShare {
  flow: boolean;
  partitions: readonly TopicPartition[];
}

/** Scale-out: the route's share and where the flow reports the source partitions it listed. */
export interface RouteScaleOut {
  share: RouteShare;
  onListed(partitions: readonly TopicPartition[]): void;
}

/** How often the route's states are compared with what the status topic last got. */
const STATUS_WRITE_INTERVAL_MS = 1_000;

/** Where a route writes its connectors' and tasks' states for Connect tooling (Java connector names). */
export interface RouteStatusStore {
  observe(connectors: readonly ConnectorStatusEntry[]): void;
  close(): Promise<void>;
}

/** Where a route keeps its connectors' target states (Java connector names). */
export interface RouteTargetStates {
  get(connector: string): TargetState;
  put(connector: string, state: TargetState): Promise<void>;
  close(): Promise<void>;
}

/** How the worker layer treats failures; the same for every route of a process. */
export interface WorkerPolicy {
  /** Restart FAILED tasks after a backoff (`mm2ts.task.auto.restart.*`); absent: they stay FAILED. */
  autoRestart?: BackoffPolicy;
}

/** The route's Connect offsets store: source positions, and checkpoint offsets where supported. */
export type RouteOffsetsStore = SourcePositionStore &
  Partial<CheckpointOffsetsWriter> &
  Partial<Pick<ConnectOffsetsStore, 'entries' | 'write' | 'refresh'>> & { close?(): Promise<void> };

export type RouteConnectorStatus = ConnectorStatus | CheckpointConnectorStatus | HeartbeatConnectorStatus;

export interface RouteStatus extends WorkStatus {
  route: string;
  source: string;
  target: string;
  enabled: boolean;
  /** The last cause while the route cannot start (the offsets store on the target, its plugins). */
  error?: string;
  connectors: RouteConnectorStatus[];
}

const SOURCE = 'MirrorSourceConnector';
const CHECKPOINT = 'MirrorCheckpointConnector';
const HEARTBEAT = 'MirrorHeartbeatConnector';

/** A connector instance with the clients it opened: they are closed when it stops, also after a failed start. */
class PooledConnector<S extends ConnectorStatusEntry> implements WorkerConnector<S> {
  private readonly build: (pool: ClusterPool) => Promise<WorkerConnector<S>>;
  private readonly pool: ClusterPool;
  private inner: WorkerConnector<S> | undefined;

  constructor(logger: Logger, build: (pool: ClusterPool) => Promise<WorkerConnector<S>>) {
    this.pool = new ClusterPool(logger);
    this.build = build;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.inner = await this.build(this.pool);
    await this.inner.start(signal);
  }

  async stop(): Promise<void> {
    await this.inner?.stop().catch(() => {});
    await this.pool.closeAll();
  }

  status(): S {
    return this.inner!.status();
  }

  async restartTask(id: number): Promise<boolean> {
    return (await this.inner?.restartTask?.(id)) ?? false;
  }
}

/**
 * One replication flow S->T, Java's herder for that pair: the source connector (topics, records,
 * offset-syncs), the checkpoint connector and the heartbeat connector, each run by a
 * {@link ConnectorRunner} of the worker layer. The route itself needs its plugins and, when
 * replication is enabled, its Connect offsets store on T; until it has them it is retried with
 * backoff (a target down at start) and reports the cause, and its connectors do not run.
 * Every client it opens is closed on stop.
 */
export class RouteRuntime {
  readonly route: RouteConfig;
  private readonly collaborators: RouteCollaborators;
  private readonly policy: WorkerPolicy;
  private readonly logger: Logger;
  private readonly pool: ClusterPool;
  private readonly abort = new AbortController();
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private error: string | undefined;
  private runners: ConnectorRunner<RouteConnectorStatus>[] = [];
  private offsetsStore: RouteOffsetsStore | undefined;
  private targetStates: RouteTargetStates | undefined;
  private statusStore: RouteStatusStore | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private fatal: unknown;
  /** Scale-out: this process's share and the listing callback; absent: the whole route. */
  private readonly scaleOut: RouteScaleOut | undefined;
  private share: RouteShare | undefined;
  private plugins: RoutePlugins | undefined;
  /** The running source connector instance (scale-out rescopes it). */
  private source: SourceConnector | undefined;
  /** Share changes run one after the other. */
  private resharing: Promise<void> = Promise.resolve();

  constructor(
    route: RouteConfig,
    collaborators: RouteCollaborators,
    logger: Logger,
    policy: WorkerPolicy = {},
    scaleOut?: RouteScaleOut,
  ) {
    this.route = route;
    this.collaborators = collaborators;
    this.policy = policy;
    this.logger = logger.child({ route: route.name });
    this.pool = new ClusterPool(this.logger);
    this.scaleOut = scaleOut;
    this.share = scaleOut?.share;
  }

  /** Scale-out: this process's share of the route now (absent: all of it). */
  get currentShare(): RouteShare | undefined {
    return this.share;
  }

  /**
   * Scale-out: runs `share` from now on without restarting what stays. The source connector goes
   * first: tasks of partitions that moved away drain and store their positions and offset-syncs,
   * tasks of unchanged partitions run on. Then the flow's checkpoint and heartbeat connectors stop
   * (the checkpoint connector's last round) or start with the flow unit. Resolves once done.
   */
  reshare(share: RouteShare): Promise<void> {
    const run = this.resharing.then(async () => {
      const hadFlow = this.share?.flow === true;
      this.share = share;
      if (this.abort.signal.aborted || !this.plugins) return;
      await this.source?.rescope({ flow: share.flow, partitions: share.partitions });
      if (hadFlow && !share.flow) {
        for (const name of [CHECKPOINT, HEARTBEAT]) await this.runnerOf(name)?.stop();
        this.runners = this.runners.filter((r) => javaName(r) === SOURCE);
      } else if (!hadFlow && share.flow) {
        const added = this.flowRunners(this.plugins);
        this.runners = [...this.runners, ...added];
        const stored = this.targetStates;
        // Started in the background (each retries by itself): the member rejoins without waiting.
        for (const r of added) r.start(stored?.get(javaName(r)) ?? 'STARTED');
      }
    });
    this.resharing = run.catch(() => {});
    return run;
  }

  /**
   * Starts the route in the background. `started` resolves once the route's first start attempt
   * and its connectors' first attempts are over (whatever the outcome: failures are retried);
   * `fatal` is set when the route can never start (a configuration error).
   */
  start(): { started: Promise<void> } {
    let firstAttemptDone: () => void = () => {};
    const started = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    this.loop = (async () => {
      let plugins: RoutePlugins | undefined;
      const outcome = await keepStarting(
        `starting route ${this.route.name}`,
        async (signal) => {
          try {
            plugins = await this.openRoute();
          } catch (err) {
            await this.closeRoute();
            throw err;
          }
          // Stopped while opening: what this attempt opened is closed here, not left behind.
          if (signal.aborted) await this.closeRoute();
        },
        {
          signal: this.abort.signal,
          logger: this.logger,
          onFailure: (err, nextAttemptInMs) => {
            this.state = { state: 'FAILED', trace: traceOf(err) };
            this.error = err instanceof Error ? err.message : String(err);
            if (nextAttemptInMs === undefined) this.fatal = err;
            firstAttemptDone();
          },
        },
      );
      if (outcome !== 'started' || !plugins) return firstAttemptDone();
      this.state = { state: 'RUNNING' };
      this.error = undefined;
      this.runners = this.connectorRunners(plugins);
      const stored = this.targetStates;
      await Promise.all(this.runners.map((r) => r.start(stored?.get(javaName(r)) ?? 'STARTED').started));
      this.writeStatus();
      if (this.statusStore && !this.abort.signal.aborted) {
        this.statusTimer = setInterval(() => this.writeStatus(), STATUS_WRITE_INTERVAL_MS);
        this.statusTimer.unref();
      }
      firstAttemptDone();
    })();
    return { started };
  }

  /** Set when the route can never start whatever happens (e.g. its replication policy class does not load). */
  get fatalError(): unknown {
    return this.fatal;
  }

  /** The plugins, and the offsets store when the route replicates: what every connector of the route shares. */
  private async openRoute(): Promise<RoutePlugins> {
    const plugins = await buildRoutePlugins(this.route);
    if (this.route.settings.enabled) {
      const w = this.route.settings.worker;
      this.offsetsStore = await this.collaborators.openOffsetsStore({
        cluster: this.pool.open(workerClientSettings(this.route, 'offsets')),
        topic: w.offsetStorageTopic,
        partitions: w.offsetStoragePartitions,
        replicationFactor: w.offsetStorageReplicationFactor,
        logger: this.logger,
      });
      // Worker keys RouteSettings does not type. An unset replication factor follows the offsets
      // topic's (Java's default is 3 for each): a file written for a small cluster that sets only
      // offset.storage.replication.factor keeps starting.
      const setting = (key: string, fallback: number): number => {
        const value = Number(this.route.worker.get(key)?.value ?? NaN);
        return Number.isInteger(value) ? value : fallback;
      };
      if (this.collaborators.openTargetStates) {
        this.targetStates = await this.collaborators.openTargetStates({
          cluster: this.pool.open(workerClientSettings(this.route, 'configs')),
          topic: w.configStorageTopic,
          replicationFactor: setting('config.storage.replication.factor', w.offsetStorageReplicationFactor),
          logger: this.logger,
        });
      }
      if (this.collaborators.openStatusStore) {
        this.statusStore = await this.collaborators.openStatusStore({
          cluster: this.pool.open(workerClientSettings(this.route, 'statuses')),
          topic: w.statusStorageTopic,
          partitions: setting('status.storage.partitions', 5),
          replicationFactor: setting('status.storage.replication.factor', w.offsetStorageReplicationFactor),
          logger: this.logger,
        });
      }
    }
    return plugins;
  }

  private async closeRoute(): Promise<void> {
    const store = this.offsetsStore;
    this.offsetsStore = undefined;
    await store?.close?.().catch(() => {});
    const states = this.targetStates;
    this.targetStates = undefined;
    await states?.close().catch(() => {});
    const statuses = this.statusStore;
    this.statusStore = undefined;
    await statuses?.close().catch(() => {});
    await this.pool.closeAll();
  }

  private connectorRunners(plugins: RoutePlugins): ConnectorRunner<RouteConnectorStatus>[] {
    this.plugins = plugins;
    const runners: ConnectorRunner<RouteConnectorStatus>[] = [];
    if (this.route.settings.enabled) {
      runners.push(
        this.runner(
          SOURCE,
          (pool, logger) => this.sourceConnector(pool, plugins, logger),
          (status) => ({ name: SOURCE, ...status, tasks: [] }),
        ),
      );
    } else {
      this.logger.info('heartbeat-only route (replication not enabled)');
    }
    // Scale-out: the checkpoint and heartbeat connectors run once per flow, on its flow unit's member.
    if (this.share === undefined || this.share.flow) runners.push(...this.flowRunners(plugins));
    return runners;
  }

  private runner(
    name: string,
    build: (pool: ClusterPool, logger: Logger) => Promise<WorkerConnector<RouteConnectorStatus>>,
    idle: (status: WorkStatus) => RouteConnectorStatus,
  ): ConnectorRunner<RouteConnectorStatus> {
    const logger = this.logger.child({ connector: name });
    return new ConnectorRunner<RouteConnectorStatus>({
      name: `${name} of ${this.route.name}`,
      create: () => new PooledConnector(logger, (pool) => build(pool, logger)),
      idleStatus: idle,
      logger,
    });
  }

  /** The checkpoint connector (when the route copies and emits checkpoints) and the heartbeat connector. */
  private flowRunners(plugins: RoutePlugins): ConnectorRunner<RouteConnectorStatus>[] {
    const route = this.route;
    const s = route.settings;
    const c = this.collaborators;
    const runners: ConnectorRunner<RouteConnectorStatus>[] = [];
    // Java creates the checkpoint connector only when checkpoints and offset syncs are both on.
    if (s.enabled && c.checkpoints && s.emitCheckpoints.enabled && s.emitOffsetSyncsEnabled) {
      runners.push(
        this.runner(
          CHECKPOINT,
          (pool, logger) => this.checkpointConnector(pool, plugins, logger),
          (status) => ({ name: CHECKPOINT, ...status, groups: 0, tasks: [] }),
        ),
      );
    } else if (s.enabled && c.checkpoints) {
      this.logger.info('emit.checkpoints or emit.offset-syncs disabled: no checkpoint connector');
    }
    // Java creates the heartbeat herder for every pair while heartbeats are on, also heartbeat-only ones.
    if (c.heartbeats) {
      const heartbeats = c.heartbeats;
      runners.push(
        this.runner(
          HEARTBEAT,
          async (pool, logger) =>
            heartbeats({ route, plugins, cluster: pool.open(workerClientSettings(route, 'shared-admin')), logger }),
          (status) => ({ name: HEARTBEAT, ...status, tasks: [] }),
        ),
      );
    }
    return runners;
  }

  private async sourceConnector(pool: ClusterPool, plugins: RoutePlugins, logger: Logger): Promise<SourceConnector> {
    const route = this.route;
    const s = route.settings;
    const c = this.collaborators;
    const sourceAdminSettings = clientSettings(route, 'source.replication-source-admin');
    const targetAdminSettings = clientSettings(route, 'source.replication-target-admin');
    const sourceAdmin = await pool.open(sourceAdminSettings).admin();
    const targetAdmin = await pool.open(targetAdminSettings).admin();
    const consumer = replicationConsumer(route);
    const sourceConsumer = pool.open(consumer.settings);
    const offsetSyncs =
      c.offsetSyncs && s.emitOffsetSyncsEnabled
        ? c.offsetSyncs({
            route,
            plugins,
            cluster: pool.open(clientSettings(route, 'source.offset-syncs-producer')),
            admin: await pool.open(clientSettings(route, 'source.offset-syncs-admin')).admin(),
            logger,
          })
        : undefined;
    const store = this.offsetsStore!;
    // One replication producer connection per task index, kept across task reassignments.
    const producers = new Map<number, KafkaCluster>();
    const producerCluster = (index: number, settings: KafkaClientSettings): KafkaCluster => {
      let cluster = producers.get(index);
      if (!cluster) producers.set(index, (cluster = pool.open(settings)));
      return cluster;
    };
    const scaleOut = this.scaleOut;
    const connector = new SourceConnector({
      route: route.name,
      enabled: s.enabled,
      tasksMax: s.tasksMax,
      adminTimeoutMs: s.adminTimeoutMs,
      refreshTopics: s.refreshTopics,
      syncTopicConfigs: s.syncTopicConfigs,
      syncTopicAcls: s.syncTopicAcls,
      topics: c.topicSync({ route, plugins, sourceAdmin, targetAdmin, logger }),
      ...(offsetSyncs ? { ensureOffsetSyncsTopic: () => offsetSyncs.ensureTopic() } : {}),
      admins: { source: sourceAdminSettings, target: targetAdminSettings },
      ...(this.policy.autoRestart ? { autoRestart: this.policy.autoRestart } : {}),
      ...(scaleOut
        ? {
            scope: () => ({ flow: this.share!.flow, partitions: this.share!.partitions }),
            // Partitions that come from another member start where it stopped: its last positions
            // may have been written after this store was read (a failure costs duplicates, not a gap).
            refreshPositions: () =>
              withTimeout(s.adminTimeoutMs, store.refresh?.() ?? Promise.resolve()).catch((err: unknown) =>
                logger.warn(
                  { err: err instanceof Error ? err.message : String(err) },
                  'could not read the latest positions before taking over partitions; they may copy some records again',
                ),
              ),
            onListed: (partitions: readonly TopicPartition[]) => scaleOut.onListed(partitions),
          }
        : {}),
      createTask: async (index, partitions, onStateChange) => {
        const producer = replicationProducer(route, index);
        return new SourceTask({
          sourceAlias: route.source,
          targetAlias: route.target,
          taskIndex: index,
          partitions,
          policy: plugins.policy,
          sourceRecords: await sourceConsumer.recordSource(consumer.options),
          sourceAdmin,
          targetSink: await producerCluster(index, producer.settings).recordSink({
            ...producer.options,
            connectionsPerBroker: s.produceConnectionsPerBroker,
          }),
          positions: store,
          ...(offsetSyncs ? { offsetSyncs: offsetSyncs.writer(index) } : {}),
          ...(c.metrics ? { metrics: c.metrics } : {}),
          autoOffsetReset: consumer.autoOffsetReset,
          offsetFlushIntervalMs: s.worker.offsetFlushIntervalMs,
          idleOffsetSyncMs: s.offsetSyncsIdleMs,
          shallowMirroring: s.shallowMirroring,
          shallowMinBatchBytes: s.shallowMinBatchBytes,
          onStateChange,
          logger,
        });
      },
      logger,
    });
    this.source = connector;
    return connector;
  }

  private async checkpointConnector(
    pool: ClusterPool,
    plugins: RoutePlugins,
    logger: Logger,
  ): Promise<WorkerConnector<CheckpointConnectorStatus>> {
    const route = this.route;
    const admin = async (label: string): Promise<KafkaAdmin> => pool.open(clientSettings(route, label)).admin();
    const store = this.offsetsStore;
    const offsets: CheckpointOffsetsWriter | undefined =
      store?.writeCheckpointOffsets !== undefined
        ? { writeCheckpointOffsets: (group, tps) => store.writeCheckpointOffsets!(group, tps) }
        : undefined;
    const runtime = this.collaborators.checkpoints!({
      route,
      plugins,
      clients: {
        sourceAdmin: await admin('checkpoint.checkpoint-source-admin'),
        targetAdmin: await admin('checkpoint.checkpoint-target-admin'),
        checkpointsConsumer: pool.open(clientSettings(route, 'checkpoint.checkpoints-target-consumer')),
        checkpointsProducer: pool.open(workerClientSettings(route, 'checkpoints-producer')),
        offsetSyncsConsumer: pool.open(clientSettings(route, 'checkpoint.offset-syncs-consumer')),
        offsetSyncsAdmin: await admin('checkpoint.offset-syncs-admin'),
      },
      ...(offsets ? { offsets } : {}),
      ...(this.policy.autoRestart ? { autoRestart: this.policy.autoRestart } : {}),
      logger,
    });
    // Every stop of the connector (the route's, or after a failed start) runs the tasks' last
    // round: the source connector stopped first, so its final offset-syncs are translated.
    return {
      start: () => runtime.start(),
      stop: () => runtime.stop({ finalRound: true }),
      status: () => runtime.connector.status(),
      restartTask: (id) => runtime.connector.restartTask(id),
    };
  }

  /** The connectors' states to the status topic (only what changed is written). */
  private writeStatus(): void {
    this.statusStore?.observe(this.runners.map((r) => ({ ...r.status(), name: javaName(r) })));
  }

  private runnerOf(name: string): ConnectorRunner<RouteConnectorStatus> | undefined {
    return this.runners.find((r) => r.name === `${name} of ${this.route.name}`);
  }

  /** The connectors the route runs (Java's names), once the route is open. */
  connectorNames(): string[] {
    return this.runners.map(javaName);
  }

  /** The runner of connector `name` (Java's name): its status and controls (the REST API). */
  connector(name: string): ConnectorRunner<RouteConnectorStatus> | undefined {
    return this.runnerOf(name);
  }

  /**
   * Moves connector `name` to `state` after storing it on the target cluster (where it is read
   * back at the next start), as Connect's herder writes a target state to the config topic
   * before applying it. Refused while another change of the connector is in flight.
   */
  async setTargetState(name: string, state: TargetState): Promise<void> {
    const runner = this.runnerOf(name);
    if (!runner) throw new Error(`no connector ${name} in route ${this.route.name}`);
    runner.assertChangeable();
    if (runner.targetState !== state) await this.targetStates?.put(name, state);
    await runner.setTarget(state);
  }

  /** The route's Connect offsets store, once open (the offsets endpoints read and edit it). */
  get offsets(): RouteOffsetsStore | undefined {
    return this.offsetsStore;
  }

  status(): RouteStatus {
    return {
      route: this.route.name,
      source: this.route.source,
      target: this.route.target,
      enabled: this.route.settings.enabled,
      ...this.state,
      ...(this.error !== undefined ? { error: this.error } : {}),
      connectors: this.runners.map((r) => r.status()),
    };
  }

  /**
   * Stops the route: the source connector first (its tasks drain, store positions and send their
   * last offset-syncs), then the checkpoint connector (its last round translates with those
   * syncs), then heartbeats; then the offsets store and every client.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    // Connect's worker leaves a stopped worker's connectors and tasks UNASSIGNED; an operator's
    // PAUSED or STOPPED stays as it is (that is what the connector will be at the next start).
    const final = this.runners.map((r) => {
      const status = r.status();
      const unassigned = r.targetState === 'STARTED';
      return {
        name: javaName(r),
        state: unassigned ? ('UNASSIGNED' as const) : status.state,
        tasks: status.tasks.map((t) => ({ id: t.id, state: unassigned ? ('UNASSIGNED' as const) : t.state })),
      };
    });
    // The runners first: the start loop may be waiting for their first attempts, which only
    // their own stop aborts.
    for (const name of [SOURCE, CHECKPOINT, HEARTBEAT]) await this.runnerOf(name)?.stop();
    await this.loop;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusStore?.observe(final);
    await this.closeRoute();
    this.state = { state: 'STOPPED' };
    this.logger.info('route stopped');
  }
}

/** Java's connector name of a runner (`MirrorSourceConnector of A->B` → `MirrorSourceConnector`). */
function javaName(runner: ConnectorRunner<RouteConnectorStatus>): string {
  return runner.name.slice(0, runner.name.indexOf(' of '));
}
