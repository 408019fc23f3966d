import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureKafkaJars } from './jars.ts';
import {
  killCluster,
  restartCluster,
  startCluster,
  stopCluster,
  TESTBED_MARKER,
  type ClusterOptions,
  type RunningCluster,
} from './broker.ts';
import { RUN_DIR } from './paths.ts';
import { generateTestBedTls, type TestBedTls } from './tls.ts';
import { selectedKafkaVersion, type KafkaVersionInfo } from './versions.ts';

/**
 * mm2.properties lines for the test bed's clusters, which have one broker each: every topic a
 * mirror creates (remote and internal) gets replication factor 1. Tests, the benchmarks and the
 * DR drill all use them.
 */
export const SINGLE_BROKER_LINES: readonly string[] = [
  'replication.factor = 1',
  'checkpoints.topic.replication.factor = 1',
  'heartbeats.topic.replication.factor = 1',
  'offset-syncs.topic.replication.factor = 1',
  'offset.storage.replication.factor = 1',
  'status.storage.replication.factor = 1',
  'config.storage.replication.factor = 1',
];

export interface TestBed {
  /** Run id: the folder under .kafka/run holding this bed's clusters and state file. */
  id: string;
  /** The clusters as started; after a kill or restart the state file holds the current pids. */
  clusters: RunningCluster[];
  /** alias -> PLAINTEXT host:port */
  bootstrap: Record<string, string>;
  /** alias -> SASL_PLAINTEXT host:port (SCRAM users in sasl.ts) */
  saslBootstrap: Record<string, string>;
  /** alias -> SSL host:port, client certificate required (tls.ts). */
  sslBootstrap: Record<string, string>;
  /** alias -> SASL_SSL host:port (SCRAM-SHA-256/512, PLAIN; users in sasl.ts). */
  saslSslBootstrap: Record<string, string>;
  /** The bed's CA and certificates (PEM files in its run folder). */
  tls: TestBedTls;
  /** The state file listing the clusters (read by `kafka:down` and by fault helpers in other processes). */
  stateFile: string;
  /** Stops every cluster of the bed (as the state file has them now) and removes its data. */
  stop(): Promise<void>;
}

export interface TestBedOptions {
  aliases: string[];
  info?: KafkaVersionInfo;
  heapMb?: number;
  ownerPid?: number;
  brokerProperties?: Record<string, string>;
  /** alias -> PLAINTEXT port chosen in advance; other aliases get free ports. */
  ports?: Record<string, number>;
  log?: (line: string) => void;
}

function stateFile(id: string): string {
  return join(RUN_DIR, id, 'clusters.json');
}

/** The clusters a bed's state file lists, with their current pids. */
export function readTestBedState(file: string): RunningCluster[] {
  return JSON.parse(readFileSync(file, 'utf8')) as RunningCluster[];
}

/** Rewrites a state file atomically, so a reader in another process never sees half of it. */
function writeTestBedState(file: string, clusters: RunningCluster[]): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(clusters, null, 2));
  renameSync(`${file}.tmp`, file);
}

function clusterIn(file: string, alias: string): { clusters: RunningCluster[]; cluster: RunningCluster } {
  const clusters = readTestBedState(file);
  const cluster = clusters.find((c) => c.alias === alias);
  if (!cluster)
    throw new Error(`test bed ${file} has no cluster ${alias}; it has ${clusters.map((c) => c.alias).join(', ')}`);
  return { clusters, cluster };
}

/**
 * SIGKILLs the broker of cluster `alias` of the bed recorded in `file` (from any process) and
 * records that it is down; its data stays for `restartTestBedCluster`.
 */
export async function killTestBedCluster(file: string, alias: string): Promise<RunningCluster> {
  const { clusters, cluster } = clusterIn(file, alias);
  await killCluster(cluster);
  writeTestBedState(file, clusters);
  return cluster;
}

/** Starts a killed cluster of the bed in `file` again on the same ports with its data; records the new pid. */
export async function restartTestBedCluster(
  file: string,
  alias: string,
  readyTimeoutMs = 60_000,
): Promise<RunningCluster> {
  const { clusters, cluster } = clusterIn(file, alias);
  try {
    await restartCluster(cluster, readyTimeoutMs);
  } finally {
    writeTestBedState(file, clusters);
  }
  return cluster;
}

/** `alias=host:port,alias=host:port`: the machine-readable form scripts and KAFKA_CLUSTERS use. */
export function formatClusterList(bootstrap: Record<string, string>): string {
  return Object.entries(bootstrap)
    .map(([alias, hostPort]) => `${alias}=${hostPort}`)
    .join(',');
}

/** Parses `A=127.0.0.1:19092,B=127.0.0.1:29092`; a malformed entry is an error naming it. */
export function parseClusterList(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)=(\S+:\d+)$/.exec(entry);
    if (!match) throw new Error(`KAFKA_CLUSTERS entry "${entry}" is not alias=host:port`);
    result[match[1]!] = match[2]!;
  }
  return result;
}

/**
 * Start-up attempts per cluster. A broker's ports are picked free and bound by the JVM seconds
 * later, after the storage is formatted; on a shared loopback another test bed starting at the same
 * time (the other lane of `npm test`) or an outgoing connection can take one in between, and the
 * broker exits with "Address already in use". A second attempt with new ports and a fresh folder
 * gets past that; a cluster that fails twice fails the bed with the second error.
 */
const START_ATTEMPTS = 2;

/**
 * How long one broker of a bed may take to answer. `npm test` starts four brokers (and their
 * storage-format JVMs) at once on two cores: 20–31 s each on a warm machine, more on a fresh one
 * whose jars are not yet in the page cache, where a minute left too little margin.
 */
const BED_READY_TIMEOUT_MS = 120_000;

async function startClusterRetried(log: (line: string) => void, options: ClusterOptions): Promise<RunningCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(options);
    } catch (err) {
      if (attempt >= START_ATTEMPTS || options.port !== undefined) throw err;
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      log(`cluster ${options.alias} did not start (${first}); starting it again on new ports`);
    }
  }
}

/** Starts one independent single-node cluster per alias, in parallel, and records them in a state file. */
export async function startTestBed(options: TestBedOptions): Promise<TestBed> {
  const info = options.info ?? selectedKafkaVersion();
  const log = options.log ?? (() => {});
  const libs = ensureKafkaJars(info, log);
  const id = `${Date.now()}-${process.pid}`;
  const runDir = join(RUN_DIR, id);
  mkdirSync(runDir, { recursive: true });
  const tls = generateTestBedTls(join(runDir, 'tls'));
  const results = await Promise.allSettled(
    options.aliases.map((alias) =>
      startClusterRetried(log, {
        alias,
        info,
        libs,
        dir: join(runDir, alias),
        tls,
        readyTimeoutMs: BED_READY_TIMEOUT_MS,
        ...(options.heapMb !== undefined ? { heapMb: options.heapMb } : {}),
        ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}),
        ...(options.brokerProperties ? { brokerProperties: options.brokerProperties } : {}),
        ...(options.ports?.[alias] !== undefined ? { port: options.ports[alias] } : {}),
      }),
    ),
  );
  const clusters = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.all(clusters.map((c) => stopCluster(c)));
    rmSync(runDir, { recursive: true, force: true });
    throw failure.reason;
  }
  const file = stateFile(id);
  writeTestBedState(file, clusters);
  for (const c of clusters) {
    log(
      `cluster ${c.alias} (Kafka ${c.version}) ready at ${c.bootstrap} (SASL ${c.saslBootstrap}, SSL ${c.sslBootstrap}, SASL_SSL ${c.saslSslBootstrap}) in ${c.startMs} ms`,
    );
  }
  return {
    id,
    clusters,
    bootstrap: Object.fromEntries(clusters.map((c) => [c.alias, c.bootstrap])),
    saslBootstrap: Object.fromEntries(clusters.map((c) => [c.alias, c.saslBootstrap])),
    sslBootstrap: Object.fromEntries(clusters.map((c) => [c.alias, c.sslBootstrap ?? ''])),
    saslSslBootstrap: Object.fromEntries(clusters.map((c) => [c.alias, c.saslSslBootstrap ?? ''])),
    tls,
    stateFile: file,
    stop: async () => {
      // A test may have killed and restarted a broker from another process: the file has its pid.
      const current = existsSync(file) ? readTestBedState(file) : clusters;
      await Promise.all(current.map((c) => stopCluster(c)));
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** Stops every cluster recorded under .kafka/run (all runs), then sweeps any stray test-bed JVM. */
export async function stopAllTestBeds(log: (line: string) => void = () => {}): Promise<number> {
  let stopped = 0;
  if (existsSync(RUN_DIR)) {
    for (const id of readdirSync(RUN_DIR)) {
      const file = stateFile(id);
      if (existsSync(file)) {
        const clusters = readTestBedState(file);
        await Promise.all(clusters.map((c) => stopCluster(c)));
        stopped += clusters.length;
        for (const c of clusters) log(`stopped cluster ${c.alias} (${c.bootstrap})`);
      }
      rmSync(join(RUN_DIR, id), { recursive: true, force: true });
    }
  }
  // Last resort: a JVM the state files do not know (e.g. a run killed between spawn and record).
  const sweep = spawnSync('pkill', ['-KILL', '-f', `^java .*${TESTBED_MARKER.replace(/^-D/, '')}( |$)`]);
  if (sweep.status === 0) log('killed stray test-bed JVMs');
  return stopped;
}
