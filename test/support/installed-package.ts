/**
 * The package as users get it: `npm pack` (its prepack builds dist/), then the tarball installed
 * with `npm install --prefix <dir> --omit=dev`, as `npm i -g` and `npx` do. Tests run the bins
 * through npm's links in `<dir>/node_modules/.bin/`.
 *
 * Packing and installing take ~25 s, so the result is kept in the temp folder under a hash of
 * everything that goes into the tarball: the broker-less `package` project and the integration
 * projects of one run (and later runs of unchanged sources) share one install.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';

const run = promisify(execFile);

export interface InstalledPackage {
  /** The `--prefix` the tarball was installed into. */
  readonly prefix: string;
  /** npm's link for a bin, e.g. `<prefix>/node_modules/.bin/mm2`. */
  bin(name: string): string;
}

/** What `npm pack` puts in the tarball comes from these (package.json `files`, plus the build inputs). */
const PACKED_SOURCES = [
  'src',
  'config',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
];

function sourcesHash(): string {
  const files = PACKED_SOURCES.flatMap((entry) =>
    statSync(join(REPO_ROOT, entry)).isDirectory()
      ? readdirSync(join(REPO_ROOT, entry), { recursive: true, encoding: 'utf8' }).map((f) => join(entry, f))
      : [entry],
  );
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    const path = join(REPO_ROOT, file);
    if (statSync(path).isFile()) hash.update(`${file}\0`).update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The environment for npm and the bins: our Node first on PATH, no settings inherited from an outer `npm test`. */
export function toolEnv(pathFirst: string = dirname(process.execPath)): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return { ...env, PATH: `${pathFirst}${delimiter}${process.env['PATH'] ?? ''}` };
}

let installing: Promise<InstalledPackage> | undefined;

/** Packs and installs the package once per source state (see the module comment). */
export function installedPackage(): Promise<InstalledPackage> {
  installing ??= install();
  return installing;
}

async function install(): Promise<InstalledPackage> {
  const repoTag = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8);
  const stem = `mm2ts-installed-${repoTag}-`;
  const prefix = join(tmpdir(), `${stem}${sourcesHash()}`);
  const done = join(prefix, 'installed');
  const result: InstalledPackage = { prefix, bin: (name) => join(prefix, 'node_modules', '.bin', name) };
  if (existsSync(done)) return result;
  // Installs of older sources of this checkout are of no further use.
  for (const entry of readdirSync(tmpdir()))
    if (entry.startsWith(stem)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const env = toolEnv();
  const pack = await run('npm', ['pack', '--silent', '--pack-destination', prefix], {
    cwd: REPO_ROOT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = pack.stdout.trim().split('\n').at(-1);
  if (!tarball?.endsWith('.tgz')) throw new Error(`npm pack printed no tarball name: ${pack.stdout}`);
  await run(
    'npm',
    ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--omit=dev', '--prefer-offline', join(prefix, tarball)],
    { cwd: prefix, env, maxBuffer: 16 * 1024 * 1024 },
  );
  writeFileSync(done, `${tarball}\n`);
  return result;
}

export interface BinResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bin (a path, e.g. from {@link InstalledPackage.bin}) to its end; SIGKILL after `timeoutMs`. */
export function runBin(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: options.env ?? toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
