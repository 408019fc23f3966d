import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkStatus } from '../../../src/connect/states.ts';
import { TaskGroup, type WorkerTask } from '../../../src/connect/task-group.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/** A task whose failures the test triggers; it reports state changes as real tasks do. */
class ScriptedTask implements WorkerTask {
  status: WorkStatus = { state: 'UNASSIGNED' };
  stopped = false;
  readonly share: string;
  private readonly onStateChange: (s: WorkStatus) => void;

  constructor(share: string, onStateChange: (s: WorkStatus) => void) {
    this.share = share;
    this.onStateChange = onStateChange;
  }
  async start(): Promise<void> {
    this.set({ state: 'RUNNING' });
  }
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.status.state !== 'FAILED') this.set({ state: 'STOPPED' });
  }
  fail(message: string): void {
    this.set({ state: 'FAILED', trace: `Error: ${message}` });
  }
  private set(s: WorkStatus): void {
    this.status = s;
    this.onStateChange(s);
  }
}

describe('TaskGroup', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a task that cannot be built is FAILED in its slot; the others run; the next reconfiguration retries', async () => {
    const group = new TaskGroup<string, ScriptedTask>({ logger: silentLogger() });
    let failOnce = true;
    const built: ScriptedTask[] = [];
    const factory = async (index: number, share: string, onState: (s: WorkStatus) => void) => {
      if (index === 1 && failOnce) {
        failOnce = false;
        throw new Error('cannot open the producer');
      }
      const t = new ScriptedTask(share, onState);
      built.push(t);
      return t;
    };
    await group.reconfigure(['p0', 'p1'], factory);
    expect(group.entries().map((e) => e.status.state)).toEqual(['RUNNING', 'FAILED']);
    expect(group.entries()[1]!.status.trace).toContain('cannot open the producer');
    expect(group.incomplete).toBe(true);
    // The chain is not left rejected: the same work again builds every task.
    await group.reconfigure(['p0', 'p1'], factory);
    expect(group.entries().map((e) => e.status.state)).toEqual(['RUNNING', 'RUNNING']);
    expect(group.incomplete).toBe(false);
    expect(built[0]!.stopped).toBe(true); // the first set was stopped before the second started
    await group.close();
    expect(group.tasks).toEqual([]);
  });

  it('without auto-restart a FAILED task stays FAILED', async () => {
    const group = new TaskGroup<string, ScriptedTask>({ logger: silentLogger() });
    await group.reconfigure(['p0'], async (_i, share, onState) => new ScriptedTask(share, onState));
    group.tasks[0]!.fail('TOPIC_AUTHORIZATION_FAILED');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(group.entries()[0]!.status).toEqual({ state: 'FAILED', trace: 'Error: TOPIC_AUTHORIZATION_FAILED' });
    expect(group.entries()[0]!.restarts).toBe(0);
    await group.close();
  });

  it('with auto-restart a FAILED task is rebuilt for the same share after the backoff, which doubles', async () => {
    const group = new TaskGroup<string, ScriptedTask>({
      autoRestart: { initialMs: 1_000, maxMs: 10_000, jitter: 0 },
      logger: silentLogger(),
    });
    const shares: string[] = [];
    await group.reconfigure(['p0', 'p1'], async (_i, share, onState) => {
      shares.push(share);
      return new ScriptedTask(share, onState);
    });
    const first = group.tasks[1]!;
    first.fail('denied');
    await vi.advanceTimersByTimeAsync(999);
    expect(group.entries()[1]!.status.state).toBe('FAILED');
    await vi.advanceTimersByTimeAsync(1);
    expect(first.stopped).toBe(true);
    expect(group.entries()[1]!.status.state).toBe('RUNNING');
    expect(group.entries()[1]!.restarts).toBe(1);
    expect(shares).toEqual(['p0', 'p1', 'p1']);
    // The second failure waits twice as long; the other task was never touched.
    group.tasks[1]!.fail('denied again');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(group.entries()[1]!.status.state).toBe('FAILED');
    await vi.advanceTimersByTimeAsync(1);
    expect(group.entries()[1]!.status.state).toBe('RUNNING');
    expect(group.entries()[0]!.restarts).toBe(0);
    await group.close();
  });

  it('a stopped predecessor reporting FAILED does not schedule a restart of its successor', async () => {
    const group = new TaskGroup<string, ScriptedTask>({
      autoRestart: { initialMs: 1_000, maxMs: 1_000, jitter: 0 },
      logger: silentLogger(),
    });
    await group.reconfigure(['p0'], async (_i, share, onState) => new ScriptedTask(share, onState));
    const old = group.tasks[0]!;
    await group.reconfigure(['p0'], async (_i, share, onState) => new ScriptedTask(share, onState));
    old.fail('late report');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(group.entries()[0]!.restarts).toBe(0);
    await group.close();
  });

  it('close cancels pending restarts and refuses later reconfigurations', async () => {
    const group = new TaskGroup<string, ScriptedTask>({
      autoRestart: { initialMs: 1_000, maxMs: 1_000, jitter: 0 },
      logger: silentLogger(),
    });
    let builds = 0;
    const factory = async (_i: number, share: string, onState: (s: WorkStatus) => void) => {
      builds++;
      return new ScriptedTask(share, onState);
    };
    await group.reconfigure(['p0'], factory);
    group.tasks[0]!.fail('x');
    await group.close();
    await vi.advanceTimersByTimeAsync(5_000);
    await group.reconfigure(['p0'], factory);
    expect(builds).toBe(1);
    expect(group.size).toBe(0);
  });

  it('restartTask stops the task (it stores what it owes) and builds a new one for the same share; unknown id: false', async () => {
    const group = new TaskGroup<string, ScriptedTask>({ logger: silentLogger() });
    const built: ScriptedTask[] = [];
    await group.reconfigure(['p0', 'p1'], async (_i, share, onState) => {
      const t = new ScriptedTask(share, onState);
      built.push(t);
      return t;
    });
    group.tasks[1]!.fail('TOPIC_AUTHORIZATION_FAILED');
    expect(await group.restartTask(1)).toBe(true);
    expect(built).toHaveLength(3);
    expect(built[1]!.stopped).toBe(true);
    expect(built[2]!.share).toBe('p1');
    expect(built[0]!.stopped).toBe(false);
    expect(group.entries().map((e) => [e.status.state, e.restarts])).toEqual([
      ['RUNNING', 0],
      ['RUNNING', 1],
    ]);
    expect(await group.restartTask(5)).toBe(false);
    await group.close();
    expect(await group.restartTask(0)).toBe(false);
  });

  it('counts each task start per slot: a restart adds one, a reconfiguration without sameShare starts every task anew', async () => {
    const group = new TaskGroup<string, ScriptedTask>({ logger: silentLogger() });
    const factory = async (_i: number, share: string, onState: (s: WorkStatus) => void) =>
      new ScriptedTask(share, onState);
    await group.reconfigure(['p0', 'p1'], factory);
    expect(group.entries().map((e) => e.starts)).toEqual([1, 1]);
    expect(group.entries()[0]!.startedAt).toBeInstanceOf(Date);
    await group.restartTask(1);
    expect(group.entries().map((e) => e.starts)).toEqual([1, 2]);
    const first = group.tasks[0]!;
    await group.reconfigure(['p0', 'p1'], factory);
    expect(first.stopped).toBe(true);
    expect(group.entries().map((e) => e.starts)).toEqual([1, 1]);
    await group.close();
  });

  it('with sameShare a reconfiguration keeps the tasks whose share is unchanged (same id, same start count)', async () => {
    const group = new TaskGroup<string, ScriptedTask>({ logger: silentLogger(), sameShare: (a, b) => a === b });
    const factory = async (_i: number, share: string, onState: (s: WorkStatus) => void) =>
      new ScriptedTask(share, onState);
    await group.reconfigure(['p0', 'p1', 'p2'], factory);
    const [t0, t1, t2] = group.tasks;
    await group.restartTask(2);
    const t2b = group.tasks[2]!;
    expect(t2!.stopped).toBe(true);
    // p1 moves away, p3 arrives: p0 and p2 keep running; p3 takes the free id 1.
    await group.reconfigure(['p2', 'p3', 'p0'], factory);
    expect(t0!.stopped).toBe(false);
    expect(t1!.stopped).toBe(true);
    expect(t2b.stopped).toBe(false);
    expect(group.entries().map((e) => [e.id, e.share, e.starts])).toEqual([
      [0, 'p0', 1],
      [1, 'p3', 1],
      [2, 'p2', 2],
    ]);
    expect(await group.restartTask(1)).toBe(true);
    expect(group.entries().map((e) => e.starts)).toEqual([1, 2, 2]);
    await group.close();
    expect(t0!.stopped).toBe(true);
  });
});
