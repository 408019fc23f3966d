import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { delimiter } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { installedPackage, toolEnv } from './installed-package.ts';
import { SINGLE_BROKER_LINES } from './mirror-maker.ts';

const run = promisify(execFile);

/**
 * Runs a runbook of docs/runbooks/ as printed: its fenced blocks in order.
 *
 * - The first ```properties block is written to `mm2.properties` in a fresh folder, with the
 *   test-bed lines of {@link TEST_BED_LINES} appended (one broker per cluster: replication
 *   factors of 1).
 * - Each ```sh block runs with `bash -e -o pipefail` in that folder, the installed package's
 *   bins (`mm2`, `connect-mirror-maker`, from `npm pack`) first on PATH.
 * - A ```text block right after a ```sh block is its expected output: every line of it must
 *   match a line printed, where `<...>` stands for any text and runs of spaces for any spaces.
 * - `<!-- runbook-test: NAME -->` before a block calls `hooks[NAME]` first (e.g. a broker killed).
 *
 * The only substitution is of host names: `HOSTS` maps the runbook's `primary-kafka:9092` etc.
 * to the test clusters, in every block.
 */
export interface RunbookOptions {
  readonly dir: string;
  readonly hosts: Readonly<Record<string, string>>;
  readonly hooks?: Readonly<Record<string, () => Promise<void>>>;
  /** Lines appended to the properties block. */
  readonly extraProperties?: readonly string[];
}

export const TEST_BED_LINES = SINGLE_BROKER_LINES;

interface Block {
  readonly lang: string;
  readonly body: string;
  readonly hook: string | undefined;
}

export function runbookBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  for (const m of markdown.matchAll(/(?:<!-- runbook-test: ([\w-]+) -->\s*)?```(\w+)\n([\s\S]*?)```/g)) {
    out.push({ hook: m[1], lang: m[2]!, body: m[3]! });
  }
  return out;
}

function expectedLineMatcher(line: string): RegExp {
  const parts = line
    .trim()
    .split('<...>')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(parts.join('.*?'));
}

/** Lines of `expected` that match no line of `printed` (empty: the output is as documented). */
export function unmatchedLines(expected: string, printed: string): string[] {
  const lines = printed.split('\n');
  return expected
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !lines.some((p) => expectedLineMatcher(l).test(p)));
}

export interface RunbookStep {
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `docs/runbooks/<name>`; throws naming the block whose command failed or whose output differs. */
export async function runRunbook(name: string, options: RunbookOptions): Promise<RunbookStep[]> {
  let markdown = readFileSync(join(REPO_ROOT, 'docs', 'runbooks', name), 'utf8');
  for (const [host, actual] of Object.entries(options.hosts)) markdown = markdown.replaceAll(host, actual);
  const installed = await installedPackage();
  const env = toolEnv();
  env['PATH'] = `${join(installed.prefix, 'node_modules', '.bin')}${delimiter}${env['PATH'] ?? ''}`;
  const steps: RunbookStep[] = [];
  let wroteProperties = false;
  let last: RunbookStep | undefined;
  try {
    for (const block of runbookBlocks(markdown)) {
      if (block.hook !== undefined) {
        const hook = options.hooks?.[block.hook];
        if (hook === undefined) throw new Error(`${name}: no hook '${block.hook}'`);
        await hook();
      }
      if (block.lang === 'properties' && !wroteProperties) {
        writeFileSync(
          join(options.dir, 'mm2.properties'),
          [block.body, ...TEST_BED_LINES, ...(options.extraProperties ?? [])].join('\n'),
        );
        wroteProperties = true;
      } else if (block.lang === 'sh') {
        const started = Date.now();
        try {
          const r = await run('bash', ['-e', '-o', 'pipefail', '-c', block.body], {
            cwd: options.dir,
            env,
            timeout: 90_000,
          });
          last = { command: block.body, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
        } catch (err) {
          const e = err as { stdout?: string; stderr?: string; code?: unknown };
          throw new Error(
            `${name}: block failed (${String(e.code)}):\n${block.body}\nstdout:\n${e.stdout ?? ''}\nstderr:\n${e.stderr ?? ''}`,
            { cause: err },
          );
        }
        steps.push(last);
      } else if (block.lang === 'text' && last !== undefined) {
        const missing = unmatchedLines(block.body, last.stdout);
        if (missing.length > 0) {
          throw new Error(
            `${name}: output of\n${last.command}\ndoes not show:\n${missing.join('\n')}\nprinted:\n${last.stdout}\n${last.stderr}`,
          );
        }
        last = undefined;
      }
    }
  } finally {
    // The appliance a runbook started in the background (it records its pid in mm2.pid).
    const pidFile = join(options.dir, 'mm2.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already stopped by the runbook.
      }
    }
  }
  return steps;
}
