#!/usr/bin/env node
/**
 * The kcat failover drill (test/e2e/dr-failover.test.ts, docs/runbooks/kcat-consumers.md) run twice
 * on one fresh test bed: once with this appliance and `mm2 failover --execute`, once with Apache
 * Kafka's MirrorMaker 2 (dedicated mode, the same mm2.properties keys) and what its users do at
 * failover: RemoteClusterUtils.translateOffsets, then commit the result on the target
 * (scripts/dr-drill/TranslateCommit.java). Prints, per mirror and scenario, records produced,
 * consumed on the source, the translated offset, numbers re-read by kcat on the target and missing.
 *   node scripts/dr-drill-compare.ts            (KAFKA_VERSION=4.1.2|3.9.2, default 4.1.2)
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { openKafkaCluster } from '../src/kafka/index.ts';
import { kcat, kcatConsume, kcatProduce, runMm2 } from '../test/support/dr.ts';
import { buildOursOnce, startMirror, type StartedMirror } from './bench/mirrors.ts';
import { stopAllTracked } from './bench/procs.ts';
import { classpath, ensureKafkaJars } from './kafka/jars.ts';
import { REPO_ROOT } from './kafka/paths.ts';
import { SINGLE_BROKER_LINES } from './kafka/testbed.ts';
import { startTestBed, type TestBed } from './kafka/testbed.ts';
import { selectedKafkaVersion } from './kafka/versions.ts';
import { runMain } from './run-main.ts';

const run = promisify(execFile);
const N = 300;
const PARTITIONS = 3;
const log = (line: string): void => console.error(`[dr-drill] ${new Date().toISOString().slice(11, 19)} ${line}`);

type Kind = 'ours' | 'java';
type Scenario = 'idle' | 'caught-up';

interface Row {
  mirror: Kind;
  scenario: Scenario;
  produced: number;
  consumedOnSource: number;
  translated: number | 'none';
  reread: number;
  missing: number;
  failoverSeconds: number;
  /** Java only: what RemoteClusterUtils translates once a full default position flush (60 s) has passed. */
  translatedLater?: number | 'none';
}

/** The shared mm2.properties: the keys of the e2e drill; everything else (flush 60 s, offset.lag.max 100) is the default. */
function properties(s: string, t: string, bootstrap: Record<string, string>, prefix: string): string {
  return [
    `clusters = ${s}, ${t}`,
    `${s}.bootstrap.servers = ${bootstrap['source']}`,
    `${t}.bootstrap.servers = ${bootstrap['target']}`,
    `${s}->${t}.enabled = true`,
    `${s}->${t}.topics = ${prefix}.*`,
    `${s}->${t}.groups = ${prefix}.*`,
    `${t}->${s}.enabled = false`,
    'emit.checkpoints.interval.seconds = 1',
    'refresh.groups.interval.seconds = 1',
    'sync.group.offsets.enabled = false',
    'sync.topic.acls.enabled = false',
    `${s}.plugin.discovery = service_load`,
    `${t}.plugin.discovery = service_load`,
    ...SINGLE_BROKER_LINES,
    '',
  ].join('\n');
}

/** Runs scripts/dr-drill/TranslateCommit.java (source-file mode) and sums the offsets it prints. */
async function javaOffsets(
  libs: string,
  mode: string,
  bootstrap: string,
  alias: string,
  group: string,
): Promise<number | 'none'> {
  const { stdout } = await run(
    'java',
    [
      '-Xmx256m',
      '-Dlog4j2.level=WARN',
      '-Dlog4j.configuration=file:/dev/null',
      '-cp',
      classpath(libs),
      join(REPO_ROOT, 'scripts/dr-drill/TranslateCommit.java'),
      mode,
      bootstrap,
      alias,
      group,
    ],
    { timeout: 90_000, killSignal: 'SIGKILL' },
  );
  const lines = stdout.split('\n').filter((l) => /^\S+ \d+ \d+$/.test(l));
  return lines.length === 0 ? 'none' : lines.reduce((sum, l) => sum + Number(l.split(' ')[2]), 0);
}

/** Records of `topic` on `bootstrap` (0 while it does not exist). */
async function countRecords(bootstrap: string, topic: string): Promise<number> {
  const r = await kcat(['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%s\\n'], { timeoutMs: 20_000 });
  return r.code === 0 ? r.stdout.split('\n').filter((l) => l !== '').length : 0;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(1_000);
  }
}

function tally(before: string[], after: string[]): { missing: number; reread: number } {
  const first = new Set(before);
  const all = new Set([...before, ...after]);
  let missing = 0;
  for (let i = 1; i <= N; i++) if (!all.has(String(i))) missing++;
  return { missing, reread: after.filter((v) => first.has(v)).length };
}

const numbers = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => String(from + i));

/** Creates the drill topics on the source before the mirror starts (so its first topic scan finds them). */
async function createTopics(bootstrap: string, names: string[]): Promise<void> {
  const cluster = openKafkaCluster({
    clientId: 'mm2-dr-drill',
    bootstrapServers: [bootstrap],
    securityProtocol: 'PLAINTEXT',
  });
  const admin = await cluster.admin();
  try {
    const results = await admin.createTopics(
      names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1 })),
    );
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`creating ${failed.name}: ${failed.error}`);
  } finally {
    await admin.close();
    await cluster.close();
  }
}

/** One mirror, both scenarios, on topics and groups no other run used. */
async function drill(kind: Kind, bed: TestBed, dir: string, version: string, libs: string): Promise<Row[]> {
  const [s, t] = kind === 'ours' ? ['A', 'B'] : ['C', 'D'];
  const src = bed.bootstrap['source']!;
  const dst = bed.bootstrap['target']!;
  const prefix = `drill${kind}${Date.now() % 100000}`;
  const topics = { idle: `${prefix}-idle`, 'caught-up': `${prefix}-caught` };
  await createTopics(src, Object.values(topics));
  const runDir = mkdtempSync(join(dir, `${kind}-`));
  const text = properties(s, t, bed.bootstrap, prefix);
  log(`${kind}: starting the mirror (${s}->${t})`);
  const mirror: StartedMirror = await startMirror(kind, text, t, runDir, version);
  const file = join(runDir, kind === 'ours' ? 'mm2-ours.properties' : 'mm2-java.properties');
  const rows: Row[] = [];
  try {
    for (const scenario of ['idle', 'caught-up'] as const) {
      const topic = topics[scenario];
      const group = `${prefix}-${scenario}-app`;
      const remote = `${s}.${topic}`;
      let before: string[];
      if (scenario === 'idle') {
        // The consumer reads 100 and stops while records keep coming: its position stays behind.
        await kcatProduce(src, topic, numbers(1, N / 2));
        before = await kcatConsume(src, group, topic, 100);
        await kcatProduce(src, topic, numbers(N / 2 + 1, N / 2));
      } else {
        await kcatProduce(src, topic, numbers(1, N));
        before = await kcatConsume(src, group, topic);
        await sleep(5_000);
      }
      log(`${kind} ${scenario}: ${before.length} read on the source; failing over`);
      const started = Date.now();
      let translated: number | 'none';
      if (kind === 'ours') {
        const stateDir = join(runDir, `state-${scenario}`);
        const args = [
          'failover',
          file,
          '--from',
          s,
          '--to',
          t,
          '--groups',
          group,
          '--execute',
          '--state-dir',
          stateDir,
        ];
        // Idle: wait for lag and checkpoints as the runbook does; caught-up: fail over now, whatever the translation says.
        if (scenario === 'idle') args.push('--wait-lag', '20');
        let result = await runMm2(args);
        for (let i = 0; scenario === 'idle' && result.code !== 0 && i < 30; i++) {
          await sleep(1_000);
          result = await runMm2(args);
        }
        if (result.code !== 0) throw new Error(`mm2 failover exited ${result.code}: ${result.out}\n${result.err}`);
        writeFileSync(join(runDir, `failover-${scenario}.txt`), result.out);
        translated = await javaOffsets(libs, 'committed', dst, '-', group);
      } else {
        if (scenario === 'idle') {
          // The Java user's equivalent of --wait-lag: wait until every record is on the target and a checkpoint exists.
          await until('all records on the target', async () => (await countRecords(dst, remote)) >= N, 60_000);
          await until(
            'a checkpoint for the group',
            async () => (await javaOffsets(libs, 'translate', dst, s, group)) !== 'none',
            120_000,
          );
        }
        translated = await javaOffsets(libs, 'commit', dst, s, group);
      }
      const failoverSeconds = (Date.now() - started) / 1000;
      await until('all records on the target', async () => (await countRecords(dst, remote)) >= N, 60_000);
      const after = await kcatConsume(dst, group, remote);
      const { missing, reread } = tally(before, after);
      log(
        `${kind} ${scenario}: translated ${translated}, ${after.length} read on the target, re-read ${reread}, missing ${missing}`,
      );
      rows.push({
        mirror: kind,
        scenario,
        produced: N,
        consumedOnSource: before.length,
        translated,
        reread,
        missing,
        failoverSeconds,
      });
    }
    if (kind === 'java') {
      // Was Java failed over too early? Translate again (no commit) after its default 60 s position
      // flush has emitted the offset-syncs it holds back, and report that beside the figures above.
      log('java: translating again 65 s later (translate only)');
      await sleep(65_000);
      for (const row of rows)
        row.translatedLater = await javaOffsets(libs, 'translate', dst, s, `${prefix}-${row.scenario}-app`);
    }
  } finally {
    await mirror.proc.stop(30_000);
  }
  return rows;
}

function table(rows: Row[]): string {
  const head =
    '| Mirror | Group | Produced | Consumed on source | Translated offset (sum) | Re-read on target | Missing | Failover step (s) | Translated 65 s later |';
  const sep = '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const name = (k: Kind): string =>
    k === 'ours' ? 'mirrormaker-ts (`mm2 failover --execute`)' : 'Java MM2 (`RemoteClusterUtils` + commit)';
  const body = rows.map(
    (r) =>
      `| ${name(r.mirror)} | ${r.scenario === 'idle' ? 'idle' : 'caught up 5 s before'} | ${r.produced} | ${r.consumedOnSource} | ${r.translated} | ${r.reread} | ${r.missing} | ${r.failoverSeconds.toFixed(1)} | ${r.translatedLater ?? '—'} |`,
  );
  return [head, sep, ...body].join('\n');
}

async function main(): Promise<number> {
  const info = selectedKafkaVersion();
  const libs = ensureKafkaJars(info, log);
  const dir = mkdtempSync(join(tmpdir(), 'mm2-dr-drill-'));
  let bed: TestBed | undefined;
  const cleanup = async (): Promise<void> => {
    await stopAllTracked();
    await bed?.stop();
    bed = undefined;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping mirrors and clusters`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: Row[] = [];
  try {
    log('building the package (npm run build): ours runs dist/, as installed');
    buildOursOnce();
    log(`starting source and target clusters (Kafka ${info.version}); work folder ${dir}`);
    bed = await startTestBed({ aliases: ['source', 'target'], info, ownerPid: process.pid, log });
    for (const kind of ['ours', 'java'] as const) rows.push(...(await drill(kind, bed, dir, info.version, libs)));
  } catch (err) {
    log(`failed; logs kept in ${dir}`);
    throw err;
  } finally {
    await cleanup();
  }
  console.log(
    `Kafka ${info.version}, ${N} records numbered 1..${N} over ${PARTITIONS} partitions, kcat ${kcatVersion()}\n`,
  );
  console.log(table(rows));
  rmSync(dir, { recursive: true, force: true });
  return rows.some((r) => r.missing > 0) ? 1 : 0;
}

function kcatVersion(): string {
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  const m = /Version (\S+) .*librdkafka (\S+)/.exec(r.stdout + r.stderr);
  return m ? `${m[1]} (librdkafka ${m[2]})` : 'unknown';
}

runMain(main);
