/** Medians, spread, ratios, the machine description, and the markdown + JSON the benchmark writes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { REPO_ROOT } from '../kafka/paths.ts';
import type { InstanceRun } from './instances.ts';
import type { MirrorKind } from './options.ts';
import type { ProfileSummary } from './profile.ts';

export interface DrainRun {
  case: string;
  mirror: MirrorKind;
  run: number;
  records: number;
  payloadBytes: number;
  /** Spawn → first record on the target. */
  startupSeconds: number;
  /** First record → last record on the target (polled every 100 ms). */
  copySeconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** CPU (user+sys) of the mirror process from spawn until the target was complete. */
  cpuSeconds: number;
  /** CPU during the copy phase only (excludes start-up). */
  cpuCopySeconds: number;
  cpuSecondsPerGb: number;
  peakRssMb: number;
  /** CPU seconds of the [source, target] broker JVMs during the copy phase. */
  brokerCpuCopySeconds: number[];
  /** (mirror + both brokers' CPU during the copy) / (copy s × cores): how saturated the machine was. */
  machineBusyPercent: number;
  /** Ours with --profile: where the mirror's CPU time went. */
  profile?: ProfileSummary;
  correct: boolean;
  problems: string[];
  loadAvg1: number;
  /** [seconds since spawn, records on the target] at each poll where the count changed (JSON only). */
  progress: [number, number][];
}

/** The broker-bound ceilings of one case, one round (ceilings.ts). */
export interface RawRun {
  case: string;
  run: number;
  /** ProducerPerformance into the target, tuned (java-tools.ts TUNED_PRODUCER). */
  produceRecordsPerSec: number;
  produceMbPerSec: number;
  /** ConsumerPerformance from the source, tuned (TUNED_CONSUMER), excluding the group join. */
  consumeRecordsPerSec: number;
  consumeMbPerSec: number;
  /** Our fetch path alone (no produce): the source's fetch rate through the Kafka port. */
  ourFetchRecordsPerSec: number;
  /** Our produce path alone, fed records from memory in the mirror's groups. */
  ourIngestRecordsPerSec: number;
}

/** Fetch ceiling, ingest ceiling and their minimum (the limit), records/s, of one round. */
export function ceilings(x: RawRun): { fetch: number; ingest: number; limit: number } {
  const fetch = Math.max(x.consumeRecordsPerSec, x.ourFetchRecordsPerSec);
  const ingest = Math.max(x.produceRecordsPerSec, x.ourIngestRecordsPerSec);
  return { fetch, ingest, limit: Math.min(fetch, ingest) };
}

export interface SteadyRun {
  mirror: MirrorKind;
  run: number;
  rate: number;
  seconds: number;
  records: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  avgMs: number;
  /** The producer's own ack latency at this rate (the floor for any mirror's figure). */
  producerP50Ms: number;
  producerP99Ms: number;
  producerAvgMs: number;
  /**
   * Ours: the mirror's own metrics at the end of the run (MM2's record-age-ms-avg: record
   * timestamp → fetched; replication-latency-ms-avg: record timestamp → target ack), ms.
   */
  ageAtFetchAvgMs?: number;
  replicationLatencyAvgMs?: number;
  /** Ours with --profile: where the mirror's CPU time went while the rate was sent and copied. */
  profile?: ProfileSummary;
  cpuPercent: number;
  peakRssMb: number;
  correct: boolean;
  problems: string[];
  loadAvg1: number;
}

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  loadAvgAtStart: number[];
  node: string;
  kafka: string;
  java: string;
  gitCommit: string;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stat(values: number[]): Stat {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

/** Exact nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** stdout and stderr of a short command (java -version writes to stderr). */
function safe(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

export function describeMachine(kafkaVersion: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const javaVersion = safe('java', ['-XshowSettings:properties', '-version']);
  const javaLine = /java\.runtime\.version = (.+)/.exec(javaVersion)?.[1] ?? javaVersion.split('\n').at(-1) ?? '';
  const dirty = safe('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', '.', ':(exclude)docs/benchmarks']) !== '';
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    kafka: kafkaVersion,
    java: javaLine,
    gitCommit: safe('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']) + (dirty ? ' (uncommitted changes)' : ''),
  };
}

export const formatNumber = (x: number, digits = 0): string =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const f = formatNumber;

/** `median (min–max)` or just the value for one run. */
export function statText(s: Stat, digits = 0): string {
  if (s.n <= 1) return f(s.median, digits);
  return `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})`;
}

const ratio = (a: number, b: number): string => (Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–');

export interface Report {
  label: string;
  date: string;
  title: string;
  machine: Machine;
  command: string;
  options: object;
  durationSeconds: number;
  commands: string[];
  drain: DrainRun[];
  raw: RawRun[];
  steady: SteadyRun[];
  /** `--instances`: the scale-out runs (instances.ts). */
  instances?: InstanceRun[];
  notes: string[];
}

/**
 * Whether 85 % of the limit fits this machine's CPU. The ceilings are measured one half at a time,
 * but a mirror runs both brokers at once on the same cores: at a rate R the brokers alone need
 * R × (their CPU s per record, as measured during our copy) core-seconds per second, and the
 * mirror gets what is left. The table gives the rate the brokers alone could reach on these
 * cores (a zero-cost mirror), and the mirror CPU per 1M records that would still leave room for
 * 85 % of the limit, next to ours. "none" means the brokers alone cannot reach 85 % of the limit
 * here: no mirror can.
 */
function renderCpuBudget(out: string[], drain: DrainRun[], raw: RawRun[], cores: number): void {
  const rows = drain.filter((d) => d.mirror === 'ours' && Number.isFinite(d.machineBusyPercent));
  const cases = [...new Set(rows.map((d) => d.case))].filter((c) => raw.some((x) => x.case === c));
  if (cases.length === 0) return;
  out.push(`### CPU budget at 85 % of the limit on ${cores} cores (ours, medians; CPU s per 1,000,000 records)`, '');
  out.push(
    '| case | limit records/s | brokers (source + target, during our copy) | brokers alone could reach records/s | mirror CPU that leaves room for 85 % | ours |',
    '| --- | --: | --: | --: | --: | --: |',
  );
  for (const c of cases) {
    const runs = rows.filter((d) => d.case === c);
    const perM = (pick: (d: DrainRun) => number): number => stat(runs.map((d) => (pick(d) / d.records) * 1e6)).median;
    const brokers = perM((d) => d.brokerCpuCopySeconds[0]! + d.brokerCpuCopySeconds[1]!);
    const limit = stat(raw.filter((x) => x.case === c).map((x) => ceilings(x).limit)).median;
    const allowed = (cores * 1e6) / (0.85 * limit) - brokers;
    out.push(
      `| ${c} | ${f(limit)} | ${f(brokers, 1)} | ${f((cores * 1e6) / brokers)} | ${allowed > 0 ? f(allowed, 1) : 'none'} | ${f(
        perM((d) => d.cpuCopySeconds),
        1,
      )} |`,
    );
  }
  out.push('');
}

/**
 * Who used the CPU during the copy phase, per case and mirror (medians): the mirror, the two
 * brokers, and the machine's saturation. On a 2-core box a mirror that leaves more CPU to the
 * brokers drains faster; this table says how much headroom was left.
 */
function renderCpuSplit(out: string[], drain: DrainRun[]): void {
  const rows = drain.filter((d) => Number.isFinite(d.machineBusyPercent));
  if (rows.length === 0) return;
  out.push('### CPU during the copy phase (medians, CPU seconds per 1,000,000 records)', '');
  out.push(
    '| case | mirror | mirror | source broker | target broker | machine busy % |',
    '| --- | --- | --: | --: | --: | --: |',
  );
  for (const c of [...new Set(rows.map((d) => d.case))]) {
    for (const mirror of ['ours', 'java'] as const) {
      const runs = rows.filter((d) => d.case === c && d.mirror === mirror);
      if (runs.length === 0) continue;
      const perM = (pick: (d: DrainRun) => number): string =>
        f(stat(runs.map((d) => (pick(d) / d.records) * 1e6)).median, 1);
      out.push(
        `| ${c} | ${mirror} | ${perM((d) => d.cpuCopySeconds)} | ${perM((d) => d.brokerCpuCopySeconds[0]!)} | ${perM((d) => d.brokerCpuCopySeconds[1]!)} | ${f(stat(runs.map((d) => d.machineBusyPercent)).median)} |`,
      );
    }
  }
  out.push('');
}

/**
 * The CPU profile summaries of our runs (--profile): by area of the code, then the hottest functions.
 * `phase` names the window a summary counts (the drain's copy, the steady run's measured rate).
 */
function renderProfiles(out: string[], runs: { title: string; phase: string; profile: ProfileSummary }[]): void {
  if (runs.length === 0) return;
  out.push('## Where our CPU time goes (V8 CPU profile)', '');
  for (const { title, phase, profile: p } of runs) {
    out.push(
      `### ${title} (${p.copyPhaseOnly ? phase : 'whole process life'}): busy ${f(p.busyMs / 1000, 2)} s of ${f(p.wallMs / 1000, 2)} s (idle ${f(p.idleMs / 1000, 2)} s)`,
      '',
      '| area | CPU ms | share of busy |',
      '| --- | --: | --: |',
    );
    for (const a of p.areas) out.push(`| ${a.name} | ${f(a.ms)} | ${f(a.percent, 1)} % |`);
    out.push('', '| hottest functions (self time) | CPU ms | share of busy |', '| --- | --: | --: |');
    for (const fn of p.functions)
      out.push(`| \`${fn.name.replace(/\|/g, '\\|')}\` | ${f(fn.ms)} | ${f(fn.percent, 1)} % |`);
    out.push('');
    if (p.runtimeByCaller.length > 0) {
      out.push('| node core + built-ins, by nearest caller | CPU ms | share of busy |', '| --- | --: | --: |');
      for (const c of p.runtimeByCaller)
        out.push(`| \`${c.name.replace(/\|/g, '\\|')}\` | ${f(c.ms)} | ${f(c.percent, 1)} % |`);
      out.push('');
    }
  }
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# ${r.title}`, '');
  out.push(`- Date: ${r.date}; label \`${r.label}\`; duration ${f(r.durationSeconds)} s`);
  out.push(
    `- Machine: ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB; load average at start ${m.loadAvgAtStart.join(' / ')}`,
  );
  out.push(
    `- Versions: Node ${m.node}, Apache Kafka ${m.kafka} (brokers, Java MM2, perf tools), Java ${m.java}; mirrormaker-ts ${m.gitCommit}`,
  );
  out.push(`- Command: \`${r.command}\``);
  for (const n of r.notes) out.push(`- ${n}`);
  out.push('');

  const cases = [...new Set([...r.drain.map((d) => d.case), ...r.raw.map((d) => d.case)])];
  if (cases.length > 0) {
    out.push('## Backlog drain (medians, min–max over runs)', '');
    out.push(
      '| case | mirror | runs | records/s | MB/s | start-up s | CPU s (copy) | CPU s/GB | peak RSS MB | correct |',
      '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --- |',
    );
    for (const c of cases) {
      for (const mirror of ['ours', 'java'] as const) {
        const runs = r.drain.filter((d) => d.case === c && d.mirror === mirror);
        if (runs.length === 0) continue;
        out.push(
          `| ${c} | ${mirror} | ${runs.length} | ${statText(stat(runs.map((x) => x.recordsPerSec)))} | ${statText(stat(runs.map((x) => x.mbPerSec)), 1)} | ${statText(stat(runs.map((x) => x.startupSeconds)), 1)} | ${statText(stat(runs.map((x) => x.cpuCopySeconds)), 1)} | ${statText(stat(runs.map((x) => x.cpuSecondsPerGb)), 0)} | ${statText(stat(runs.map((x) => x.peakRssMb)))} | ${runs.every((x) => x.correct) ? 'yes' : `**NO** (${runs.filter((x) => !x.correct).length} run(s))`} |`,
        );
      }
      const raw = r.raw.filter((x) => x.case === c);
      if (raw.length > 0) {
        out.push(
          `| ${c} | ingest: ProducerPerformance, tuned (target) | ${raw.length} | ${statText(stat(raw.map((x) => x.produceRecordsPerSec)))} | ${statText(stat(raw.map((x) => x.produceMbPerSec)), 1)} | | | | | |`,
          `| ${c} | ingest: our produce path from memory (target) | ${raw.length} | ${statText(stat(raw.map((x) => x.ourIngestRecordsPerSec)))} | | | | | | |`,
          `| ${c} | fetch: ConsumerPerformance, tuned (source) | ${raw.length} | ${statText(stat(raw.map((x) => x.consumeRecordsPerSec)))} | ${statText(stat(raw.map((x) => x.consumeMbPerSec)), 1)} | | | | | |`,
          `| ${c} | fetch: our fetch path, nothing produced (source) | ${raw.length} | ${statText(stat(raw.map((x) => x.ourFetchRecordsPerSec)))} | | | | | | |`,
        );
      }
    }
    out.push('', '### Ratios (of medians)', '');
    out.push(
      '| case | throughput ours/Java | fetch ceiling records/s | ingest ceiling records/s | ours % of min(fetch, ingest) | CPU s/GB ours/Java | peak RSS ours/Java |',
      '| --- | --: | --: | --: | --: | --: | --: |',
    );
    for (const c of cases) {
      const med = (mirror: MirrorKind, pick: (d: DrainRun) => number): number =>
        stat(r.drain.filter((d) => d.case === c && d.mirror === mirror).map(pick)).median;
      const raw = r.raw.filter((x) => x.case === c);
      // The limit of a mirror is the slower of the two halves it chains: fetch and ingest.
      const fetchCeiling = stat(raw.map((x) => ceilings(x).fetch)).median;
      const ingestCeiling = stat(raw.map((x) => ceilings(x).ingest)).median;
      const limit = Math.min(fetchCeiling, ingestCeiling);
      out.push(
        `| ${c} | ${ratio(
          med('ours', (d) => d.recordsPerSec),
          med('java', (d) => d.recordsPerSec),
        )} | ${f(fetchCeiling)} | ${f(ingestCeiling)} | ${f((med('ours', (d) => d.recordsPerSec) / limit) * 100)} % | ${ratio(
          med('ours', (d) => d.cpuSecondsPerGb),
          med('java', (d) => d.cpuSecondsPerGb),
        )} | ${ratio(
          med('ours', (d) => d.peakRssMb),
          med('java', (d) => d.peakRssMb),
        )} |`,
      );
    }
    out.push('', '### Every run', '');
    out.push(
      '| case | mirror | run | records | copy s | start-up s | records/s | MB/s | CPU s total | CPU s copy | broker CPU s src / tgt | machine busy % | peak RSS MB | load 1m | correct |',
      '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
    );
    for (const d of r.drain) {
      const brokers = d.brokerCpuCopySeconds;
      out.push(
        `| ${d.case} | ${d.mirror} | ${d.run} | ${f(d.records)} | ${f(d.copySeconds, 2)} | ${f(d.startupSeconds, 2)} | ${f(d.recordsPerSec)} | ${f(d.mbPerSec, 1)} | ${f(d.cpuSeconds, 1)} | ${f(d.cpuCopySeconds, 1)} | ${f(brokers[0]!, 1)} / ${f(brokers[1]!, 1)} | ${f(d.machineBusyPercent)} | ${f(d.peakRssMb)} | ${f(d.loadAvg1, 2)} | ${d.correct ? 'yes' : `NO: ${d.problems.join('; ')}`} |`,
      );
    }
    for (const x of r.raw) {
      out.push(
        `| ${x.case} | ceilings: ingest Java / ours, fetch Java / ours | ${x.run} | | | | ${f(x.produceRecordsPerSec)} / ${f(x.ourIngestRecordsPerSec)}, ${f(x.consumeRecordsPerSec)} / ${f(x.ourFetchRecordsPerSec)} | | | | | | | | |`,
      );
    }
    out.push('');
    renderCpuSplit(out, r.drain);
    renderCpuBudget(out, r.drain, r.raw, r.machine.nproc);
    renderProfiles(
      out,
      r.drain.flatMap((d) =>
        d.profile ? [{ title: `${d.case}, run ${d.run}`, phase: 'copy phase', profile: d.profile }] : [],
      ),
    );
  }

  if (r.steady.length > 0) {
    const fromAppend = (r.options as { fromSourceAppend?: boolean }).fromSourceAppend === true;
    out.push(
      fromAppend
        ? '## Steady state (latency: source LogAppendTime → target LogAppendTime, `--from-source-append`: the mirror alone)'
        : '## Steady state (latency: source CreateTime → target LogAppendTime)',
      '',
    );
    out.push(
      '| mirror | run | rate/s | achieved/s | records | p50 ms | p99 ms | max ms | avg ms | producer ack avg / p50 / p99 ms | ours: age at fetch / replication latency avg ms | CPU % | peak RSS MB | load 1m | correct |',
      '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
    );
    for (const s of r.steady) {
      const own =
        s.ageAtFetchAvgMs !== undefined ? `${f(s.ageAtFetchAvgMs, 1)} / ${f(s.replicationLatencyAvgMs ?? NaN, 1)}` : '';
      out.push(
        `| ${s.mirror} | ${s.run} | ${f(s.rate)} | ${f(s.achievedRate)} | ${f(s.records)} | ${f(s.p50Ms)} | ${f(s.p99Ms)} | ${f(s.maxMs)} | ${f(s.avgMs, 1)} | ${f(s.producerAvgMs, 1)} / ${f(s.producerP50Ms)} / ${f(s.producerP99Ms)} | ${own} | ${f(s.cpuPercent)} | ${f(s.peakRssMb)} | ${f(s.loadAvg1, 2)} | ${s.correct ? 'yes' : `NO: ${s.problems.join('; ')}`} |`,
      );
    }
    out.push('', '### Medians per rate (min–max over runs)', '');
    out.push(
      '| rate/s | mirror | runs | achieved/s | p50 ms | p99 ms | max ms | producer ack p99 ms | CPU % | peak RSS MB | correct |',
      '| --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
    );
    const rates = [...new Set(r.steady.map((s) => s.rate))];
    for (const rate of rates) {
      for (const mirror of ['ours', 'java'] as const) {
        const runs = r.steady.filter((s) => s.mirror === mirror && s.rate === rate);
        if (runs.length === 0) continue;
        const col = (pick: (s: SteadyRun) => number): string => statText(stat(runs.map(pick)));
        out.push(
          `| ${f(rate)} | ${mirror} | ${runs.length} | ${col((s) => s.achievedRate)} | ${col((s) => s.p50Ms)} | ${col((s) => s.p99Ms)} | ${col((s) => s.maxMs)} | ${col((s) => s.producerP99Ms)} | ${col((s) => s.cpuPercent)} | ${col((s) => s.peakRssMb)} | ${runs.every((s) => s.correct) ? 'yes' : '**NO**'} |`,
        );
      }
    }
    out.push('', '### Where our time goes (medians of averages, ms)', '');
    if (fromAppend)
      out.push(
        'With `--from-source-append` the record timestamp is the source append time: the producer stage below is outside the measured latency (shown for reference), and the fetch stage is age at fetch itself.',
        '',
      );
    out.push(
      "Record timestamp (set by the producer at send) → … The producer stage is ProducerPerformance's own send → ack average (its linger and the source append); age at fetch is MM2's record-age-ms-avg of ours (timestamp → the mirror holds the decoded record), so fetch stage = age at fetch − producer stage (fetch wait and the round in progress); replication latency is replication-latency-ms-avg (timestamp → target ack), so produce stage = replication latency − age at fetch (decode, waiting for the previous group, produce round trip); end-to-end is target LogAppendTime − source CreateTime.",
      '',
      '| rate/s | producer stage | fetch stage | produce stage | end-to-end avg (p99) |',
      '| --: | --: | --: | --: | --: |',
    );
    for (const rate of rates) {
      const runs = r.steady.filter((s) => s.mirror === 'ours' && s.rate === rate && s.ageAtFetchAvgMs !== undefined);
      if (runs.length === 0) continue;
      const m = (pick: (s: SteadyRun) => number): number => stat(runs.map(pick)).median;
      out.push(
        `| ${f(rate)} | ${f(
          m((s) => s.producerAvgMs),
          1,
        )} | ${f(
          m((s) => s.ageAtFetchAvgMs! - (fromAppend ? 0 : s.producerAvgMs)),
          1,
        )} | ${f(
          m((s) => s.replicationLatencyAvgMs! - s.ageAtFetchAvgMs!),
          1,
        )} | ${f(
          m((s) => s.avgMs),
          1,
        )} (${f(m((s) => s.p99Ms))}) |`,
      );
    }
    out.push('');
    for (const rate of rates) {
      const med = (mirror: MirrorKind, pick: (s: SteadyRun) => number): number =>
        stat(r.steady.filter((s) => s.mirror === mirror && s.rate === rate).map(pick)).median;
      out.push(
        `${f(rate)} records/s: p99 ours/Java (medians) ${ratio(
          med('ours', (s) => s.p99Ms),
          med('java', (s) => s.p99Ms),
        )}; peak RSS ours/Java ${ratio(
          med('ours', (s) => s.peakRssMb),
          med('java', (s) => s.peakRssMb),
        )}`,
        '',
      );
    }
    renderProfiles(
      out,
      r.steady.flatMap((s) =>
        s.profile
          ? [{ title: `steady ${f(s.rate)} records/s, run ${s.run}`, phase: 'measured phase', profile: s.profile }]
          : [],
      ),
    );
  }

  out.push('## Commands', '', '```');
  out.push(...r.commands);
  out.push('```', '');
  return out.join('\n');
}
