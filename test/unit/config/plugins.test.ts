import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugin, pluginReference } from '../../../src/config/plugins.ts';

describe('plugin selection', () => {
  it('maps Java built-ins to built-in names', () => {
    expect(
      pluginReference('replication-policy', 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy', '/'),
    ).toEqual({
      kind: 'builtin',
      name: 'IdentityReplicationPolicy',
    });
    expect(pluginReference('forwarding-admin', 'org.apache.kafka.clients.admin.ForwardingAdmin', '/')).toEqual({
      kind: 'builtin',
      name: 'ForwardingAdmin',
    });
  });
  it('rejects a built-in of the wrong kind and an unknown Java class', () => {
    expect(() => pluginReference('topic-filter', 'org.apache.kafka.connect.mirror.DefaultGroupFilter', '/')).toThrow(
      /not a topic-filter/,
    );
    expect(() => pluginReference('replication-policy', 'com.example.MyPolicy', '/')).toThrow(
      /Java class not available/,
    );
  });
  it('loads a module relative to the config file, and fails clearly when the export is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm2-plugin-'));
    writeFileSync(
      join(dir, 'policy.mjs'),
      'export class MyPolicy { formatRemoteTopic(s, t) { return s + "_" + t; } }\n',
    );
    const ref = pluginReference('replication-policy', './policy.mjs#MyPolicy', dir);
    const loaded = await loadPlugin<new () => unknown>(ref, {
      key: 'replication.policy.class',
      resolveBuiltin: () => {
        throw new Error('no');
      },
    });
    expect(typeof loaded).toBe('function');
    await expect(
      loadPlugin(pluginReference('replication-policy', './policy.mjs#Nope', dir), {
        key: 'replication.policy.class',
        resolveBuiltin: () => null,
      }),
    ).rejects.toThrow(/has no export 'Nope'/);
    await expect(
      loadPlugin(pluginReference('replication-policy', './missing.mjs#X', dir), {
        key: 'replication.policy.class',
        resolveBuiltin: () => null,
      }),
    ).rejects.toThrow(/cannot load module/);
  });
});
