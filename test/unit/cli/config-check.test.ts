import { describe, expect, it } from 'vitest';
import { checkClusters } from '../../../src/cli/commands/config-check.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster } from '../../../src/kafka/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';

// The classification of `mm2 config check` without a broker: login failures by kind with the key
// to fix, authorization refusals named by operation and resource, "does not exist" as authorized.
// The secured test bed proves the same against real brokers (test/e2e/security-acls.test.ts).

const FILE = [
  'clusters = A, B',
  'A.bootstrap.servers = a:9093',
  'A.security.protocol = SASL_SSL',
  'A.sasl.mechanism = SCRAM-SHA-512',
  'A.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="mm2" password="pw-Unit-1";',
  'B.bootstrap.servers = b:9092',
  'A->B.enabled = true',
  'A->B.topics = orders-.*',
  'A->B.groups = app-.*',
].join('\n');

function fakeCluster(admin: Partial<KafkaAdmin>): KafkaCluster {
  const full = {
    clusterId: async () => 'cid',
    describeTopics: async () => [],
    describeTopicConfigs: async () => new Map(),
    describeGroupStates: async () => new Map(),
    describeAcls: async () => [],
    close: async () => {},
    ...admin,
  } as unknown as KafkaAdmin;
  return { admin: async () => full, close: async () => {} } as unknown as KafkaCluster;
}

const kafkaError = (name: string): KafkaPortError => new KafkaPortError(`KAFKA_${name}`, `${name} (test)`);

describe('mm2 config check', () => {
  it('reports a SASL login refused as an authentication failure naming <alias>.sasl.jaas.config, and stops checking that identity', async () => {
    const config = loadMirrorMakerConfigText(FILE);
    const open = (s: KafkaClientSettings): KafkaCluster =>
      s.clusterAlias === 'A'
        ? fakeCluster({
            clusterId: async () => {
              throw new KafkaPortError(
                'ERR_KAFKA_AUTHENTICATION',
                'SASL SCRAM-SHA-512 authentication failed (cluster=A)',
              );
            },
          })
        : fakeCluster({});
    const reports = await checkClusters(config, open);
    const a = reports.find((r) => r.cluster === 'A')!;
    expect(a.principal).toBe('User:mm2');
    expect(a.checks).toEqual([
      {
        check: 'authenticated',
        status: 'failed',
        key: 'A.sasl.jaas.config',
        message: 'cluster A: authentication failed: SASL SCRAM-SHA-512 authentication failed (cluster=A)',
      },
    ]);
    expect(JSON.stringify(reports)).not.toContain('pw-Unit-1');
    const b = reports.find((r) => r.cluster === 'B')!;
    expect(b.checks.filter((c) => c.status === 'failed')).toEqual([]);
    // The roles sharing B's settings are one identity.
    expect(reports.filter((r) => r.cluster === 'B')).toHaveLength(1);
    expect(b.roles).toEqual(expect.arrayContaining(['replication-target-admin', 'checkpoint-target-admin']));
  });

  it('names the operation and resource a refusal is for; a topic that does not exist yet was authorized', async () => {
    const config = loadMirrorMakerConfigText(FILE);
    const open = (s: KafkaClientSettings): KafkaCluster =>
      s.clusterAlias === 'A'
        ? fakeCluster({
            describeTopics: async (names: string[]) => {
              if (names.some((n) => n.startsWith('orders-'))) throw kafkaError('TOPIC_AUTHORIZATION_FAILED');
              return [];
            },
          })
        : fakeCluster({
            describeTopicConfigs: async () => {
              throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION');
            },
          });
    const reports = await checkClusters(config, open);
    const failed = reports.flatMap((r) => r.checks.filter((c) => c.status === 'failed'));
    expect(failed.map((c) => c.message)).toEqual([
      expect.stringMatching(
        /^cluster A: User:mm2 is not authorized for Describe on topic prefixed 'orders-', needed for A->B topic data \(TOPIC_AUTHORIZATION_FAILED\); grant it: kafka-acls\.sh .*--operation Describe --topic 'orders-' --resource-pattern-type prefixed$/,
      ),
    ]);
    const b = reports.find((r) => r.cluster === 'B')!;
    expect(b.checks).toContainEqual(
      expect.objectContaining({
        status: 'ok',
        message: expect.stringMatching(/^DescribeConfigs on topic 'mm2-offsets\.A\.internal' .*not created yet\)$/),
      }),
    );
    // Operations no request can try without changing the cluster are listed, not passed.
    expect(b.checks).toContainEqual(
      expect.objectContaining({
        status: 'skipped',
        message: expect.stringMatching(/^Create, Write, Alter on topic prefixed 'A\.orders-'/),
      }),
    );
  });
});
