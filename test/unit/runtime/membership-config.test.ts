import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMirrorMakerConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { configFingerprint, membershipSettings } from '../../../src/runtime/membership-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'membership-config-'));
let n = 0;

function load(lines: string[]): LoadedConfig {
  const file = join(dir, `mm2-${n++}.properties`);
  writeFileSync(
    file,
    [
      'clusters = A, B',
      'A.bootstrap.servers = a:9092',
      'B.bootstrap.servers = b:9092',
      'A->B.enabled = true',
      ...lines,
    ].join('\n'),
  );
  return loadMirrorMakerConfig(file);
}

describe('scale-out settings and the configuration fingerprint', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('membership is off unless enabled', () => {
    expect(membershipSettings(load([]))).toBeNull();
    expect(membershipSettings(load(['mm2ts.cluster.enabled = false']))).toBeNull();
  });

  it('defaults: group mm2ts-<clusters> on the first route target, 10 s sessions, dynamic membership', () => {
    const s = membershipSettings(load(['mm2ts.cluster.enabled = true']))!;
    expect(s.groupId).toBe('mm2ts-A-B');
    expect(s.groupCluster).toBe('B');
    expect(s.client.bootstrapServers).toEqual(['b:9092']);
    expect(s.sessionTimeoutMs).toBe(10_000);
    expect(s.heartbeatIntervalMs).toBe(2_000);
    expect(s.groupInstanceId).toBeUndefined();
    expect(s.capacity).toBe(1);
  });

  it('a group cluster that is not declared is a configuration error naming the valid aliases', () => {
    expect(() => membershipSettings(load(['mm2ts.cluster.enabled = true', 'mm2ts.group.cluster = C']))).toThrow(
      /mm2ts.group.cluster = C is not a declared cluster: valid values are A, B/,
    );
  });

  it('members with the same file but their own instance id, listener and capacity agree', () => {
    const a = configFingerprint(load(['mm2ts.group.instance.id = one', 'mm2ts.http.listener = 127.0.0.1:1']));
    const b = configFingerprint(load(['mm2ts.group.instance.id = two', 'mm2ts.group.capacity = 2']));
    expect(a.configHash).toBe(b.configHash);
  });

  it('another topics list is another configuration, and the differing key is named; secrets are never hashed alone', () => {
    const a = configFingerprint(load(['A->B.topics = orders.*', 'B.sasl.jaas.config = secret-one']));
    const b = configFingerprint(load(['A->B.topics = payments.*', 'B.sasl.jaas.config = secret-two']));
    expect(a.configHash).not.toBe(b.configHash);
    const differ = Object.keys(a.keyHashes).filter((k) => a.keyHashes[k] !== b.keyHashes[k]);
    expect(differ.sort()).toEqual(['(secret keys)', 'A->B.topics']);
    expect(Object.keys(a.keyHashes)).not.toContain('B.sasl.jaas.config');
  });
});
