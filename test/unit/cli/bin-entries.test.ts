import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_NODE, unsupportedNodeMessage } from '../../../src/cli/node-version.ts';
import { REPO_ROOT } from '../../../scripts/kafka/paths.ts';
import { parseLogLines } from '../../support/log-lines.ts';

/** Runs a bin's source through a symlink, as npm's bin links, npx and the container run it. */
function runThroughLink(source: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-bin-'));
  try {
    const link = join(dir, source.replace(/\.ts$/, ''));
    symlinkSync(join(REPO_ROOT, 'src', 'cli', source), link);
    return spawnSync(process.execPath, [link, ...args], { encoding: 'utf8', env, timeout: 20_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the bins run through a symlink', () => {
  it('connect-mirror-maker --help prints the usage', () => {
    const r = runThroughLink('connect-mirror-maker.ts', ['--help']);
    expect(r.stdout).toMatch(/^usage: connect-mirror-maker/);
    expect(r.status).toBe(0);
  });
  it('mm2 --help prints the usage', () => {
    const r = runThroughLink('mm2-bin.ts', ['--help']);
    expect(r.stdout).toMatch(/^usage: mm2 <command>/);
    expect(r.status).toBe(0);
  });
  it('LOG_LEVEL=bogus: exit 2, one JSON line listing the valid levels', () => {
    const file = join(REPO_ROOT, 'config', 'demo.properties');
    const r = runThroughLink('connect-mirror-maker.ts', [file], { ...process.env, LOG_LEVEL: 'bogus' });
    expect(r.status).toBe(2);
    expect(parseLogLines(r.stderr)).toEqual([
      expect.objectContaining({
        level: 60,
        key: 'LOG_LEVEL',
        msg: expect.stringContaining("'bogus' is not a log level; valid levels: fatal, error, warn, info, debug"),
      }),
    ]);
  });
});

describe('Node version check', () => {
  it('names the required Node for older versions only', () => {
    expect(unsupportedNodeMessage('20.20.2')).toBe(
      'mirrormaker-ts needs Node.js >= 22.12; this is 20.20.2. Use Node 24 LTS.',
    );
    expect(unsupportedNodeMessage('22.11.0')).toContain('>= 22.12');
    expect(unsupportedNodeMessage('22.12.0')).toBeUndefined();
    expect(unsupportedNodeMessage('24.0.0')).toBeUndefined();
  });
  it('requires what package.json engines says', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${REQUIRED_NODE}`);
  });
});
