import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedHttpKeys, httpSettingsFingerprint } from '../../../src/cli/http-config-source.ts';
import { loadMirrorMakerConfig } from '../../../src/config/index.ts';
import { Reloader } from '../../../src/runtime/reload.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/** A config dir: mm2.properties with an HTTPS listener, basic auth from a provider file, a users file. */
function configDir() {
  const dir = mkdtempSync(join(tmpdir(), 'mm2-http-restart-'));
  const file = join(dir, 'mm2.properties');
  const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);
  const base = {
    clusters: 'A, B',
    'A.bootstrap.servers': 'a:9092',
    'B.bootstrap.servers': 'b:9092',
    'A->B.enabled': 'true',
    'config.providers': 'file',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    'mm2ts.http.listener': 'https://127.0.0.1:8443',
    'listeners.https.ssl.keystore.type': 'PEM',
    'listeners.https.ssl.keystore.location': 'server.pem',
    'mm2ts.http.auth.basic.username': 'ops',
    'mm2ts.http.auth.basic.password': `\${file:${dir}/secrets.properties:pw}`,
    'mm2ts.http.auth.basic.users.file': 'users.properties',
  };
  const writeConfig = (overrides: Record<string, string> = {}): void =>
    write(
      'mm2.properties',
      Object.entries({ ...base, ...overrides })
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n'),
    );
  write('secrets.properties', 'pw = first-secret\n');
  write('users.properties', 'alice = a1\n');
  write('server.pem', 'PEM 1\n');
  writeConfig();
  return { dir, write, writeConfig, load: () => loadMirrorMakerConfig(file) };
}

describe('HTTP settings needing a restart, beyond changed keys', () => {
  it('names a key whose secret changed behind the same placeholder, and keys whose files changed', () => {
    const c = configDir();
    const started = httpSettingsFingerprint(c.load());
    expect(changedHttpKeys(started, httpSettingsFingerprint(c.load()))).toEqual([]);
    c.write('secrets.properties', 'pw = second-secret\n');
    c.write('server.pem', 'PEM 2, renewed\n');
    c.write('users.properties', 'alice = a1\nbob = b2\n');
    expect(changedHttpKeys(started, httpSettingsFingerprint(c.load()))).toEqual([
      'listeners.https.ssl.keystore.location',
      'mm2ts.http.auth.basic.password',
      'mm2ts.http.auth.basic.users.file',
    ]);
  });

  it('cluster and route keys are not HTTP keys; a removed HTTP key is', () => {
    const c = configDir();
    const started = httpSettingsFingerprint(c.load());
    c.writeConfig({ 'A.bootstrap.servers': 'a2:9092', 'A->B.topics': 'x', 'mm2ts.http.auth.bearer.token': 't' });
    expect(changedHttpKeys(started, httpSettingsFingerprint(c.load()))).toEqual(['mm2ts.http.auth.bearer.token']);
    // Top-level ssl.* keys are the listener's only when no listeners.https.* key is set.
    c.writeConfig({ 'ssl.truststore.location': 'ca.pem' });
    expect(changedHttpKeys(started, httpSettingsFingerprint(c.load()))).toEqual([]);
  });

  it("the reloader reports them in needsRestart with the changed keys, and the secret's value nowhere", async () => {
    const c = configDir();
    const current = c.load();
    const started = httpSettingsFingerprint(current);
    const reloader = new Reloader({
      current,
      load: () => c.load(),
      driver: { apply: async () => [] },
      logger: silentLogger(),
      restartNeededBy: (next) => changedHttpKeys(started, httpSettingsFingerprint(next)),
    });
    c.write('secrets.properties', 'pw = second-secret\n');
    c.writeConfig({ 'mm2ts.http.listener': 'https://127.0.0.1:9443' });
    const result = await reloader.reload('http');
    expect(result).toMatchObject({
      outcome: 'applied',
      needsRestart: ['mm2ts.http.auth.basic.password', 'mm2ts.http.listener'],
    });
    expect(JSON.stringify(result)).not.toContain('second-secret');
    // A later reload still names them: the server runs what it started with.
    expect(await reloader.reload('http')).toMatchObject({
      needsRestart: ['mm2ts.http.auth.basic.password', 'mm2ts.http.listener'],
    });
  });
});
