import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../scripts/kafka/ports.ts';
import { installedPackage, toolEnv, type InstalledPackage } from '../support/installed-package.ts';
import { testKafka } from '../support/kafka.ts';
import { parseLogLines } from '../support/log-lines.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { waitFor } from '../support/wait.ts';

// The installed `connect-mirror-maker` (through npm's link) runs the appliance against the test
// bed: it serves /health, stops on SIGTERM with exit 0, and everything it wrote on stderr is JSON
// lines with each key once, config warnings included.
describe('the installed connect-mirror-maker against the brokers', () => {
  const { clusters } = testKafka();
  let pkg: InstalledPackage;
  beforeAll(async () => {
    pkg = await installedPackage();
  }, 120_000);

  it('runs a valid file: /health answers, SIGTERM exits 0, stderr is all JSON lines', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mm2ts-installed-run-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'mm2.properties');
    const properties = [
      baseProperties(clusters),
      'A->B.enabled = true',
      'A->B.topics = installed-package-.*',
      // Read as false, with a warning (Java accepts only true/false): it must arrive as a JSON line.
      'B->A.enabled = yes',
      `mm2ts.http.listener = 127.0.0.1:${port}`,
    ].join('\n');
    writeFileSync(file, `${properties}\n`);
    const warningLine = properties.split('\n').indexOf('B->A.enabled = yes') + 1;

    const child = spawn(pkg.bin('connect-mirror-maker'), [file], {
      env: { ...toolEnv(), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | string>((done) =>
      child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
    );
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const health = await waitFor(
      'GET /health of the installed bin',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        return { status: res.status, body: (await res.json()) as { status: string } };
      },
      (h) => h.status === 200,
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nstderr: ${stderr.slice(-3000)}`);
    });
    expect(health.body.status).toBe('healthy');

    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(35_000).then(() => 'no exit within 35 s of SIGTERM')]);
    expect(code, stderr.slice(-3000)).toBe(0);

    const lines = parseLogLines(stderr);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        key: 'B->A.enabled',
        line: warningLine,
        file,
        msg: expect.stringContaining("'yes' is read as false"),
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ signal: 'SIGTERM' }));
  });
});
