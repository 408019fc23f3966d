import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_NODE, unsupportedNodeMessage } from '../../src/cli/node-version.ts';
import { REPO_ROOT } from '../../scripts/kafka/paths.ts';
import { installedPackage, runBin, toolEnv, type InstalledPackage } from '../support/installed-package.ts';
import { parseLogLines } from '../support/log-lines.ts';

// What users get: the packed tarball installed in a temp prefix, both bins run through npm's links.
describe('the installed package (npm pack, npm install <tarball>)', () => {
  let pkg: InstalledPackage;
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-package-test-'));
  beforeAll(async () => {
    pkg = await installedPackage();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('both bins answer --help with their usage, exit 0', async () => {
    const cmm = await runBin(pkg.bin('connect-mirror-maker'), ['--help']);
    expect(cmm.stdout).toMatch(/^usage: connect-mirror-maker \[-h\]/);
    expect(cmm.status).toBe(0);
    const mm2 = await runBin(pkg.bin('mm2'), ['--help']);
    expect(mm2.stdout).toMatch(/^usage: mm2 <command>/);
    expect(mm2.status).toBe(0);
  });

  it('connect-mirror-maker with a missing file: exit 255 naming the file', async () => {
    const missing = join(dir, 'missing.properties');
    const r = await runBin(pkg.bin('connect-mirror-maker'), [missing]);
    expect(r.stderr).toContain(`Insufficient permissions to read file: '${missing}'`);
    expect(r.status).toBe(255);
  });

  it('a config error: exit 2, a JSON log line naming the key, line and file', async () => {
    const file = join(dir, 'bad-value.properties');
    writeFileSync(
      file,
      'clusters = A, B\nA.bootstrap.servers = 127.0.0.1:1\nB.bootstrap.servers = 127.0.0.1:2\nA->B.enabled = true\nA->B.replication.factor = many\n',
    );
    const r = await runBin(pkg.bin('connect-mirror-maker'), [file]);
    expect(r.status).toBe(2);
    expect(parseLogLines(r.stderr)).toEqual([
      expect.objectContaining({
        level: 60,
        code: 'ERR_CONFIG',
        key: 'A->B.replication.factor',
        line: 5,
        file,
        msg: expect.stringContaining("Invalid value 'many' for A->B.replication.factor (line 5)"),
      }),
    ]);
  });

  it('LOG_LEVEL=bogus: exit 2 listing the valid levels', async () => {
    const r = await runBin(pkg.bin('connect-mirror-maker'), [join(REPO_ROOT, 'config', 'demo.properties')], {
      env: { ...toolEnv(), LOG_LEVEL: 'bogus' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("LOG_LEVEL = 'bogus' is not a log level; valid levels: fatal, error, warn, info, debug");
  });

  it('mm2 config lint prints its findings naming key and line', async () => {
    const r = await runBin(pkg.bin('mm2'), [
      'config',
      'lint',
      join(REPO_ROOT, 'test', 'fixtures', 'config', 'precedence.properties'),
    ]);
    expect(r.stdout).toMatch(/ERROR use\.defaults\.from \(line 26\)/);
    expect(r.stdout).toMatch(/B->A\.enabled \(line 19\): 'yes' is read as false/);
    expect(r.status).toBe(1);
  });

  it(`on a Node older than ${REQUIRED_NODE}, both bins say which Node they need and exit non-zero`, async () => {
    const oldNode = olderNodeDir(dir);
    for (const bin of ['connect-mirror-maker', 'mm2']) {
      const r = await runBin(pkg.bin(bin), ['--help'], { env: toolEnv(oldNode) });
      expect(r.stderr, bin).toMatch(
        new RegExp(`needs Node\\.js >= ${REQUIRED_NODE.replace('.', '\\.')}; this is 20\\.`),
      );
      expect(r.stdout, bin).toBe('');
      expect(r.status, bin).not.toBe(0);
      expect(r.status, bin).not.toBeNull();
    }
  });
});

/**
 * A folder whose `node` is older than the engines range: the system's /usr/bin/node where it is
 * (v20 on the test machines), else our Node made to report 20.0.0 before any module loads.
 */
function olderNodeDir(scratch: string): string {
  try {
    const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    if (version.startsWith('20.') && unsupportedNodeMessage(version) !== undefined) return '/usr/bin';
  } catch {
    // no system Node: fall through to the stand-in
  }
  const shim = join(scratch, 'old-node');
  const preload = join(scratch, 'report-node-20.mjs');
  writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.0.0' });\n");
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'node'), `#!/bin/sh\nexec '${process.execPath}' --import '${preload}' "$@"\n`);
  chmodSync(join(shim, 'node'), 0o755);
  return shim;
}
