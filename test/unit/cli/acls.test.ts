import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acls, principalOf, resourcesOf, type MirrorAcl } from '../../../src/cli/commands/acls.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { makeIdentity } from '../../support/tls-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm2-acls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(properties: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `mm2-${Math.random().toString(36).slice(2)}.properties`);
  writeFileSync(file, properties);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await acls.run([file, ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const BASE = [
  'clusters = eu, us',
  'eu.bootstrap.servers = eu-kafka:9093',
  'us.bootstrap.servers = us-kafka:9093',
  'eu.security.protocol = SASL_SSL',
  'eu.sasl.mechanism = SCRAM-SHA-512',
  'eu.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror-eu" password="pw-never-shown";',
  'us.security.protocol = SASL_SSL',
  'us.sasl.mechanism = SCRAM-SHA-512',
  'us.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror-us" password="pw-never-shown";',
  'eu->us.enabled = true',
];

describe('mm2 acls', () => {
  it('turns MM2 pattern lists into ACL resources: names, prefixes, everything, and regexes it cannot express', () => {
    expect(resourcesOf('orders\\..*|payments|.*|inv[0-9]+|a.b.*')).toEqual([
      { patternType: 'prefixed', name: 'orders.' },
      { patternType: 'literal', name: 'payments' },
      { patternType: 'literal', name: '*' },
      { patternType: 'literal', name: '*', note: "'inv[0-9]+' is not a name or a prefix" },
      { patternType: 'prefixed', name: 'a.b' },
    ]);
    expect(resourcesOf(null)).toEqual([]);
  });

  it("names the principal Kafka sees: the SASL user or the client certificate's DN", () => {
    const id = makeIdentity({ commonName: 'mm2-mirror' });
    expect(
      principalOf({
        clientId: '',
        bootstrapServers: [],
        securityProtocol: 'SSL',
        tls: { checkServerIdentity: true, cert: id.certPem },
      }),
    ).toBe('User:CN=mm2-mirror');
    expect(
      principalOf({
        clientId: '',
        bootstrapServers: [],
        securityProtocol: 'SASL_SSL',
        sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' },
      }),
    ).toBe('User:u');
  });

  it('lists, per cluster and feature, the ACLs of each principal, with kafka-acls commands and no secret', async () => {
    const { code, out } = await run(
      [...BASE, 'eu->us.topics = orders.*', 'eu->us.sync.group.offsets.enabled = true'].join('\n'),
    );
    expect(code).toBe(0);
    expect(out).not.toContain('pw-never-shown');
    const lines = out.split('\n');
    const has = (comment: string, command: RegExp): void => {
      const found = lines.some((l, i) => l === comment && command.test(lines[i + 1] ?? ''));
      expect(found, `${comment} followed by ${command} in\n${out}`).toBe(true);
    };
    has(
      '# eu->us topic data',
      /--bootstrap-server eu-kafka:9093 .*'User:mirror-eu' --operation Read --operation Describe --operation DescribeConfigs --topic 'orders' --resource-pattern-type prefixed$/,
    );
    has(
      '# eu->us topic data',
      /us-kafka:9093 .*'User:mirror-us' --operation Create --operation Describe --operation Write --operation Alter --operation Read --topic 'eu.orders' --resource-pattern-type prefixed$/,
    );
    has('# eu->us offset syncs', /eu-kafka:9093 .*--topic 'mm2-offset-syncs.us.internal'$/);
    has('# eu->us checkpoints', /us-kafka:9093 .*--topic 'eu.checkpoints.internal'$/);
    has('# eu->us group offset sync', /us-kafka:9093 .*--operation Read --operation Describe --group '\*'$/);
    has('# eu->us ACL sync', /eu-kafka:9093 .*--operation Describe --cluster$/);
    has('# eu->us internal topics', /us-kafka:9093 .*--topic 'mm2-offsets.eu.internal'$/);
    has('# us->eu heartbeats', /eu-kafka:9093 .*'User:mirror-eu' .*--topic 'heartbeats'$/);
  });

  it('leaves out what a disabled feature would need, and follows the identity policy and offset-syncs location', async () => {
    const { out } = await run(
      [
        ...BASE,
        'eu->us.topics = orders',
        'sync.topic.acls.enabled = false',
        'sync.topic.configs.enabled = false',
        'emit.checkpoints.enabled = false',
        'emit.heartbeats.enabled = false',
        'offset-syncs.topic.location = target',
        'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      ].join('\n'),
      '--json',
    );
    const all = JSON.parse(out) as MirrorAcl[];
    const reasons = new Set(all.map((a) => a.reason));
    expect([...reasons].sort()).toEqual(['eu->us internal topics', 'eu->us offset syncs', 'eu->us topic data']);
    expect(all.filter((a) => a.reason === 'eu->us topic data').map((a) => [a.cluster, a.name])).toEqual([
      ['eu', 'orders'],
      ['eu', 'heartbeats'],
      ['us', 'orders'],
      ['us', 'eu.heartbeats'],
    ]);
    expect(all.find((a) => a.reason === 'eu->us offset syncs')?.cluster).toBe('us');
  });
});
