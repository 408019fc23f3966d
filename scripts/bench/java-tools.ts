/**
 * Apache Kafka's own perf tools (kafka-tools jar of the bed's version): ProducerPerformance preloads
 * the source and measures the broker's produce limit; ConsumerPerformance measures the Java consume
 * limit. Each run is a bounded JVM in its own process group.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jvmBaseFlags } from '../kafka/broker.ts';
import { classpath } from '../kafka/jars.ts';
import type { KafkaVersionInfo } from '../kafka/versions.ts';
import { ProcessSampler, spawnLogged } from './procs.ts';

export interface JavaToolContext {
  info: KafkaVersionInfo;
  libs: string;
  /** Work folder for logs and logging config. */
  dir: string;
  /** Every command run, for the report. */
  commands: string[];
}

export interface ToolRun {
  output: string;
  cpuSeconds: number;
  peakRssMb: number;
  wallSeconds: number;
}

export interface ProducerPerfResult extends ToolRun {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ConsumerPerfResult extends ToolRun {
  records: number;
  /** nMsg.sec: over the whole run including the group join. */
  recordsPerSec: number;
  mbPerSec: number;
  /** fetch.nMsg.sec: excluding the group join (rebalance time), the figure comparable to a drain. */
  fetchRecordsPerSec: number;
  fetchMbPerSec: number;
}

/** Quiet logging for the tools (WARN), in the binding the version uses. */
function logFlag(ctx: JavaToolContext): string {
  if (ctx.info.loggingProfile === 'log4j2') {
    const file = join(ctx.dir, 'tools-log4j2.properties');
    writeFileSync(
      file,
      'appender.out.type=Console\nappender.out.name=OUT\nappender.out.layout.type=PatternLayout\nappender.out.layout.pattern=[%d] %p %m (%c)%n\nrootLogger.level=WARN\nrootLogger.appenderRef.out.ref=OUT\n',
    );
    return `-Dlog4j2.configurationFile=${file}`;
  }
  const file = join(ctx.dir, 'tools-log4j.properties');
  writeFileSync(
    file,
    'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  return `-Dlog4j.configuration=file:${file}`;
}

let toolCounter = 0;

/** Runs one tool main class to completion (killed after `timeoutMs`), measuring its CPU and RSS. */
async function runTool(ctx: JavaToolContext, mainClass: string, args: string[], timeoutMs: number): Promise<ToolRun> {
  const logFile = join(ctx.dir, `tool-${++toolCounter}-${mainClass.split('.').pop()}.log`);
  const jvm = [...jvmBaseFlags(1024, logFlag(ctx), ctx.dir), '-cp', classpath(ctx.libs), mainClass, ...args];
  ctx.commands.push(`java ${[mainClass, ...args].join(' ')}`);
  const started = Date.now();
  const proc = spawnLogged(mainClass, 'java', jvm, logFile);
  const sampler = new ProcessSampler(proc.pid);
  const result = await Promise.race([proc.exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
  sampler.stop();
  if (result === 'timeout') await proc.stop(5_000);
  const output = readFileSync(logFile, 'utf8');
  if (result !== 0) {
    throw new Error(
      `${mainClass} ${result === 'timeout' ? `timed out after ${timeoutMs} ms` : `exited with ${result}`}:\n${output.slice(-3000)}`,
    );
  }
  return {
    output,
    cpuSeconds: sampler.lastCpu,
    peakRssMb: sampler.peakRssMb,
    wallSeconds: (Date.now() - started) / 1000,
  };
}

/**
 * Random-looking JSON-ish payloads of exactly `size` bytes, one per line: ProducerPerformance picks
 * one at random per record, so records differ (a per-partition checksum then sees order and loss)
 * and compress like event data, not like one repeated buffer.
 */
export function writePayloadFile(dir: string, size: number, count = 10_000): string {
  const file = join(dir, `payloads-${size}.txt`);
  let seed = 0x2545f491;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = '';
    while (v.length < size)
      v += `{"id":${rnd()},"user":"u${rnd() % 1000}","event":"page_view","path":"/p/${rnd() % 50}"}`;
    lines.push(v.slice(0, size));
  }
  writeFileSync(file, lines.join('\n'));
  return file;
}

export interface ProduceSpec {
  bootstrap: string;
  topic: string;
  records: number;
  payloadFile: string;
  compression: string;
  /** Records/s; -1: as fast as possible. */
  throughput: number;
  timeoutMs: number;
  /** More producer properties (e.g. TUNED_PRODUCER). */
  producerProps?: string[];
  /** Producer `batch.size` (with `linger.ms=50`); absent: the default. */
  batchBytes?: number;
}

/**
 * A producer tuned for bulk ingest: 1 MB batches filled for up to 20 ms, room for many in flight.
 * The target's ingest ceiling (ceilings.ts), not a mirror's setting.
 */
export const TUNED_PRODUCER = ['batch.size=1048576', 'linger.ms=20', 'buffer.memory=268435456'];

/** A consumer tuned for bulk reads: 64 MB fetches, 8 MB per partition, 10,000 records per poll. */
export const TUNED_CONSUMER = [
  'fetch.max.bytes=67108864',
  'max.partition.fetch.bytes=8388608',
  'max.poll.records=10000',
  'receive.buffer.bytes=1048576',
];

/** `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P50 ms 50th, …, P99 ms 99th, …` */
export function parseProducerPerformance(output: string): Omit<ProducerPerfResult, keyof ToolRun> {
  const m =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      output,
    );
  if (!m) throw new Error(`no summary line in ProducerPerformance output:\n${output.slice(-2000)}`);
  return {
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    avgLatencyMs: Number(m[4]),
    maxLatencyMs: Number(m[5]),
    p50Ms: Number(m[6]),
    p99Ms: Number(m[8]),
  };
}

export async function producerPerformance(ctx: JavaToolContext, spec: ProduceSpec): Promise<ProducerPerfResult> {
  const run = await runTool(
    ctx,
    'org.apache.kafka.tools.ProducerPerformance',
    [
      '--topic',
      spec.topic,
      '--num-records',
      String(spec.records),
      '--payload-file',
      spec.payloadFile,
      '--throughput',
      String(spec.throughput),
      '--producer-props',
      `bootstrap.servers=${spec.bootstrap}`,
      `compression.type=${spec.compression}`,
      'acks=all',
      ...(spec.producerProps ?? []),
      ...(spec.batchBytes !== undefined ? [`batch.size=${spec.batchBytes}`, 'linger.ms=50'] : []),
    ],
    spec.timeoutMs,
  );
  return { ...run, ...parseProducerPerformance(run.output) };
}

/** The CSV line after ConsumerPerformance's header, read by column name (the column set varies by version). */
export function parseConsumerPerformance(output: string): Omit<ConsumerPerfResult, keyof ToolRun> {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.includes('data.consumed.in.nMsg'));
  const header = lines[at]?.split(',').map((s) => s.trim());
  const values = lines[at + 1]?.split(',').map((s) => s.trim());
  if (at < 0 || !header || !values) throw new Error(`no result in ConsumerPerformance output:\n${output.slice(-2000)}`);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    return i < 0 ? NaN : Number(values[i]);
  };
  return {
    records: col('data.consumed.in.nMsg'),
    recordsPerSec: col('nMsg.sec'),
    mbPerSec: col('MB.sec'),
    fetchRecordsPerSec: col('fetch.nMsg.sec'),
    fetchMbPerSec: col('fetch.MB.sec'),
  };
}

export async function consumerPerformance(
  ctx: JavaToolContext,
  spec: {
    bootstrap: string;
    topic: string;
    records: number;
    group: string;
    timeoutMs: number;
    /** Consumer properties (e.g. TUNED_CONSUMER), passed as --consumer.config. */
    consumerProps?: string[];
  },
): Promise<ConsumerPerfResult> {
  const config = join(ctx.dir, `consumer-${spec.group}.properties`);
  writeFileSync(config, `${(spec.consumerProps ?? []).join('\n')}\n`);
  const run = await runTool(
    ctx,
    'org.apache.kafka.tools.ConsumerPerformance',
    [
      '--bootstrap-server',
      spec.bootstrap,
      '--topic',
      spec.topic,
      '--messages',
      String(spec.records),
      '--group',
      spec.group,
      // Fails the run (instead of hanging) if the topic stops delivering for this long.
      '--timeout',
      '60000',
      '--consumer.config',
      config,
    ],
    spec.timeoutMs,
  );
  const parsed = parseConsumerPerformance(run.output);
  if (parsed.records < spec.records) {
    throw new Error(`ConsumerPerformance read ${parsed.records} of ${spec.records} records from ${spec.topic}`);
  }
  return { ...run, ...parsed };
}
