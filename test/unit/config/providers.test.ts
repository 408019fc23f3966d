import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import { createProviders, providerDeclarations, resolvePlaceholders } from '../../../src/config/providers.ts';
import { valuesOf } from '../../../src/config/mirror-maker-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm2-providers-'));
writeFileSync(join(dir, 'ssl.properties'), 'password = secret-password\n');
mkdirSync(join(dir, 'secrets'));
writeFileSync(join(dir, 'secrets', 'token'), 's3cr3t');

const providers = (text: Record<string, string>, env: NodeJS.ProcessEnv = {}) => {
  const raw = new Map(Object.entries(text));
  return createProviders(providerDeclarations(raw, (raw.get('config.providers') ?? '').split(',')), env);
};
const FILE = 'org.apache.kafka.common.config.provider.FileConfigProvider';
const DIR = 'org.apache.kafka.common.config.provider.DirectoryConfigProvider';
const ENV = 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';

describe('config providers', () => {
  const p = providers(
    {
      'config.providers': 'file,directory,env',
      'config.providers.file.class': FILE,
      'config.providers.directory.class': DIR,
      'config.providers.env.class': ENV,
      'config.providers.env.param.allowlist.pattern': 'MM2_.*',
    },
    { MM2_USER: 'alice', HOME: '/root' },
  );
  it('resolves file, directory and env placeholders', () => {
    expect(resolvePlaceholders(`\${file:${dir}/ssl.properties:password}`, p)).toEqual({
      value: 'secret-password',
      fromProvider: true,
    });
    expect(resolvePlaceholders(`\${directory:${dir}/secrets:token}`, p).value).toBe('s3cr3t');
    expect(resolvePlaceholders('${env:MM2_USER}', p).value).toBe('alice');
    expect(resolvePlaceholders('${env::MM2_USER}', p).value).toBe('alice');
  });
  it('leaves a missing key, an unknown provider and a non-allowlisted variable as written', () => {
    expect(resolvePlaceholders(`\${file:${dir}/ssl.properties:nope}`, p)).toEqual({
      value: `\${file:${dir}/ssl.properties:nope}`,
      fromProvider: false,
    });
    expect(resolvePlaceholders('${vault:x:y}', p).value).toBe('${vault:x:y}');
    expect(resolvePlaceholders('${env:HOME}', p).value).toBe('${env:HOME}');
  });
  it('fails on an unreadable file', () => {
    expect(() => resolvePlaceholders(`\${file:${dir}/missing.properties:password}`, p)).toThrow(
      /Could not read properties from file/,
    );
  });
  it('rejects a provider class it does not have', () => {
    expect(() => providers({ 'config.providers': 'v', 'config.providers.v.class': 'com.example.Vault' })).toThrow(
      /com.example.Vault is not available/,
    );
  });
  it('resolves in worker and client configs but not in connector configs; provider values are secret', () => {
    const cfg = loadMirrorMakerConfigText(
      [
        'clusters = a, b',
        'config.providers = file',
        `config.providers.file.class = ${FILE}`,
        'a.bootstrap.servers = a:1',
        'b.bootstrap.servers = b:1',
        'a->b.enabled = true',
        `ssl.key.password = \${file:${dir}/ssl.properties:password}`,
      ].join('\n'),
    );
    const ab = cfg.routes.find((r) => r.name === 'a->b')!;
    expect(ab.connectors.source.get('ssl.key.password')?.value).toMatch(/^\$\{file:/);
    expect(ab.resolvedConnectors.source.get('ssl.key.password')?.value).toBe('secret-password');
    expect(valuesOf(ab.worker)['ssl.key.password']).toBe('secret-password');
    expect(cfg.providerKeys.has('ssl.key.password')).toBe(true);
  });
  it('an unreadable provider file fails the load naming key and line', () => {
    expect(() =>
      loadMirrorMakerConfigText(
        [
          'clusters = a, b',
          'config.providers = file',
          `config.providers.file.class = ${FILE}`,
          `a->b.topics = \${file:${dir}/nope.properties:t}`,
        ].join('\n'),
      ),
    ).toThrow(/a->b.topics \(line 4\): Could not read properties from file/);
  });
});
