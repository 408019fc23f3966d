/**
 * `node scripts/bench/scale.ts`: what many idle partitions cost the mirror. Creates `--topics`
 * topics of `--partitions` partitions on a local source cluster, writes one record to every
 * partition, then runs our mirror (`topics = s-.*`) once per variant (same source) and prints
 * a table: time to the first and to the last record on the target, peak RSS, CPU at idle over
 * `--idle-seconds` once everything is copied, the bytes it writes and reads per second then (its
 * fetch requests and responses, from /proc/<pid>/io), `/metrics` size and scrape time, and
 * offset-sync records written.
 *
 * Variants run one after the other on the same source, each into its own fresh target cluster (so
 * the second does not find the first one's 1,000 remote topics there), within minutes of each
 * other on the same machine:
 * `--variant NAME=CHECKOUT[:key=value,…]` runs the mirror of another checkout (e.g. /work/main)
 * with extra properties. Without `--variant` the current checkout runs at the default settings.
 * `--profile` runs each variant under `node --cpu-prof` and summarizes the idle phase.
 *
 * `--mirror java` runs Apache Kafka's MM2 (scripts/bench/mirrors.ts, the drain bench's launcher)
 * instead, `--mirror both` ours then Java: the same source, each on its own aliases and target,
 * the same measures (no `/metrics` for Java). `--group` commits one consumer group's offsets on
 * every source partition first, so both mirrors have checkpoints to emit (their volume is counted).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { openKafkaCluster, type KafkaAdmin, type KafkaCluster } from '../../src/kafka/index.ts';
import { freePort } from '../kafka/ports.ts';
import { REPO_ROOT } from '../kafka/paths.ts';
import { SINGLE_BROKER_LINES, startTestBed, type TestBed } from '../kafka/testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../kafka/versions.ts';
import { BUILT_MIRROR_SCRIPT, buildMirrorOnce, mirrorNodeFlags } from '../mirror-node-flags.ts';
import { startMirror } from './mirrors.ts';
import type { MirrorKind } from './options.ts';
import { cpuSeconds, ProcessSampler, spawnLogged, stopAllTracked, type Tracked } from './procs.ts';
import { findCpuProfile, summarizeCpuProfile, type ProfileSummary } from './profile.ts';

interface Variant {
  name: string;
  kind: MirrorKind;
  /** Checkout whose src/cli/connect-mirror-maker.ts runs. */
  root: string;
  properties: Record<string, string>;
}

interface ScaleResult {
  variant: string;
  firstRecordSeconds: number;
  allRecordsSeconds: number;
  peakRssMb: number;
  idleRssMb: number;
  idleCpuPercent: number;
  /** Socket + file bytes the mirror wrote / read per second while idle (/proc/<pid>/io wchar, rchar). */
  idleWriteKBps: number;
  idleReadKBps: number;
  /** Ours only (Java has no Prometheus endpoint): NaN for Java. */
  metricsBytes: number;
  scrapeMs: number;
  offsetSyncs: number;
  /** Records in the target's `<source>.checkpoints.internal` at the end of the run. */
  checkpoints: number;
  /** Range of the 1-minute load average while the variant ran (sampled every 5 s). */
  loadMin: number;
  loadMax: number;
  profile?: ProfileSummary;
}

const log = (line: string): void => console.error(`[bench:scale] ${line}`);

/** The consumer group `--group` commits on the source (checkpoint volume). */
const GROUP = 'bench-scale-group';

function parseVariant(text: string): Variant {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--variant NAME=CHECKOUT[:key=value,…], got "${text}"`);
  const name = text.slice(0, eq);
  const [root, props] = text.slice(eq + 1).split(/:(.*)/s, 2) as [string, string | undefined];
  const properties: Record<string, string> = {};
  for (const kv of (props ?? '').split(',').filter((s) => s.trim() !== '')) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--variant property must be key=value, got "${kv}"`);
    properties[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return { name, kind: 'ours', root: resolve(root || REPO_ROOT), properties };
}

async function createTopics(admin: KafkaAdmin, names: string[], partitions: number): Promise<void> {
  // Small chunks, each retried: a loaded broker times CreateTopics out (the topics of a timed-out
  // request may exist already, which the retry accepts).
  for (let i = 0; i < names.length; i += 50) {
    const chunk = names.slice(i, i + 50).map((name) => ({ name, partitions, replicationFactor: 1 }));
    for (let attempt = 1; ; attempt++) {
      const result = await admin.createTopics(chunk).catch((err: unknown) => {
        if (attempt >= 5) throw err;
        return undefined;
      });
      if (result === undefined) continue;
      const failed = result.filter((r) => r.error !== undefined && !/exists/i.test(r.error));
      if (failed.length === 0) break;
      if (attempt >= 5) throw new Error(`could not create ${failed[0]!.name}: ${failed[0]!.error}`);
    }
  }
}

/** Sum of the high watermarks of `topics` (all partitions), read with one fetch per leader. */
async function copiedRecords(target: KafkaCluster, admin: KafkaAdmin, prefix: string, partitions: number) {
  const existing = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (existing.length === 0) return 0;
  const source = await target.recordSource({ maxWaitMs: 0, maxBytes: 1, maxPartitionBytes: 1 });
  try {
    const requests = existing.flatMap((topic) =>
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n })),
    );
    const fetched = await source.fetchUndecoded(requests);
    return fetched.reduce((n, f) => n + (f.highWatermark > 0n ? Number(f.highWatermark) : 0), 0);
  } finally {
    await source.close();
  }
}

/** Bytes a process passed to write/send and read/recv so far (/proc/<pid>/io); sockets included. */
function ioBytes(pid: number): { written: number; read: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? NaN);
    return { written: field('wchar'), read: field('rchar') };
  } catch {
    return { written: NaN, read: NaN };
  }
}

async function scrape(url: string): Promise<{ bytes: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { bytes: body.length, ms: performance.now() - t0 };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      topics: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '8' },
      'idle-seconds': { type: 'string', default: '30' },
      // Wait after the copy before the idle window (past the first position flush, 60 s after start, for a steady figure).
      'settle-seconds': { type: 'string', default: '10' },
      'timeout-seconds': { type: 'string', default: '300' },
      variant: { type: 'string', multiple: true },
      'kafka-version': { type: 'string', default: '4.1.2' },
      profile: { type: 'boolean', default: false },
      mirror: { type: 'string', default: 'ours' },
      group: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      // Keep the work folder (the mirrors' logs: with --log-level debug, where the start-up went).
      'keep-logs': { type: 'boolean', default: false },
      // 512 MB (the test bed's default) was seen to lose the source broker with 8,000 partitions.
      'heap-mb': { type: 'string', default: '1024' },
    },
  });
  const topicCount = Number(values.topics);
  const partitions = Number(values.partitions);
  const idleSeconds = Number(values['idle-seconds']);
  const settleSeconds = Number(values['settle-seconds']);
  const timeoutMs = Number(values['timeout-seconds']) * 1000;
  const mirror = values.mirror;
  if (mirror !== 'ours' && mirror !== 'java' && mirror !== 'both')
    throw new Error(`--mirror must be ours, java or both, got "${mirror}"`);
  const variants = [
    ...(mirror === 'java' ? [] : (values.variant ?? ['current=' + REPO_ROOT]).map(parseVariant)),
    ...(mirror === 'ours' ? [] : [{ name: 'java', kind: 'java' as const, root: REPO_ROOT, properties: {} }]),
  ];
  const info = SUPPORTED_KAFKA_VERSIONS[values['kafka-version']];
  if (!info) throw new Error(`--kafka-version must be one of ${Object.keys(SUPPORTED_KAFKA_VERSIONS).join(', ')}`);
  const total = topicCount * partitions;
  const dir = mkdtempSync(join(tmpdir(), 'mm2-bench-scale-'));
  let bed: TestBed | undefined;
  const clients: { cluster: KafkaCluster; admin: KafkaAdmin }[] = [];
  const cleanup = async (): Promise<void> => {
    await stopAllTracked();
    await Promise.allSettled(clients.map(async (c) => (await c.admin.close(), await c.cluster.close())));
    await bed?.stop();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  const results: ScaleResult[] = [];
  try {
    if (variants.some((v) => v.kind === 'ours' && resolve(v.root) === resolve(REPO_ROOT)) && !values.profile) {
      log('building the package (npm run build): this checkout runs dist/, as installed');
      buildMirrorOnce();
    }
    log(`starting source and target clusters (Kafka ${info.version}); work folder ${dir}`);
    const targets = variants.map((_, k) => `target${k}`);
    bed = await startTestBed({
      aliases: ['source', ...targets],
      info,
      heapMb: Number(values['heap-mb']),
      ownerPid: process.pid,
      log,
    });
    for (const alias of ['source', ...targets]) {
      const cluster = openKafkaCluster({
        clientId: `mm2-bench-scale-${alias}`,
        bootstrapServers: [bed.bootstrap[alias]!],
        securityProtocol: 'PLAINTEXT',
      });
      clients.push({ cluster, admin: await cluster.admin() });
    }
    const src = clients[0]!;
    const names = Array.from({ length: topicCount }, (_, i) => `s-${String(i).padStart(5, '0')}`);
    let t0 = Date.now();
    await createTopics(src.admin, names, partitions);
    log(`created ${topicCount} topics × ${partitions} partitions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    t0 = Date.now();
    const sink = await src.cluster.recordSink({ acks: 1 });
    for (const topic of names) {
      await sink.send(
        topic,
        Array.from({ length: partitions }, (_, partition) => ({ partition, key: null, value: Buffer.from('x') })),
      );
    }
    await sink.close();
    log(`wrote one record to each of ${total} partitions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (values.group) {
      // One group that has consumed everything: each mirror's checkpoint connector translates it.
      await src.admin.commitGroupOffsets(
        GROUP,
        names.flatMap((topic) =>
          Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 1n })),
        ),
      );
      log(`committed offsets of group ${GROUP} on all ${total} partitions`);
    }

    for (const [k, variant] of variants.entries()) {
      const alias = `src${k}`;
      const targetAlias = `tgt${k}`;
      const port = await freePort();
      const tgt = clients[k + 1]!;
      const props: Record<string, string> = {
        clusters: `${alias}, ${targetAlias}`,
        [`${alias}.bootstrap.servers`]: bed.bootstrap['source']!,
        [`${targetAlias}.bootstrap.servers`]: bed.bootstrap[targets[k]!]!,
        [`${alias}->${targetAlias}.enabled`]: 'true',
        [`${alias}->${targetAlias}.topics`]: 's-.*',
        [`${targetAlias}->${alias}.enabled`]: 'false',
        ...Object.fromEntries(SINGLE_BROKER_LINES.map((line) => line.split(' = ') as [string, string])),
        'mm2ts.http.listener': `127.0.0.1:${port}`,
        ...variant.properties,
      };
      let proc: Tracked;
      let logFile: string;
      const profileDir = join(dir, `${variant.name}-profile`);
      const started = Date.now();
      if (variant.kind === 'java') {
        // The same route (its own aliases and target), the drain bench's Java launcher and its
        // plugin-discovery setting; the HTTP listener is ours only.
        const { 'mm2ts.http.listener': _listener, ...shared } = props;
        const text =
          Object.entries(shared)
            .map(([key, v]) => `${key} = ${v}`)
            .join('\n') +
          `\n${alias}.plugin.discovery = service_load\n${targetAlias}.plugin.discovery = service_load\n`;
        const runDir = join(dir, variant.name);
        mkdirSync(runDir);
        log(`variant java: Kafka ${info.version} MirrorMaker`);
        const java = await startMirror('java', text, targetAlias, runDir, info.version);
        proc = java.proc;
        logFile = java.logFile;
      } else {
        const file = join(dir, `${variant.name}.properties`);
        writeFileSync(
          file,
          Object.entries(props)
            .map(([key, v]) => `${key} = ${v}`)
            .join('\n') + '\n',
        );
        // This checkout runs as installed (built, dist/; built before any clock starts); another
        // variant's folder (a `git archive` export) and profiled runs take the sources.
        const built = resolve(variant.root) === resolve(REPO_ROOT) && !values.profile;
        const script = built ? BUILT_MIRROR_SCRIPT : join(variant.root, 'src', 'cli', 'connect-mirror-maker.ts');
        const flags = [
          ...mirrorNodeFlags(script),
          ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        ];
        log(`variant ${variant.name}: ${script} ${JSON.stringify(variant.properties)}`);
        logFile = join(dir, `${variant.name}.log`);
        proc = spawnLogged(
          variant.name,
          process.execPath,
          [...flags, script, file, '--clusters', targetAlias],
          logFile,
          {
            ...process.env,
            LOG_LEVEL: values['log-level'],
          },
        );
      }
      const sampler = new ProcessSampler(proc.pid);
      // The machine is shared: the load while a variant runs says how far its times can be trusted.
      const loads = [loadavg()[0]!];
      const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000);
      let first = Number.NaN;
      let copied = 0;
      while (copied < total) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`${variant.name}: ${copied}/${total} copied after ${timeoutMs / 1000} s (log ${logFile})`);
        await sleep(1000);
        copied = await copiedRecords(tgt.cluster, tgt.admin, `${alias}.s-`, partitions);
        if (copied > 0 && Number.isNaN(first)) first = (Date.now() - started) / 1000;
      }
      const all = (Date.now() - started) / 1000;
      log(
        `${variant.name}: all ${total} records on the target after ${all.toFixed(1)} s; settling ${settleSeconds} s, then idle for ${idleSeconds} s`,
      );
      await sleep(settleSeconds * 1000);
      const idleStartUs = Number(process.hrtime.bigint() / 1000n);
      const cpu0 = cpuSeconds(proc.pid) ?? 0;
      const io0 = ioBytes(proc.pid);
      const w0 = Date.now();
      await sleep(idleSeconds * 1000);
      const idleWallSeconds = (Date.now() - w0) / 1000;
      const idleCpuPercent = (((cpuSeconds(proc.pid) ?? 0) - cpu0) / idleWallSeconds) * 100;
      const io1 = ioBytes(proc.pid);
      const idleEndUs = Number(process.hrtime.bigint() / 1000n);
      // Scrapes after the idle window, so their cost is not counted as idle: median of three.
      const scrapes = [];
      if (variant.kind === 'ours')
        for (let i = 0; i < 3; i++) scrapes.push(await scrape(`http://127.0.0.1:${port}/metrics`));
      scrapes.sort((a, b) => a.ms - b.ms);
      const syncTopic = `mm2-offset-syncs.${targetAlias}.internal`;
      const offsetSyncs = (await src.admin.listOffsets(syncTopic)).reduce((n, o) => n + Number(o.latest), 0);
      const checkpointTopic = `${alias}.checkpoints.internal`;
      const checkpoints = (await tgt.admin.listTopics()).includes(checkpointTopic)
        ? (await tgt.admin.listOffsets(checkpointTopic)).reduce((n, o) => n + Number(o.latest), 0)
        : 0;
      clearInterval(loadTimer);
      loads.push(loadavg()[0]!);
      sampler.sample();
      const idleRssMb = sampler.peakRssMb;
      sampler.stop();
      await proc.stop(30_000);
      const result: ScaleResult = {
        variant: variant.name,
        firstRecordSeconds: first,
        allRecordsSeconds: all,
        peakRssMb: sampler.peakRssMb,
        idleRssMb,
        idleCpuPercent,
        idleWriteKBps: (io1.written - io0.written) / 1000 / idleWallSeconds,
        idleReadKBps: (io1.read - io0.read) / 1000 / idleWallSeconds,
        metricsBytes: scrapes[1]?.bytes ?? Number.NaN,
        scrapeMs: scrapes[1]?.ms ?? Number.NaN,
        offsetSyncs,
        checkpoints,
        loadMin: Math.min(...loads),
        loadMax: Math.max(...loads),
      };
      if (values.profile && variant.kind === 'ours') {
        const profile = findCpuProfile(profileDir);
        if (profile) result.profile = summarizeCpuProfile(profile, [idleStartUs, idleEndUs], 12);
      }
      results.push(result);
      log(JSON.stringify({ ...result, profile: undefined }));
    }
  } finally {
    await cleanup();
  }
  const head = `${topicCount} topics × ${partitions} partitions (${total} partitions, one record each), Kafka ${info.version}, idle window ${idleSeconds} s`;
  console.log(`\n${head}\n`);
  console.log(
    '| variant | first record (s) | all records (s) | peak RSS (MB) | idle CPU (% of a core) | idle written / read (KB/s) | /metrics (MB) | scrape (ms) | offset-syncs | checkpoints | load |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.variant} | ${r.firstRecordSeconds.toFixed(1)} | ${r.allRecordsSeconds.toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.idleCpuPercent.toFixed(1)} | ${r.idleWriteKBps.toFixed(1)} / ${r.idleReadKBps.toFixed(1)} | ${Number.isNaN(r.metricsBytes) ? '–' : (r.metricsBytes / 1e6).toFixed(2)} | ${Number.isNaN(r.scrapeMs) ? '–' : r.scrapeMs.toFixed(0)} | ${r.offsetSyncs} | ${r.checkpoints} | ${r.loadMin.toFixed(1)}–${r.loadMax.toFixed(1)} |`,
    );
  }
  for (const r of results) {
    if (!r.profile) continue;
    console.log(`\nIdle profile of ${r.variant}: busy ${r.profile.busyMs} ms of ${r.profile.wallMs} ms\n`);
    for (const f of r.profile.functions) console.log(`- ${f.percent}% ${f.name}`);
    console.log('');
    for (const a of r.profile.areas.slice(0, 8)) console.log(`- area ${a.percent}% ${a.name}`);
  }
  if (values['keep-logs']) log(`logs kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
