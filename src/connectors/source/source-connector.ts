import type { TopicPartition } from '../../records/index.ts';
import { formatTopicPartition } from '../../records/index.ts';
import { describeError, MirrorError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { WorkerConnector } from '../../connect/connector-runner.ts';
import type { BackoffPolicy } from '../../connect/retry.ts';
import { isAuthorizationError, notAuthorized, NotAuthorizedError } from '../../connect/not-authorized.ts';
import type { KafkaClientSettings } from '../../kafka/index.ts';
import { Scheduler } from '../../connect/scheduler.ts';
import type { ConnectorStatusEntry, TaskStatusEntry, WorkStatus } from '../../connect/states.ts';
import { TaskGroup, traceOf } from '../../connect/task-group.ts';
import type { SourceTask } from './source-task.ts';
import { assignPartitionsRoundRobin, assignPartitionsSticky, samePartitions } from './task-assignment.ts';
import { withTimeout } from '../../util/timeout.ts';

/** The topic-management steps the connector schedules (TopicSynchronizer implements them). */
export interface TopicSyncSteps {
  loadSourceTopicPartitions(): Promise<TopicPartition[]>;
  loadTargetTopicPartitions(): Promise<TopicPartition[]>;
  createMissingTopicsAndPartitions(source: TopicPartition[], target: TopicPartition[]): Promise<unknown>;
  refresh(): Promise<{ sourcePartitions: readonly TopicPartition[]; changed: boolean }>;
  syncTopicConfigs(): Promise<unknown>;
  syncTopicAcls(): Promise<unknown>;
}

/**
 * Scale-out (docs/scale-out.md): the share of the route this process runs. The flow unit lists
 * the source partitions (reported through `onListed`), creates remote topics and partitions and
 * keeps configs and ACLs in sync; the partitions are what this member's tasks copy, whoever listed
 * them.
 */
export interface SourceScope {
  flow: boolean;
  partitions: readonly TopicPartition[];
}

export interface SourceConnectorOptions {
  route: string;
  enabled: boolean;
  tasksMax: number;
  adminTimeoutMs: number;
  refreshTopics: { enabled: boolean; intervalSeconds: number };
  syncTopicConfigs: { enabled: boolean; intervalSeconds: number };
  syncTopicAcls: { enabled: boolean; intervalSeconds: number };
  topics: TopicSyncSteps;
  /** Creates the offset-syncs topic (absent when `emit.offset-syncs.enabled=false`). */
  ensureOffsetSyncsTopic?: () => Promise<void>;
  /** Builds task `index` for `partitions` (not started); `onStateChange` goes to the task. */
  createTask: (
    index: number,
    partitions: readonly TopicPartition[],
    onStateChange: (status: WorkStatus) => void,
  ) => Promise<SourceTask>;
  /** Restart FAILED tasks after a backoff (`mm2ts.task.auto.restart.*`); absent: they stay FAILED. */
  autoRestart?: BackoffPolicy;
  /**
   * Scale-out: this member's share of the route, read at start ({@link SourceConnector.rescope}
   * changes it later). Absent (a single process): the flow and every partition, with Java's
   * round-robin task split.
   */
  scope?: () => SourceScope;
  /** Scale-out: reads the positions other members stored, before tasks start on partitions new here. */
  refreshPositions?: () => Promise<void>;
  /** Scale-out: the source partitions the flow unit listed, after each listing that changed them. */
  onListed?: (partitions: readonly TopicPartition[]) => void;
  /** The admin clients' settings (`replication-source-admin`, `-target-admin`): who a refusal names. */
  admins?: { source: KafkaClientSettings; target: KafkaClientSettings };
  logger: Logger;
}

export interface TaskStatus extends TaskStatusEntry {
  /** Java `task.assigned.partitions`. */
  assignedPartitions: string[];
  /** Task instances this connector built for the partitions (the first start, each restart). */
  starts?: number;
  /** When the current task instance was built. */
  startedAt?: string;
}

export interface ConnectorStatus extends ConnectorStatusEntry {
  name: 'MirrorSourceConnector';
  tasks: TaskStatus[];
  /**
   * Periodic work refused for want of an ACL while the connector runs on (topic config sync, ACL
   * sync, as Java logs and carries on): one line per job naming resource, operation and grant.
   */
  warnings?: string[];
}

/** A step of start-up bounded by `admin.timeout.ms`; like Java, a failure is logged, not fatal. */
async function bounded(
  what: string,
  ms: number,
  step: () => Promise<unknown>,
  logger: Logger,
  fatal?: new (...args: never[]) => Error,
): Promise<void> {
  try {
    await withTimeout(ms, step());
  } catch (err) {
    if (fatal !== undefined && err instanceof fatal) throw err;
    logger.error({ step: what, err: describeError(err) }, `${what} failed; continuing (it is retried on its schedule)`);
  }
}

/** Jobs whose failure means the connector is not doing its work (its state turns FAILED while they fail). */
const ESSENTIAL_JOBS = new Set(['refresh topics']);

/** Periodic best-effort jobs (Java logs their failures and carries on), with the feature `mm2 acls` names. */
const SYNC_JOBS: ReadonlyMap<string, string> = new Map([
  ['sync topic configs', 'topic config sync'],
  ['sync topic ACLs', 'ACL sync'],
]);

/**
 * Java's MirrorSourceConnector in dedicated mode: creates the offset-syncs topic, discovers source
 * partitions, creates remote topics and partitions, then keeps ACLs, configs and the partition
 * set in sync on Java's schedule (ACL and config sync right away, topic refresh after one
 * interval), and runs min(tasks.max, partitions) source tasks with Java's round-robin assignment.
 * When the partition set changes, tasks are stopped (flushing their positions) and reassigned.
 *
 * Unlike Java, listing the source topics is not best effort at start: a connector that cannot
 * see its source (wrong credentials, missing Describe ACL, cluster down) throws, so the worker
 * reports it FAILED with the cause and starts it again after a backoff, instead of running with
 * no tasks and saying RUNNING. A refresh that fails turns the state FAILED until one succeeds.
 */
export class SourceConnector implements WorkerConnector<ConnectorStatus> {
  private readonly options: SourceConnectorOptions;
  private readonly logger: Logger;
  private scheduler: Scheduler;
  private readonly tasks: TaskGroup<readonly TopicPartition[], SourceTask>;
  private readonly failingJobs = new Map<string, unknown>();
  /** SYNC_JOBS refused in their last round: job → the named refusal. */
  private readonly refusedJobs = new Map<string, string>();
  private stopped = false;
  /** Scale-out: the share this connector runs now (absent: everything). */
  private scope: SourceScope | undefined;
  /** Scale-out changes run one after the other. */
  private rescoping: Promise<void> = Promise.resolve();

  constructor(options: SourceConnectorOptions) {
    this.options = options;
    this.logger = options.logger;
    this.scheduler = this.newScheduler();
    this.tasks = new TaskGroup({
      ...(options.autoRestart ? { autoRestart: options.autoRestart } : {}),
      // Scale-out: a member that loses or gains partitions leaves its other tasks running.
      ...(options.scope ? { sameShare: samePartitions } : {}),
      logger: this.logger,
    });
  }

  private newScheduler(): Scheduler {
    return new Scheduler(this.logger, {
      onJobResult: (job, err) => {
        // A round that completed was noted by the job itself (it has the result).
        if (SYNC_JOBS.has(job) && err !== undefined) this.noteSyncRound(job, err);
        if (!ESSENTIAL_JOBS.has(job)) return;
        if (err === undefined) this.failingJobs.delete(job);
        else this.failingJobs.set(job, err);
      },
    });
  }

  async start(): Promise<void> {
    const o = this.options;
    if (!o.enabled) {
      this.logger.info('replication disabled for this route: no source tasks');
      return;
    }
    this.scope = o.scope?.();
    if (this.scope === undefined) return this.assignTasks(await this.startFlow());
    if (this.scope.flow) await this.startFlow();
    await this.assignTasks(this.scope.partitions);
  }

  /**
   * The flow's topic work: the offset-syncs topic, the source partitions (returned; a failure to
   * list them throws), remote topics and partitions, then ACL, config and partition sync on
   * Java's schedule.
   */
  private async startFlow(): Promise<TopicPartition[]> {
    const o = this.options;
    if (o.ensureOffsetSyncsTopic) {
      // A topic refused for want of an ACL fails the connector, named (src/connect/not-authorized.ts).
      const ensure = o.ensureOffsetSyncsTopic;
      await bounded('creating the offset-syncs topic', o.adminTimeoutMs, ensure, this.logger, NotAuthorizedError);
    }
    const source = await withTimeout(o.adminTimeoutMs, o.topics.loadSourceTopicPartitions()).catch((err: unknown) => {
      throw new MirrorError(
        'ERR_SOURCE_TOPICS',
        `cannot list the source topics: ${describeError(err)}`,
        {},
        {
          cause: err,
        },
      );
    });
    let target: TopicPartition[] = [];
    await bounded(
      'loading target topic-partitions',
      o.adminTimeoutMs,
      async () => void (target = await o.topics.loadTargetTopicPartitions()),
      this.logger,
    );
    await bounded(
      'creating remote topics and partitions',
      o.adminTimeoutMs,
      () => o.topics.createMissingTopicsAndPartitions(source, target),
      this.logger,
    );
    o.onListed?.(source);

    const everyMs = (p: { enabled: boolean; intervalSeconds: number }): number =>
      p.enabled ? p.intervalSeconds * 1000 : -1;
    // A round that goes through but lists refused topics or ACLs is noted here; a thrown
    // refusal through the scheduler's onJobResult.
    const noted = (job: string, step: () => Promise<unknown>) => async () =>
      this.noteSyncRound(job, undefined, await step());
    this.scheduler.scheduleRepeating(
      'sync topic ACLs',
      everyMs(o.syncTopicAcls),
      noted('sync topic ACLs', () => o.topics.syncTopicAcls()),
    );
    this.scheduler.scheduleRepeating(
      'sync topic configs',
      everyMs(o.syncTopicConfigs),
      noted('sync topic configs', () => o.topics.syncTopicConfigs()),
    );
    const refreshMs = everyMs(o.refreshTopics);
    this.scheduler.scheduleRepeating('refresh topics', refreshMs, () => this.refresh(), refreshMs);
    return source;
  }

  /**
   * A round of topic config or ACL sync: a refusal (thrown, or one of the per-topic failures the
   * result lists) is logged at WARN every round, named (src/connect/not-authorized.ts), and shown
   * in `warnings` of the status until a round goes through.
   */
  private noteSyncRound(job: string, err: unknown, result?: unknown): void {
    const failed = (result as { failed?: { cause?: unknown }[] } | undefined)?.failed ?? [];
    const refusal =
      err !== undefined
        ? isAuthorizationError(err)
          ? err
          : undefined
        : failed.find((f) => isAuthorizationError(f.cause))?.cause;
    if (refusal === undefined) {
      this.refusedJobs.delete(job);
      return;
    }
    const feature = `${this.options.route} ${SYNC_JOBS.get(job)}`;
    const message = notAuthorized({ feature, ...this.refusedClient(refusal) }, {}, refusal).message;
    this.refusedJobs.set(job, message);
    this.logger.warn(
      { job, err: message },
      `${feature} refused for want of an ACL; it runs again on its next interval`,
    );
  }

  /** The admin client a refusal came from (its `details.cluster` says which side). */
  private refusedClient(err: unknown): { client?: KafkaClientSettings } {
    const admins = this.options.admins;
    const cluster = err instanceof MirrorError ? err.details['cluster'] : undefined;
    if (admins === undefined) return {};
    const client = [admins.source, admins.target].find((c) => c.clusterAlias === cluster);
    return client ? { client } : {};
  }

  private async refresh(): Promise<void> {
    const { sourcePartitions, changed } = await this.options.topics.refresh();
    if (this.scope !== undefined) {
      // Scale-out: the leader assigns the partitions; this member reports what changed.
      if (changed) this.options.onListed?.(sourcePartitions);
      if (this.tasks.incomplete) await this.assignTasks(this.scope.partitions);
      return;
    }
    // A reassignment that could not build every task is redone on the next refresh even when the
    // partitions did not change: one failed task creation must not leave the connector without tasks.
    if (!changed && !this.tasks.incomplete) return;
    this.logger.info(
      { partitions: sourcePartitions.length, retry: !changed },
      changed ? 'source topic-partitions changed: reassigning tasks' : 'some tasks could not be started: reassigning',
    );
    await this.assignTasks(sourcePartitions);
  }

  /**
   * Scale-out: runs `scope` from now on. Tasks whose partitions are gone stop first (each drains
   * and stores its positions and offset-syncs), tasks whose partitions are unchanged run on, new
   * partitions get tasks; the flow's topic work starts or stops with the flow unit. Resolves when
   * the stopped tasks have flushed and the new ones started.
   */
  rescope(scope: SourceScope): Promise<void> {
    const run = this.rescoping.then(async () => {
      if (this.stopped || !this.options.enabled) return;
      const hadFlow = this.scope?.flow === true;
      this.scope = scope;
      if (hadFlow && !scope.flow) {
        await this.scheduler.close(this.options.adminTimeoutMs);
        this.scheduler = this.newScheduler();
        this.failingJobs.clear();
      }
      await this.assignTasks(scope.partitions);
      if (!hadFlow && scope.flow && !this.stopped)
        await this.startFlow().catch((err: unknown) => {
          this.failingJobs.set('refresh topics', err);
          this.logger.error({ err: describeError(err) }, 'the flow could not list its source partitions; retrying');
          const refreshMs = this.options.refreshTopics.intervalSeconds * 1000;
          this.scheduler.scheduleRepeating('refresh topics', refreshMs, () => this.refresh(), 0);
        });
    });
    this.rescoping = run.catch(() => {});
    return run;
  }

  private async assignTasks(partitions: readonly TopicPartition[]): Promise<void> {
    if (this.stopped) return;
    if (this.scope !== undefined && this.options.refreshPositions) {
      const running = new Set(this.tasks.entries().flatMap((e) => e.share.map(formatTopicPartition)));
      if (partitions.some((tp) => !running.has(formatTopicPartition(tp)))) await this.options.refreshPositions();
    }
    const count = Math.min(this.options.tasksMax, partitions.length);
    if (count === 0 && this.scope === undefined) this.logger.info('no source topic-partitions to replicate yet');
    const assignment =
      this.scope !== undefined
        ? assignPartitionsSticky(
            this.tasks.entries().map((e) => e.share),
            partitions,
            this.options.tasksMax,
          )
        : count === 0
          ? []
          : assignPartitionsRoundRobin(partitions, count);
    return this.tasks.reconfigure(assignment, (index, tps, onStateChange) =>
      this.options.createTask(index, tps, onStateChange),
    );
  }

  status(): ConnectorStatus {
    const failing = [...this.failingJobs.values()][0];
    return {
      name: 'MirrorSourceConnector',
      ...(this.stopped
        ? { state: 'STOPPED' as const }
        : failing !== undefined
          ? { state: 'FAILED' as const, trace: traceOf(failing) }
          : { state: 'RUNNING' as const }),
      ...(this.refusedJobs.size > 0 && !this.stopped ? { warnings: [...this.refusedJobs.values()] } : {}),
      tasks: this.tasks.entries().map((e) => {
        const retrying = e.status.state === 'RUNNING' ? e.task?.failingSince : undefined;
        return {
          id: e.id,
          ...e.status,
          ...(retrying ? { retrying: { forMs: Date.now() - retrying.since, cause: retrying.cause } } : {}),
          assignedPartitions: e.share.map(formatTopicPartition),
          starts: e.starts,
          ...(e.startedAt ? { startedAt: e.startedAt.toISOString() } : {}),
        };
      }),
    };
  }

  /** The operator's task restart (the worker's TaskGroup): false when there is no task `id`. */
  restartTask(id: number): Promise<boolean> {
    return this.tasks.restartTask(id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.rescoping;
    await this.scheduler.close(this.options.adminTimeoutMs);
    await this.tasks.close();
  }
}
