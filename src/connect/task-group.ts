import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { Backoff, type BackoffPolicy } from './retry.ts';
import type { WorkStatus } from './states.ts';

/** What the worker needs of a task: Kafka Connect's task lifecycle, nothing MM2-specific. */
export interface WorkerTask {
  /** Starts the task's work in the background; resolves once it is under way. */
  start(): Promise<void>;
  /** Stops the work and stores what the task owes (positions, syncs); never rejects. */
  stop(): Promise<void>;
  readonly status: WorkStatus;
}

/** Builds task `index` for its share of the work; `onStateChange` must be handed to the task. */
export type TaskFactory<S, T extends WorkerTask> = (
  index: number,
  share: S,
  onStateChange: (status: WorkStatus) => void,
) => Promise<T>;

export interface TaskGroupOptions<S = unknown> {
  /** Restart FAILED tasks after a backoff (Strimzi's auto-restart); absent: a FAILED task stays FAILED. */
  autoRestart?: BackoffPolicy;
  /** A task that ran this long before failing starts its restart backoff from the beginning again. */
  healthyAfterMs?: number;
  /**
   * Two shares that are the same work: a reconfiguration keeps the running task of a share it
   * finds again (under its id) instead of stopping and rebuilding it. Absent: Connect's behaviour,
   * every reconfiguration stops every task and numbers the new ones 0..n-1.
   */
  sameShare?: (a: S, b: S) => boolean;
  logger: Logger;
}

/** One task slot: the share of work it owns and the task running it (absent while it could not be built). */
interface Slot<S, T extends WorkerTask> {
  readonly index: number;
  readonly share: S;
  task: T | undefined;
  /** Set when building or starting the task failed (the task itself reports its own FAILED state). */
  failure: WorkStatus | undefined;
  restarting: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  readonly backoff: Backoff | undefined;
  runningSince: number;
  restarts: number;
  /** Task instances built for this slot (the first start, every restart). */
  starts: number;
  /** When the slot's current task was built. */
  startedAt: Date | undefined;
}

export interface TaskGroupEntry<S, T> {
  readonly id: number;
  readonly share: S;
  /** The task running the share, if it could be built. */
  readonly task: T | undefined;
  readonly status: WorkStatus;
  readonly restarts: number;
  /** Task instances built for the share since it was assigned (a kept share keeps counting). */
  readonly starts: number;
  /** When the current task was built (absent while none could be). */
  readonly startedAt: Date | undefined;
}

/**
 * The tasks of one connector, as Kafka Connect's worker runs them: a reconfiguration stops every
 * task (each flushes what it owes) and starts the new set — or, with `sameShare`, only the tasks
 * whose share is gone, keeping those whose share is in the new set (a scale-out member that loses
 * some partitions leaves its other tasks running). Reconfigurations run one at a time, in
 * order; one that fails (a task could not be built) never blocks the next — it leaves the failed
 * slots FAILED with their error, and {@link incomplete} tells the connector to try again on its
 * next refresh even when the work did not change. A task that fails is that slot's FAILED state,
 * never an error that escapes to the connector or the process; with auto-restart the slot builds
 * a new task for the same share after a backoff.
 */
export class TaskGroup<S, T extends WorkerTask> {
  private readonly options: TaskGroupOptions<S>;
  private readonly logger: Logger;
  private slots: Slot<S, T>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private factory: TaskFactory<S, T> | undefined;
  private closed = false;

  constructor(options: TaskGroupOptions<S>) {
    this.options = options;
    this.logger = options.logger;
  }

  /** Replaces the running tasks with one per share (in order); resolves when the new set has started. */
  reconfigure(shares: readonly S[], factory: TaskFactory<S, T>): Promise<void> {
    const next = this.chain.then(async () => {
      const same = this.options.sameShare;
      const kept: Slot<S, T>[] = [];
      const added: S[] = [];
      if (same) {
        const old = [...this.slots];
        for (const share of shares) {
          const i = old.findIndex((slot) => same(slot.share, share));
          if (i >= 0) kept.push(...old.splice(i, 1));
          else added.push(share);
        }
        await this.stopSlots(undefined, old);
      } else {
        added.push(...shares);
        await this.stopSlots();
      }
      if (this.closed) return;
      this.factory = factory;
      const taken = new Set(kept.map((s) => s.index));
      let nextIndex = 0;
      const fresh = added.map((share) => {
        while (taken.has(nextIndex)) nextIndex++;
        taken.add(nextIndex);
        return this.newSlot(nextIndex, share);
      });
      this.slots = [...kept, ...fresh].sort((a, b) => a.index - b.index);
      await Promise.all(fresh.map((slot) => this.launch(slot)));
    });
    // The chain itself never stays rejected: the next reconfiguration runs whatever this one did.
    this.chain = next.catch(() => {});
    return next;
  }

  private newSlot(index: number, share: S): Slot<S, T> {
    return {
      index,
      share,
      task: undefined,
      failure: undefined,
      restarting: false,
      restartTimer: undefined,
      backoff: this.options.autoRestart ? new Backoff(this.options.autoRestart) : undefined,
      runningSince: 0,
      restarts: 0,
      starts: 0,
      startedAt: undefined,
    };
  }

  /** True when some slot has no task because building or starting it failed. */
  get incomplete(): boolean {
    return this.slots.some((s) => s.task === undefined && s.failure !== undefined);
  }

  get size(): number {
    return this.slots.length;
  }

  /** The tasks that exist (tests, flush). */
  get tasks(): readonly T[] {
    return this.slots.flatMap((s) => (s.task ? [s.task] : []));
  }

  entries(): TaskGroupEntry<S, T>[] {
    return this.slots.map((slot) => ({
      id: slot.index,
      share: slot.share,
      task: slot.task,
      status: this.slotStatus(slot),
      restarts: slot.restarts,
      starts: slot.starts,
      startedAt: slot.startedAt,
    }));
  }

  /**
   * Stops task `id` (it stores what it owes) and starts a new one for the same share: the
   * operator's task restart (Connect's `POST /connectors/{name}/tasks/{id}/restart`). Queued
   * behind reconfigurations like an auto-restart; false when there is no such task (now).
   */
  async restartTask(id: number): Promise<boolean> {
    const slot = this.slots.find((s) => s.index === id);
    if (!slot || this.closed) return false;
    if (slot.restartTimer) clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    // Shown RESTARTING from the request on (KIP-745), not only once the queue reaches it.
    slot.restarting = true;
    let restarted = false;
    const run = this.chain.then(async () => {
      restarted = this.slots.includes(slot) && !this.closed;
      if (restarted) await this.relaunch(slot);
      else slot.restarting = false;
    });
    this.chain = run.catch(() => {});
    await run;
    return restarted;
  }

  /**
   * Stops every task (each stores what it owes) and refuses later reconfigurations. `stopTask`
   * replaces the plain `stop()` for this last stop (e.g. a checkpoint task's final round).
   */
  async close(stopTask: (task: T) => Promise<void> = (task) => task.stop()): Promise<void> {
    this.closed = true;
    const done = this.chain.then(() => this.stopSlots(stopTask));
    this.chain = done.catch(() => {});
    await done;
  }

  private slotStatus(slot: Slot<S, T>): WorkStatus {
    if (slot.restarting) return { state: 'RESTARTING' };
    if (slot.task) return slot.task.status;
    return slot.failure ?? { state: 'UNASSIGNED' };
  }

  private async launch(slot: Slot<S, T>): Promise<void> {
    const factory = this.factory!;
    let task: T | undefined;
    try {
      task = await factory(slot.index, slot.share, (status) => this.onTaskState(slot, task, status));
      // Counted where the task instance comes to be: /status shows it per task (`starts`).
      slot.starts++;
      slot.startedAt = new Date();
      slot.task = task;
      slot.failure = undefined;
      slot.runningSince = Date.now();
      await task.start();
    } catch (err) {
      // Building or starting the task failed: the slot is FAILED; the group goes on.
      slot.failure = { state: 'FAILED', trace: traceOf(err) };
      this.logger.error({ task: slot.index, err: describeError(err) }, 'task could not be started');
      if (task) {
        await task.stop().catch(() => {});
        slot.task = undefined;
      }
      this.scheduleRestart(slot);
    }
  }

  private onTaskState(slot: Slot<S, T>, task: T | undefined, status: WorkStatus): void {
    // Only the slot's current task speaks for it (a stopped predecessor may still report).
    if (task === undefined || slot.task !== task || this.closed) return;
    if (status.state === 'FAILED') this.scheduleRestart(slot);
  }

  private scheduleRestart(slot: Slot<S, T>): void {
    if (!slot.backoff || this.closed || slot.restartTimer || !this.slots.includes(slot)) return;
    const healthyAfter = this.options.healthyAfterMs ?? 60_000;
    if (slot.runningSince > 0 && Date.now() - slot.runningSince >= healthyAfter) slot.backoff.reset();
    const delay = slot.backoff.next();
    this.logger.info(
      { task: slot.index, delayMs: delay, restarts: slot.restarts },
      'task failed; auto-restart scheduled',
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      // Restarts queue behind reconfigurations so a slot is never rebuilt while the set changes.
      this.chain = this.chain.then(() => this.relaunch(slot)).catch(() => {});
    }, delay);
  }

  private async relaunch(slot: Slot<S, T>): Promise<void> {
    if (this.closed || !this.slots.includes(slot)) return;
    slot.restarting = true;
    const old = slot.task;
    slot.task = undefined;
    try {
      await old?.stop();
    } catch {
      // stop never rejects by contract; a broken task must not block its own restart
    }
    slot.restarts++;
    slot.restarting = false;
    this.logger.info({ task: slot.index, restarts: slot.restarts }, 'restarting task');
    await this.launch(slot);
  }

  /** Stops `slots` (default: every slot) and drops them from the group. */
  private async stopSlots(
    stopTask: (task: T) => Promise<void> = (task) => task.stop(),
    slots: Slot<S, T>[] = this.slots,
  ): Promise<void> {
    this.slots = this.slots.filter((s) => !slots.includes(s));
    for (const slot of slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
    }
    await Promise.all(slots.map((s) => (s.task ? stopTask(s.task).catch(() => {}) : undefined)));
  }
}

/** The stack (or message) of a failure, for a FAILED state's trace. */
export function traceOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? describeError(err)) : String(err);
}
