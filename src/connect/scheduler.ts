import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { CauseTracker } from './cause-tracker.ts';

interface Job {
  name: string;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export interface SchedulerOptions {
  /** Told after every run of a job: `err` undefined when it succeeded (the connector's state follows it). */
  onJobResult?: (job: string, err: unknown) => void;
}

/**
 * Java's MM2 `Scheduler`: named periodic jobs on one logical thread per connector. A job never
 * overlaps itself; its errors never stop the schedule (Java logs and carries on). A failure is
 * logged at ERROR when its cause changes and at DEBUG while it repeats, and reported through
 * `onJobResult` so the owner's state can say so. A negative or zero interval schedules nothing,
 * as a disabled feature does in Java.
 */
export class Scheduler {
  private readonly jobs: Job[] = [];
  private readonly logger: Logger;
  private readonly options: SchedulerOptions;
  /** A job failing the same way every interval is logged once. */
  private readonly causes = new CauseTracker();
  private closed = false;

  constructor(logger: Logger, options: SchedulerOptions = {}) {
    this.logger = logger;
    this.options = options;
  }

  /** Runs `task` every `intervalMs`, first after `initialDelayMs` (0: right away). */
  scheduleRepeating(name: string, intervalMs: number, task: () => Promise<unknown>, initialDelayMs = 0): void {
    if (this.closed || !(intervalMs > 0)) return;
    const job: Job = { name, timer: undefined, running: undefined };
    const tick = (): void => {
      if (this.closed) return;
      job.running = this.run(job, task).finally(() => {
        job.running = undefined;
        if (!this.closed) job.timer = setTimeout(tick, intervalMs);
      });
    };
    job.timer = setTimeout(tick, initialDelayMs);
    this.jobs.push(job);
  }

  /** Runs `task` once now, logging instead of throwing, as Java's `execute` does for start-up steps. */
  async execute(name: string, task: () => Promise<unknown>): Promise<void> {
    await this.run({ name, timer: undefined, running: undefined }, task);
  }

  private async run(job: Job, task: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    try {
      await task();
      if (this.causes.succeeded(job.name))
        this.logger.info({ job: job.name }, `scheduled job ${job.name} succeeded again`);
      this.logger.debug({ job: job.name, ms: Date.now() - started }, 'scheduled job done');
      this.options.onJobResult?.(job.name, undefined);
    } catch (err) {
      const cause = describeError(err);
      const fields = { job: job.name, err: cause };
      const message = `scheduled job ${job.name} failed; it runs again on its next interval`;
      if (this.causes.failed(job.name, cause)) this.logger.error(fields, message);
      else this.logger.debug(fields, message);
      this.options.onJobResult?.(job.name, err);
    }
  }

  /** Stops scheduling and waits for running jobs (at most `timeoutMs`). */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    for (const job of this.jobs) if (job.timer) clearTimeout(job.timer);
    const running = this.jobs.flatMap((j) => (j.running ? [j.running] : []));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(running), new Promise((done) => (timer = setTimeout(done, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }
}
