import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { freePort } from '../../scripts/kafka/ports.ts';
import { SINGLE_BROKER_LINES } from '../../scripts/kafka/testbed.ts';
import { scramJaasConfig } from '../../scripts/kafka/sasl.ts';
import { parseLogLines } from './log-lines.ts';
import { waitFor } from './wait.ts';

/** How much of a mirror's output `output()` keeps (the newest part). */
export const KEPT_OUTPUT_CHARS = 200_000;

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
  /** GET /ready: readiness (200 only when every selected route runs all its connectors and tasks). */
  ready(): Promise<HttpAnswer<ReadyResponse>>;
  /** GET /health: liveness. */
  health(): Promise<HttpAnswer<unknown>>;
  /** GET /metrics, parsed into samples. */
  metrics(): Promise<MetricSample[]>;
  /** /ready, /status and the log tail, for failure messages (never throws). */
  diagnostics(logChars?: number): Promise<string>;
}

/** An HTTP answer: status code and the body (parsed JSON when it is JSON, else the text). */
export interface HttpAnswer<T> {
  code: number;
  body: T | string;
}

export interface StatusTask {
  id: number;
  state: string;
  trace?: string;
  /** Source tasks list their partitions (`topic-partition`); typed as present for their tests. */
  assignedPartitions: string[];
}

export interface StatusConnector {
  name: string;
  state: string;
  trace?: string;
  tasks: StatusTask[];
}

export interface StatusResponse {
  routes: {
    route: string;
    source?: string;
    target?: string;
    enabled?: boolean;
    state?: string;
    error?: string;
    connectors: StatusConnector[];
  }[];
}

/** One unit that keeps the process from being ready (the `/ready` contract). */
export interface NotRunningEntry {
  route: string;
  connector?: string;
  task?: number;
  state: string;
  error?: string;
}

export interface ReadyResponse {
  status: string;
  message?: string;
  notRunning?: NotRunningEntry[];
}

/** One Prometheus sample: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for prom-client's output). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the first sample named `name` whose labels include `labels`; undefined when none. */
export function metricValue(
  samples: MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function getAnswer<T>(url: string): Promise<HttpAnswer<T>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  try {
    return { code: res.status, body: JSON.parse(text) as T };
  } catch {
    return { code: res.status, body: text };
  }
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
    log = (log + d.toString()).slice(-KEPT_OUTPUT_CHARS);
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
      const res = await fetch(`${httpUrl}/status`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET /status: ${res.status}`);
      return (await res.json()) as StatusResponse;
    },
    ready: () => getAnswer<ReadyResponse>(`${httpUrl}/ready`),
    health: () => getAnswer<unknown>(`${httpUrl}/health`),
    metrics: async () => {
      const res = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
      return parseMetrics(await res.text());
    },
    diagnostics: async (logChars = 4000) => {
      const answer = async (path: string): Promise<string> => {
        try {
          const a = await getAnswer<unknown>(`${httpUrl}${path}`);
          return `${a.code} ${typeof a.body === 'string' ? a.body : JSON.stringify(a.body)}`;
        } catch (err) {
          return `no answer (${String(err)})`;
        }
      };
      const state =
        child.exitCode !== null || child.signalCode !== null
          ? `exited ${child.exitCode ?? child.signalCode}`
          : 'running';
      return [
        `mirror process: ${state}`,
        `GET /ready: ${await answer('/ready')}`,
        `GET /status: ${await answer('/status')}`,
        `log tail:\n${log.slice(-logChars)}`,
      ].join('\n');
    },
  };
}

/** The test bed's replication factors (one broker per cluster), for every test mm2.properties. */
export { SINGLE_BROKER_LINES };

/** The common part of every test mm2.properties: two clusters from the test bed, RF 1, fast intervals. */
export function baseProperties(clusters: Record<string, string>, aliases: [string, string] = ['A', 'B']): string {
  const [a, b] = aliases;
  return [
    `clusters = ${a}, ${b}`,
    `${a}.bootstrap.servers = ${clusters['A']}`,
    `${b}.bootstrap.servers = ${clusters['B']}`,
    ...SINGLE_BROKER_LINES,
    'refresh.topics.interval.seconds = 3',
    'sync.topic.configs.interval.seconds = 3',
    `${a}.offset.flush.interval.ms = 1000`,
    `${b}.offset.flush.interval.ms = 1000`,
  ].join('\n');
}

/**
 * One route A->B for the topics and groups named `<prefix>…`, checkpoints every second and groups
 * refreshed every `refreshGroupsSeconds`; no group offset sync and no ACL sync (the DR and
 * translation tests commit and translate offsets themselves).
 */
export function checkpointedRouteLines(prefix: string, refreshGroupsSeconds = 1): string[] {
  return [
    'A->B.enabled = true',
    `A->B.topics = ${prefix}.*`,
    `A->B.groups = ${prefix}.*`,
    'B->A.enabled = false',
    'emit.checkpoints.interval.seconds = 1',
    `refresh.groups.interval.seconds = ${refreshGroupsSeconds}`,
    'sync.group.offsets.enabled = false',
    'sync.topic.acls.enabled = false',
  ];
}

/**
 * One route A->B for the topics named `<prefix>…`, run by a scale-out group `<prefix>-group`
 * (docs/scale-out.md) with a short session timeout and half-second heartbeats; no ACL sync, no
 * checkpoints. `overrides` are applied on top.
 */
export function scaleOutProperties(
  clusters: Record<string, string>,
  prefix: string,
  sessionTimeoutMs: number,
  overrides: Record<string, string> = {},
): string {
  return propertiesWith(baseProperties(clusters), {
    'A->B.enabled': 'true',
    'A->B.topics': `${prefix}.*`,
    'B->A.enabled': 'false',
    'sync.topic.acls.enabled': 'false',
    'emit.checkpoints.enabled': 'false',
    'mm2ts.cluster.enabled': 'true',
    'mm2ts.group.id': `${prefix}-group`,
    'mm2ts.group.session.timeout.ms': String(sessionTimeoutMs),
    'mm2ts.group.heartbeat.interval.ms': '500',
    ...overrides,
  });
}

/**
 * `base` (an mm2.properties text) with `overrides` applied: a key already in `base` gets the new
 * value on its own line, a new key is appended, so the file has no duplicate keys (a duplicate is a
 * config warning).
 */
export function propertiesWith(base: string, overrides: Record<string, string>): string {
  const pending = new Map(Object.entries(overrides));
  const lines = base.split('\n').map((line) => {
    const key = /^\s*([^#!=:\s][^=:]*?)\s*[=:]/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key)!;
    pending.delete(key);
    return `${key} = ${value}`;
  });
  return [...lines, ...[...pending].map(([k, v]) => `${k} = ${v}`)].join('\n');
}

/** The mm2.properties keys that point cluster `alias` at a SASL_PLAINTEXT SCRAM listener as `user`. */
export function saslClusterProperties(
  alias: string,
  bootstrap: string,
  user: { name: string; password: string },
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' = 'SCRAM-SHA-512',
): Record<string, string> {
  return {
    [`${alias}.bootstrap.servers`]: bootstrap,
    [`${alias}.security.protocol`]: 'SASL_PLAINTEXT',
    [`${alias}.sasl.mechanism`]: mechanism,
    [`${alias}.sasl.jaas.config`]: scramJaasConfig(user),
  };
}

/**
 * `waitFor` for a mirror process: polls `probe` until `done` accepts its value, failing at once if
 * the process exits, and on failure says what was awaited, the last value, and the mirror's
 * /ready, /status and log tail.
 */
export async function waitForMirror<T>(
  mm: RunningMirrorMaker,
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<T> {
  let exitedWith: number | string | undefined;
  void mm.exited.then((code) => (exitedWith = code));
  return waitFor(what, probe, done, timeoutMs, intervalMs, {
    giveUp: () => (exitedWith !== undefined ? `the mirror exited (${exitedWith})` : undefined),
    context: () => mm.diagnostics(),
  });
}

/** The `notRunning` entries of a /ready answer (none when the body is not the contract's JSON). */
export function notRunning(answer: HttpAnswer<ReadyResponse>): NotRunningEntry[] {
  return typeof answer.body === 'object' && Array.isArray(answer.body.notRunning) ? answer.body.notRunning : [];
}

/**
 * One line of what an operator would see now: the /ready code and every unit that is not RUNNING
 * in /status (`route/connector[/task]=STATE`). Never throws: a failed request shows as such.
 */
export async function operatorView(mm: RunningMirrorMaker): Promise<string> {
  const parts: string[] = [];
  try {
    parts.push(`ready=${(await mm.ready()).code}`);
  } catch (err) {
    parts.push(`ready=no answer (${String(err)})`);
  }
  try {
    const status = await mm.status();
    const notRunningUnits = status.routes.flatMap((r) =>
      r.connectors.flatMap((c) => [
        ...(c.state === 'RUNNING' ? [] : [`${r.route}/${c.name}=${c.state}`]),
        ...c.tasks
          .filter((task) => task.state !== 'RUNNING')
          .map((task) => `${r.route}/${c.name}/${task.id}=${task.state}`),
      ]),
    );
    parts.push(notRunningUnits.length === 0 ? 'all RUNNING' : notRunningUnits.join(' '));
  } catch (err) {
    parts.push(`status=no answer (${String(err)})`);
  }
  return parts.join(' ');
}

/** Samples `operatorView` every `intervalMs` until `stop()`, which returns each distinct view in order of first sight. */
export function watchOperatorView(mm: RunningMirrorMaker, intervalMs = 1_000): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const view = await operatorView(mm);
      if (!seen.includes(view)) seen.push(view);
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

/**
 * Warnings and errors logged at or after `sinceMs` (pino levels 40 and 50+): counts and the
 * distinct messages (with their `err`, cut short), for a one-line summary of what a fault logged.
 * Lines are read strictly with `parseLogLines`: a line that is not one JSON object with unique keys
 * fails the test, as it would fail a log shipper. When the kept output was cut, its first
 * (partial) line is left out.
 */
export function logProblems(output: string, sinceMs = 0): { warn: number; error: number; messages: string[] } {
  const text = output.length >= KEPT_OUTPUT_CHARS ? output.slice(output.indexOf('\n') + 1) : output;
  let warn = 0;
  let error = 0;
  const messages: string[] = [];
  for (const entry of parseLogLines(text)) {
    const level = typeof entry['level'] === 'number' ? entry['level'] : 0;
    const time = typeof entry['time'] === 'number' ? entry['time'] : 0;
    if (level < 40 || time < sinceMs) continue;
    if (level >= 50) error++;
    else warn++;
    const err = typeof entry['err'] === 'string' ? entry['err'] : entry['err'] ? JSON.stringify(entry['err']) : '';
    const message = `${level >= 50 ? 'ERROR' : 'WARN'} ${String(entry['msg'] ?? '')}${err ? `: ${err.slice(0, 160)}` : ''}`;
    if (!messages.includes(message)) messages.push(message);
  }
  return { warn, error, messages };
}

/** Every connector and task of every route in a /status answer is RUNNING. */
export function allRunning(status: StatusResponse): boolean {
  return status.routes.every((r) =>
    r.connectors.every((c) => c.state === 'RUNNING' && c.tasks.every((task) => task.state === 'RUNNING')),
  );
}
