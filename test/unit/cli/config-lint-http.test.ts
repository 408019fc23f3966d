import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.ts';
import { main as mm2 } from '../../../src/cli/mm2.ts';

function capture(): CliIo & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (l) => stdout.push(l), err: () => {} };
}

const BASE = 'clusters = eu, us\neu.bootstrap.servers = e:1\nus.bootstrap.servers = u:1\neu->us.enabled = true\n';

function lint(extra: string, files: Record<string, string> = {}): Promise<{ code: number; out: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'mm2-lint-http-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'mm2.properties');
  writeFileSync(file, BASE + extra);
  const io = capture();
  return mm2(['config', 'lint', file], io).then((code) => ({ code, out: io.stdout }));
}

describe('mm2 config lint: the operator HTTP server settings, as the start checks them', () => {
  it('a listener the appliance cannot serve is an error with its key and line, exit 1', async () => {
    const { code, out } = await lint('mm2ts.http.listener = ftp://127.0.0.1:8083\n');
    expect(code).toBe(1);
    expect(out[0]).toMatch(
      /^ERROR mm2ts\.http\.listener \(line 5\): mm2ts\.http\.listener = ftp:\/\/127\.0\.0\.1:8083: protocol ftp is not served .*\[http-settings-invalid\]$/,
    );
    expect(out.at(-1)).toBe('1 error(s), 0 warning(s)');
  });

  it('an https listener without a PEM key store, a JKS key store, auth without a listener: errors naming the key', async () => {
    expect((await lint('listeners = https://127.0.0.1:8443\n')).out[0]).toMatch(
      /^ERROR .*an https listener needs a certificate and its key: set ssl\.keystore\.type = PEM/,
    );
    const jks = await lint(
      'listeners = https://127.0.0.1:8443\nlisteners.https.ssl.keystore.type = JKS\nlisteners.https.ssl.keystore.location = /etc/rest.jks\n',
    );
    // Read as the Kafka clients read JKS: here, a file that is not there.
    expect(jks.out[0]).toMatch(/^ERROR listeners\.https\.ssl\.keystore\.location \(line \d+\): .*\/etc\/rest\.jks/);
    const noListener = await lint('mm2ts.http.auth.basic.username = ops\nmm2ts.http.auth.basic.password = pw\n');
    expect(noListener.code).toBe(1);
    expect(noListener.out[0]).toMatch(/^ERROR mm2ts\.http\.auth\.basic\.username \(line 5\): .*which is off/);
  });

  it('a users file that cannot be read is an error; a password never appears', async () => {
    const missing = await lint(
      'mm2ts.http.listener = 127.0.0.1:8083\nmm2ts.http.auth.basic.users.file = nope.properties\n',
    );
    expect(missing.out[0]).toMatch(/^ERROR mm2ts\.http\.auth\.basic\.users\.file \(line 6\): .*cannot read the file/);
    const half = await lint('mm2ts.http.listener = 127.0.0.1:8083\nmm2ts.http.auth.basic.password = s3cret-pw\n');
    expect(half.code).toBe(1);
    expect(half.out.join('\n')).toMatch(/must be set together/);
    expect(half.out.join('\n')).not.toContain('s3cret-pw');
  });

  it('Connect REST keys the server does not apply are warnings; valid settings lint clean', async () => {
    const { code, out } = await lint(
      'mm2ts.http.listener = 127.0.0.1:8083\nmm2ts.http.auth.basic.users.file = users.properties\nresponse.http.headers.config = add X-A: b\n',
      { 'users.properties': 'ops = pw\n' },
    );
    expect(code).toBe(0);
    expect(out).toContain(
      'WARN  response.http.headers.config (line 7): response.http.headers.config is not applied by this appliance: responses carry no configured extra headers [http-key-not-applied]',
    );
    const clean = await lint('mm2ts.http.listener = 127.0.0.1:8083\n');
    expect(clean).toEqual({ code: 0, out: ['0 error(s), 0 warning(s)'] });
  });
});
