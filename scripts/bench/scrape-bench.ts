/**
 * What one `/metrics` scrape costs at many partitions, without brokers: the appliance's registry
 * (src/metrics/index.ts `createApplianceMetrics`, process metrics included) with `--topics` ×
 * `--partitions` source partitions that each copied a record, rendered the way the operator HTTP
 * server renders it for the response (the registry's bytes when it writes them, else
 * `Buffer.from(await registry.metrics())`). Per aggregation level: the first scrape of a fresh
 * process (the one a restarted mirror answers before V8 has optimized anything), the median and
 * CPU of the next `--scrapes`, and the garbage collection during those.
 *
 *   node scripts/bench/scrape-bench.ts [--topics 1000] [--partitions 8] [--scrapes 20] [--root DIR …]
 *
 * Each `--root` (default: this checkout) is measured from its own sources, one fresh process per
 * root and level, alternating, `--rounds` times: an older commit unpacked beside this one is the
 * "before" of an A/B.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PerformanceObserver } from 'node:perf_hooks';
import { REPO_ROOT } from '../kafka/paths.ts';
import { stat } from './report.ts';
import { runMain } from '../run-main.ts';

const LEVELS = ['topic', 'partition', 'route'] as const;

interface ChildResult {
  bytes: number;
  firstMs: number;
  medianMs: number;
  cpuMsPerScrape: number;
  gcMsPerScrape: number;
}

interface PartitionRecorder {
  polled(count: number, bytes: number, minAgeMs: number, maxAgeMs: number, sumAgeMs: number): void;
  lag(records: number): void;
  acked(count: number, minLatencyMs: number, maxLatencyMs: number, sumLatencyMs: number): void;
}

interface ApplianceMetricsModule {
  createApplianceMetrics(options: { level: string }): {
    registry: { metrics(): Promise<string>; metricsBytes?: () => Promise<Buffer> };
    source: {
      partition(labels: { source: string; target: string; topic: string; partition: number }): PartitionRecorder;
    };
  };
}

async function child(root: string, level: string, topics: number, partitions: number, scrapes: number) {
  const { createApplianceMetrics } = (await import(
    pathToFileURL(resolve(root, 'src/metrics/index.ts')).href
  )) as ApplianceMetricsModule;
  const metrics = createApplianceMetrics({ level });
  for (let t = 0; t < topics; t++) {
    for (let p = 0; p < partitions; p++) {
      const m = metrics.source.partition({ source: 'src', target: 'tgt', topic: `src.s-${t}`, partition: p });
      m.polled(1, 100, 5, 5, 5);
      m.lag(0);
      m.acked(1, 7, 7, 7);
    }
  }
  const { registry } = metrics;
  const scrape = async (): Promise<Buffer> =>
    registry.metricsBytes ? await registry.metricsBytes() : Buffer.from(await registry.metrics());
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  let t0 = performance.now();
  const body = await scrape();
  const firstMs = performance.now() - t0;
  observer.observe({ entryTypes: ['gc'] });
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < scrapes; i++) {
    t0 = performance.now();
    await scrape();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  // GC entries arrive on a later turn of the loop.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const result: ChildResult = {
    bytes: body.length,
    firstMs,
    medianMs: stat(times).median,
    cpuMsPerScrape: (cpu.user + cpu.system) / 1000 / scrapes,
    gcMsPerScrape: gcMs / scrapes,
  };
  console.log(JSON.stringify(result));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      topics: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '8' },
      scrapes: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '3' },
      level: { type: 'string', multiple: true },
      root: { type: 'string', multiple: true },
      child: { type: 'boolean', default: false },
    },
  });
  const topics = Number(values.topics);
  const partitions = Number(values.partitions);
  const scrapes = Number(values.scrapes);
  if (values.child) {
    await child(values.root![0]!, values.level![0]!, topics, partitions, scrapes);
    return 0;
  }
  const roots = (values.root ?? [REPO_ROOT]).map((r) => resolve(r));
  const levels = values.level ?? [...LEVELS];
  const runs = new Map<string, ChildResult[]>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const level of levels) {
      for (const root of roots) {
        const out = execFileSync(
          process.execPath,
          [
            import.meta.filename,
            '--child',
            '--root',
            root,
            '--level',
            level,
            '--topics',
            String(topics),
            '--partitions',
            String(partitions),
            '--scrapes',
            String(scrapes),
          ],
          { encoding: 'utf8' },
        );
        const key = `${root}\u0000${level}`;
        runs.set(key, [...(runs.get(key) ?? []), JSON.parse(out.trim().split('\n').pop()!) as ChildResult]);
      }
    }
  }
  console.log(
    `\n${topics} topics × ${partitions} partitions, one /metrics body per scrape, ${values.rounds} fresh processes each (medians); Node ${process.version}\n`,
  );
  console.log(
    '| checkout | level | body (MB) | first scrape (ms) | next scrapes, median (ms) | CPU per scrape (ms) | GC per scrape (ms) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const level of levels) {
    for (const root of roots) {
      const r = runs.get(`${root}\u0000${level}`)!;
      const m = (f: (x: ChildResult) => number): string => stat(r.map(f)).median.toFixed(1);
      console.log(
        `| ${root} | ${level} | ${(r[0]!.bytes / 1e6).toFixed(2)} | ${m((x) => x.firstMs)} | ${m((x) => x.medianMs)} | ${m((x) => x.cpuMsPerScrape)} | ${m((x) => x.gcMsPerScrape)} |`,
      );
    }
  }
  return 0;
}

runMain(main);
