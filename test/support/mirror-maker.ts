import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { freePort } from '../../scripts/kafka/ports.ts';

/** A running `connect-mirror-maker` process (ours), with its log kept for failure messages. */
export interface RunningMirrorMaker {
  readonly pid: number;
  readonly httpUrl: string;
  readonly file: string;
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Sends a signal; SIGKILL simulates a crash. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | string>;
  status(): Promise<StatusResponse>;
}

export interface StatusResponse {
  routes: {
    route: string;
    connectors: { name: string; state: string; tasks: { id: number; state: string; assignedPartitions: string[] }[] }[];
  }[];
}

/** Writes `properties` (an mm2.properties text) to a temp file and starts our driver on it. */
export async function startMirrorMaker(properties: string, args: string[] = []): Promise<RunningMirrorMaker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-e2e-'));
  const file = join(dir, 'mm2.properties');
  writeFileSync(file, `${properties}\nmm2ts.http.listener = 127.0.0.1:${port}\n`);
  return spawnMirrorMaker(file, port, args);
}

export function spawnMirrorMaker(file: string, port: number, args: string[] = []): RunningMirrorMaker {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'src', 'cli', 'connect-mirror-maker.ts'), file, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info' } },
  );
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  const httpUrl = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    httpUrl,
    file,
    output: () => log,
    exited,
    signal: (s) => {
      if (child.exitCode === null) child.kill(s);
    },
    stop: async (timeoutMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        return 'timeout';
      }
      return result;
    },
    status: async () => {
      const res = await fetch(`${httpUrl}/status`);
      if (!res.ok) throw new Error(`GET /status: ${res.status}`);
      return (await res.json()) as StatusResponse;
    },
  };
}

/** The common part of every test mm2.properties: two clusters from the test bed, RF 1, fast intervals. */
export function baseProperties(clusters: Record<string, string>, aliases: [string, string] = ['A', 'B']): string {
  const [a, b] = aliases;
  return [
    `clusters = ${a}, ${b}`,
    `${a}.bootstrap.servers = ${clusters['A']}`,
    `${b}.bootstrap.servers = ${clusters['B']}`,
    'replication.factor = 1',
    'checkpoints.topic.replication.factor = 1',
    'heartbeats.topic.replication.factor = 1',
    'offset-syncs.topic.replication.factor = 1',
    'offset.storage.replication.factor = 1',
    'status.storage.replication.factor = 1',
    'config.storage.replication.factor = 1',
    'refresh.topics.interval.seconds = 3',
    'sync.topic.configs.interval.seconds = 3',
    `${a}.offset.flush.interval.ms = 1000`,
    `${b}.offset.flush.interval.ms = 1000`,
  ].join('\n');
}
