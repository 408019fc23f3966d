import { describe, expect, it } from 'vitest';
import { isCycle, shouldReplicateTopic, type TopicReplicationRule } from '../../../src/policy/cycles.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/default-replication-policy.ts';
import {
  DefaultConfigPropertyFilter,
  DefaultGroupFilter,
  DefaultTopicFilter,
  type TopicFilter,
} from '../../../src/policy/filters.ts';
import { IdentityReplicationPolicy } from '../../../src/policy/identity-replication-policy.ts';
import { compileNameMatcher } from '../../../src/policy/name-matcher.ts';

const acceptAll: TopicFilter = { shouldReplicateTopic: () => true };
const rejectAll: TopicFilter = { shouldReplicateTopic: () => false };

function rule(overrides: Partial<TopicReplicationRule> = {}): TopicReplicationRule {
  return {
    policy: new DefaultReplicationPolicy(),
    topicFilter: new DefaultTopicFilter(),
    targetClusterAlias: 'target',
    heartbeatsReplicationEnabled: true,
    ...overrides,
  };
}

describe('compileNameMatcher', () => {
  it('matches the whole name against any of the patterns', () => {
    const m = compileNameMatcher(['foo.*', 'bar']);
    expect(m.matches('foobar')).toBe(true);
    expect(m.matches('bar')).toBe(true);
    expect(m.matches('xbar')).toBe(false);
    expect(m.matches('barx')).toBe(false);
  });

  it('matches nothing for an empty list (topics= replicates nothing)', () => {
    expect(compileNameMatcher([]).matches('')).toBe(false);
    expect(compileNameMatcher([]).matches('t')).toBe(false);
  });
});

describe('default filters', () => {
  it('exclude internal, .replica and __ topics by default', () => {
    const filter = new DefaultTopicFilter();
    expect(filter.shouldReplicateTopic('orders')).toBe(true);
    for (const t of ['mm2-offsets.A.internal', 'x-internal', 'x.replica', '__consumer_offsets']) {
      expect(filter.shouldReplicateTopic(t)).toBe(false);
    }
    const only = new DefaultTopicFilter({ include: compileNameMatcher([]) });
    expect(only.shouldReplicateTopic('orders')).toBe(false);
  });

  it('exclude console consumers, Connect and __ groups by default', () => {
    const filter = new DefaultGroupFilter();
    expect(filter.shouldReplicateGroup('app')).toBe(true);
    for (const g of ['console-consumer-123', 'connect-mm2', '__x']) expect(filter.shouldReplicateGroup(g)).toBe(false);
  });

  it('exclude cluster-specific topic configs and use target defaults unless told otherwise', () => {
    const filter = new DefaultConfigPropertyFilter();
    expect(filter.shouldReplicateConfigProperty('retention.ms')).toBe(true);
    expect(filter.shouldReplicateConfigProperty('min.insync.replicas')).toBe(false);
    expect(filter.shouldReplicateConfigProperty('min_insync_replicas')).toBe(true);
    expect(filter.shouldReplicateSourceDefault('retention.ms')).toBe(false);
    expect(new DefaultConfigPropertyFilter({ useDefaultsFrom: 'source' }).shouldReplicateSourceDefault('x')).toBe(true);
    expect(new DefaultConfigPropertyFilter({ useDefaultsFrom: 'SOURCE' }).shouldReplicateSourceDefault('x')).toBe(
      false,
    );
  });
});

describe('shouldReplicateTopic (MirrorSourceConnectorTest)', () => {
  it('replicates heartbeats by default', () => {
    expect(shouldReplicateTopic(rule(), 'heartbeats')).toBe(true);
    expect(shouldReplicateTopic(rule(), 'us-west.heartbeats')).toBe(true);
  });

  it('replicates heartbeats despite a filter that rejects them', () => {
    expect(shouldReplicateTopic(rule({ topicFilter: rejectAll }), 'heartbeats')).toBe(true);
    expect(shouldReplicateTopic(rule({ topicFilter: rejectAll }), 'us-west.heartbeats')).toBe(true);
    const underscore = rule({ topicFilter: rejectAll, policy: new DefaultReplicationPolicy({ separator: '_' }) });
    expect(shouldReplicateTopic(underscore, 'heartbeats')).toBe(true);
    expect(shouldReplicateTopic(underscore, 'us-west.heartbeats')).toBe(false);
  });

  it('does not replicate heartbeats when disabled, unless the filter accepts them', () => {
    // Java's test uses an unconfigured DefaultTopicFilter, which includes nothing.
    const off = rule({ heartbeatsReplicationEnabled: false, topicFilter: rejectAll });
    expect(shouldReplicateTopic(off, 'heartbeats')).toBe(false);
    expect(shouldReplicateTopic(off, 'us-west.heartbeats')).toBe(false);
    const offButAccepted = rule({ heartbeatsReplicationEnabled: false, topicFilter: acceptAll });
    expect(shouldReplicateTopic(offButAccepted, 'heartbeats')).toBe(true);
    expect(shouldReplicateTopic(offButAccepted, 'us-west.heartbeats')).toBe(true);
  });

  it('never replicates cycles with the default policy', () => {
    const r = rule({ topicFilter: acceptAll });
    for (const t of [
      'target.topic1',
      'target.source.topic1',
      'source.target.topic1',
      'target.source.target.topic1',
      'source.target.source.topic1',
    ]) {
      expect(shouldReplicateTopic(r, t)).toBe(false);
    }
    expect(shouldReplicateTopic(r, 'topic1')).toBe(true);
    expect(shouldReplicateTopic(r, 'source.topic1')).toBe(true);
  });

  it('cannot see cycles of normal topics with the identity policy, but sees heartbeat cycles', () => {
    const r = rule({ topicFilter: acceptAll, policy: new IdentityReplicationPolicy() });
    for (const t of [
      'target.topic1',
      'target.source.topic1',
      'source.target.topic1',
      'target.source.target.topic1',
      'source.target.source.topic1',
      'topic1',
      'othersource.topic1',
      'heartbeats',
      'othersource.heartbeats',
    ]) {
      expect(shouldReplicateTopic(r, t)).toBe(true);
    }
    for (const t of [
      'target.heartbeats',
      'target.source.heartbeats',
      'source.target.heartbeats',
      'target.source.target.heartbeats',
      'source.target.source.heartbeats',
    ]) {
      expect(shouldReplicateTopic(r, t)).toBe(false);
    }
  });

  it('never replicates internal topics', () => {
    const r = rule({ topicFilter: acceptAll });
    expect(shouldReplicateTopic(r, 'mm2-offset-syncs.target.internal')).toBe(false);
    expect(shouldReplicateTopic(r, '__consumer_offsets')).toBe(false);
    expect(isCycle(new IdentityReplicationPolicy({ sourceClusterAlias: 'target' }), 'target', 'x')).toBe(true);
  });
});
