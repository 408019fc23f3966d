/**
 * Processes the benchmark starts (mirrors, Java perf tools): each in its own process group, with a
 * watchdog that ends the group if the benchmark dies (even by SIGKILL), and registered so every exit
 * path can stop what is still running. Also reads a process's CPU time and memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Tracked {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

const live = new Set<Tracked>();

/** Ends `pid`'s group when this process goes away (the bench may be killed before its cleanup runs). */
function watchdog(pid: number): number | undefined {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -TERM -${pid} 2>/dev/null; sleep 10; kill -KILL -${pid} 2>/dev/null; exit 0`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

/** Wraps a detached child (its pid is the group id) into a tracked, stoppable process. */
export function track(name: string, child: ChildProcess): Tracked {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  const dog = watchdog(pid);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    live.delete(tracked);
    if (dog !== undefined) signalGroup(dog, 'SIGKILL');
  });
  const tracked: Tracked = {
    name,
    pid,
    exited,
    stop: async (graceMs = 30_000) => {
      if (!gone) {
        signalGroup(pid, 'SIGTERM');
        const result = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
        if (result !== 'timeout') return result;
        signalGroup(pid, 'SIGKILL');
      }
      return exited;
    },
  };
  live.add(tracked);
  return tracked;
}

/** Spawns `command` detached with stdout+stderr appended to `logFile`. */
export function spawnLogged(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): Tracked {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    return track(name, child);
  } finally {
    closeSync(fd);
  }
}

/** Stops everything still running (reverse start order), for the cleanup paths. */
export async function stopAllTracked(): Promise<void> {
  await Promise.all([...live].reverse().map((t) => t.stop(15_000)));
}

const CLK_TCK = 100; // Linux USER_HZ; /proc reports CPU times in these ticks on every mainstream kernel.

/**
 * User + system CPU seconds of `pid`, plus those of its reaped children (cutime/cstime). Both mirrors
 * run as one process (the JVM, or node with any worker threads inside it), so this is their whole cost.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return ticks / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** VmHWM (peak resident set since start) and VmRSS in MiB. */
export function memoryMb(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process every 200 ms: the peak of VmRSS and VmHWM (VmHWM alone would do on Linux; the
 * samples guard against kernels without it) and the last CPU reading, so the figures survive the
 * process's exit.
 */
export class ProcessSampler {
  peakRssMb = 0;
  lastCpu = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly pidValue: number;
  constructor(pid: number) {
    this.pidValue = pid;
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
  }
  sample(): void {
    const mem = memoryMb(this.pidValue);
    if (mem) this.peakRssMb = Math.max(this.peakRssMb, mem.hwm, mem.rss);
    const cpu = cpuSeconds(this.pidValue);
    if (cpu !== undefined) this.lastCpu = cpu;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}
