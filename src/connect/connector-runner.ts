import { MirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { keepStarting } from './keep-starting.ts';
import type { ConnectorStatusEntry, TaskStatusEntry, WorkStatus } from './states.ts';
import { traceOf } from './task-group.ts';

/** What the worker needs of a connector instance. One instance lives for one successful start. */
export interface WorkerConnector<S extends ConnectorStatusEntry> {
  /** Starts the connector and its tasks; throws when it cannot (the instance is then stopped and dropped). */
  start(signal: AbortSignal): Promise<void>;
  /** Stops its scheduled work and tasks; never rejects. */
  stop(): Promise<void>;
  status(): S;
  /** Stops task `id` (it stores what it owes) and starts a new one for the same work; false: no such task. */
  restartTask?(id: number): Promise<boolean>;
}

/**
 * Kafka Connect's target states (`TargetState`): what the operator asked for, as the config topic
 * stores it. STARTED runs the connector and its tasks; PAUSED and STOPPED run nothing (see
 * {@link ConnectorRunner.setTarget}).
 */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorRunnerOptions<S extends ConnectorStatusEntry> {
  name: string;
  create: () => WorkerConnector<S>;
  /** Status fields of a connector that is not running (e.g. the checkpoint connector's `groups: 0`). */
  idleStatus: (status: WorkStatus) => S;
  logger: Logger;
}

/** A control call the connector's current state does not allow (another change in flight, the runner stopped). */
export class ConnectorStateError extends MirrorError {
  constructor(code: 'ERR_CONNECTOR_BUSY' | 'ERR_CONNECTOR_STATE', message: string, details: Record<string, unknown>) {
    super(code, message, details);
  }
}

/**
 * Runs one connector of a route: starts an instance, and when the start fails reports the
 * connector FAILED with the cause and tries again with a fresh instance after a backoff, until it
 * runs or the runner is stopped. A failure never leaves the runner: other connectors and routes
 * go on.
 *
 * The operator controls it as Connect's herder does: a target state (pause, resume, stop) and
 * restarts of the connector or one task. PAUSED and STOPPED both stop the instance (its tasks
 * flush their positions and syncs), so neither does any background work: no fetches, no
 * offset-sync writes, no checkpoint rounds. Java's `WorkerConnector` also stops the connector on
 * pause; its tasks stay allocated but idle, which for MM2 is the same observable behaviour,
 * minus the open connections. A PAUSED connector reports the tasks it had as PAUSED; a STOPPED
 * one has no tasks (KIP-875). Resuming starts a fresh instance from the stored positions.
 * Changes run one at a time; a call while one is in flight is refused ({@link busy}).
 */
export class ConnectorRunner<S extends ConnectorStatusEntry> {
  readonly name: string;
  private readonly options: ConnectorRunnerOptions<S>;
  private abort = new AbortController();
  private instance: WorkerConnector<S> | undefined;
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private loop: Promise<void> | undefined;
  private target: TargetState = 'STARTED';
  /** The tasks the connector had when it was paused, reported as PAUSED. */
  private pausedTasks: TaskStatusEntry[] = [];
  private change: string | undefined;
  private closed = false;
  private starts = 0;

  constructor(options: ConnectorRunnerOptions<S>) {
    this.name = options.name;
    this.options = options;
  }

  /**
   * Starts in the background with target state `target` (PAUSED or STOPPED: nothing runs until
   * resumed); `started` resolves after the first attempt, whatever its outcome.
   */
  start(target: TargetState = 'STARTED'): { started: Promise<void> } {
    this.target = target;
    if (target !== 'STARTED') {
      this.state = { state: target };
      return { started: Promise.resolve() };
    }
    return this.launch();
  }

  private launch(): { started: Promise<void> } {
    const abort = new AbortController();
    this.abort = abort;
    let firstAttemptDone: () => void = () => {};
    const started = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    this.loop = (async () => {
      await keepStarting(
        `starting ${this.name}`,
        async (signal) => {
          const instance = this.options.create();
          try {
            await instance.start(signal);
          } catch (err) {
            await instance.stop();
            throw err;
          }
          if (signal.aborted) {
            await instance.stop();
            return;
          }
          this.instance = instance;
          this.starts++;
          this.state = { state: 'RUNNING' };
          firstAttemptDone();
        },
        {
          signal: abort.signal,
          logger: this.options.logger,
          onFailure: (err) => {
            this.state = { state: 'FAILED', trace: traceOf(err) };
            firstAttemptDone();
          },
        },
      );
      firstAttemptDone();
    })();
    return { started };
  }

  /** The target state the operator asked for. */
  get targetState(): TargetState {
    return this.target;
  }

  /** The change in flight (`pausing`, `restarting`, …), if any. */
  get busy(): string | undefined {
    return this.change;
  }

  /** How many instances started successfully (a restart adds one). */
  get startCount(): number {
    return this.starts;
  }

  status(): S {
    if (this.instance && this.state.state === 'RUNNING') return this.instance.status();
    const idle = this.options.idleStatus(this.state);
    if (this.state.state !== 'PAUSED') return idle;
    return { ...idle, tasks: this.pausedTasks };
  }

  /**
   * Moves to `target`: STARTED starts a fresh instance (resolves after its first attempt);
   * PAUSED and STOPPED stop the running one (resolves once its tasks stored what they owe).
   */
  async setTarget(target: TargetState): Promise<void> {
    await this.exclusive(target === 'STARTED' ? 'resuming' : target === 'PAUSED' ? 'pausing' : 'stopping', async () => {
      if (target === this.target) return;
      const wasRunning = this.target === 'STARTED';
      this.target = target;
      if (target === 'STARTED') {
        this.pausedTasks = [];
        await this.launch().started;
        return;
      }
      if (wasRunning) {
        // A pause keeps the task list (Connect shows paused tasks); a stop drops it.
        this.pausedTasks = this.status().tasks.map((t) => {
          const { trace: _trace, retrying: _retrying, ...rest } = t;
          return { ...rest, state: 'PAUSED' as const };
        });
        await this.halt();
      }
      this.state = { state: target };
      this.options.logger.info({ targetState: target }, `connector ${target === 'PAUSED' ? 'paused' : 'stopped'}`);
    });
  }

  /**
   * Stops the instance and its tasks and starts a new one (Connect's connector restart; the tasks
   * belong to the instance here, so they restart with it). Only while the target is STARTED.
   */
  async restart(): Promise<void> {
    await this.exclusive('restarting', async () => {
      if (this.target !== 'STARTED') {
        throw new ConnectorStateError('ERR_CONNECTOR_STATE', `${this.name} is ${this.target}: resume it first`, {
          targetState: this.target,
        });
      }
      this.state = { state: 'RESTARTING' };
      await this.halt();
      this.options.logger.info('connector restarting');
      await this.launch().started;
    });
  }

  /** Restarts task `id` of the running instance; false when there is no such task. */
  async restartTask(id: number): Promise<boolean> {
    return this.exclusive('restarting a task', async () => {
      const instance = this.state.state === 'RUNNING' ? this.instance : undefined;
      if (!instance?.restartTask) return false;
      return instance.restartTask(id);
    });
  }

  /**
   * Runs `work` while the connector is STOPPED, as one change: no resume can start meanwhile
   * (KIP-875's offset edits must not race the tasks reading them).
   */
  async whileStopped<T>(what: string, work: () => Promise<T>): Promise<T> {
    return this.exclusive(what, async () => {
      if (this.target !== 'STOPPED') {
        throw new ConnectorStateError('ERR_CONNECTOR_STATE', `${this.name} is ${this.target}, not STOPPED`, {
          targetState: this.target,
        });
      }
      return work();
    });
  }

  /** Throws the {@link ConnectorStateError} a change would meet now (shutting down, another change in flight). */
  assertChangeable(): void {
    if (this.closed) {
      throw new ConnectorStateError('ERR_CONNECTOR_STATE', `${this.name} is shutting down`, {});
    }
    if (this.change !== undefined) {
      throw new ConnectorStateError('ERR_CONNECTOR_BUSY', `${this.name} is ${this.change}; try again when it is done`, {
        inFlight: this.change,
      });
    }
  }

  /** Runs one change at a time; a second one while the first runs is refused, not queued. */
  private async exclusive<T>(what: string, change: () => Promise<T>): Promise<T> {
    this.assertChangeable();
    this.change = what;
    try {
      return await change();
    } finally {
      this.change = undefined;
    }
  }

  /** Ends the start loop and stops the instance (its tasks store what they owe). */
  private async halt(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    const instance = this.instance;
    this.instance = undefined;
    await instance?.stop();
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.halt();
    this.state = { state: 'STOPPED' };
  }
}
