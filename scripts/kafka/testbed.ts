import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureKafkaJars } from './jars.ts';
import { startCluster, stopCluster, TESTBED_MARKER, type RunningCluster } from './broker.ts';
import { RUN_DIR } from './paths.ts';
import { selectedKafkaVersion, type KafkaVersionInfo } from './versions.ts';

export interface TestBed {
  /** Run id: the folder under .kafka/run holding this bed's clusters and state file. */
  id: string;
  clusters: RunningCluster[];
  /** alias -> host:port */
  bootstrap: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestBedOptions {
  aliases: string[];
  info?: KafkaVersionInfo;
  heapMb?: number;
  ownerPid?: number;
  brokerProperties?: Record<string, string>;
  log?: (line: string) => void;
}

function stateFile(id: string): string {
  return join(RUN_DIR, id, 'clusters.json');
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

/** Starts one independent single-node cluster per alias, in parallel, and records them in a state file. */
export async function startTestBed(options: TestBedOptions): Promise<TestBed> {
  const info = options.info ?? selectedKafkaVersion();
  const log = options.log ?? (() => {});
  const libs = ensureKafkaJars(info, log);
  const id = `${Date.now()}-${process.pid}`;
  const runDir = join(RUN_DIR, id);
  mkdirSync(runDir, { recursive: true });
  const results = await Promise.allSettled(
    options.aliases.map((alias) =>
      startCluster({
        alias,
        info,
        libs,
        dir: join(runDir, alias),
        ...(options.heapMb !== undefined ? { heapMb: options.heapMb } : {}),
        ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}),
        ...(options.brokerProperties ? { brokerProperties: options.brokerProperties } : {}),
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
  writeFileSync(stateFile(id), JSON.stringify(clusters, null, 2));
  for (const c of clusters) log(`cluster ${c.alias} (Kafka ${c.version}) ready at ${c.bootstrap} in ${c.startMs} ms`);
  const bootstrap = Object.fromEntries(clusters.map((c) => [c.alias, c.bootstrap]));
  return {
    id,
    clusters,
    bootstrap,
    stop: async () => {
      await Promise.all(clusters.map((c) => stopCluster(c)));
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
        const clusters = JSON.parse(readFileSync(file, 'utf8')) as RunningCluster[];
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
