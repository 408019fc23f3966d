#!/usr/bin/env node
/**
 * `npm run bench`: our mirror against Java MirrorMaker 2 on the same two local clusters and the same
 * data (issue 6). See docs/benchmarks/README.md for what each figure means.
 *
 *   node scripts/bench/run.ts [--quick] [--workload small|large|all] [--compression none|lz4|all]
 *                             [--runs N] [--mirror ours|java|both] [--steady] …  (--help)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openKafkaCluster, type KafkaAdmin, type KafkaCluster, type RecordSource } from '../../src/kafka/index.ts';
import { ensureKafkaJars } from '../kafka/jars.ts';
import { REPO_ROOT } from '../kafka/paths.ts';
import { startTestBed, type TestBed } from '../kafka/testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../kafka/versions.ts';
import { ourFetchRate, ourIngestRate } from './ceilings.ts';
import {
  consumerPerformance,
  producerPerformance,
  TUNED_CONSUMER,
  TUNED_PRODUCER,
  writePayloadFile,
  type JavaToolContext,
} from './java-tools.ts';
import { instancesBench, renderInstancesMarkdown } from './instances.ts';
import { benchProperties, buildOursOnce, startMirror, type StartedMirror } from './mirrors.ts';
import { parseBenchOptions, type BenchOptions, type Compression, type MirrorKind, type Workload } from './options.ts';
import { cpuSeconds, ProcessSampler, stopAllTracked } from './procs.ts';
import { findCpuProfile, summarizeCpuProfile, type ProfileSummary } from './profile.ts';
import {
  ceilings,
  describeMachine,
  percentile,
  renderMarkdown,
  type DrainRun,
  type RawRun,
  type Report,
  type SteadyRun,
} from './report.ts';
import { compareDigests, digestTopic, endOffsets, total, type TopicDigest } from './verify.ts';
import { runMain } from '../run-main.ts';

const log = (line: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Clients on one bed cluster, through the project's Kafka port. */
interface Side {
  bootstrap: string;
  cluster: KafkaCluster;
  admin: KafkaAdmin;
  reader: RecordSource;
}

async function openSide(bootstrap: string, name: string): Promise<Side> {
  const cluster = openKafkaCluster({
    clientId: `mm2-bench-${name}`,
    bootstrapServers: [bootstrap],
    securityProtocol: 'PLAINTEXT',
  });
  const admin = await cluster.admin();
  // Large fetches: the read-back for checksums should be quick and not the bottleneck of a run.
  const reader = await cluster.recordSource({ maxWaitMs: 100, maxBytes: 64 << 20, maxPartitionBytes: 8 << 20 });
  return { bootstrap, cluster, admin, reader };
}

async function createTopic(
  side: Side,
  name: string,
  partitions: number,
  configs?: Record<string, string>,
): Promise<void> {
  const [result] = await side.admin.createTopics([
    { name, partitions, replicationFactor: 1, ...(configs ? { configs } : {}) },
  ]);
  if (result?.error) throw new Error(`creating ${name}: ${result.error}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

/** CLOCK_MONOTONIC in µs, the clock V8 stamps CPU profile samples with (Linux). */
function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Where ours writes its CPU profile under --profile (Java is never profiled); undefined otherwise. */
function profileDirOf(b: Bench, mirror: MirrorKind, runDir: string): string | undefined {
  return b.options.profile && mirror === 'ours' ? join(runDir, 'profile') : undefined;
}

/**
 * The summary of the CPU profile the stopped mirror wrote into `profileDir` (--profile), counting
 * only the samples inside `windowUs`; undefined without --profile, and said when no profile was written.
 */
function profileSummary(
  profileDir: string | undefined,
  windowUs: [number, number] | undefined,
): ProfileSummary | undefined {
  if (profileDir === undefined) return undefined;
  const file = findCpuProfile(profileDir);
  if (file === undefined) {
    log(`  no CPU profile was written to ${profileDir}`);
    return undefined;
  }
  const summary = summarizeCpuProfile(file, windowUs);
  log(
    `  profile: ${summary.areas
      .slice(0, 4)
      .map((a) => `${a.name} ${a.percent}%`)
      .join(', ')}`,
  );
  return summary;
}

/**
 * Polls the target's end offsets every 100 ms until they sum to `expected`. The copy phase is taken
 * from the last poll that saw no record to the first that saw them all: an upper bound (by up to two
 * poll intervals) that never collapses to zero when a small backlog is copied between two polls.
 * Throws if the mirror exits or the deadline passes.
 */
async function waitForTarget(
  target: Side,
  topic: string,
  expected: number,
  mirror: StartedMirror,
  deadlineMs: number,
  progress?: [number, number][],
  brokerPids: number[] = [],
): Promise<{
  firstAt: number;
  cpuAtFirst: number;
  doneAt: number;
  brokerCpu: number[];
  /** The copy phase on CLOCK_MONOTONIC in µs, the clock V8 stamps profile samples with (Linux). */
  copyWindowUs: [number, number];
}> {
  const spawnedAt = Date.now();
  let lastEmptyAt = Date.now();
  let lastEmptyMonoUs = monoUs();
  let cpuAtLastEmpty = cpuSeconds(mirror.proc.pid) ?? 0;
  const brokerCpu = (): number[] => brokerPids.map((pid) => cpuSeconds(pid) ?? NaN);
  let brokerCpuAtLastEmpty = brokerCpu();
  let exited = false;
  void mirror.proc.exited.then(() => (exited = true));
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const polledAt = Date.now();
    const polledAtMonoUs = monoUs();
    const cpu = cpuSeconds(mirror.proc.pid);
    const brokers = brokerCpu();
    const n = total(await endOffsets(target.admin, topic));
    if (n === 0) {
      lastEmptyAt = polledAt;
      lastEmptyMonoUs = polledAtMonoUs;
      cpuAtLastEmpty = cpu ?? cpuAtLastEmpty;
      brokerCpuAtLastEmpty = brokers;
    }
    const now = Date.now();
    // The ramp (seconds since the wait began, records on the target) whenever the count moved.
    if (progress && progress.at(-1)?.[1] !== n) progress.push([Math.round((now - spawnedAt) / 100) / 10, n]);
    if (n >= expected) {
      const brokersDone = brokerCpu();
      return {
        firstAt: lastEmptyAt,
        cpuAtFirst: cpuAtLastEmpty,
        doneAt: now,
        copyWindowUs: [lastEmptyMonoUs, monoUs()],
        brokerCpu: brokersDone.map((c, i) => c - brokerCpuAtLastEmpty[i]!),
      };
    }
    if (exited)
      throw new Error(`${mirror.kind} exited with ${n} of ${expected} records copied:\n${tail(mirror.logFile)}`);
    if (now > deadline)
      throw new Error(`${mirror.kind} copied ${n} of ${expected} records within ${deadlineMs / 1000} s`);
    await sleep(100);
  }
}

interface Bench {
  options: BenchOptions;
  dir: string;
  ctx: JavaToolContext;
  source: Side;
  target: Side;
  /** Run counter: every mirror run gets fresh aliases s<k>/t<k>. */
  k: number;
  mirrorCommands: Map<MirrorKind, string>;
  /** Broker JVM pids, [source, target]: their CPU during a copy shows how busy the machine was. */
  brokerPids: number[];
}

/**
 * A fresh route for one mirror run (see RouteSpec in mirrors.ts): aliases s<k>/t<k>, the remote
 * topic's name, the run's folder and the shared properties file.
 */
function nextRoute(b: Bench, mirror: MirrorKind, topicOf: (k: number) => string, compression: Compression) {
  const k = ++b.k;
  const sourceAlias = `s${k}`;
  const targetAlias = `t${k}`;
  const topic = topicOf(k);
  const runDir = join(b.dir, `run-${k}-${mirror}`);
  mkdirSync(runDir, { recursive: true });
  const properties = benchProperties({
    sourceAlias,
    targetAlias,
    sourceBootstrap: b.source.bootstrap,
    targetBootstrap: b.target.bootstrap,
    topic,
    compression,
    tasks: b.options.tasks,
    extraLines: b.options.properties,
  });
  return { sourceAlias, targetAlias, topic, remote: `${sourceAlias}.${topic}`, runDir, properties };
}

/** A generous bound so a stuck run fails instead of hanging: 2 min plus 1 s per 2,000 records. */
const boundMs = (records: number): number => 120_000 + records / 2;

async function drainRun(
  b: Bench,
  mirror: MirrorKind,
  run: number,
  caseName: string,
  topic: string,
  compression: Compression,
  srcDigest: TopicDigest,
): Promise<DrainRun> {
  const { sourceAlias, targetAlias, remote, runDir, properties } = nextRoute(b, mirror, () => topic, compression);
  const base: DrainRun = {
    case: caseName,
    mirror,
    run,
    records: srcDigest.records,
    payloadBytes: srcDigest.payloadBytes,
    startupSeconds: NaN,
    copySeconds: NaN,
    recordsPerSec: NaN,
    mbPerSec: NaN,
    cpuSeconds: NaN,
    cpuCopySeconds: NaN,
    cpuSecondsPerGb: NaN,
    peakRssMb: NaN,
    brokerCpuCopySeconds: [NaN, NaN],
    machineBusyPercent: NaN,
    correct: false,
    problems: [],
    loadAvg1: loadavg()[0]!,
    progress: [],
  };
  log(`${caseName} run ${run}: ${mirror} (aliases ${sourceAlias}->${targetAlias})`);
  const spawnedAt = Date.now();
  const profileDir = profileDirOf(b, mirror, runDir);
  let copyWindowUs: [number, number] | undefined;
  const started = await startMirror(mirror, properties, targetAlias, runDir, b.options.kafkaVersion, profileDir);
  b.mirrorCommands.set(mirror, started.command);
  const sampler = new ProcessSampler(started.proc.pid);
  try {
    const t = await waitForTarget(
      b.target,
      remote,
      srcDigest.records,
      started,
      boundMs(srcDigest.records),
      base.progress,
      b.brokerPids,
    );
    const cpuDone = cpuSeconds(started.proc.pid) ?? sampler.lastCpu;
    sampler.sample();
    const copySeconds = (t.doneAt - t.firstAt) / 1000;
    const brokersCpu = t.brokerCpu[0]! + t.brokerCpu[1]!;
    copyWindowUs = t.copyWindowUs;
    Object.assign(base, {
      brokerCpuCopySeconds: t.brokerCpu,
      machineBusyPercent: ((cpuDone - t.cpuAtFirst + brokersCpu) / (copySeconds * availableParallelism())) * 100,
      startupSeconds: (t.firstAt - spawnedAt) / 1000,
      copySeconds,
      recordsPerSec: srcDigest.records / copySeconds,
      mbPerSec: srcDigest.payloadBytes / 1e6 / copySeconds,
      cpuSeconds: cpuDone,
      cpuCopySeconds: cpuDone - t.cpuAtFirst,
      cpuSecondsPerGb: (cpuDone - t.cpuAtFirst) / (srcDigest.payloadBytes / 1e9),
      peakRssMb: sampler.peakRssMb,
    });
  } catch (err) {
    base.problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
    log(`  failed: ${base.problems[0]}; log: ${started.logFile}`);
  } finally {
    sampler.stop();
    await started.proc.stop();
  }
  const profile = profileSummary(profileDir, copyWindowUs);
  if (profile) base.profile = profile;
  // Read back after the mirror stopped, so records written after the count was reached (duplicates) show too.
  const ends = await endOffsets(b.target.admin, remote);
  if (ends) {
    const digest = await digestTopic(b.target.reader, remote, ends, {
      withTimestamps: true,
      timeoutMs: boundMs(total(ends)),
    });
    base.problems.push(...compareDigests(srcDigest, digest));
  } else if (base.problems.length === 0) base.problems.push(`no topic ${remote} on the target`);
  base.correct = base.problems.length === 0;
  log(
    `  ${mirror}: ${base.recordsPerSec.toFixed(0)} rec/s, start-up ${base.startupSeconds.toFixed(1)} s, CPU ${base.cpuCopySeconds.toFixed(1)} s, RSS ${base.peakRssMb.toFixed(0)} MB, ${base.correct ? 'correct' : `WRONG: ${base.problems.join('; ')}`}`,
  );
  return base;
}

async function drainBench(b: Bench, report: Report): Promise<void> {
  for (const w of b.options.workloads) {
    const payloadFile = writePayloadFile(b.dir, w.recordSize);
    for (const compression of b.options.compressions) {
      const caseName = `${w.name} ${w.recordSize === 1024 ? '1 KB' : `${w.recordSize} B`} ${compression}`;
      const topic = `bench-${w.name}-${compression}`;
      await createTopic(b.source, topic, b.options.partitions);
      log(`${caseName}: preloading ${w.records} records into ${topic}`);
      await producerPerformance(b.ctx, {
        bootstrap: b.source.bootstrap,
        topic,
        records: w.records,
        payloadFile,
        compression,
        throughput: -1,
        timeoutMs: boundMs(w.records),
        ...(b.options.preloadBatchBytes !== undefined ? { batchBytes: b.options.preloadBatchBytes } : {}),
      });
      const ends = await endOffsets(b.source.admin, topic);
      if (total(ends) !== w.records)
        throw new Error(`preload of ${topic} holds ${total(ends)} of ${w.records} records`);
      const srcDigest = await digestTopic(b.source.reader, topic, ends!, {
        withTimestamps: true,
        timeoutMs: boundMs(w.records),
      });
      for (let run = 1; run <= b.options.runs; run++) {
        report.raw.push(await rawRun(b, w, compression, caseName, topic, payloadFile, run, srcDigest));
        // Alternate the order per round, so a drift of the machine's load does not favour one mirror.
        const order = run % 2 === 1 ? b.options.mirrors : [...b.options.mirrors].reverse();
        for (const mirror of order)
          report.drain.push(await drainRun(b, mirror, run, caseName, topic, compression, srcDigest));
      }
    }
  }
}

/** The case's broker-bound ceilings (ceilings.ts), measured before the mirrors of each round. */
async function rawRun(
  b: Bench,
  w: Workload,
  compression: Compression,
  caseName: string,
  topic: string,
  payloadFile: string,
  run: number,
  srcDigest: TopicDigest,
): Promise<RawRun> {
  const rawTopic = `raw-${w.name}-${compression}-${run}`;
  const ingestTopic = `ingest-${w.name}-${compression}-${run}`;
  await createTopic(b.target, rawTopic, b.options.partitions);
  await createTopic(b.target, ingestTopic, b.options.partitions);
  const produce = await producerPerformance(b.ctx, {
    bootstrap: b.target.bootstrap,
    topic: rawTopic,
    records: w.records,
    payloadFile,
    compression,
    throughput: -1,
    timeoutMs: boundMs(w.records),
    producerProps: TUNED_PRODUCER,
  });
  const ends = await endOffsets(b.source.admin, topic);
  const ingest = await ourIngestRate(
    b.source.reader,
    topic,
    ends!,
    b.target.cluster,
    ingestTopic,
    compression,
    w.records,
  );
  const consume = await consumerPerformance(b.ctx, {
    bootstrap: b.source.bootstrap,
    topic,
    records: w.records,
    group: `bench-raw-${topic}-${run}`,
    timeoutMs: boundMs(w.records),
    consumerProps: TUNED_CONSUMER,
  });
  const fetch = await ourFetchRate(b.source.reader, topic, ends!, srcDigest.payloadBytes, boundMs(w.records));
  const raw: RawRun = {
    case: caseName,
    run,
    produceRecordsPerSec: produce.recordsPerSec,
    produceMbPerSec: produce.mbPerSec,
    // The fetch figures exclude the consumer group join, as the mirrors' copy phase excludes start-up.
    consumeRecordsPerSec: consume.fetchRecordsPerSec,
    consumeMbPerSec: consume.fetchMbPerSec,
    ourFetchRecordsPerSec: fetch.recordsPerSec,
    ourIngestRecordsPerSec: ingest.recordsPerSec,
  };
  const c = ceilings(raw);
  log(
    `${caseName} run ${run}: ingest ${produce.recordsPerSec.toFixed(0)} (ProducerPerformance) / ${ingest.recordsPerSec.toFixed(0)} (ours), fetch ${consume.fetchRecordsPerSec.toFixed(0)} (ConsumerPerformance) / ${fetch.recordsPerSec.toFixed(0)} (ours) rec/s; limit ${c.limit.toFixed(0)}`,
  );
  return raw;
}

/**
 * Steady state. The source topic is CreateTime: ProducerPerformance stamps each record when it is
 * sent. Both mirrors copy that timestamp; the remote topic is created in advance with
 * message.timestamp.type=LogAppendTime (which MM2's config sync leaves alone by default), so the
 * target broker overwrites it with the arrival time. Topics are fresh per run and a mirror copies
 * offsets 1:1 here, so source (partition, offset) pairs with target (partition, offset):
 * latency = target LogAppendTime − source CreateTime, both stamped by this host's clock.
 * With `--from-source-append` the source topic is LogAppendTime as well: latency = target
 * LogAppendTime − source LogAppendTime, the mirror's part alone (fetch wait, copy, produce).
 */
async function steadyRun(
  b: Bench,
  mirror: MirrorKind,
  run: number,
  payloadFile: string,
  rate: number,
): Promise<SteadyRun> {
  const { steadySeconds: seconds, partitions } = b.options;
  const compression = b.options.compressions[0]!;
  const { targetAlias, topic, remote, runDir, properties } = nextRoute(b, mirror, (k) => `steady-${k}`, compression);
  const appendTime = { 'message.timestamp.type': 'LogAppendTime' };
  await createTopic(b.source, topic, partitions, b.options.fromSourceAppend ? appendTime : undefined);
  await createTopic(b.target, remote, partitions, appendTime);
  const result: SteadyRun = {
    mirror,
    run,
    rate,
    seconds,
    records: 0,
    achievedRate: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    maxMs: NaN,
    avgMs: NaN,
    producerP50Ms: NaN,
    producerP99Ms: NaN,
    producerAvgMs: NaN,
    cpuPercent: NaN,
    peakRssMb: NaN,
    correct: false,
    problems: [],
    loadAvg1: loadavg()[0]!,
  };
  log(`steady run ${run}: ${mirror}, ${rate} records/s for ${seconds} s`);
  const profileDir = profileDirOf(b, mirror, runDir);
  let measuredWindowUs: [number, number] | undefined;
  const started = await startMirror(mirror, properties, targetAlias, runDir, b.options.kafkaVersion, profileDir);
  b.mirrorCommands.set(mirror, started.command);
  const sampler = new ProcessSampler(started.proc.pid);
  // Warm-up records: the measured phase starts only once the mirror copies, so start-up is not latency.
  const warmPerPartition = 5;
  const sink = await b.source.cluster.recordSink({ acks: -1 });
  const warmEnds = new Map<number, bigint>();
  try {
    for (let p = 0; p < partitions; p++) {
      await sink.send(
        topic,
        Array.from({ length: warmPerPartition }, (_, i) => ({
          partition: p,
          key: null,
          value: Buffer.from(`warm-up ${i}`),
        })),
      );
      warmEnds.set(p, BigInt(warmPerPartition));
    }
    await waitForTarget(b.target, remote, warmPerPartition * partitions, started, 180_000);
    const cpu0 = cpuSeconds(started.proc.pid) ?? 0;
    const t0Us = monoUs();
    const produced = await producerPerformance(b.ctx, {
      bootstrap: b.source.bootstrap,
      topic,
      records: rate * seconds,
      payloadFile,
      compression,
      throughput: rate,
      timeoutMs: seconds * 3000 + 120_000,
    });
    result.achievedRate = produced.recordsPerSec;
    result.producerP50Ms = produced.p50Ms;
    result.producerP99Ms = produced.p99Ms;
    result.producerAvgMs = produced.avgLatencyMs;
    await waitForTarget(b.target, remote, warmPerPartition * partitions + rate * seconds, started, 120_000);
    measuredWindowUs = [t0Us, monoUs()];
    if (started.metricsUrl !== undefined) Object.assign(result, await ownLatencyMetrics(started.metricsUrl));
    result.cpuPercent = (((cpuSeconds(started.proc.pid) ?? sampler.lastCpu) - cpu0) / ((monoUs() - t0Us) / 1e6)) * 100;
    sampler.sample();
    result.peakRssMb = sampler.peakRssMb;
  } catch (err) {
    result.problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
    log(`  failed: ${result.problems[0]}; log: ${started.logFile}`);
  } finally {
    await sink.close();
    sampler.stop();
    await started.proc.stop();
  }
  const profile = profileSummary(profileDir, measuredWindowUs);
  if (profile) result.profile = profile;
  const srcEnds = await endOffsets(b.source.admin, topic);
  const tgtEnds = await endOffsets(b.target.admin, remote);
  if (srcEnds && tgtEnds) {
    // Source CreateTime per (partition, offset), then latencies while digesting the target.
    const sent = new Map([...srcEnds].map(([p, end]) => [p, new Float64Array(Number(end))]));
    const srcDigest = await digestTopic(b.source.reader, topic, srcEnds, {
      withTimestamps: false,
      timeoutMs: boundMs(total(srcEnds)),
      onRecord: (r) => (sent.get(r.partition)![Number(r.offset)] = r.timestamp),
    });
    const latencies: number[] = [];
    let wrongType = 0;
    const tgtDigest = await digestTopic(b.target.reader, remote, tgtEnds, {
      withTimestamps: false,
      timeoutMs: boundMs(total(tgtEnds)),
      onRecord: (r) => {
        if (r.timestampType !== 'LogAppendTime') wrongType++;
        const from = sent.get(r.partition)?.[Number(r.offset)];
        if (r.offset >= (warmEnds.get(r.partition) ?? 0n) && from !== undefined) latencies.push(r.timestamp - from);
      },
    });
    result.problems.push(...compareDigests(srcDigest, tgtDigest));
    if (wrongType > 0)
      result.problems.push(`${wrongType} target records are not LogAppendTime: latency not measurable`);
    const sorted = Float64Array.from(latencies).sort();
    result.records = sorted.length;
    result.p50Ms = percentile(sorted, 50);
    result.p99Ms = percentile(sorted, 99);
    result.maxMs = sorted.length > 0 ? sorted[sorted.length - 1]! : NaN;
    result.avgMs = sorted.reduce((a, x) => a + x, 0) / sorted.length;
  } else result.problems.push(`topic ${srcEnds ? remote : topic} missing`);
  result.correct = result.problems.length === 0;
  log(
    `  ${mirror}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, ${result.correct ? 'correct' : `WRONG: ${result.problems.join('; ')}`}`,
  );
  return result;
}

/**
 * Ours: MM2's record-age-ms-avg (record timestamp → fetched and decoded) and
 * replication-latency-ms-avg (record timestamp → target ack) of the run's one topic, from /metrics.
 */
async function ownLatencyMetrics(url: string): Promise<{ ageAtFetchAvgMs?: number; replicationLatencyAvgMs?: number }> {
  try {
    const text = await (await fetch(url)).text();
    const value = (name: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`kafka_connect_mirror_source_connector_${name}{`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    return {
      ageAtFetchAvgMs: value('record_age_ms_avg'),
      replicationLatencyAvgMs: value('replication_latency_ms_avg'),
    };
  } catch {
    return {};
  }
}

async function steadyBench(b: Bench, report: Report): Promise<void> {
  const payloadFile = writePayloadFile(b.dir, 100);
  // Fresh brokers are cold (JIT, page cache, log segments): the first run would pay for it and skew
  // the comparison. Both brokers first take the same rate for a while, unmirrored.
  const warmSeconds = Math.min(15, b.options.steadySeconds);
  const warmRate = b.options.steadyRates[0]!;
  log(`steady warm-up: ${warmRate} records/s for ${warmSeconds} s into both brokers`);
  for (const side of [b.source, b.target]) {
    await createTopic(side, 'steady-warm-up', b.options.partitions);
    await producerPerformance(b.ctx, {
      bootstrap: side.bootstrap,
      topic: 'steady-warm-up',
      records: warmRate * warmSeconds,
      payloadFile,
      compression: b.options.compressions[0]!,
      throughput: warmRate,
      timeoutMs: warmSeconds * 3000 + 120_000,
    });
  }
  for (const rate of b.options.steadyRates) {
    for (let run = 1; run <= b.options.runs; run++) {
      const order = run % 2 === 1 ? b.options.mirrors : [...b.options.mirrors].reverse();
      for (const mirror of order) report.steady.push(await steadyRun(b, mirror, run, payloadFile, rate));
    }
  }
}

async function formatMarkdown(text: string): Promise<string> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(join(REPO_ROOT, 'docs', 'benchmarks', 'x.md'))) ?? {};
  return prettier.format(text, { ...config, parser: 'markdown' });
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const info = SUPPORTED_KAFKA_VERSIONS[options.kafkaVersion];
  if (!info) {
    console.error(`--kafka-version must be one of ${Object.keys(SUPPORTED_KAFKA_VERSIONS).join(', ')}`);
    return 2;
  }
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'mm2-bench-'));
  let bed: TestBed | undefined;
  const sides: Side[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await stopAllTracked();
      await Promise.allSettled(
        sides.map(async (s) => {
          await s.reader.close();
          await s.admin.close();
          await s.cluster.close();
        }),
      );
      await bed?.stop();
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping mirrors, tools and clusters`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machine = describeMachine(info.version);
  const report: Report = {
    label: options.label,
    date: new Date().toISOString().slice(0, 10),
    title: `Benchmark: ${options.instances ? 'scale-out, backlog drain by 1…N instances' : options.steady ? 'steady state' : 'backlog drain'} (${options.label})`,
    machine,
    command: `node scripts/bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    durationSeconds: 0,
    commands: [],
    drain: [],
    raw: [],
    steady: [],
    notes: [
      `${options.partitions} partitions, tasks.max = ${options.tasks}, ${options.runs} run(s) per mirror, mirrors alternated per round; RF 1, single-node KRaft clusters on 127.0.0.1 (test bed, 512 MB heap each).`,
    ],
  };
  try {
    log('building the package (npm run build): ours runs dist/, as installed');
    buildOursOnce();
    log(`starting source and target clusters (Kafka ${info.version}); work folder ${dir}`);
    bed = await startTestBed({ aliases: ['source', 'target'], info, ownerPid: process.pid, log });
    const libs = ensureKafkaJars(info);
    sides.push(await openSide(bed.bootstrap['source']!, 'source'), await openSide(bed.bootstrap['target']!, 'target'));
    const bench: Bench = {
      options,
      dir,
      ctx: { info, libs, dir, commands: report.commands },
      source: sides[0]!,
      target: sides[1]!,
      k: 0,
      mirrorCommands: new Map(),
      brokerPids: [
        bed.clusters.find((c) => c.alias === 'source')!.pid,
        bed.clusters.find((c) => c.alias === 'target')!.pid,
      ],
    };
    if (options.instances) await instancesBench(bench, report);
    else if (options.steady) await steadyBench(bench, report);
    else await drainBench(bench, report);
    report.commands.push(...bench.mirrorCommands.values());
  } finally {
    await cleanup();
  }
  report.durationSeconds = (Date.now() - startedAt) / 1000;
  // Formatted like every other file of the repository (format:check runs in CI).
  const markdown = await formatMarkdown(report.instances ? renderInstancesMarkdown(report) : renderMarkdown(report));
  console.log(markdown);
  if (options.write) {
    const outDir = resolve(REPO_ROOT, options.outDir);
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, `${report.date}-${options.label}`);
    writeFileSync(`${base}.md`, markdown);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${base}.md and .json`);
  }
  const failed = [...report.drain, ...report.steady, ...(report.instances ?? [])].filter((r) => !r.correct).length;
  // Keep the mirrors' logs when a run failed; they are the first thing to read.
  if (failed > 0) log(`${failed} run(s) failed; logs kept in ${dir}`);
  else if (options.profile) log(`CPU profiles (open in Chrome DevTools) kept in ${dir}/run-*-ours/profile`);
  else rmSync(dir, { recursive: true, force: true });
  return failed > 0 ? 1 : 0;
}

runMain(main);
