import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/kafka/ports.ts';
import { installedPackage, toolEnv } from '../support/installed-package.ts';
import { waitFor } from '../support/wait.ts';

// The status page's files are not TypeScript: the build copies them into dist/, and the tarball
// must carry them, or the installed appliance fails at start-up reading them.
describe('the installed package serves the status page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-package-ui-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GET /ui, /ui/app.js and /ui/style.css answer from the installed files', async () => {
    const pkg = await installedPackage();
    const port = await freePort();
    const file = join(dir, 'mm2.properties');
    // Unreachable clusters: the HTTP listener starts before the routes, which keep retrying.
    writeFileSync(
      file,
      [
        'clusters = A, B',
        'A.bootstrap.servers = 127.0.0.1:1',
        'B.bootstrap.servers = 127.0.0.1:2',
        'A->B.enabled = true',
        `mm2ts.http.listener = 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const child = spawn(pkg.bin('connect-mirror-maker'), [file], { env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((done) => child.once('exit', done));
    try {
      const page = await waitFor(
        'GET /ui from the installed appliance',
        async () => fetch(`http://127.0.0.1:${port}/ui`).catch(() => undefined),
        (res) => res !== undefined,
        30_000,
        500,
        {
          giveUp: () => (child.exitCode !== null ? `the appliance exited (${child.exitCode})` : undefined),
          context: async () => `output:\n${output.slice(-2000)}`,
        },
      );
      expect(page!.status).toBe(200);
      expect(await page!.text()).toContain('<title>mirrormaker-ts status</title>');
      for (const [path, type] of [
        ['/ui/app.js', 'text/javascript'],
        ['/ui/style.css', 'text/css'],
      ]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toContain(type);
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
