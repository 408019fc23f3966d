import type { TopicPartition } from '../../records/index.ts';
import { formatTopicPartition } from '../../records/index.ts';
import { describeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { Scheduler } from '../../connect/scheduler.ts';
import type { SourceTask } from './source-task.ts';
import { assignPartitionsRoundRobin } from './task-assignment.ts';
import type { WorkStatus } from '../../connect/states.ts';
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
  /** Builds task `index` for `partitions` (not started). */
  createTask: (index: number, partitions: readonly TopicPartition[]) => Promise<SourceTask>;
  logger: Logger;
}

export interface TaskStatus extends WorkStatus {
  id: number;
  /** Java `task.assigned.partitions`. */
  assignedPartitions: string[];
}

export interface ConnectorStatus extends WorkStatus {
  name: 'MirrorSourceConnector';
  tasks: TaskStatus[];
}

/** A step of start-up bounded by `admin.timeout.ms`; like Java, a failure is logged, not fatal. */
async function bounded(what: string, ms: number, step: () => Promise<unknown>, logger: Logger): Promise<void> {
  try {
    await withTimeout(ms, step());
  } catch (err) {
    logger.error({ step: what, err: describeError(err) }, `${what} failed; continuing (it is retried on its schedule)`);
  }
}

/**
 * Java's MirrorSourceConnector in dedicated mode: creates the offset-syncs topic, discovers source
 * partitions, creates remote topics and partitions, then keeps ACLs, configs and the partition
 * set in sync on Java's schedule (ACL and config sync right away, topic refresh after one
 * interval), and runs min(tasks.max, partitions) source tasks with Java's round-robin assignment.
 * When the partition set changes, tasks are stopped (flushing their positions) and reassigned.
 */
export class SourceConnector {
  private readonly options: SourceConnectorOptions;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private tasks: SourceTask[] = [];
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private reconfiguring: Promise<void> = Promise.resolve();

  constructor(options: SourceConnectorOptions) {
    this.options = options;
    this.logger = options.logger.child({ connector: 'MirrorSourceConnector' });
    this.scheduler = new Scheduler(this.logger);
  }

  async start(): Promise<void> {
    const o = this.options;
    this.state = { state: 'RUNNING' };
    if (!o.enabled) {
      this.logger.info('replication disabled for this route: no source tasks');
      return;
    }
    if (o.ensureOffsetSyncsTopic)
      await bounded('creating the offset-syncs topic', o.adminTimeoutMs, o.ensureOffsetSyncsTopic, this.logger);
    let source: TopicPartition[] = [];
    let target: TopicPartition[] = [];
    await bounded(
      'loading source topic-partitions',
      o.adminTimeoutMs,
      async () => void (source = await o.topics.loadSourceTopicPartitions()),
      this.logger,
    );
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

    const everyMs = (p: { enabled: boolean; intervalSeconds: number }): number =>
      p.enabled ? p.intervalSeconds * 1000 : -1;
    this.scheduler.scheduleRepeating('sync topic ACLs', everyMs(o.syncTopicAcls), () => o.topics.syncTopicAcls());
    this.scheduler.scheduleRepeating('sync topic configs', everyMs(o.syncTopicConfigs), () =>
      o.topics.syncTopicConfigs(),
    );
    const refreshMs = everyMs(o.refreshTopics);
    this.scheduler.scheduleRepeating('refresh topics', refreshMs, () => this.refresh(), refreshMs);
    await this.assignTasks(source);
  }

  private async refresh(): Promise<void> {
    const { sourcePartitions, changed } = await this.options.topics.refresh();
    if (!changed) return;
    this.logger.info({ partitions: sourcePartitions.length }, 'source topic-partitions changed: reassigning tasks');
    await this.assignTasks(sourcePartitions);
  }

  private assignTasks(partitions: readonly TopicPartition[]): Promise<void> {
    this.reconfiguring = this.reconfiguring.then(async () => {
      await this.stopTasks();
      if (this.state.state !== 'RUNNING') return;
      const count = Math.min(this.options.tasksMax, partitions.length);
      if (count === 0) {
        this.logger.info('no source topic-partitions to replicate yet');
        return;
      }
      const assignment = assignPartitionsRoundRobin(partitions, count);
      this.tasks = await Promise.all(assignment.map((tps, i) => this.options.createTask(i, tps)));
      for (const task of this.tasks) await task.start();
    });
    return this.reconfiguring;
  }

  private async stopTasks(): Promise<void> {
    const running = this.tasks;
    this.tasks = [];
    await Promise.all(running.map((t) => t.stop()));
  }

  status(): ConnectorStatus {
    return {
      name: 'MirrorSourceConnector',
      ...this.state,
      tasks: this.tasks.map((t, id) => ({
        id,
        ...t.status,
        assignedPartitions: t.assignedPartitions.map(formatTopicPartition),
      })),
    };
  }

  /** Flushes every task's positions now (used by tests and graceful operations). */
  async flush(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.flush()));
  }

  async stop(): Promise<void> {
    this.state = { state: 'STOPPED' };
    await this.scheduler.close(this.options.adminTimeoutMs);
    await this.reconfiguring.catch(() => {});
    await this.stopTasks();
  }
}
