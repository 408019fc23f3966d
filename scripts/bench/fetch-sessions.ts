/**
 * `node scripts/bench/fetch-sessions.ts`: what an idle fetch round over many partitions costs,
 * naming topics by name (Fetch v11) or by id (Fetch v13, KIP-516), through fetch sessions of a
 * given size. Creates `--topics` topics of `--partitions` partitions (numbered names, as the scale
 * bench's) on one local broker, then for each case opens a record source (our Kafka port, as a
 * source task uses it) and fetches every partition round after round, asking only for changes:
 *
 * - the round that opens the sessions (the second; the first is sessionless),
 * - the median and slowest of `--rounds` idle rounds after it (each waits `fetch.max.wait.ms`,
 *   500 ms, on the broker: the rest is the broker's and our work),
 * - the broker's CPU over those idle rounds (% of a core) and ours per round,
 * - how long a record written afterwards takes to come back.
 *
 * Cases: `--cases name:4000,id:4000,id:all` (the default; `all` is one session per leader). A
 * by-name session much larger than 4,000 such partitions can keep the broker busy for minutes
 * (docs/benchmarks/2026-12-01-fetch-session-size.md): put it last if you ask for it.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { openKafkaCluster, type FetchRequest, type KafkaCluster } from '../../src/kafka/index.ts';
import type { KafkajsRecordSource } from '../../src/kafka/kafkajs/record-source.ts';
import { startTestBed, type TestBed } from '../kafka/testbed.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../kafka/versions.ts';
import { cpuSeconds } from './procs.ts';
import { createTopics } from './source-topics.ts';
import { runMain } from '../run-main.ts';

const log = (line: string): void => console.error(`[bench:fetch-sessions] ${line}`);

interface Case {
  label: string;
  topicIds: boolean;
  sessionPartitions: number;
}

interface CaseResult extends Case {
  openMs: number;
  idleMedianMs: number;
  idleMaxMs: number;
  brokerCpuPercent: number;
  ourCpuMsPerRound: number;
  lateRecordMs: number;
  fetchVersions: string;
}

function parseCases(text: string, total: number): Case[] {
  return text.split(',').map((item) => {
    const match = /^(name|id):(\d+|all)$/.exec(item.trim());
    if (!match) throw new Error(`--cases: "${item}" is not name:N, id:N, name:all or id:all`);
    const sessionPartitions = match[2] === 'all' ? total : Number(match[2]);
    return { label: item.trim(), topicIds: match[1] === 'id', sessionPartitions };
  });
}

/**
 * Waits until the broker is quiet (under 10 % of a core over 2 s; at most 5 minutes): after
 * CreateTopics it goes on creating logs for a while, and a partition whose log is not ready
 * answers an error at once instead of waiting, which would pass for a fast round.
 */
async function settled(brokerPid: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const c0 = cpuSeconds(brokerPid) ?? 0;
    await sleep(2_000);
    const percent = (((cpuSeconds(brokerPid) ?? 0) - c0) / 2) * 100;
    if (percent < 10) return;
    if (Date.now() > deadline) {
      log(`the broker still uses ${percent.toFixed(0)} % of a core; measuring anyway`);
      return;
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function runCase(
  c: Case,
  cluster: KafkaCluster,
  brokerPid: number,
  requests: FetchRequest[],
  rounds: number,
): Promise<CaseResult> {
  const reader = (await cluster.recordSource({
    topicIds: c.topicIds,
    sessionPartitions: c.sessionPartitions,
  })) as KafkajsRecordSource;
  try {
    const round = async (): Promise<number> => {
      const t = performance.now();
      await reader.fetchUndecoded(requests, { changedOnly: true });
      return performance.now() - t;
    };
    await round(); // sessionless
    const openMs = await round();
    await round(); // the first incremental round after the opening one
    const broker0 = cpuSeconds(brokerPid) ?? Number.NaN;
    const ours0 = process.cpuUsage();
    const idle: number[] = [];
    for (let i = 0; i < rounds; i++) idle.push(await round());
    const idleSeconds = idle.reduce((a, b) => a + b, 0) / 1000;
    const brokerCpuPercent = (((cpuSeconds(brokerPid) ?? Number.NaN) - broker0) / idleSeconds) * 100;
    const ours = process.cpuUsage(ours0);
    // One record on the last partition, then rounds until it is answered.
    const last = requests[requests.length - 1]!;
    const sink = await cluster.recordSink({ acks: 1 });
    await sink.send(last.topic, [{ partition: last.partition, key: null, value: Buffer.from('late') }]);
    await sink.close();
    const sent = performance.now();
    let lateRecordMs = Number.NaN;
    while (performance.now() - sent < 60_000) {
      const answered = await reader.fetchUndecoded(requests, { changedOnly: true });
      if (answered.some((f) => f.batchRecordCount > 0)) {
        lateRecordMs = performance.now() - sent;
        for (const f of answered) f.release?.();
        break;
      }
    }
    return {
      ...c,
      openMs,
      idleMedianMs: median(idle),
      idleMaxMs: Math.max(...idle),
      brokerCpuPercent,
      ourCpuMsPerRound: (ours.user + ours.system) / 1000 / rounds,
      lateRecordMs,
      fetchVersions: [...reader.fetchVersionCounts()].map(([v, n]) => `v${v}×${n}`).join(' '),
    };
  } finally {
    await reader.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      topics: { type: 'string', default: '2000' },
      partitions: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '20' },
      cases: { type: 'string', default: 'name:4000,id:4000,id:all' },
      'kafka-version': { type: 'string', default: '4.1.2' },
      'heap-mb': { type: 'string', default: '1024' },
    },
  });
  const topicCount = Number(values.topics);
  const partitions = Number(values.partitions);
  const rounds = Number(values.rounds);
  const total = topicCount * partitions;
  for (const [flag, v] of [
    ['--topics', topicCount],
    ['--partitions', partitions],
    ['--rounds', rounds],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} must be a whole number ≥ 1, got "${v}"`);
  const cases = parseCases(values.cases, total);
  const info = SUPPORTED_KAFKA_VERSIONS[values['kafka-version']];
  if (!info) throw new Error(`--kafka-version must be one of ${Object.keys(SUPPORTED_KAFKA_VERSIONS).join(', ')}`);
  let bed: TestBed | undefined;
  let cluster: KafkaCluster | undefined;
  const results: CaseResult[] = [];
  try {
    bed = await startTestBed({
      aliases: ['source'],
      info,
      heapMb: Number(values['heap-mb']),
      ownerPid: process.pid,
      log,
    });
    cluster = openKafkaCluster({
      clientId: 'mm2-bench-fetch-sessions',
      bootstrapServers: [bed.bootstrap['source']!],
      securityProtocol: 'PLAINTEXT',
    });
    const admin = await cluster.admin();
    const names = Array.from({ length: topicCount }, (_, i) => `s-${String(i).padStart(5, '0')}`);
    const t0 = Date.now();
    await createTopics(admin, names, partitions);
    await admin.close();
    log(`created ${topicCount} topics × ${partitions} partitions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const requests: FetchRequest[] = names.flatMap((topic) =>
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n })),
    );
    const brokerPid = bed.clusters[0]!.pid;
    await settled(brokerPid);
    // Every partition answerable first (a new partition's log may not be ready at once).
    const warm = await cluster.recordSource({ maxWaitMs: 0 });
    await warm.fetchUndecoded(requests);
    await warm.close();
    for (const [k, c] of cases.entries()) {
      log(`case ${c.label}`);
      // Each case writes one record to the last partition: later cases start past the earlier
      // ones' (a round that answers records returns at once, and would pass for a fast idle one).
      const last = requests[requests.length - 1]!;
      requests[requests.length - 1] = { ...last, offset: BigInt(k) };
      const result = await runCase(c, cluster, brokerPid, requests, rounds);
      log(JSON.stringify(result));
      results.push(result);
      // The broker's work for the closed sessions settles before the next case.
      await settled(brokerPid);
    }
  } finally {
    await cluster?.close();
    await bed?.stop();
  }
  console.log(
    `\n${topicCount} topics × ${partitions} partitions (${total} partitions, numbered names), one broker, Kafka ${info.version}, ${rounds} idle rounds per case, fetch.max.wait.ms 500\n`,
  );
  console.log(
    '| case | sessions per leader | round opening the sessions (ms) | idle round median / max (ms) | broker CPU while idle (% of a core) | our CPU per idle round (ms) | a record after idle (ms) | fetches by version |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '–');
  for (const r of results)
    console.log(
      `| ${r.label} | ${Math.ceil(total / r.sessionPartitions)} | ${f0(r.openMs)} | ${f0(r.idleMedianMs)} / ${f0(r.idleMaxMs)} | ${Number.isFinite(r.brokerCpuPercent) ? r.brokerCpuPercent.toFixed(1) : '–'} | ${r.ourCpuMsPerRound.toFixed(1)} | ${f0(r.lateRecordMs)} | ${r.fetchVersions} |`,
    );
  return 0;
}

runMain(main);
