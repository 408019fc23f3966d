import { describe, expect, it } from 'vitest';
import { DefaultReplicationPolicy } from '../../../src/policy/default-replication-policy.ts';
import { IdentityReplicationPolicy } from '../../../src/policy/identity-replication-policy.ts';
import {
  checkpointTopicsOf,
  countHopsForTopic,
  heartbeatTopicsOf,
  remoteTopicsOf,
  replicationHopsOf,
  upstreamClustersOf,
} from '../../../src/policy/topology.ts';

const policy = new DefaultReplicationPolicy();

describe('topic classification (MirrorClientTest vectors)', () => {
  it('counts hops to a source cluster', () => {
    expect(countHopsForTopic(policy, 'topic', 'source')).toBe(-1);
    expect(countHopsForTopic(policy, 'source', 'source')).toBe(-1);
    expect(countHopsForTopic(policy, 'sourcetopic', 'source')).toBe(-1);
    expect(countHopsForTopic(policy, 'source1.topic', 'source2')).toBe(-1);
    expect(countHopsForTopic(policy, 'source1.topic', 'source1')).toBe(1);
    expect(countHopsForTopic(policy, 'source2.source1.topic', 'source2')).toBe(1);
    expect(countHopsForTopic(policy, 'source2.source1.topic', 'source1')).toBe(2);
    expect(countHopsForTopic(policy, 'source3.source2.source1.topic', 'source1')).toBe(3);
    expect(countHopsForTopic(policy, 'source3.source2.source1.topic', 'source4')).toBe(-1);
  });

  it('finds heartbeats and checkpoints topics', () => {
    const topics = [
      'topic1',
      'topic2',
      'heartbeats',
      'source1.heartbeats',
      'source2.source1.heartbeats',
      'source3.heartbeats',
    ];
    expect(heartbeatTopicsOf(policy, topics)).toEqual(
      new Set(['heartbeats', 'source1.heartbeats', 'source2.source1.heartbeats', 'source3.heartbeats']),
    );
    const cpTopics = [
      'topic1',
      'topic2',
      'checkpoints.internal',
      'source1.checkpoints.internal',
      'source2.source1.checkpoints.internal',
      'source3.checkpoints.internal',
    ];
    expect(checkpointTopicsOf(policy, cpTopics)).toEqual(
      new Set(['source1.checkpoints.internal', 'source2.source1.checkpoints.internal', 'source3.checkpoints.internal']),
    );
  });

  it('computes replication hops over heartbeats topics', () => {
    const topics = [
      'topic1',
      'topic2',
      'heartbeats',
      'source1.heartbeats',
      'source1.source2.heartbeats',
      'source3.heartbeats',
    ];
    expect(replicationHopsOf(policy, topics, 'source1')).toBe(1);
    expect(replicationHopsOf(policy, topics, 'source2')).toBe(2);
    expect(replicationHopsOf(policy, topics, 'source3')).toBe(1);
    expect(replicationHopsOf(policy, topics, 'source4')).toBe(-1);
  });

  it('lists upstream clusters, with the default and the identity policy', () => {
    const topics = [
      'topic1',
      'topic2',
      'heartbeats',
      'source1.heartbeats',
      'source1.source2.heartbeats',
      'source3.source4.source5.heartbeats',
    ];
    const expected = new Set(['source1', 'source2', 'source3', 'source4', 'source5']);
    expect(upstreamClustersOf(policy, topics)).toEqual(expected);
    expect(upstreamClustersOf(new IdentityReplicationPolicy({ sourceClusterAlias: 'source' }), topics)).toEqual(
      expected,
    );
  });

  it('lists remote topics', () => {
    const topics = [
      'topic1',
      'topic2',
      'topic3',
      'source1.topic4',
      'source1.source2.topic5',
      'source3.source4.source5.topic6',
    ];
    expect(remoteTopicsOf(policy, topics)).toEqual(
      new Set(['source1.topic4', 'source1.source2.topic5', 'source3.source4.source5.topic6']),
    );
    expect(remoteTopicsOf(policy, topics, 'source1')).toEqual(new Set(['source1.topic4', 'source1.source2.topic5']));
    const underscored = ['topic1', 'source1__topic4', 'source1__source2__topic5', 'source3__source4__source5__topic6'];
    expect(remoteTopicsOf(new DefaultReplicationPolicy({ separator: '__' }), underscored)).toEqual(
      new Set(['source1__topic4', 'source1__source2__topic5', 'source3__source4__source5__topic6']),
    );
  });

  it('treats every topic as remote under the identity policy, except local heartbeats', () => {
    const identity = new IdentityReplicationPolicy({ sourceClusterAlias: 'source' });
    const remote = remoteTopicsOf(identity, ['topic1', 'topic2', 'topic3', 'heartbeats', 'backup.heartbeats']);
    expect(remote).toEqual(new Set(['topic1', 'topic2', 'topic3', 'backup.heartbeats']));
  });

  it('stops hop counting on a cycle of aliases (identity policy)', () => {
    const identity = new IdentityReplicationPolicy({ sourceClusterAlias: 'source' });
    expect(countHopsForTopic(identity, 'topic1', 'other')).toBe(-1);
    expect(countHopsForTopic(identity, 'topic1', 'source')).toBe(1);
  });
});
