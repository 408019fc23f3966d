import { describe, expect, it } from 'vitest';
import {
  DefaultReplicationPolicy,
  IdentityReplicationPolicy,
  MIRROR_CLIENT_ID,
  resolveMirrorClientConfig,
} from '../../../src/index.ts';

describe('MirrorClient configuration (Java MirrorClientConfig)', () => {
  it('reads bootstrap.servers, the policy class and the separator from Java-style properties', () => {
    const config = resolveMirrorClientConfig({
      'bootstrap.servers': 'b1:9092, b2:9092',
      'replication.policy.separator': '_',
    });
    expect(config.adminSettings).toEqual({
      clientId: MIRROR_CLIENT_ID,
      bootstrapServers: ['b1:9092', 'b2:9092'],
      securityProtocol: 'PLAINTEXT',
    });
    expect(config.policy).toBeInstanceOf(DefaultReplicationPolicy);
    expect(config.policy.formatRemoteTopic('A', 't')).toBe('A_t');
    expect(config.policy.checkpointsTopic('A')).toBe('A_checkpoints_internal');
    expect(config.policyName).toBe('org.apache.kafka.connect.mirror.DefaultReplicationPolicy');
  });

  it('accepts a Map and the Identity policy by Java class name', () => {
    const config = resolveMirrorClientConfig(
      new Map([
        ['bootstrap.servers', 'b:9092'],
        ['replication.policy.class', 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy'],
        ['replication.policy.separator', '_'],
        ['replication.policy.internal.topic.separator.enabled', 'false'],
      ]),
    );
    expect(config.policy).toBeInstanceOf(IdentityReplicationPolicy);
    expect(config.policy.formatRemoteTopic('A', 'heartbeats')).toBe('A_heartbeats');
    expect(config.policy.checkpointsTopic('A')).toBe('A.checkpoints.internal');
  });

  it('admin./consumer. prefixes override top-level client keys; other keys are ignored like Java', () => {
    const config = resolveMirrorClientConfig({
      'bootstrap.servers': 'b:9092',
      'consumer.bootstrap.servers': 'c:9092',
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      'client.id': 'ignored',
      'consumer.client.id': 'ignored-too',
      'request.timeout.ms': 1,
    });
    expect(config.adminSettings.bootstrapServers).toEqual(['b:9092']);
    expect(config.consumerSettings.bootstrapServers).toEqual(['c:9092']);
    expect(config.consumerSettings.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    expect(config.adminSettings.clientId).toBe(MIRROR_CLIENT_ID);
    expect(config.adminSettings.requestTimeoutMs).toBeUndefined();
  });

  it('names the key when the properties cannot work', () => {
    expect(() => resolveMirrorClientConfig({})).toThrow(/bootstrap.servers is not set/);
    expect(() =>
      resolveMirrorClientConfig({ 'bootstrap.servers': 'b:1', 'replication.policy.class': 'com.example.Nope' }),
    ).toThrow(/Unknown replication.policy.class 'com.example.Nope': valid values are/);
    expect(() =>
      resolveMirrorClientConfig({
        'bootstrap.servers': 'b:1',
        'security.protocol': 'SSL',
        'ssl.truststore.location': '/x.jks',
      }),
    ).toThrow(/ssl.truststore.location: cannot read \/x.jks/);
  });

  it('custom policy class names resolve through the factories given', () => {
    const custom = new DefaultReplicationPolicy({ separator: '::' });
    const config = resolveMirrorClientConfig(
      { 'bootstrap.servers': 'b:1', 'replication.policy.class': 'com.example.Mine' },
      new Map([['com.example.Mine', () => custom]]),
    );
    expect(config.policy).toBe(custom);
  });

  it('typed options: bootstrapServers, separator or a policy object, connection settings', () => {
    const config = resolveMirrorClientConfig({
      bootstrapServers: 'b1:9092,b2:9092',
      separator: '-',
      connection: { securityProtocol: 'SASL_SSL', sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } },
    });
    expect(config.adminSettings.bootstrapServers).toEqual(['b1:9092', 'b2:9092']);
    expect(config.adminSettings.securityProtocol).toBe('SASL_SSL');
    expect(config.policy.formatRemoteTopic('A', 't')).toBe('A-t');
    const identity = new IdentityReplicationPolicy();
    expect(resolveMirrorClientConfig({ bootstrapServers: ['b:1'], replicationPolicy: identity }).policy).toBe(identity);
    expect(() => resolveMirrorClientConfig({ bootstrapServers: [] })).toThrow(/bootstrapServers is empty/);
  });
});
