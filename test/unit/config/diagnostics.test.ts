import { describe, expect, it } from 'vitest';
import { checkReplicationFactors } from '../../../src/config/diagnostics.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';

const BASE = 'clusters = a, b\na.bootstrap.servers = a:1\nb.bootstrap.servers = b:1\n';
const codes = (text: string) =>
  loadMirrorMakerConfigText(BASE + text, { collectErrors: true }).diagnostics.map((d) => [
    d.code,
    d.key,
    d.line,
    d.javaIgnores,
  ]);

describe('diagnostics: what Java silently ignores and what users trip on', () => {
  it('flags routes to undeclared aliases and to self, duplicate aliases, enabled = yes', () => {
    expect(codes('a->x.enabled = true\na->a.topics = t\na->b.enabled = yes')).toEqual([
      ['route-undeclared-alias', 'a->x.enabled', 4, true],
      ['route-to-self', 'a->a.topics', 5, true],
      ['route-enabled-not-boolean', 'a->b.enabled', 6, true],
    ]);
    expect(
      loadMirrorMakerConfigText('clusters = a, b, a\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1').diagnostics[0]
        ?.code,
    ).toBe('alias-duplicate');
  });
  it('flags keys Java drops and unknown keys', () => {
    expect(
      codes(
        'use.defaults.from = source\noffset.flush.interval.ms = 1000\nconsumer.max.poll.records = 5\nfoo = bar\na.topics = x',
      ),
    ).toEqual([
      ['top-level-use-defaults-from', 'use.defaults.from', 4, true],
      ['dropped-worker-key', 'offset.flush.interval.ms', 5, true],
      ['dropped-client-key', 'consumer.max.poll.records', 6, true],
      ['unknown-key', 'foo', 7, true],
      ['dropped-cluster-connector-key', 'a.topics', 8, true],
    ]);
  });
  it('advises on route producer keys, identity on a bidirectional pair, hidden groups, policy mismatch', () => {
    const found = codes(
      'a->b.enabled = true\nb->a.enabled = true\na->b.producer.linger.ms = 5\n' +
        'a->b.replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy\na->b.groups = connect-app',
    ).map(([code]) => code);
    expect(found).toEqual(
      expect.arrayContaining([
        'route-producer-not-data-producer',
        'identity-bidirectional',
        'groups-hidden-by-default-excludes',
        'policy-mismatch',
      ]),
    );
  });
  it('errors on a top-level offset-syncs key while offset syncs are disabled (Java rejects the connector)', () => {
    expect(() =>
      loadMirrorMakerConfigText(BASE + 'emit.offset-syncs.enabled = false\noffset-syncs.topic.replication.factor = 1'),
    ).toThrow(/offset-syncs.topic.replication.factor \(line 5\)/);
  });
  it('checks replication factors against a live cluster description supplied by the caller', async () => {
    const cfg = loadMirrorMakerConfigText(
      BASE + 'a->b.enabled = true\nreplication.factor = 3\nemit.heartbeats.enabled = false',
    );
    const found = await checkReplicationFactors(cfg.routes, async () => ({ brokers: 1, minInsyncReplicas: 1 }));
    expect(found.map((d) => d.key)).toContain('replication.factor');
  });
});
