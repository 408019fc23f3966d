// `npm test`: the whole suite in two lanes that run at the same time, each one vitest process
// with one file at a time (vitest.config.ts). The integration projects of different Kafka
// versions use different brokers, so they need not wait for each other; inside one version the
// files share two brokers and stay serial. Most of an integration file's time is spent waiting
// (sessions to expire, intervals to pass, brokers to restart), which is why two lanes nearly
// halve the wall time even on two cores.
//
//   lane 1: unit, package, java-interop and the newest Kafka version's integration project
//   lane 2: the other Kafka versions' integration projects
//
// Each lane writes its own JSON report; they are merged into test-results/vitest.json, the file
// .ci/run reads its summary from. Arguments (`npm test -- test/e2e/x.test.ts`) or a single Kafka
// version run one plain `vitest run` instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const REPORT = 'test-results/vitest.json';
const NEWEST = '4.1.2';

interface Lane {
  name: string;
  projects: string[];
  report: string;
}

interface VitestReport {
  numTotalTestSuites: number;
  numPassedTestSuites: number;
  numFailedTestSuites: number;
  numPendingTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  startTime: number;
  success: boolean;
  testResults: unknown[];
  [key: string]: unknown;
}

const COUNTS = [
  'numTotalTestSuites',
  'numPassedTestSuites',
  'numFailedTestSuites',
  'numPendingTestSuites',
  'numTotalTests',
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTodoTests',
] as const;

function lanes(): Lane[] | undefined {
  if (process.argv.length > 2) return undefined;
  if (process.env['KAFKA_CLUSTERS']) return undefined; // one external pair: one integration project
  const versions = (process.env['KAFKA_VERSIONS'] ?? `${NEWEST},3.9.2`)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (versions.length < 2) return undefined;
  const first = versions.includes(NEWEST) ? NEWEST : versions[0]!;
  const rest = versions.filter((v) => v !== first);
  return [
    {
      name: first,
      projects: ['unit', 'package', 'java-interop', `integration-kafka-${first}`],
      report: `test-results/vitest-lane-${first}.json`,
    },
    {
      name: rest.join('+'),
      projects: rest.map((v) => `integration-kafka-${v}`),
      report: `test-results/vitest-lane-${rest.join('+')}.json`,
    },
  ];
}

function vitest(args: string[], report: string): ChildProcess {
  return spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VITEST_JSON_REPORT: report },
  });
}

/** How many of a lane's last error lines are printed again at the end when the lane failed. */
const ERROR_TAIL_LINES = 60;

/**
 * Copies a lane's output line by line (lines of two lanes never mix mid-line), prefixed with its
 * name, and keeps the last lines of its stderr: a lane that fails early (a global setup that could
 * not start its brokers) prints its error long before the other lane ends, and only the end of a
 * CI log is sure to be read.
 */
function relay(child: ChildProcess, prefix: string): string[] {
  const errorTail: string[] = [];
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      out.write(`${prefix}${line}\n`);
      if (out === process.stderr) {
        errorTail.push(line);
        if (errorTail.length > ERROR_TAIL_LINES) errorTail.shift();
      }
    });
  }
  return errorTail;
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

function merge(reports: VitestReport[]): VitestReport {
  const merged: VitestReport = { ...reports[0]!, testResults: [] };
  for (const key of COUNTS) merged[key] = reports.reduce((sum, r) => sum + (r[key] ?? 0), 0);
  merged.startTime = Math.min(...reports.map((r) => r.startTime));
  merged.success = reports.every((r) => r.success);
  merged.testResults = reports.flatMap((r) => r.testResults);
  return merged;
}

async function main(): Promise<number> {
  const plan = lanes();
  if (!plan) {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
    return exitCode(child);
  }
  mkdirSync('test-results', { recursive: true });
  for (const lane of plan) rmSync(lane.report, { force: true });
  const errorTails: string[][] = [];
  const children = plan.map((lane) => {
    const child = vitest(
      lane.projects.flatMap((p) => ['--project', p]),
      lane.report,
    );
    errorTails.push(relay(child, `[${lane.name}] `));
    return child;
  });
  const stop = (signal: NodeJS.Signals): void => {
    for (const child of children) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const codes = await Promise.all(children.map(exitCode));
  // A lane that died before writing its report counts as failed: the summary must not pass it.
  const missing = plan.filter((lane) => !existsSync(lane.report));
  if (missing.length === 0) {
    const reports = plan.map((lane) => JSON.parse(readFileSync(lane.report, 'utf8')) as VitestReport);
    // A lane that failed with no failed test in its report failed outside its tests (a global
    // setup, an unhandled error, a crash of its workers): vitest then reports what it ran, often
    // nothing, and the summary would read as green. It counts as one failed test, as a missing
    // report does in .ci/run.
    reports.forEach((report, i) => {
      if (codes[i] !== 0 && report.numFailedTests === 0) {
        report.numFailedTests = 1;
        report.numTotalTests += 1;
        report.success = false;
      }
    });
    writeFileSync(REPORT, JSON.stringify(merge(reports)));
  } else {
    rmSync(REPORT, { force: true });
    console.error(`no report from lane(s) ${missing.map((l) => l.name).join(', ')}`);
  }
  plan.forEach((lane, i) => {
    if (codes[i] === 0 || errorTails[i]!.length === 0) return;
    console.error(
      `\n--- lane ${lane.name} failed (exit ${codes[i]}); the last ${errorTails[i]!.length} lines of its stderr:`,
    );
    for (const line of errorTails[i]!) console.error(`[${lane.name}] ${line}`);
  });
  plan.forEach((lane, i) => console.log(`lane ${lane.name}: exit ${codes[i]}`));
  return codes.every((c) => c === 0) && missing.length === 0 ? 0 : 1;
}

process.exitCode = await main();
