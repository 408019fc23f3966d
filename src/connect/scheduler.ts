import type { Logger } from '../util/logger.ts';

interface Job {
  name: string;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

/**
 * Java's MM2 `Scheduler`: named periodic jobs on one logical thread per connector. A job never
 * overlaps itself; its errors are logged and never stop the schedule (Java logs and carries on).
 * A negative or zero interval schedules nothing, as a disabled feature does in Java.
 */
export class Scheduler {
  private readonly jobs: Job[] = [];
  private readonly logger: Logger;
  private closed = false;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Runs `task` every `intervalMs`, first after `initialDelayMs` (0: right away). */
  scheduleRepeating(name: string, intervalMs: number, task: () => Promise<unknown>, initialDelayMs = 0): void {
    if (this.closed || !(intervalMs > 0)) return;
    const job: Job = { name, timer: undefined, running: undefined };
    const tick = (): void => {
      if (this.closed) return;
      job.running = this.execute(name, task).finally(() => {
        job.running = undefined;
        if (!this.closed) job.timer = setTimeout(tick, intervalMs);
      });
    };
    job.timer = setTimeout(tick, initialDelayMs);
    this.jobs.push(job);
  }

  /** Runs `task` once now, logging instead of throwing, as Java's `execute` does for start-up steps. */
  async execute(name: string, task: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    try {
      await task();
      this.logger.debug({ job: name, ms: Date.now() - started }, 'scheduled job done');
    } catch (err) {
      this.logger.error({ job: name, err }, `scheduled job ${name} failed; it runs again on its next interval`);
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
