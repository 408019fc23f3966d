/**
 * The two mirrors under test, started on the same mm2.properties: ours (`connect-mirror-maker`, one
 * node process) and Apache Kafka's dedicated MM2 driver (one JVM, the heap of its script).
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnJavaMirrorMaker } from '../java-mm2.ts';
import { buildMirrorOnce, MIRROR_SCRIPT, mirrorNodeFlags } from '../mirror-node-flags.ts';
import { REPO_ROOT } from '../kafka/paths.ts';
import { freePort } from '../kafka/ports.ts';
import { SINGLE_BROKER_LINES } from '../kafka/testbed.ts';
import type { Compression, MirrorKind } from './options.ts';
import { spawnLogged, track, type Tracked } from './procs.ts';

export interface RouteSpec {
  /**
   * Fresh aliases per run: remote topics are named `<source alias>.<topic>` and MM2's own state
   * (mm2-offsets.<source>.internal on the target, mm2-offset-syncs.<target>.internal on the source)
   * is keyed by alias, so a new pair makes every run copy the full backlog into new topics, with
   * no stored position from an earlier run — without re-preloading the source.
   */
  sourceAlias: string;
  targetAlias: string;
  sourceBootstrap: string;
  targetBootstrap: string;
  topic: string;
  compression: Compression;
  tasks: number;
  /** Lines after the bench's own (`--property`): a later line wins in a properties file. */
  extraLines: readonly string[];
}

/** The shared file. Everything not set here is the MM2 default, for both mirrors. */
export function benchProperties(r: RouteSpec): string {
  const { sourceAlias: s, targetAlias: t } = r;
  return [
    `clusters = ${s}, ${t}`,
    `${s}.bootstrap.servers = ${r.sourceBootstrap}`,
    `${t}.bootstrap.servers = ${r.targetBootstrap}`,
    `${s}->${t}.enabled = true`,
    `${s}->${t}.topics = ${r.topic.replace(/[.]/g, '\\\\.')}`,
    `${t}->${s}.enabled = false`,
    `tasks.max = ${r.tasks}`,
    // The data producer's compression: <target>.producer.* configures the worker producer in both.
    `${t}.producer.compression.type = ${r.compression}`,
    // Java: scan for plugins with the ServiceLoader only (start-up ~1 s instead of ~20 s per herder).
    `${t}.plugin.discovery = service_load`,
    `${s}.plugin.discovery = service_load`,
    ...SINGLE_BROKER_LINES,
    ...r.extraLines,
    '',
  ].join('\n');
}

export interface StartedMirror {
  kind: MirrorKind;
  proc: Tracked;
  command: string;
  logFile: string;
  /** Ours: its Prometheus endpoint (the mirror's own latency metrics). */
  metricsUrl?: string;
}

/** Builds ours before anything is timed (startMirror would otherwise build on its first call). */
export function buildOursOnce(): void {
  buildMirrorOnce();
}

/** Starts one mirror on `properties` (targeting `targetAlias` only, as `--clusters` does). */
export async function startMirror(
  kind: MirrorKind,
  properties: string,
  targetAlias: string,
  dir: string,
  kafkaVersion: string,
  /** Ours only: write a V8 CPU profile into this folder at exit (`node --cpu-prof`). */
  profileDir?: string,
): Promise<StartedMirror> {
  const logFile = join(dir, `${kind}.log`);
  if (kind === 'ours') {
    const port = await freePort();
    const file = join(dir, 'mm2-ours.properties');
    writeFileSync(file, `${properties}mm2ts.http.listener = 127.0.0.1:${port}\n`);
    // The built bin, as installed; a profiled run takes the sources so the profile's summary
    // (profile.ts) can name the repository's files.
    const script = profileDir ? MIRROR_SCRIPT : buildMirrorOnce();
    // The bin's own node flags (its shebang), then the profiler's.
    const nodeFlags = [...mirrorNodeFlags(), ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
    const args = [...nodeFlags, script, file, '--clusters', targetAlias];
    const proc = spawnLogged('ours', process.execPath, args, logFile, { ...process.env, LOG_LEVEL: 'info' });
    const shown = relative(REPO_ROOT, script);
    const command = `node ${nodeFlags.join(' ')} ${shown} ${file} --clusters ${targetAlias}`;
    return {
      kind,
      proc,
      command: command.replace('node  ', 'node '),
      logFile,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
    };
  }
  const file = join(dir, 'mm2-java.properties');
  writeFileSync(file, properties);
  // Default heap of connect-mirror-maker.sh (-Xms256M -Xmx2G), INFO logging like its default config.
  const child = spawnJavaMirrorMaker({ propertiesFile: file, clusters: [targetAlias], version: kafkaVersion });
  const out = createWriteStream(logFile);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const proc = track('java', child);
  return {
    kind,
    proc,
    command: `java -Xms256m -Xmx2048m -cp <kafka ${kafkaVersion} libs> org.apache.kafka.connect.mirror.MirrorMaker ${file} --clusters ${targetAlias}`,
    logFile,
  };
}
