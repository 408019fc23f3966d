import type { Logger } from '../util/logger.ts';
import { keepStarting } from './keep-starting.ts';
import type { ConnectorStatusEntry, WorkStatus } from './states.ts';
import { traceOf } from './task-group.ts';

/** What the worker needs of a connector instance. One instance lives for one successful start. */
export interface WorkerConnector<S extends ConnectorStatusEntry> {
  /** Starts the connector and its tasks; throws when it cannot (the instance is then stopped and dropped). */
  start(signal: AbortSignal): Promise<void>;
  /** Stops its scheduled work and tasks; never rejects. */
  stop(): Promise<void>;
  status(): S;
}

export interface ConnectorRunnerOptions<S extends ConnectorStatusEntry> {
  name: string;
  create: () => WorkerConnector<S>;
  /** Status fields of a connector that is not running (e.g. the checkpoint connector's `groups: 0`). */
  idleStatus: (status: WorkStatus) => S;
  logger: Logger;
}

/**
 * Runs one connector of a route: starts an instance, and when the start fails reports the
 * connector FAILED with the cause and tries again with a fresh instance after a backoff, until it
 * runs or the runner is stopped. A failure never leaves the runner: other connectors and routes
 * go on.
 */
export class ConnectorRunner<S extends ConnectorStatusEntry> {
  readonly name: string;
  private readonly options: ConnectorRunnerOptions<S>;
  private readonly abort = new AbortController();
  private instance: WorkerConnector<S> | undefined;
  private state: WorkStatus = { state: 'UNASSIGNED' };
  private loop: Promise<void> | undefined;

  constructor(options: ConnectorRunnerOptions<S>) {
    this.name = options.name;
    this.options = options;
  }

  /** Starts in the background; `started` resolves after the first attempt, whatever its outcome. */
  start(): { started: Promise<void> } {
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
          this.state = { state: 'RUNNING' };
          firstAttemptDone();
        },
        {
          signal: this.abort.signal,
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

  status(): S {
    if (this.instance && this.state.state === 'RUNNING') return this.instance.status();
    return this.options.idleStatus(this.state);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    const instance = this.instance;
    this.instance = undefined;
    await instance?.stop();
    this.state = { state: 'STOPPED' };
  }
}
