import { describe, expect, it } from 'vitest';
import { DefaultReplicationPolicy } from '../../../src/policy/default-replication-policy.ts';
import { IdentityReplicationPolicy } from '../../../src/policy/identity-replication-policy.ts';
import { javaSplitLiteral } from '../../../src/policy/java-split.ts';
import { loadReplicationPolicy } from '../../../src/policy/policy-loader.ts';
import { ConfigError } from '../../../src/util/errors.ts';

describe('DefaultReplicationPolicy', () => {
  const policy = new DefaultReplicationPolicy();

  it('recognises internal topics as Java does', () => {
    expect(policy.isInternalTopic('__consumer_offsets')).toBe(true);
    expect(policy.isInternalTopic('.hiddentopic')).toBe(true);
    expect(policy.isInternalTopic('mm2-offsets.CLUSTER.internal')).toBe(true);
    expect(policy.isInternalTopic('mm2-offsets-CLUSTER-internal')).toBe(true);
    expect(policy.isInternalTopic('mm2-offsets_CLUSTER_internal')).toBe(false);
  });

  it('names internal topics with the separator only when the KIP-949 flag allows it', () => {
    const off = DefaultReplicationPolicy.fromProps({
      'replication.policy.separator': '__',
      'replication.policy.internal.topic.separator.enabled': false,
    });
    expect(off.offsetSyncsTopic('CLUSTER')).toBe('mm2-offset-syncs.CLUSTER.internal');
    expect(off.checkpointsTopic('CLUSTER')).toBe('CLUSTER.checkpoints.internal');
    expect(off.heartbeatsTopic()).toBe('heartbeats');

    const on = DefaultReplicationPolicy.fromProps({
      'replication.policy.separator': '__',
      'replication.policy.internal.topic.separator.enabled': 'TRUE',
    });
    expect(on.offsetSyncsTopic('CLUSTER')).toBe('mm2-offset-syncs__CLUSTER__internal');
    expect(on.checkpointsTopic('CLUSTER')).toBe('CLUSTER__checkpoints__internal');
    expect(on.heartbeatsTopic()).toBe('heartbeats');
  });

  it('ignores the internal-separator flag unless a separator is configured', () => {
    const policy = DefaultReplicationPolicy.fromProps({
      'replication.policy.internal.topic.separator.enabled': 'false',
    });
    expect(policy.separator).toBe('.');
    expect(policy.internalTopicSeparatorEnabled).toBe(true);
  });

  it('parses remote topic names with Java String.split semantics', () => {
    expect(policy.topicSource('a.b.c')).toBe('a');
    expect(policy.upstreamTopic('a.b.c')).toBe('b.c');
    expect(policy.topicSource('a.')).toBeNull();
    expect(policy.topicSource('.b')).toBe('');
    expect(policy.upstreamTopic('.b')).toBe('b');
    expect(policy.topicSource('a..b')).toBe('a');
    expect(policy.upstreamTopic('a..b')).toBe('.b');
    expect(policy.topicSource('plain')).toBeNull();
    expect(policy.topicSource('.')).toBeNull();
    expect(policy.originalTopic('x.y.t')).toBe('t');
    expect(policy.originalTopic('t')).toBe('t');
    expect(policy.formatRemoteTopic('A', 't')).toBe('A.t');
  });

  it('classifies heartbeats and checkpoints topics (MirrorClientTest vectors)', () => {
    for (const t of ['heartbeats', 'source1.heartbeats', 'source2.source1.heartbeats']) {
      expect(policy.isHeartbeatsTopic(t)).toBe(true);
    }
    for (const t of ['heartbeats!', '!heartbeats', 'source1heartbeats', 'source1-heartbeats']) {
      expect(policy.isHeartbeatsTopic(t)).toBe(false);
    }
    expect(policy.isCheckpointsTopic('source1.checkpoints.internal')).toBe(true);
    for (const t of [
      'checkpoints.internal',
      'checkpoints-internal',
      'checkpoints.internal!',
      '!checkpoints.internal',
      'source1checkpointsinternal',
    ]) {
      expect(policy.isCheckpointsTopic(t)).toBe(false);
    }
  });

  it('uses a custom separator for remote topics', () => {
    const underscore = new DefaultReplicationPolicy({ separator: '_' });
    expect(underscore.formatRemoteTopic('us-west', 'heartbeats')).toBe('us-west_heartbeats');
    expect(underscore.isHeartbeatsTopic('us-west_heartbeats')).toBe(true);
    expect(underscore.isHeartbeatsTopic('us-west.heartbeats')).toBe(false);
    // isInternalTopic still catches .internal / -internal whatever the separator.
    expect(underscore.isInternalTopic('x.internal')).toBe(true);
    expect(underscore.isMM2InternalTopic('x_internal')).toBe(true);
  });
});

describe('javaSplitLiteral', () => {
  it('drops trailing empty strings and keeps leading ones', () => {
    expect(javaSplitLiteral('a.b.', '.')).toEqual(['a', 'b']);
    expect(javaSplitLiteral('.a', '.')).toEqual(['', 'a']);
    expect(javaSplitLiteral('...', '.')).toEqual([]);
    expect(javaSplitLiteral('', '.')).toEqual(['']);
    expect(javaSplitLiteral('abc', '.')).toEqual(['abc']);
    expect(javaSplitLiteral('a__b', '__')).toEqual(['a', 'b']);
    expect(javaSplitLiteral('a*b', '*')).toEqual(['a', 'b']);
  });
});

describe('IdentityReplicationPolicy', () => {
  const policy = new IdentityReplicationPolicy({ sourceClusterAlias: 'primary' });

  it('keeps topic names but prefixes heartbeats', () => {
    expect(policy.formatRemoteTopic('primary', 'topic1')).toBe('topic1');
    expect(policy.topicSource('topic1')).toBe('primary');
    expect(policy.upstreamTopic('topic1')).toBe('topic1');
    expect(policy.originalTopic('topic1')).toBe('topic1');
    expect(policy.formatRemoteTopic('backup', 'heartbeats')).toBe('backup.heartbeats');
    expect(policy.topicSource('backup.heartbeats')).toBe('backup');
    expect(policy.topicSource('heartbeats')).toBeNull();
  });

  it('treats any name ending in "heartbeats" as a heartbeat (Java quirk, kept)', () => {
    expect(policy.formatRemoteTopic('A', 'myheartbeats')).toBe('A.myheartbeats');
    expect(policy.topicSource('myheartbeats')).toBeNull();
  });

  it('has no source for normal topics without source.cluster.alias', () => {
    const unconfigured = IdentityReplicationPolicy.fromProps({});
    expect(unconfigured.topicSource('topic1')).toBeNull();
    expect(IdentityReplicationPolicy.fromProps({ 'source.cluster.alias': 'S' }).topicSource('t')).toBe('S');
  });
});

describe('loadReplicationPolicy', () => {
  it('builds the built-in policies from Java class names, configured from the props', () => {
    expect(loadReplicationPolicy({})).toBeInstanceOf(DefaultReplicationPolicy);
    const identity = loadReplicationPolicy({
      'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      'source.cluster.alias': 'A',
      'replication.policy.separator': '_',
    });
    expect(identity).toBeInstanceOf(IdentityReplicationPolicy);
    expect(identity.topicSource('t')).toBe('A');
    expect(identity.formatRemoteTopic('A', 'heartbeats')).toBe('A_heartbeats');
  });

  it('names the key for an unknown class', () => {
    expect(() => loadReplicationPolicy({ 'replication.policy.class': 'com.example.Nope' })).toThrow(ConfigError);
  });
});
