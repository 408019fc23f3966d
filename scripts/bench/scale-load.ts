/**
 * The light steady load of `scripts/bench/scale.ts`: N records/s spread round-robin over every
 * source partition of every topic, written by this (the bench's) process through the project's
 * Kafka port so its CPU is never counted as the mirror's, and read back on the target for the
 * replication latency of each record.
 *
 * Latency = target LogAppendTime − send time. Each record's value carries its send time (epoch ms,
 * also its CreateTime) and a sequence number; the remote topics are switched to
 * `message.timestamp.type = LogAppendTime` before the load (both mirrors' config sync leaves that
 * key alone: Java's DefaultConfigPropertyFilter, src/policy/filters.ts), so the target broker
 * stamps each record with its arrival time. The sequence numbers count what arrived, once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumedRecord, KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { percentile } from './report.ts';

/** Size of each load record's value, like the steady mode's 100 B payload. */
export const LOAD_RECORD_BYTES = 100;
const MAGIC = Buffer.from('scale-load');
const SEND_TIME_AT = MAGIC.length;
const SEQUENCE_AT = SEND_TIME_AT + 8;
/** Which variant's load a record belongs to: the shared source keeps every earlier variant's load. */
const RUN_AT = SEQUENCE_AT + 4;

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** Sets LogAppendTime on `topics` (chunks of 100: one IncrementalAlterConfigs request each). */
export async function useLogAppendTime(admin: KafkaAdmin, topics: readonly string[]): Promise<void> {
  for (let i = 0; i < topics.length; i += 100) {
    const changes = new Map(
      topics
        .slice(i, i + 100)
        .map((t) => [t, [{ op: 'SET' as const, name: 'message.timestamp.type', value: 'LogAppendTime' }]]),
    );
    await admin.incrementalAlterTopicConfigs(changes);
  }
}

function loadValue(run: number, sequence: number, sentAt: number): Buffer {
  const value = Buffer.alloc(LOAD_RECORD_BYTES, 0x2e);
  MAGIC.copy(value, 0);
  value.writeDoubleBE(sentAt, SEND_TIME_AT);
  value.writeUInt32BE(sequence, SEQUENCE_AT);
  value.writeUInt32BE(run, RUN_AT);
  return value;
}

/** The run, sequence and send time of a load record; undefined for any other record (the initial ones). */
export function parseLoadValue(value: Buffer | null): { run: number; sequence: number; sentAt: number } | undefined {
  if (value === null || value.length !== LOAD_RECORD_BYTES || !value.subarray(0, MAGIC.length).equals(MAGIC))
    return undefined;
  return {
    run: value.readUInt32BE(RUN_AT),
    sequence: value.readUInt32BE(SEQUENCE_AT),
    sentAt: value.readDoubleBE(SEND_TIME_AT),
  };
}

export interface LoadProduced {
  sent: number;
  seconds: number;
  /** Ticks that ended later than the next was due: the bench could not keep the rate. */
  lateTicks: number;
  /** Ascending send → source ack times (ms) of every record: the bench's part of the latency. */
  ackMs: Float64Array;
}

/**
 * Writes `rate` records/s for `seconds` to `partitions` in turn (one record each, round-robin),
 * in 20 ms ticks: each tick sends what is due by then, one produce per topic in parallel, and
 * waits for the acks before the next (a slow tick is caught up by the next one).
 */
export async function produceSteadyLoad(
  cluster: KafkaCluster,
  partitions: readonly TopicPartitionRef[],
  rate: number,
  seconds: number,
  run: number,
): Promise<LoadProduced> {
  const sink = await cluster.recordSink({ acks: 1 });
  const total = Math.round(rate * seconds);
  let sent = 0;
  let next = 0;
  let lateTicks = 0;
  const ackMs: number[] = [];
  const tickMs = 20;
  const t0 = performance.now();
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000));
      if (due > sent) {
        const now = Date.now();
        const byTopic = new Map<string, { partition: number; key: null; value: Buffer; timestamp: number }[]>();
        for (; sent < due; sent++) {
          const tp = partitions[next]!;
          next = (next + 1) % partitions.length;
          const batch = byTopic.get(tp.topic) ?? [];
          batch.push({ partition: tp.partition, key: null, value: loadValue(run, sent, now), timestamp: now });
          byTopic.set(tp.topic, batch);
        }
        await Promise.all(
          [...byTopic].map(async ([topic, records]) => {
            await sink.send(topic, records);
            const acked = Date.now() - now;
            for (let i = 0; i < records.length; i++) ackMs.push(acked);
          }),
        );
      }
      const wait = tickMs - ((performance.now() - t0) % tickMs);
      if ((rate * (performance.now() - t0)) / 1000 - sent > (rate * tickMs) / 1000) lateTicks++;
      else await sleep(wait);
    }
  } finally {
    await sink.close();
  }
  return { sent, seconds: (performance.now() - t0) / 1000, lateTicks, ackMs: Float64Array.from(ackMs).sort() };
}

export interface LoadArrival {
  /** Distinct load records found on the target. */
  arrived: number;
  duplicates: number;
  /** Load records whose target timestamp is not LogAppendTime (their latency is not measurable). */
  notLogAppendTime: number;
  /** Ascending latencies (ms) of the first copy of each load record. */
  latencies: Float64Array;
}

/**
 * Reads every partition of `topics` on the target from offset 0 to its current end and collects
 * the load records' latencies. Bounded by `timeoutMs`.
 */
export async function readLoadArrival(
  cluster: KafkaCluster,
  topics: readonly string[],
  partitionsPerTopic: number,
  run: number,
  sent: number,
  timeoutMs: number,
): Promise<LoadArrival> {
  const all = topics.flatMap((topic) =>
    Array.from({ length: partitionsPerTopic }, (_, partition) => ({ topic, partition })),
  );
  const key = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;
  const ends = new Map<string, bigint>();
  const probe = await cluster.recordSource({ maxWaitMs: 0, maxBytes: 1, maxPartitionBytes: 1 });
  try {
    for (const f of await probe.fetchUndecoded(all.map((tp) => ({ ...tp, offset: 0n }))))
      ends.set(key(f), f.highWatermark);
  } finally {
    await probe.close();
  }
  const seen = new Uint8Array(sent);
  const latencies: number[] = [];
  const result = { arrived: 0, duplicates: 0, notLogAppendTime: 0 };
  const onRecord = (r: ConsumedRecord): void => {
    const load = parseLoadValue(r.value);
    if (load === undefined || load.run !== run || load.sequence >= sent) return;
    if (seen[load.sequence]) {
      result.duplicates++;
      return;
    }
    seen[load.sequence] = 1;
    result.arrived++;
    if (r.timestampType !== 'LogAppendTime') result.notLogAppendTime++;
    else latencies.push(r.timestamp - load.sentAt);
  };
  const positions = new Map(all.map((tp) => [key(tp), { ...tp, offset: 0n }]));
  const reader = await cluster.recordSource({ maxWaitMs: 100 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const wanted = [...positions.values()].filter((p) => p.offset < (ends.get(key(p)) ?? 0n));
      if (wanted.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `reading the load back did not finish within ${timeoutMs} ms (${wanted.length} partitions short)`,
        );
      for (const f of await reader.fetch(wanted)) {
        if (f.error) throw new Error(`reading ${f.topic}[${f.partition}] on the target: ${f.error}`);
        const end = ends.get(key(f)) ?? 0n;
        for (const r of f.records) if (r.offset < end) onRecord(r);
        positions.get(key(f))!.offset = f.nextOffset;
      }
    }
  } finally {
    await reader.close();
  }
  return { ...result, latencies: Float64Array.from(latencies).sort() };
}

export interface LoadResult {
  rate: number;
  sent: number;
  /** Records/s the bench achieved (below `rate` when it could not keep up). */
  achievedRate: number;
  /** The mirror's CPU (% of a core) and highest RSS (MB) from the first record sent to the last copied. */
  cpuPercent: number;
  rssMb: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of send → source ack (the bench's own produce time, included in the latency). */
  produceP99Ms: number;
  arrived: number;
  duplicates: number;
  /** Offset-sync records the mirror wrote from the start of the load to its end. */
  offsetSyncs: number;
  /** Empty when every record arrived once with a measurable latency. */
  problems: string[];
}

export interface LoadPhase {
  source: KafkaCluster;
  target: { cluster: KafkaCluster; admin: KafkaAdmin };
  /** The mirror's process. */
  pid: number;
  /** Source topics; their remote topics are `remotePrefix` + name. */
  names: readonly string[];
  remotePrefix: string;
  partitions: number;
  rate: number;
  seconds: number;
  /** Tells this load's records from those of earlier variants on the same source. */
  run: number;
  /** Records on the remote topics before the load (their high watermarks' sum). */
  before: number;
  /** Sum of the remote topics' high watermarks now. */
  copied: () => Promise<number>;
  /** Records in the offset-syncs topic now. */
  offsetSyncs: () => Promise<number>;
  /** How long to wait for the last record after the load, at most. */
  drainTimeoutMs: number;
  log: (line: string) => void;
}

/** Runs the light steady load against a running mirror and measures it (see the module comment). */
export async function steadyLoadPhase(
  p: LoadPhase,
  probe: { cpuSeconds: (pid: number) => number | undefined; rssMb: (pid: number) => number | undefined },
): Promise<LoadResult> {
  const remotes = p.names.map((n) => p.remotePrefix + n);
  await useLogAppendTime(p.target.admin, remotes);
  const result: LoadResult = {
    rate: p.rate,
    sent: 0,
    achievedRate: Number.NaN,
    cpuPercent: Number.NaN,
    rssMb: 0,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
    produceP99Ms: Number.NaN,
    arrived: 0,
    duplicates: 0,
    offsetSyncs: 0,
    problems: [],
  };
  const all = p.names.flatMap((topic) =>
    Array.from({ length: p.partitions }, (_, partition) => ({ topic, partition })),
  );
  p.log(`light load: ${p.rate} records/s over ${all.length} partitions for ${p.seconds} s`);
  const syncs0 = await p.offsetSyncs();
  const rss = setInterval(() => (result.rssMb = Math.max(result.rssMb, probe.rssMb(p.pid) ?? 0)), 500);
  const cpu0 = probe.cpuSeconds(p.pid) ?? Number.NaN;
  const t0 = Date.now();
  try {
    const produced = await produceSteadyLoad(p.source, all, p.rate, p.seconds, p.run);
    result.sent = produced.sent;
    result.achievedRate = produced.sent / produced.seconds;
    result.produceP99Ms = percentile(produced.ackMs, 99);
    if (produced.lateTicks > 0) p.log(`light load: the bench fell behind the rate in ${produced.lateTicks} ticks`);
    const deadline = Date.now() + p.drainTimeoutMs;
    let copied = await p.copied();
    while (copied < p.before + produced.sent && Date.now() < deadline) {
      await sleep(250);
      copied = await p.copied();
    }
    result.cpuPercent = (((probe.cpuSeconds(p.pid) ?? Number.NaN) - cpu0) / ((Date.now() - t0) / 1000)) * 100;
    if (copied < p.before + produced.sent)
      result.problems.push(`${copied - p.before}/${produced.sent} load records on the target after the wait`);
  } finally {
    clearInterval(rss);
  }
  result.offsetSyncs = (await p.offsetSyncs()) - syncs0;
  const arrival = await readLoadArrival(p.target.cluster, remotes, p.partitions, p.run, result.sent, p.drainTimeoutMs);
  result.arrived = arrival.arrived;
  result.duplicates = arrival.duplicates;
  if (arrival.arrived < result.sent) result.problems.push(`${result.sent - arrival.arrived} load records missing`);
  if (arrival.notLogAppendTime > 0)
    result.problems.push(`${arrival.notLogAppendTime} target records are not LogAppendTime: latency not measurable`);
  const sorted = arrival.latencies;
  result.p50Ms = percentile(sorted, 50);
  result.p99Ms = percentile(sorted, 99);
  result.maxMs = sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN;
  p.log(
    `light load: ${result.arrived}/${result.sent} arrived, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (bench produce p99 ${result.produceP99Ms} ms), mirror CPU ${result.cpuPercent.toFixed(1)} %, RSS ${result.rssMb.toFixed(0)} MB${result.problems.length > 0 ? `; ${result.problems.join('; ')}` : ''}`,
  );
  return result;
}
