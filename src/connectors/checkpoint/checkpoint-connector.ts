import type { KafkaAdmin } from '../../kafka/index.ts';
import type { GroupFilter, TopicFilter } from '../../policy/filters.ts';
import { Scheduler } from '../../connect/scheduler.ts';
import { describeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { WorkStatus } from '../../connect/states.ts';
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
  /** Builds task `index` for `groups` (not started). */
  createTask: (index: number, groups: readonly string[]) => CheckpointTask;
  logger: Logger;
}

export interface CheckpointTaskStatusEntry extends WorkStatus {
  id: number;
  /** Java `task.assigned.groups`. */
  assignedGroups: string[];
}

export interface CheckpointConnectorStatus extends WorkStatus {
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
 */
export class CheckpointConnector {
  private readonly options: CheckpointConnectorOptions;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private groups: string[] = [];
  private tasks: CheckpointTask[] = [];
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private reconfiguring: Promise<void> = Promise.resolve();

  constructor(options: CheckpointConnectorOptions) {
    this.options = options;
    this.logger = options.logger.child({ connector: 'MirrorCheckpointConnector' });
    this.scheduler = new Scheduler(this.logger);
  }

  async start(): Promise<void> {
    const o = this.options;
    this.state = { state: 'RUNNING' };
    try {
      await withTimeout(o.adminTimeoutMs, o.ensureCheckpointsTopic());
    } catch (err) {
      this.logger.error({ err: describeError(err) }, 'creating the checkpoints topic failed; continuing');
    }
    let groups: string[] = [];
    try {
      groups = await withTimeout(o.adminTimeoutMs, this.findConsumerGroups());
    } catch (err) {
      this.logger.error({ err: describeError(err) }, 'loading consumer groups failed; retried on the refresh schedule');
    }
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
    if (sameList(groups, this.groups)) return;
    this.logger.info(
      { before: this.groups.length, after: groups.length },
      'consumer groups changed: reassigning tasks',
    );
    await this.assignTasks(groups);
  }

  private assignTasks(groups: string[]): Promise<void> {
    this.reconfiguring = this.reconfiguring.then(async () => {
      await this.stopTasks();
      this.groups = groups;
      if (this.state.state !== 'RUNNING') return;
      const assignment = assignGroupsContiguously(groups, this.options.tasksMax);
      if (assignment.length === 0) {
        this.logger.info('no consumer groups to checkpoint yet');
        return;
      }
      this.tasks = assignment.map((g, i) => this.options.createTask(i, g));
      for (const task of this.tasks) await task.start();
    });
    return this.reconfiguring;
  }

  private async stopTasks(options?: CheckpointTaskStopOptions): Promise<void> {
    const running = this.tasks;
    this.tasks = [];
    await Promise.all(running.map((t) => t.stop(options)));
  }

  /** The running tasks (tests and measurements). */
  get currentTasks(): readonly CheckpointTask[] {
    return this.tasks;
  }

  status(): CheckpointConnectorStatus {
    return {
      name: 'MirrorCheckpointConnector',
      ...this.state,
      groups: this.groups.length,
      tasks: this.tasks.map((t, id) => ({ id, ...t.status, assignedGroups: [...t.assignedGroups] })),
    };
  }

  /** `finalRound`: each task runs a last checkpoint round first (a graceful stop of the route). */
  async stop(options?: CheckpointTaskStopOptions): Promise<void> {
    this.state = { state: 'STOPPED' };
    await this.scheduler.close(this.options.adminTimeoutMs);
    await this.reconfiguring.catch(() => {});
    await this.stopTasks(options);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
