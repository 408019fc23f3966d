/**
 * `npm run bench -- --instances solo,1,2,3`: our mirror as 1, 2, 3… processes on the same file with
 * `mm2ts.cluster.enabled = true` (docs/scale-out.md), draining one preloaded backlog. Per count of
 * processes: the drain rate, how long the group took to be stable with every partition placed, and
 * per process its CPU, peak RSS, the partitions it copied and the records it copied (its own
 * per-partition `record_count` metric). `solo` is one process with scale-out off (the default).
 * See docs/benchmarks/README.md ("Scale-out") for what each figure means.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAdmin, KafkaCluster, RecordSource } from '../../src/kafka/index.ts';
import { producerPerformance, writePayloadFile, type JavaToolContext } from './java-tools.ts';
import { benchProperties, startMirror, type StartedMirror } from './mirrors.ts';
import type { BenchOptions, InstanceCount, MirrorKind } from './options.ts';
import { cpuSeconds, ProcessSampler } from './procs.ts';
import { formatNumber as f, stat, statText, type Report } from './report.ts';
import { compareDigests, digestTopic, endOffsets, total, type TopicDigest } from './verify.ts';

const log = (line: string): void => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** What the scale-out bench needs of run.ts's `Bench` (structurally the same). */
export interface InstancesBed {
  options: BenchOptions;
  dir: string;
  ctx: JavaToolContext;
  source: { bootstrap: string; cluster: KafkaCluster; admin: KafkaAdmin; reader: RecordSource };
  target: { bootstrap: string; cluster: KafkaCluster; admin: KafkaAdmin; reader: RecordSource };
  k: number;
  mirrorCommands: Map<MirrorKind, string>;
  brokerPids: number[];
}

/** One process of a run. */
export interface MemberResult {
  /** `mm2ts.group.instance.id` (`solo` without a group). */
  instance: string;
  /** CPU (user+sys) from spawn until the target was complete, and during the copy phase only. */
  cpuSeconds: number;
  cpuCopySeconds: number;
  peakRssMb: number;
  /** Source partitions (`topic:partition`) it held when the target was complete (GET /members). */
  partitions: string[];
  /** Records it copied: its per-partition `record_count` (acknowledged by the target), summed. */
  records: number;
  /** Its `mm2ts_group_rebalances_total` and `mm2ts_group_partitions_moved_total{direction="in"}` at the end. */
  rebalances: number;
  partitionsMovedIn: number;
}

export interface InstanceRun {
  instances: InstanceCount;
  run: number;
  records: number;
  payloadBytes: number;
  /** Spawn of the processes → the last poll of the target that saw no record. */
  firstRecordSeconds: number;
  /** Spawn → every member STABLE in one generation with every partition held by exactly one of them. */
  stableSeconds: number;
  /** Spawn → every record on the target. */
  allRecordsSeconds: number;
  /** First record → last record on the target. */
  copySeconds: number;
  recordsPerSec: number;
  /** records / allRecordsSeconds: start-up and group formation included. */
  endToEndRecordsPerSec: number;
  members: MemberResult[];
  /** CPU seconds of the [source, target] brokers during the copy phase. */
  brokerCpuCopySeconds: number[];
  /** (every member + both brokers' CPU during the copy) / (copy s × cores). */
  machineBusyPercent: number;
  /** [seconds since spawn, partitions per member] whenever the placement changed (JSON only). */
  placements: [number, number[]][];
  correct: boolean;
  problems: string[];
  loadAvg1: number;
}

/** A generous bound so a stuck run fails instead of hanging: 2 min plus 1 s per 2,000 records. */
const boundMs = (records: number): number => 120_000 + records / 2;

interface MembersView {
  enabled?: boolean;
  state?: string;
  generation?: number;
  partitions?: Record<string, string[]>;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.json();
}

async function getText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return await res.text();
  } catch {
    return undefined;
  }
}

/** The value of every sample of `family` in a Prometheus text page, with its label text. */
function samples(page: string, family: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family} `)) continue;
    const close = line.lastIndexOf('}');
    out.push({
      labels: close >= 0 ? line.slice(family.length, close + 1) : '',
      value: Number(line.slice(line.lastIndexOf(' ') + 1)),
    });
  }
  return out;
}

/**
 * Records each process copied, per partition, from its `record_count` series (labelled with the
 * remote topic, as Java's MM2 metrics are). A partition's series
 * disappears when the partition leaves the process, and starts again from 0 if it comes back: the
 * count keeps the last value seen and adds a restarted series on top of it.
 */
class CopiedRecords {
  private readonly last = new Map<string, number>();
  private readonly base = new Map<string, number>();
  private readonly topic: string;
  constructor(topic: string) {
    this.topic = topic;
  }
  update(page: string): void {
    for (const s of samples(page, 'kafka_connect_mirror_source_connector_record_count')) {
      if (!s.labels.includes(`topic="${this.topic}"`)) continue;
      const partition = /partition="(\d+)"/.exec(s.labels)?.[1] ?? '*';
      const previous = this.last.get(partition) ?? 0;
      if (s.value < previous) this.base.set(partition, (this.base.get(partition) ?? 0) + previous);
      this.last.set(partition, s.value);
    }
  }
  get records(): number {
    let sum = 0;
    for (const [p, v] of this.last) sum += v + (this.base.get(p) ?? 0);
    return sum;
  }
}

/** The `topic:partition` entries of `topic`, by partition number. */
function ofTopic(held: string[] | undefined, topic: string): string[] {
  const number = (tp: string): number => Number(tp.slice(tp.lastIndexOf(':') + 1));
  return (held ?? []).filter((tp) => tp.startsWith(`${topic}:`)).sort((x, y) => number(x) - number(y));
}

/** Per process, the partitions of `topic` it holds; undefined unless every process is STABLE in one generation. */
function placement(views: (MembersView | undefined)[], route: string, topic: string): string[][] | undefined {
  if (views.some((v) => v?.state !== 'STABLE')) return undefined;
  if (new Set(views.map((v) => v!.generation)).size !== 1) return undefined;
  return views.map((v) => ofTopic(v!.partitions?.[route], topic));
}

/** Every partition held by exactly one process, and none idle while there are enough partitions. */
function settled(place: string[][] | undefined, partitions: number): boolean {
  if (!place) return false;
  const all = place.flat();
  if (all.length !== partitions || new Set(all).size !== partitions) return false;
  return place.length > partitions || place.every((p) => p.length > 0);
}

async function instancesRun(
  b: InstancesBed,
  instances: InstanceCount,
  run: number,
  topic: string,
  srcDigest: TopicDigest,
): Promise<InstanceRun> {
  const k = ++b.k;
  const sourceAlias = `s${k}`;
  const targetAlias = `t${k}`;
  const route = `${sourceAlias}->${targetAlias}`;
  const remote = `${sourceAlias}.${topic}`;
  const runDir = join(b.dir, `run-${k}-instances-${instances}`);
  const count = instances === 'solo' ? 1 : instances;
  const properties = benchProperties({
    sourceAlias,
    targetAlias,
    sourceBootstrap: b.source.bootstrap,
    targetBootstrap: b.target.bootstrap,
    topic,
    compression: b.options.compressions[0]!,
    tasks: b.options.tasks,
    extraLines: b.options.properties,
  });
  const result: InstanceRun = {
    instances,
    run,
    records: srcDigest.records,
    payloadBytes: srcDigest.payloadBytes,
    firstRecordSeconds: NaN,
    stableSeconds: NaN,
    allRecordsSeconds: NaN,
    copySeconds: NaN,
    recordsPerSec: NaN,
    endToEndRecordsPerSec: NaN,
    members: [],
    brokerCpuCopySeconds: [NaN, NaN],
    machineBusyPercent: NaN,
    placements: [],
    correct: false,
    problems: [],
    loadAvg1: loadavg()[0]!,
  };
  log(`instances ${instances} run ${run}: ${count} process(es), route ${route}`);
  const names = Array.from({ length: count }, (_, i) => (instances === 'solo' ? 'solo' : `bench-${k}-${i + 1}`));
  const spawnedAt = Date.now();
  const started: StartedMirror[] = [];
  for (const name of names) {
    const dir = join(runDir, name);
    mkdirSync(dir, { recursive: true });
    const group = instances === 'solo' ? '' : `mm2ts.cluster.enabled = true\nmm2ts.group.instance.id = ${name}\n`;
    started.push(await startMirror('ours', properties + group, targetAlias, dir, b.options.kafkaVersion));
  }
  b.mirrorCommands.set(
    'ours',
    `${started[0]!.command} (×${count}${instances === 'solo' ? '' : ', mm2ts.cluster.enabled = true, own mm2ts.group.instance.id and mm2ts.http.listener each'})`,
  );
  const base = started.map((m) => m.metricsUrl!.replace(/\/metrics$/, ''));
  const samplers = started.map((m) => new ProcessSampler(m.proc.pid));
  const copied = started.map(() => new CopiedRecords(remote));
  const since = (): number => Math.round((Date.now() - spawnedAt) / 100) / 10;

  // Watches the group (GET /members, every 250 ms) and each process's copied records (/metrics, every s).
  let watching = true;
  let lastViews: (MembersView | undefined)[] = [];
  const watchGroup = (async () => {
    let lastPlacement = '';
    while (watching) {
      if (instances !== 'solo') {
        lastViews = await Promise.all(
          base.map((u) =>
            getJson(`${u}/members`).then(
              (v) => v as MembersView,
              () => undefined,
            ),
          ),
        );
        const place = placement(lastViews, route, topic);
        if (place) {
          const key = JSON.stringify(place);
          if (key !== lastPlacement) {
            lastPlacement = key;
            result.placements.push([since(), place.map((p) => p.length)]);
          }
          if (Number.isNaN(result.stableSeconds) && settled(place, b.options.partitions))
            result.stableSeconds = (Date.now() - spawnedAt) / 1000;
        }
      }
      await sleep(250);
    }
  })();
  const watchMetrics = (async () => {
    while (watching) {
      const pages = await Promise.all(base.map((u) => getText(`${u}/metrics`)));
      pages.forEach((page, i) => page && copied[i]!.update(page));
      await sleep(1_000);
    }
  })();

  const exited = started.map(() => false);
  started.forEach((m, i) => void m.proc.exited.then(() => (exited[i] = true)));
  const cpuOf = (): number[] => started.map((m, i) => cpuSeconds(m.proc.pid) ?? samplers[i]!.lastCpu);
  const brokerCpu = (): number[] => b.brokerPids.map((pid) => cpuSeconds(pid) ?? NaN);
  let firstAt = spawnedAt;
  let cpuAtFirst = cpuOf();
  let brokersAtFirst = brokerCpu();
  const deadline = Date.now() + boundMs(srcDigest.records);
  try {
    for (;;) {
      const polledAt = Date.now();
      const cpu = cpuOf();
      const brokers = brokerCpu();
      const n = total(await endOffsets(b.target.admin, remote));
      if (n === 0) {
        firstAt = polledAt;
        cpuAtFirst = cpu;
        brokersAtFirst = brokers;
      }
      if (n >= srcDigest.records) {
        const doneAt = Date.now();
        const cpuDone = cpuOf();
        const brokersDone = brokerCpu();
        samplers.forEach((s) => s.sample());
        // The placement and the copied records at completion (the last word of every process).
        const pages = await Promise.all(base.map((u) => getText(`${u}/metrics`)));
        pages.forEach((page, i) => page && copied[i]!.update(page));
        const views =
          instances === 'solo'
            ? []
            : await Promise.all(
                base.map((u) =>
                  getJson(`${u}/members`).then(
                    (v) => v as MembersView,
                    () => undefined,
                  ),
                ),
              );
        const copySeconds = (doneAt - firstAt) / 1000;
        const brokerCopy = brokersDone.map((c, i) => c - brokersAtFirst[i]!);
        const memberCopy = cpuDone.map((c, i) => c - cpuAtFirst[i]!);
        const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
        Object.assign(result, {
          firstRecordSeconds: (firstAt - spawnedAt) / 1000,
          allRecordsSeconds: (doneAt - spawnedAt) / 1000,
          copySeconds,
          recordsPerSec: srcDigest.records / copySeconds,
          endToEndRecordsPerSec: srcDigest.records / ((doneAt - spawnedAt) / 1000),
          brokerCpuCopySeconds: brokerCopy,
          machineBusyPercent: ((sum(memberCopy) + sum(brokerCopy)) / (copySeconds * availableParallelism())) * 100,
        });
        result.members = names.map((instance, i) => {
          const page = pages[i] ?? '';
          const moved = samples(page, 'mm2ts_group_partitions_moved_total').find((s) =>
            s.labels.includes('direction="in"'),
          );
          return {
            instance,
            cpuSeconds: cpuDone[i]!,
            cpuCopySeconds: memberCopy[i]!,
            peakRssMb: samplers[i]!.peakRssMb,
            partitions:
              instances === 'solo'
                ? Array.from({ length: b.options.partitions }, (_, p) => `${topic}:${p}`)
                : ofTopic(views[i]?.partitions?.[route], topic),
            records: copied[i]!.records,
            rebalances: samples(page, 'mm2ts_group_rebalances_total')[0]?.value ?? NaN,
            partitionsMovedIn: moved?.value ?? NaN,
          };
        });
        break;
      }
      const gone = exited.findIndex((x) => x);
      if (gone >= 0) throw new Error(`${names[gone]} exited with ${n} of ${srcDigest.records} records copied`);
      if (Date.now() > deadline) throw new Error(`${n} of ${srcDigest.records} records copied in time`);
      await sleep(100);
    }
  } catch (err) {
    result.problems.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
    log(`  failed: ${result.problems[0]}; logs in ${runDir}`);
  } finally {
    watching = false;
    await Promise.all([watchGroup, watchMetrics]);
    samplers.forEach((s) => s.stop());
    await Promise.all(started.map((m) => m.proc.stop()));
  }
  if (instances !== 'solo' && Number.isNaN(result.stableSeconds))
    result.problems.push(
      `the group never had every partition placed, each member STABLE (last: ${JSON.stringify(lastViews.map((v) => v?.state))})`,
    );
  // Read back after every process stopped, so records written after the count was reached (duplicates) show too.
  const ends = await endOffsets(b.target.admin, remote);
  if (ends) {
    const digest = await digestTopic(b.target.reader, remote, ends, {
      withTimestamps: true,
      timeoutMs: boundMs(total(ends)),
    });
    result.problems.push(...compareDigests(srcDigest, digest));
  } else if (result.problems.length === 0) result.problems.push(`no topic ${remote} on the target`);
  result.correct = result.problems.length === 0;
  log(
    `  ${instances}: ${f(result.recordsPerSec)} rec/s, stable after ${f(result.stableSeconds, 1)} s, ` +
      `CPU ${result.members.map((m) => f(m.cpuCopySeconds, 1)).join(' / ')} s, ` +
      `partitions ${result.members.map((m) => m.partitions.length).join(' / ')}, ` +
      `records ${result.members.map((m) => f(m.records)).join(' / ')}, ` +
      `${result.correct ? 'correct' : `WRONG: ${result.problems.join('; ')}`}`,
  );
  return result;
}

/** Preloads the drain workload once, then runs every count of processes per round (order alternating). */
export async function instancesBench(b: InstancesBed, report: Report): Promise<void> {
  const counts = b.options.instances ?? [];
  const w = b.options.workloads[0]!;
  const compression = b.options.compressions[0]!;
  const topic = `bench-instances-${w.name}-${compression}`;
  const payloadFile = writePayloadFile(b.dir, w.recordSize);
  const [created] = await b.source.admin.createTopics([
    { name: topic, partitions: b.options.partitions, replicationFactor: 1 },
  ]);
  if (created?.error) throw new Error(`creating ${topic}: ${created.error}`);
  log(`preloading ${w.records} × ${w.recordSize} B records (${compression}) into ${topic}`);
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
  if (total(ends) !== w.records) throw new Error(`preload of ${topic} holds ${total(ends)} of ${w.records} records`);
  const srcDigest = await digestTopic(b.source.reader, topic, ends!, {
    withTimestamps: true,
    timeoutMs: boundMs(w.records),
  });
  report.instances = [];
  report.notes = [
    `${w.records.toLocaleString('en-US')} × ${w.recordSize} B records (${compression}), ${b.options.partitions} partitions, preloaded once; every run copies them into a fresh remote topic with fresh aliases (so a fresh group, offsets and offset-syncs); tasks.max = ${b.options.tasks} per process; ${b.options.runs} run(s) per count, order alternated per round; RF 1, single-node KRaft clusters on 127.0.0.1 (test bed, 512 MB heap each).`,
    'All processes of a run are spawned at once on the same properties (each its own `mm2ts.group.instance.id` and HTTP port); group defaults (session 10 s, heartbeat 2 s); `solo` is one process without `mm2ts.cluster.enabled`.',
  ];
  for (let run = 1; run <= b.options.runs; run++) {
    const order = run % 2 === 1 ? counts : [...counts].reverse();
    for (const n of order) report.instances.push(await instancesRun(b, n, run, topic, srcDigest));
  }
}

const perMember = (r: InstanceRun, pick: (m: MemberResult) => string): string =>
  r.members.length === 0 ? '–' : r.members.map(pick).join(' / ');

const share = (r: InstanceRun, m: MemberResult): string => `${f((m.records / r.records) * 100)} %`;

/** The report of `--instances`: a summary per count of processes, every run, the method and its limits. */
export function renderInstancesMarkdown(r: Report): string {
  const runs = r.instances ?? [];
  const out: string[] = [`# ${r.title}`, ''];
  const m = r.machine;
  out.push(
    `${r.date}, commit ${m.gitCommit}, Apache Kafka ${m.kafka}, ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, ${m.java}; load average at start ${m.loadAvgAtStart.join(' ')}; ${f(r.durationSeconds / 60, 1)} min.`,
    '',
    `\`${r.command}\``,
    '',
  );
  for (const note of r.notes) out.push(`- ${note}`);
  out.push('', '## Summary (medians, spread over runs in parentheses)', '');
  out.push(
    '| instances | records/s (copy) | records/s (spawn → all) | stable after s | first record s | mirror CPU s (copy, all processes) | CPU s per process (copy) | partitions per process | records copied per process | broker CPU s src / tgt | machine busy % | correct |',
    '| --- | --: | --: | --: | --: | --: | --- | --- | --- | --: | --: | --- |',
  );
  const counts = [...new Set(runs.map((x) => x.instances))];
  for (const n of counts) {
    const rs = runs.filter((x) => x.instances === n);
    const s = (pick: (x: InstanceRun) => number, digits = 0): string => statText(stat(rs.map(pick)), digits);
    // Per process, the median over runs of the i-th process (processes keep their index across runs).
    const size = Math.max(...rs.map((x) => x.members.length));
    const col = (pick: (x: MemberResult) => number, digits: number): string =>
      Array.from({ length: size }, (_, i) =>
        f(stat(rs.map((x) => (x.members[i] ? pick(x.members[i]) : NaN))).median, digits),
      ).join(' / ');
    out.push(
      `| ${n} | ${s((x) => x.recordsPerSec)} | ${s((x) => x.endToEndRecordsPerSec)} | ${n === 'solo' ? 'no group' : s((x) => x.stableSeconds, 1)} | ${s((x) => x.firstRecordSeconds, 1)} | ${s((x) => x.members.reduce((a, mm) => a + mm.cpuCopySeconds, 0), 1)} | ${col((x) => x.cpuCopySeconds, 1)} | ${col((x) => x.partitions.length, 0)} | ${col((x) => x.records, 0)} | ${s((x) => x.brokerCpuCopySeconds[0]!, 1)} / ${s((x) => x.brokerCpuCopySeconds[1]!, 1)} | ${s((x) => x.machineBusyPercent)} | ${rs.filter((x) => x.correct).length}/${rs.length} |`,
    );
  }
  out.push('', '## Every run', '');
  out.push(
    '| instances | run | records/s (copy) | copy s | stable after s | CPU s per process (copy) | CPU s per process (total) | peak RSS MB per process | partitions per process | share of the records per process | rebalances per process | partitions moved in per process | load avg | correct |',
    '| --- | --: | --: | --: | --: | --- | --- | --- | --- | --- | --- | --- | --: | --- |',
  );
  for (const x of runs) {
    out.push(
      `| ${x.instances} | ${x.run} | ${f(x.recordsPerSec)} | ${f(x.copySeconds, 1)} | ${f(x.stableSeconds, 1)} | ${perMember(x, (mm) => f(mm.cpuCopySeconds, 1))} | ${perMember(x, (mm) => f(mm.cpuSeconds, 1))} | ${perMember(x, (mm) => f(mm.peakRssMb))} | ${perMember(x, (mm) => String(mm.partitions.length))} | ${perMember(x, (mm) => share(x, mm))} | ${perMember(x, (mm) => f(mm.rebalances))} | ${perMember(x, (mm) => f(mm.partitionsMovedIn))} | ${f(x.loadAvg1, 2)} | ${x.correct ? 'yes' : `**no**: ${x.problems.join('; ')}`} |`,
    );
  }
  out.push('', '### Which partitions each process copied (at completion)', '');
  for (const x of runs.filter((y) => y.instances !== 'solo')) {
    const parts = x.members.map(
      (mm) => `${mm.instance}: ${mm.partitions.map((tp) => tp.slice(tp.lastIndexOf(':') + 1)).join(',') || 'none'}`,
    );
    const moves = x.placements.map(([t, p]) => `${f(t, 1)} s: ${p.join('/')}`).join('; ');
    out.push(
      `- ${x.instances} instances, run ${x.run}: ${parts.join('; ')} — placements seen (partitions per process): ${moves || 'none'}`,
    );
  }
  out.push('', '## Commands', '');
  for (const c of r.commands) out.push(`- \`${c}\``);
  out.push('');
  return out.join('\n');
}
