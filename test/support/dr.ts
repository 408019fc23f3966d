import { spawn } from 'node:child_process';
import { main as mm2 } from '../../src/cli/mm2.ts';

/** Runs `mm2 <argv>` in this process and captures what it prints. */
export async function runMm2(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await mm2(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kcat (the Debian package `kcat`, a librdkafka client: the non-JavaScript client of the DR tests). */
export function kcat(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Produces `values` (one per line) to `topic` with kcat; keys `k<n>` spread them over the partitions. */
export async function kcatProduce(bootstrap: string, topic: string, values: readonly string[]): Promise<void> {
  const input = values.map((v) => `k${v}:${v}`).join('\n') + '\n';
  const r = await kcat(['-b', bootstrap, '-t', topic, '-P', '-K:', '-X', 'acks=all'], { input });
  if (r.code !== 0) throw new Error(`kcat produce failed (${r.code}): ${r.stderr}`);
}

/**
 * A kcat consumer in group `group` (`-G`, auto-commit on, earliest when the group has no offset)
 * that stops after `count` messages or at the end of the partitions; its commits are flushed on
 * exit. Returns the values read.
 */
export async function kcatConsume(bootstrap: string, group: string, topic: string, count?: number): Promise<string[]> {
  const r = await kcat([
    '-b',
    bootstrap,
    '-G',
    group,
    '-X',
    'auto.offset.reset=earliest',
    '-e',
    '-q',
    '-f',
    '%s\\n',
    ...(count === undefined ? [] : ['-c', String(count)]),
    topic,
  ]);
  if (r.code !== 0) throw new Error(`kcat consume failed (${r.code}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}
