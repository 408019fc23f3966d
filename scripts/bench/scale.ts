/**
 * `node scripts/bench/scale.ts`: what many idle partitions cost the mirror. Creates `--topics`
 * topics of `--partitions` partitions on a local source cluster, writes one record to every
 * partition, then runs our mirror (`topics = s-.*`) once per variant (same source) and prints
 * a table: time to the first and to the last record on the target, peak RSS, CPU at idle over
 * `--idle-seconds` once everything is copied, the bytes it writes and reads per second then (its
 * fetch requests and responses, from /proc/<pid>/io), how long one record written after the idle
 * phase takes to reach the target, `/metrics` size and scrape time (the first of its life, then the median of five more), and offset-sync records written. Above it, the case's broker-bound limit: how long the bench's own
 * client took to create the source topics and have every partition take its record, as fast as a
 * client can (the brokers' pace at making that many partitions writable, which any mirror's copy
 * into a fresh target waits on as well), and each mirror's all-records time as a multiple of it.
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
 *
 * `--refresh-seconds N`: the cost of one topic refresh (both mirrors re-list the source topics every
 * `refresh.topics.interval.seconds`, 600 s by default). Right after its idle phase each variant
 * starts again with the interval at N and is idle again over a whole number of intervals; a later
 * restart at the default is idle the same way, and the extra CPU per second of the first over the
 * second, times N, is the CPU ms per refresh.
 * `--load-rate N` (`--load-seconds`): once every variant has had its idle phase, each starts again
 * and takes a light steady load, N records/s round-robin over every source partition, written by
 * this process (scripts/bench/scale-load.ts); its CPU and RSS then, the latency of every record
 * (source CreateTime → target LogAppendTime) and how many arrived go into the table.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriable, openKafkaCluster, type KafkaAdmin, type KafkaCluster } from '../../src/kafka/index.ts';
import { doublingBackoffMs } from '../../src/kafka/backoff.ts';
import { freePort } from '../kafka/ports.ts';
import { REPO_ROOT } from '../kafka/paths.ts';
import { SINGLE_BROKER_LINES, startTestBed, type TestBed } from '../kafka/testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../kafka/versions.ts';
import { BUILT_MIRROR_SCRIPT, buildMirrorOnce, mirrorNodeFlags } from '../mirror-node-flags.ts';
import { startMirror } from './mirrors.ts';
import type { MirrorKind } from './options.ts';
import { cpuSeconds, memoryMb, ProcessSampler, spawnLogged, stopAllTracked, type Tracked } from './procs.ts';
import { LOAD_RECORD_BYTES, steadyLoadPhase, type LoadResult } from './scale-load.ts';
import { findCpuProfile, summarizeCpuProfile, type ProfileSummary } from './profile.ts';
import { createTopics } from './source-topics.ts';
import { runMain } from '../run-main.ts';

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
  /**
   * The source broker's CPU over the same idle window (% of a core): what the mirror's idle fetch
   * rounds cost the broker (variants run one after another against the one source broker).
   */
  idleSourceBrokerCpuPercent: number;
  /** Socket + file bytes the mirror wrote / read per second while idle (/proc/<pid>/io wchar, rchar). */
  idleWriteKBps: number;
  idleReadKBps: number;
  /** Seconds from a record written to the source after the idle phase to its copy on the target. */
  afterIdleSeconds: number;
  /** Ours only (Java has no Prometheus endpoint): NaN for Java. */
  metricsBytes: number;
  /** The first scrape of the mirror's life (V8 has not optimized the scrape's code yet). */
  firstScrapeMs: number;
  /** Median of the next five: what a Prometheus server scraping every 15 s or so gets. */
  scrapeMs: number;
  offsetSyncs: number;
  /** Records in the target's `<source>.checkpoints.internal` at the end of the run. */
  checkpoints: number;
  /** Range of the 1-minute load average while the variant ran (sampled every 5 s). */
  loadMin: number;
  loadMax: number;
  /** `--load-rate`: the light steady load after the idle phase. */
  load?: LoadResult;
  /** `--refresh-seconds`: CPU ms one topic refresh costs (NaN when off). */
  refreshCpuMs: number;
  /** Idle CPU (% of a core) of the restart with `refresh.topics.interval.seconds = --refresh-seconds`. */
  refreshIdleCpuPercent?: number;
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

/** How long the bench waits for every source partition to take its record. */
const WRITE_TIMEOUT_MS = 180_000;

/**
 * Writes one record (value `x`) to every partition of `topics`, all sent at once (the sink puts
 * the sends of one turn in one request per leader). A send the broker refuses as retriable (its
 * partition not ready yet: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION) is sent again after
 * 100 ms doubling to 1 s, and only that partition's: a refused record was not written, so each
 * partition ends with one record.
 */
async function writeOneRecordEach(
  cluster: KafkaCluster,
  topics: string[],
  partitions: number,
  timeoutMs: number,
): Promise<void> {
  const sink = await cluster.recordSink({ acks: 1 });
  const deadline = Date.now() + timeoutMs;
  const writeOne = async (topic: string, partition: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await sink.send(topic, [{ partition, key: null, value: Buffer.from('x') }]);
        return;
      } catch (err) {
        if (!isRetriable(err) || Date.now() > deadline) throw err;
        await sleep(doublingBackoffMs(attempt, 1_000));
      }
    }
  };
  // allSettled: no send is left running when the sink closes.
  const outcomes = await Promise.allSettled(
    topics.flatMap((topic) => Array.from({ length: partitions }, (_, partition) => writeOne(topic, partition))),
  );
  await sink.close();
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
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
      // Wait after a copy before an idle window.
      'settle-seconds': { type: 'string', default: '10' },
      // The mirrors' offset.flush.interval.ms (MM2's default, 60 s), in seconds. The first flush
      // after the copy stores the position of every partition copied (8,000 records for 8,000
      // partitions, ~0.8 MB, and its CPU): a one-time cost of the copy, not of idling, so the first
      // idle window starts this long (+ 5 s) after the last record arrived at least.
      'flush-seconds': { type: 'string', default: '60' },
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
      // After the idle phase: this many records/s round-robin over every source partition (0: off).
      'load-rate': { type: 'string', default: '0' },
      'load-seconds': { type: 'string', default: '30' },
      // A restart with refresh.topics.interval.seconds = N, idle again: the cost of one refresh (0: off).
      'refresh-seconds': { type: 'string', default: '0' },
    },
  });
  const topicCount = Number(values.topics);
  const partitions = Number(values.partitions);
  const idleSeconds = Number(values['idle-seconds']);
  const settleSeconds = Number(values['settle-seconds']);
  const flushSeconds = Number(values['flush-seconds']);
  const firstSettleSeconds = Math.max(settleSeconds, flushSeconds + 5);
  const timeoutMs = Number(values['timeout-seconds']) * 1000;
  const mirror = values.mirror;
  const loadRate = Number(values['load-rate']);
  const loadSeconds = Number(values['load-seconds']);
  const refreshSeconds = Number(values['refresh-seconds']);
  for (const [flag, v] of [
    ['--load-rate', loadRate],
    ['--load-seconds', loadSeconds],
    ['--refresh-seconds', refreshSeconds],
    ['--settle-seconds', settleSeconds],
    ['--flush-seconds', flushSeconds],
  ] as const)
    if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} must be a number ≥ 0, got "${v}"`);
  if (mirror !== 'ours' && mirror !== 'java' && mirror !== 'both')
    throw new Error(`--mirror must be ours, java or both, got "${mirror}"`);
  const variants = [
    ...(mirror === 'java' ? [] : (values.variant ?? ['current=' + REPO_ROOT]).map(parseVariant)),
    ...(mirror === 'ours' ? [] : [{ name: 'java', kind: 'java' as const, root: REPO_ROOT, properties: {} }]),
  ];
  const info = SUPPORTED_KAFKA_VERSIONS[values['kafka-version']];
  if (!info) throw new Error(`--kafka-version must be one of ${Object.keys(SUPPORTED_KAFKA_VERSIONS).join(', ')}`);
  const total = topicCount * partitions;
  /** How long the bench's own client took to create the source topics and write their records. */
  const setup = { createSeconds: Number.NaN, writeSeconds: Number.NaN };
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
    // The broker-bound limit of this case: the broker work a mirror's copy waits for on its target
    // (the remote topics created, every partition taking a record), done on the source by the
    // bench's own client as fast as a client can: every topic in one call of the port's
    // createTopics (cut into requests and waited for as the mirror's topic sync does), then every
    // partition's record sent at once, each sent again while the broker is not ready for it.
    let t0 = Date.now();
    await createTopics(src.admin, names, partitions, names.length);
    setup.createSeconds = (Date.now() - t0) / 1000;
    log(`created ${topicCount} topics × ${partitions} partitions in ${setup.createSeconds.toFixed(1)} s`);
    t0 = Date.now();
    await writeOneRecordEach(src.cluster, names, partitions, WRITE_TIMEOUT_MS);
    setup.writeSeconds = (Date.now() - t0) / 1000;
    log(`wrote one record to each of ${total} partitions in ${setup.writeSeconds.toFixed(1)} s`);
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

    // Records on the source topics now (the sum of their end offsets).
    const sourceRecords = (): Promise<number> => copiedRecords(src.cluster, src.admin, 's-', partitions);
    /**
     * After a restart of variant `k`: writes one record and waits until the target has every
     * source record, so the mirror is copying again (its start-up is over).
     */
    const copyingAgain = async (k: number, logFile: string): Promise<void> => {
      const marker = await src.cluster.recordSink({ acks: 1 });
      await marker.send(names[0]!, [{ partition: 0, key: null, value: Buffer.from('x') }]);
      await marker.close();
      const expected = await sourceRecords();
      const t = Date.now();
      for (;;) {
        if (Date.now() - t > timeoutMs)
          throw new Error(
            `${variants[k]!.name}: not caught up ${timeoutMs / 1000} s after its restart (log ${logFile})`,
          );
        await sleep(1000);
        if ((await copiedRecords(clients[k + 1]!.cluster, clients[k + 1]!.admin, `src${k}.s-`, partitions)) >= expected)
          return;
      }
    };
    /** After `copyingAgain`: settles, then CPU % of a core over the idle window rounded up to whole refresh intervals. */
    const idleAfterRestart = async (pid: number, label: string): Promise<number> => {
      const windowSeconds = Math.ceil(idleSeconds / refreshSeconds) * refreshSeconds;
      log(`${label}: copying again after its restart; settling ${settleSeconds} s, then idle for ${windowSeconds} s`);
      await sleep(settleSeconds * 1000);
      const c0 = cpuSeconds(pid) ?? 0;
      const t = Date.now();
      await sleep(windowSeconds * 1000);
      return (((cpuSeconds(pid) ?? 0) - c0) / ((Date.now() - t) / 1000)) * 100;
    };
    const launchers: ((extra: Record<string, string>, tag: string) => Promise<{ proc: Tracked; logFile: string }>)[] =
      [];
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
      const profileDir = join(dir, `${variant.name}-profile`);
      // Starts this variant's mirror on `props` plus `extra`; `tag` keeps a restart's files apart.
      const launch = async (
        extra: Record<string, string>,
        tag: string,
      ): Promise<{ proc: Tracked; logFile: string }> => {
        const all = { ...props, ...extra };
        if (variant.kind === 'java') {
          // The same route (its own aliases and target), the drain bench's Java launcher and its
          // plugin-discovery setting; the HTTP listener is ours only.
          const { 'mm2ts.http.listener': _listener, ...shared } = all;
          const text =
            Object.entries(shared)
              .map(([key, v]) => `${key} = ${v}`)
              .join('\n') +
            `\n${alias}.plugin.discovery = service_load\n${targetAlias}.plugin.discovery = service_load\n`;
          const runDir = join(dir, `${variant.name}${tag}`);
          mkdirSync(runDir);
          log(`variant java${tag}: Kafka ${info.version} MirrorMaker ${JSON.stringify(extra)}`);
          const java = await startMirror('java', text, targetAlias, runDir, info.version);
          return { proc: java.proc, logFile: java.logFile };
        }
        const file = join(dir, `${variant.name}${tag}.properties`);
        writeFileSync(
          file,
          Object.entries(all)
            .map(([key, v]) => `${key} = ${v}`)
            .join('\n') + '\n',
        );
        // This checkout runs as installed (built, dist/; built before any clock starts); another
        // variant's folder (a `git archive` export) and profiled runs take the sources.
        const built = resolve(variant.root) === resolve(REPO_ROOT) && !values.profile;
        const script = built ? BUILT_MIRROR_SCRIPT : join(variant.root, 'src', 'cli', 'connect-mirror-maker.ts');
        // Only the first start is profiled (its idle phase is what the profile summarizes).
        const flags = [
          ...mirrorNodeFlags(script),
          ...(values.profile && tag === '' ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        ];
        log(`variant ${variant.name}${tag}: ${script} ${JSON.stringify({ ...variant.properties, ...extra })}`);
        const logFile = join(dir, `${variant.name}${tag}.log`);
        const proc = spawnLogged(
          variant.name,
          process.execPath,
          [...flags, script, file, '--clusters', targetAlias],
          logFile,
          { ...process.env, LOG_LEVEL: values['log-level'] },
        );
        return { proc, logFile };
      };
      const started = Date.now();
      let { proc, logFile } = await launch({}, '');
      const sampler = new ProcessSampler(proc.pid);
      // The machine is shared: the load while a variant runs says how far its times can be trusted.
      const loads = [loadavg()[0]!];
      const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000);
      // Everything on the source: one record per partition, plus the one record of each earlier
      // variant's restart below.
      const onSource = await sourceRecords();
      let first = Number.NaN;
      let copied = 0;
      while (copied < onSource) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`${variant.name}: ${copied}/${onSource} copied after ${timeoutMs / 1000} s (log ${logFile})`);
        await sleep(1000);
        copied = await copiedRecords(tgt.cluster, tgt.admin, `${alias}.s-`, partitions);
        if (copied > 0 && Number.isNaN(first)) first = (Date.now() - started) / 1000;
      }
      const all = (Date.now() - started) / 1000;
      log(
        `${variant.name}: all ${total} records on the target after ${all.toFixed(1)} s; settling ${firstSettleSeconds} s (past the next position flush), then idle for ${idleSeconds} s`,
      );
      await sleep(firstSettleSeconds * 1000);
      const idleStartUs = Number(process.hrtime.bigint() / 1000n);
      const cpu0 = cpuSeconds(proc.pid) ?? 0;
      const sourceBrokerPid = bed.clusters.find((c) => c.alias === 'source')!.pid;
      const brokerCpu0 = cpuSeconds(sourceBrokerPid) ?? Number.NaN;
      const io0 = ioBytes(proc.pid);
      const w0 = Date.now();
      await sleep(idleSeconds * 1000);
      const idleWallSeconds = (Date.now() - w0) / 1000;
      const idleCpuPercent = (((cpuSeconds(proc.pid) ?? 0) - cpu0) / idleWallSeconds) * 100;
      const idleSourceBrokerCpuPercent =
        (((cpuSeconds(sourceBrokerPid) ?? Number.NaN) - brokerCpu0) / idleWallSeconds) * 100;
      const io1 = ioBytes(proc.pid);
      const idleEndUs = Number(process.hrtime.bigint() / 1000n);
      // Scrapes after the idle window, so their cost is not counted as idle: the first one of the
      // mirror's life, then the median of five more. A `/health` call first loads the bench's own
      // HTTP client (Node's fetch loads undici on first use: 40–60 ms here) and opens the
      // connection, as a Prometheus server that already scrapes other targets has both.
      const scrapes = [];
      if (variant.kind === 'ours') {
        await scrape(`http://127.0.0.1:${port}/health`);
        for (let i = 0; i < 6; i++) scrapes.push(await scrape(`http://127.0.0.1:${port}/metrics`));
      }
      const firstScrape = scrapes.shift();
      scrapes.sort((a, b) => a.ms - b.ms);
      const syncTopic = `mm2-offset-syncs.${targetAlias}.internal`;
      const offsetSyncs = (await src.admin.listOffsets(syncTopic)).reduce((n, o) => n + Number(o.latest), 0);
      // One record after the idle phase, on the last partition: how long the idle mirror takes to
      // copy it (a mirror whose fetches stall once idle never does; NaN after --timeout-seconds).
      const lateTopic = names[names.length - 1]!;
      const late = await src.cluster.recordSink({ acks: 1 });
      await late.send(lateTopic, [{ partition: partitions - 1, key: null, value: Buffer.from('late') }]);
      await late.close();
      const lateAt = Date.now();
      // Only that partition is read: a pass over every partition takes seconds at 16,000.
      const lastOf = async (admin: KafkaAdmin, topic: string): Promise<bigint> =>
        (await admin.listOffsets(topic)).find((o) => o.partition === partitions - 1)?.latest ?? -1n;
      const lateEnd = await lastOf(src.admin, lateTopic);
      let afterIdleSeconds = Number.NaN;
      while (Date.now() - lateAt < timeoutMs) {
        await sleep(100);
        if ((await lastOf(tgt.admin, `${alias}.${lateTopic}`)) >= lateEnd) {
          afterIdleSeconds = (Date.now() - lateAt) / 1000;
          break;
        }
      }
      const checkpointTopic = `${alias}.checkpoints.internal`;
      const checkpoints = (await tgt.admin.listTopics()).includes(checkpointTopic)
        ? (await tgt.admin.listOffsets(checkpointTopic)).reduce((n, o) => n + Number(o.latest), 0)
        : 0;
      sampler.sample();
      // Peak RSS up to the end of the idle phase: start-up and the copy, as before the load phase.
      const peakRssMb = sampler.peakRssMb;
      const result: ScaleResult = {
        variant: variant.name,
        firstRecordSeconds: first,
        allRecordsSeconds: all,
        peakRssMb,
        idleRssMb: peakRssMb,
        idleCpuPercent,
        idleSourceBrokerCpuPercent,
        idleWriteKBps: (io1.written - io0.written) / 1000 / idleWallSeconds,
        idleReadKBps: (io1.read - io0.read) / 1000 / idleWallSeconds,
        afterIdleSeconds,
        metricsBytes: scrapes[2]?.bytes ?? Number.NaN,
        firstScrapeMs: firstScrape?.ms ?? Number.NaN,
        scrapeMs: scrapes[2]?.ms ?? Number.NaN,
        offsetSyncs,
        checkpoints,
        loadMin: 0,
        loadMax: 0,
        refreshCpuMs: Number.NaN,
      };
      sampler.stop();
      await proc.stop(30_000);
      if (refreshSeconds > 0) {
        // Neither mirror changes its refresh interval while running: a second start on the same
        // target (it resumes from its stored positions) with the short interval, idle over a whole
        // number of intervals; the restart at the default below is its baseline.
        ({ proc, logFile } = await launch({ 'refresh.topics.interval.seconds': String(refreshSeconds) }, '-refresh'));
        await copyingAgain(k, logFile);
        result.refreshIdleCpuPercent = await idleAfterRestart(
          proc.pid,
          `${variant.name} (refresh every ${refreshSeconds} s)`,
        );
        await proc.stop(30_000);
      }
      clearInterval(loadTimer);
      loads.push(loadavg()[0]!);
      result.loadMin = Math.min(...loads);
      result.loadMax = Math.max(...loads);
      if (values.profile && variant.kind === 'ours') {
        const profile = findCpuProfile(profileDir);
        if (profile) result.profile = summarizeCpuProfile(profile, [idleStartUs, idleEndUs], 12);
      }
      results.push(result);
      launchers.push(launch);
      log(JSON.stringify({ ...result, profile: undefined }));
    }

    // The light load runs once every variant has had its start-up and idle phase: a variant that
    // came later would otherwise copy the earlier ones' load in its start-up. Each starts again
    // (resuming), catches up with what the source got since its first start (not measured), is
    // idle once more at the default refresh interval (the refresh cost's baseline), then takes the
    // load.
    for (const [k, variant] of loadRate > 0 || refreshSeconds > 0 ? variants.entries() : []) {
      const result = results[k]!;
      const tgt = clients[k + 1]!;
      const alias = `src${k}`;
      const { proc, logFile } = await launchers[k]!({}, '-restart');
      await copyingAgain(k, logFile);
      if (refreshSeconds > 0) {
        // The baseline of the refresh cost: the same point in a restarted mirror's life, at the
        // default interval. The extra CPU per second, times the seconds between two refreshes.
        const baseline = await idleAfterRestart(proc.pid, `${variant.name} (default refresh)`);
        result.refreshCpuMs = (((result.refreshIdleCpuPercent ?? NaN) - baseline) / 100) * refreshSeconds * 1000;
        log(
          `${variant.name}: idle CPU ${result.refreshIdleCpuPercent?.toFixed(1)} % with a refresh every ${refreshSeconds} s against ${baseline.toFixed(1)} % at the default: ${result.refreshCpuMs.toFixed(0)} CPU ms per refresh`,
        );
      }
      if (loadRate === 0) {
        await proc.stop(30_000);
        continue;
      }
      log(`${variant.name}: settling ${settleSeconds} s before the light load`);
      await sleep(settleSeconds * 1000);
      const copied = (): Promise<number> => copiedRecords(tgt.cluster, tgt.admin, `${alias}.s-`, partitions);
      const syncTopic = `mm2-offset-syncs.tgt${k}.internal`;
      const loads = [loadavg()[0]!];
      const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5_000);
      // A client of its own: the bench's source client has been idle for minutes by now, past the
      // broker's connections.max.idle.ms (10 min), and its first Metadata request to a closed
      // connection timed out in the first full-size run.
      const loadSource = openKafkaCluster({
        clientId: `mm2-bench-scale-load-${k}`,
        bootstrapServers: [bed.bootstrap['source']!],
        securityProtocol: 'PLAINTEXT',
      });
      result.load = await steadyLoadPhase(
        {
          source: loadSource,
          target: tgt,
          pid: proc.pid,
          names,
          remotePrefix: `${alias}.`,
          partitions,
          rate: loadRate,
          seconds: loadSeconds,
          run: k,
          before: await copied(),
          copied,
          offsetSyncs: async () => (await src.admin.listOffsets(syncTopic)).reduce((n, o) => n + Number(o.latest), 0),
          drainTimeoutMs: 60_000,
          log: (line) => log(`${variant.name}: ${line}`),
        },
        { cpuSeconds, rssMb: (pid) => memoryMb(pid)?.rss },
      ).finally(() => loadSource.close());
      clearInterval(loadTimer);
      loads.push(loadavg()[0]!);
      result.loadMin = Math.min(result.loadMin, ...loads);
      result.loadMax = Math.max(result.loadMax, ...loads);
      await proc.stop(30_000);
      log(JSON.stringify({ ...result, profile: undefined }));
    }
  } finally {
    await cleanup();
  }
  const head = `${topicCount} topics × ${partitions} partitions (${total} partitions, one record each), Kafka ${info.version}, idle window ${idleSeconds} s${loadRate > 0 ? `, light load ${loadRate} records/s × ${LOAD_RECORD_BYTES} B for ${loadSeconds} s` : ''}${refreshSeconds > 0 ? `, refresh every ${refreshSeconds} s against the default` : ''}`;
  console.log(`\n${head}\n`);
  // The same broker work a mirror's copy waits for (its remote topics created, each partition able
  // to take a record), done by the bench's own client on the source: what this machine allows.
  const limitSeconds = setup.createSeconds + setup.writeSeconds;
  console.log(
    `Broker-bound limit: the bench's own client took ${setup.createSeconds.toFixed(1)} s to create the source topics (one createTopics call, as a mirror's topic sync makes it) and ${setup.writeSeconds.toFixed(1)} s more until every partition had taken one record (all sent at once, each again while its partition was not ready): ${limitSeconds.toFixed(1)} s in all.\n`,
  );
  const dash = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  console.log(
    '| variant | first record (s) | all records (s) | all records / limit | peak RSS (MB) | idle CPU (% of a core) | source broker idle CPU (% of a core) | idle written / read (KB/s) | a record after idle (s) | /metrics (MB) | scrape first / then (ms) | offset-syncs | checkpoints | load CPU (% of a core) | load RSS (MB) | load latency p50 / p99 / max (ms) | bench produce p99 (ms) | load arrived | load offset-syncs | refresh CPU ms | load |',
  );
  console.log(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    const l = r.load;
    const loadCells = l
      ? `${dash(l.cpuPercent, 1)} | ${dash(l.rssMb)} | ${dash(l.p50Ms)} / ${dash(l.p99Ms)} / ${dash(l.maxMs)} | ${dash(l.produceP99Ms)} | ${l.arrived}/${l.sent}${l.duplicates > 0 ? ` (+${l.duplicates} dup.)` : ''}${l.problems.length > 0 ? ' ⚠' : ''} | ${l.offsetSyncs}`
      : '– | – | – | – | – | –';
    console.log(
      `| ${r.variant} | ${r.firstRecordSeconds.toFixed(1)} | ${r.allRecordsSeconds.toFixed(1)} | ${dash(r.allRecordsSeconds / limitSeconds, 2)}× | ${r.peakRssMb.toFixed(0)} | ${r.idleCpuPercent.toFixed(2)} | ${dash(r.idleSourceBrokerCpuPercent, 1)} | ${r.idleWriteKBps.toFixed(1)} / ${r.idleReadKBps.toFixed(1)} | ${dash(r.afterIdleSeconds, 2)} | ${Number.isNaN(r.metricsBytes) ? '–' : (r.metricsBytes / 1e6).toFixed(2)} | ${Number.isNaN(r.scrapeMs) ? '–' : `${r.firstScrapeMs.toFixed(0)} / ${r.scrapeMs.toFixed(0)}`} | ${r.offsetSyncs} | ${r.checkpoints} | ${loadCells} | ${dash(r.refreshCpuMs)} | ${r.loadMin.toFixed(1)}–${r.loadMax.toFixed(1)} |`,
    );
  }
  for (const r of results)
    if (r.load && r.load.problems.length > 0) console.log(`\n⚠ ${r.variant} light load: ${r.load.problems.join('; ')}`);
  if (results.some((r) => r.load && r.load.achievedRate < 0.95 * r.load.rate))
    console.log(
      `\nThe bench did not reach the load rate: ${results.map((r) => `${r.variant} ${r.load?.achievedRate.toFixed(0)}`).join(', ')} records/s.`,
    );
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

runMain(main);
