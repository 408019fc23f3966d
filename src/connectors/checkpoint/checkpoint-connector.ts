import { isRetriable, type KafkaAdmin } from '../../kafka/index.ts';
import type { GroupFilter, TopicFilter } from '../../policy/filters.ts';
import type { WorkerConnector } from '../../connect/connector-runner.ts';
import type { BackoffPolicy } from '../../connect/retry.ts';
import { Scheduler } from '../../connect/scheduler.ts';
import type { ConnectorStatusEntry, TaskStatusEntry, WorkStatus } from '../../connect/states.ts';
import { NotAuthorizedError } from '../../connect/not-authorized.ts';
import { TaskGroup, traceOf } from '../../connect/task-group.ts';
import { describeError, KafkaPortError, MirrorError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { CheckpointTask, CheckpointTaskStopOptions } from './checkpoint-task.ts';
import { assignGroupsContiguously } from './group-assignment.ts';
import { withTimeout } from '../../util/timeout.ts';

export interface CheckpointConnectorOptions {
  route: string;
  tasksMax: number;
  adminTimeoutMs: number;
  /** `refresh.groups.enabled` / `refresh.groups.interval.seconds`. */
  refreshGroups: { enabled: boolean; intervalSeconds: number };
  groupFilter: GroupFilter;
  topicFilter: TopicFilter;
  /** Groups and their offsets on the source (`checkpoint-source-admin`). */
  sourceAdmin: KafkaAdmin;
  /** Creates `<S>.checkpoints.internal` on the target (1 partition, compacted). */
  ensureCheckpointsTopic: () => Promise<void>;
  /** Builds task `index` for `groups` (not started); `onStateChange` goes to the task. */
  createTask: (index: number, groups: readonly string[], onStateChange: (status: WorkStatus) => void) => CheckpointTask;
  /** Restart FAILED tasks after a backoff (`mm2ts.task.auto.restart.*`); absent: they stay FAILED. */
  autoRestart?: BackoffPolicy;
  logger: Logger;
}

export interface CheckpointTaskStatusEntry extends TaskStatusEntry {
  /** Java `task.assigned.groups`. */
  assignedGroups: string[];
}

export interface CheckpointConnectorStatus extends ConnectorStatusEntry {
  name: 'MirrorCheckpointConnector';
  /** Groups found on the source that the route checkpoints. */
  groups: number;
  tasks: CheckpointTaskStatusEntry[];
}

// Java lists groups with listConsumerGroups(): consumer-protocol groups, and groups that only
// have committed offsets (empty protocol type, e.g. after an outsider commit).
const CONSUMER_PROTOCOL_TYPES = new Set(['consumer', '']);

/**
 * Java's MirrorCheckpointConnector in dedicated mode: creates the checkpoints topic on the
 * target, finds the source groups to checkpoint (group filter, then only groups with committed
 * offsets for at least one topic the topic filter accepts), runs `min(tasks.max, groups)`
 * checkpoint tasks over contiguous chunks of them, and re-checks the groups every
 * `refresh.groups.interval.seconds` (first after one interval), reassigning when the set changed.
 *
 * Unlike Java, listing the groups at start is not best effort: a connector that cannot read its
 * source throws, so the worker reports it FAILED and starts it again after a backoff. A group
 * refresh that fails turns the state FAILED until one succeeds.
 */
export class CheckpointConnector implements WorkerConnector<CheckpointConnectorStatus> {
  private readonly options: CheckpointConnectorOptions;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly tasks: TaskGroup<readonly string[], CheckpointTask>;
  private groups: string[] = [];
  private refreshFailure: unknown;
  private stopped = false;

  constructor(options: CheckpointConnectorOptions) {
    this.options = options;
    this.logger = options.logger;
    this.scheduler = new Scheduler(this.logger, {
      onJobResult: (job, err) => {
        if (job === 'refresh groups') this.refreshFailure = err;
      },
    });
    this.tasks = new TaskGroup({
      ...(options.autoRestart ? { autoRestart: options.autoRestart } : {}),
      logger: this.logger,
    });
  }

  async start(): Promise<void> {
    const o = this.options;
    try {
      await withTimeout(o.adminTimeoutMs, o.ensureCheckpointsTopic());
    } catch (err) {
      // Java's Scheduler logs and goes on; a Kafka error retrying cannot fix (a missing Create or
      // Describe ACL) would leave the tasks RUNNING with nowhere to write, so it fails the
      // connector instead, naming the topic (the worker starts it again after a backoff). A
      // refusal ensureRequiredTopic already named (topic, ACL, grant) is thrown as it is.
      if (err instanceof NotAuthorizedError) throw err;
      if (err instanceof KafkaPortError && !isRetriable(err)) {
        throw new MirrorError(
          'ERR_CHECKPOINTS_TOPIC',
          `cannot create or describe the checkpoints topic on the target: ${describeError(err)}`,
          {},
          { cause: err },
        );
      }
      this.logger.error({ err: describeError(err) }, 'creating the checkpoints topic failed; continuing');
    }
    const groups = await withTimeout(o.adminTimeoutMs, this.findConsumerGroups()).catch((err: unknown) => {
      throw new MirrorError(
        'ERR_SOURCE_GROUPS',
        `cannot list the source consumer groups: ${describeError(err)}`,
        {},
        {
          cause: err,
        },
      );
    });
    const refreshMs = o.refreshGroups.enabled ? o.refreshGroups.intervalSeconds * 1000 : -1;
    this.scheduler.scheduleRepeating('refresh groups', refreshMs, () => this.refresh(), refreshMs);
    await this.assignTasks(groups);
  }

  /** Java `findConsumerGroups`: filtered groups with offsets for at least one accepted topic, sorted. */
  async findConsumerGroups(): Promise<string[]> {
    const o = this.options;
    const listed = await o.sourceAdmin.listGroups();
    const candidates = listed
      .filter((g) => CONSUMER_PROTOCOL_TYPES.has(g.protocolType) && o.groupFilter.shouldReplicateGroup(g.groupId))
      .map((g) => g.groupId);
    const keep: string[] = [];
    for (const group of candidates) {
      const offsets = await o.sourceAdmin.fetchGroupOffsets(group);
      if (offsets.some((x) => o.topicFilter.shouldReplicateTopic(x.topic))) keep.push(group);
    }
    return keep.sort();
  }

  private async refresh(): Promise<void> {
    const groups = await this.findConsumerGroups();
    if (sameList(groups, this.groups) && !this.tasks.incomplete) return;
    this.logger.info(
      { before: this.groups.length, after: groups.length },
      'consumer groups changed: reassigning tasks',
    );
    await this.assignTasks(groups);
  }

  private assignTasks(groups: string[]): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.groups = groups;
    const assignment = assignGroupsContiguously(groups, this.options.tasksMax);
    // A group the principal may not Describe is left out of ListGroups by the broker, so a missing
    // ACL looks exactly like no group: the line says so, since nothing else can.
    if (assignment.length === 0)
      this.logger.info(
        'no consumer groups to checkpoint yet: none listed on the source matches `groups` and has offsets for a mirrored topic (ListGroups leaves out groups this principal may not Describe; `mm2 config check` names a missing Describe ACL)',
      );
    return this.tasks.reconfigure(assignment, async (index, share, onStateChange) =>
      this.options.createTask(index, share, onStateChange),
    );
  }

  status(): CheckpointConnectorStatus {
    return {
      name: 'MirrorCheckpointConnector',
      ...(this.stopped
        ? { state: 'STOPPED' as const }
        : this.refreshFailure !== undefined
          ? { state: 'FAILED' as const, trace: traceOf(this.refreshFailure) }
          : { state: 'RUNNING' as const }),
      groups: this.groups.length,
      tasks: this.tasks.entries().map((e) => ({ id: e.id, ...e.status, assignedGroups: [...e.share] })),
    };
  }

  /** `finalRound`: each task runs a last checkpoint round first (a graceful stop of the route). */
  /** The operator's task restart (the worker's TaskGroup): false when there is no task `id`. */
  restartTask(id: number): Promise<boolean> {
    return this.tasks.restartTask(id);
  }

  async stop(options?: CheckpointTaskStopOptions): Promise<void> {
    this.stopped = true;
    await this.scheduler.close(this.options.adminTimeoutMs);
    await this.tasks.close((task) => task.stop(options));
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
