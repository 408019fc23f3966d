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
  it('suggests known keys for typos under route and client prefixes, as warnings', () => {
    const found = loadMirrorMakerConfigText(
      BASE +
        'a->b.topcs = t.*\na->b.enabeld = true\na.consumer.fetch.max.wait.msx = 5\nb.producer.acks2 = all\n' +
        'a->b.producer.override.linger.mss = 5\nemit.heartbeats.enabeld = false',
      { collectErrors: true },
    ).diagnostics.map((d) => [d.code, d.key, d.severity, d.javaIgnores, d.message.replace(/^.*did you mean /i, '')]);
    expect(found).toEqual([
      ['route-key-unknown', 'a->b.topcs', 'warning', false, 'a->b.topics?'],
      ['route-key-unknown', 'a->b.enabeld', 'warning', false, 'a->b.enabled?'],
      ['client-key-unknown', 'a.consumer.fetch.max.wait.msx', 'warning', false, 'a.consumer.fetch.max.wait.ms?'],
      ['client-key-unknown', 'b.producer.acks2', 'warning', false, 'b.producer.acks?'],
      ['route-key-unknown', 'a->b.producer.override.linger.mss', 'warning', false, 'a->b.producer.override.linger.ms?'],
      ['unknown-key', 'emit.heartbeats.enabeld', 'warning', true, 'emit.heartbeats.enabled?'],
    ]);
  });
  it('leaves keys Java reads (or may read) under route and client prefixes alone', () => {
    expect(
      codes(
        'a->b.enabled = true\na->b.topics = t\na->b.sync.group.offsets.enabled = true\n' +
          'a->b.producer.override.linger.ms = 5\na->b.source.consumer.max.poll.records = 9\n' +
          'a->b.transforms = x\na->b.transforms.x.type = org.example.X\na->b.my.custom.plugin.setting = 1\n' +
          'a->b.tasks.max = 4\na->b.offset-syncs.topic.location = target\na->b.ssl.truststore.location = /t\n' +
          'a.consumer.fetch.max.wait.ms = 5\na.producer.acks = all\na.admin.request.timeout.ms = 9\n' +
          'a.consumer.interceptor.custom.thing = 1\nb.producer.compression.type = zstd\na.consumer.isolation.level = read_committed',
      ),
    ).toEqual([]);
  });
  it("says what Java does with 'S->T.enabled = true' followed by blanks", () => {
    const diag = (text: string) =>
      loadMirrorMakerConfigText(BASE + text, { collectErrors: true }).diagnostics.filter(
        (d) => d.key === 'a->b.enabled',
      );
    // Heartbeats on (the default): MirrorMakerConfig reads false but the pair still gets a herder,
    // and the connectors' ConfigDef trims the value to true, so Java replicates.
    const [runs] = diag('a->b.enabled = true   ');
    expect(runs).toMatchObject({ code: 'route-enabled-whitespace', severity: 'warning', javaIgnores: false });
    expect(runs?.message).toMatch(/Boolean\.parseBoolean.*false.*ConfigDef.*trims.*true: replication runs/);
    // Heartbeats off: no herder, nothing runs.
    const [idle] = diag('a->b.enabled = true  \nemit.heartbeats.enabled = false\nb->a.enabled = true');
    expect(idle).toMatchObject({ code: 'route-enabled-whitespace', javaIgnores: true });
    expect(idle?.message).toMatch(/no herder: the route does not run at all/);
    expect(diag('a->b.enabled = true')).toEqual([]);
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
