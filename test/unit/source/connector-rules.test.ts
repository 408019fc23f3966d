import { describe, expect, it } from 'vitest';
import { aclBindingsToSync, shouldReplicateAcl, targetAclBinding } from '../../../src/connectors/source/acl-sync.ts';
import {
  assignPartitionsRoundRobin,
  formatAssignedPartitions,
} from '../../../src/connectors/source/task-assignment.ts';
import {
  incrementalConfigOps,
  newTopicConfigs,
  targetConfigEntries,
} from '../../../src/connectors/source/topic-config-sync.ts';
import type { AclBinding, ConfigEntry } from '../../../src/kafka/port.ts';
import { DefaultConfigPropertyFilter } from '../../../src/policy/filters.ts';
import { compileNameMatcher } from '../../../src/policy/name-matcher.ts';
import { parseTopicPartition } from '../../../src/records/topic-partition.ts';
import { resumeOffset } from '../../../src/connectors/source/source-position.ts';

function acl(operation: string, permission: 'ALLOW' | 'DENY', extra: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: 'TOPIC',
    resourceName: 'test_topic',
    patternType: 'LITERAL',
    principal: 'User:kafka',
    host: '*',
    operation,
    permission,
    ...extra,
  };
}

function entry(name: string, value: string | null, extra: Partial<ConfigEntry> = {}): ConfigEntry {
  return {
    name,
    value,
    source: 'DYNAMIC_TOPIC_CONFIG',
    isDefault: false,
    isReadOnly: false,
    isSensitive: false,
    ...extra,
  };
}

describe('ACL sync', () => {
  it('does not copy ALLOW WRITE, copies ALLOW ALL', () => {
    expect(shouldReplicateAcl(acl('WRITE', 'ALLOW'))).toBe(false);
    expect(shouldReplicateAcl(acl('ALL', 'ALLOW'))).toBe(true);
    expect(shouldReplicateAcl(acl('WRITE', 'DENY'))).toBe(true);
  });

  it('renames the topic and turns ALLOW ALL into ALLOW READ, leaving DENY ALL alone', () => {
    const allowAll = targetAclBinding(acl('ALL', 'ALLOW'), 'source.test_topic');
    expect(allowAll).toEqual(acl('READ', 'ALLOW', { resourceName: 'source.test_topic' }));
    const denyAll = targetAclBinding(acl('ALL', 'DENY'), 'source.test_topic');
    expect(denyAll).toEqual(acl('ALL', 'DENY', { resourceName: 'source.test_topic' }));
  });

  it('selects literal topic ACLs of replicated topics only', () => {
    const bindings = [
      acl('READ', 'ALLOW'),
      acl('WRITE', 'ALLOW'),
      acl('READ', 'ALLOW', { patternType: 'PREFIXED' }),
      acl('READ', 'ALLOW', { resourceType: 'GROUP' }),
      acl('READ', 'ALLOW', { resourceName: 'skipped' }),
    ];
    const synced = aclBindingsToSync(bindings, {
      remoteTopicName: (t) => `source.${t}`,
      shouldReplicateTopic: (t) => t !== 'skipped',
    });
    expect(synced).toEqual([acl('READ', 'ALLOW', { resourceName: 'source.test_topic' })]);
  });
});

describe('topic config sync', () => {
  const entries = [
    entry('name-1', 'value-1'),
    entry('name-2', 'value-2', { source: 'DEFAULT_CONFIG', isDefault: true }),
    entry('min.insync.replicas', '2'),
  ];

  it('keeps defaults for incremental sync and drops excluded properties', () => {
    const names = targetConfigEntries(entries, new DefaultConfigPropertyFilter(), true).map((e) => e.name);
    expect(names).toEqual(['name-1', 'name-2']);
  });

  it('leaves target-default properties out of new topics unless use.defaults.from=source', () => {
    expect(newTopicConfigs(entries, new DefaultConfigPropertyFilter())).toEqual({ 'name-1': 'value-1' });
    expect(newTopicConfigs(entries, new DefaultConfigPropertyFilter({ useDefaultsFrom: 'source' }))).toEqual({
      'name-1': 'value-1',
      'name-2': 'value-2',
    });
  });

  it('honours a custom exclude list (regex included)', () => {
    const filter = new DefaultConfigPropertyFilter({
      exclude: compileNameMatcher(['min\\.insync\\.replicas', 'exclude_param.*']),
    });
    const configs = newTopicConfigs(
      [entry('name-1', 'value-1'), entry('exclude_param.param1', 'v'), entry('min.insync.replicas', '2')],
      filter,
    );
    expect(configs).toEqual({ 'name-1': 'value-1' });
  });

  it('never copies read-only, sensitive or static broker configs; copies dynamic broker defaults (Java quirk)', () => {
    const configs = newTopicConfigs(
      [
        entry('ro', 'x', { isReadOnly: true }),
        entry('secret', null, { isSensitive: true }),
        entry('static', 'x', { source: 'STATIC_BROKER_CONFIG' }),
        entry('dyn', 'x', { source: 'DYNAMIC_DEFAULT_BROKER_CONFIG', isDefault: true }),
      ],
      new DefaultConfigPropertyFilter(),
    );
    expect(configs).toEqual({ dyn: 'x' });
  });

  it('resets defaults with DELETE and sets the rest, or sets source defaults when asked', () => {
    expect(incrementalConfigOps(entries, new DefaultConfigPropertyFilter())).toEqual([
      { op: 'SET', name: 'name-1', value: 'value-1' },
      { op: 'DELETE', name: 'name-2' },
    ]);
    expect(incrementalConfigOps(entries, new DefaultConfigPropertyFilter({ useDefaultsFrom: 'source' }))).toEqual([
      { op: 'SET', name: 'name-1', value: 'value-1' },
      { op: 'SET', name: 'name-2', value: 'value-2' },
    ]);
  });
});

describe('task assignment', () => {
  const partitions = [
    ...Array.from({ length: 8 }, (_, p) => ({ topic: 't0', partition: p })),
    { topic: 't1', partition: 0 },
    { topic: 't1', partition: 1 },
    { topic: 't2', partition: 0 },
    { topic: 't2', partition: 1 },
  ];

  it('deals partitions round-robin over min(maxTasks, #partitions) tasks', () => {
    const tasks = assignPartitionsRoundRobin(partitions, 3).map(formatAssignedPartitions);
    expect(tasks).toEqual(['t0-0,t0-3,t0-6,t1-1', 't0-1,t0-4,t0-7,t2-0', 't0-2,t0-5,t1-0,t2-1']);
    expect(assignPartitionsRoundRobin(partitions.slice(0, 2), 5)).toHaveLength(2);
    expect(assignPartitionsRoundRobin([], 3)).toEqual([]);
  });

  it('parses assigned partitions back with the last dash as separator', () => {
    expect(parseTopicPartition('my-topic-12')).toEqual({ topic: 'my-topic', partition: 12 });
    expect(parseTopicPartition('nodash')).toBeUndefined();
    expect(parseTopicPartition('t-x')).toBeUndefined();
  });
});

describe('resume position', () => {
  it('resumes one past the stored offset, and leaves partitions without a position to auto.offset.reset', () => {
    expect(resumeOffset(3n)).toBe(4n);
    expect(resumeOffset(0n)).toBe(1n);
    expect(resumeOffset(-1n)).toBeUndefined();
    expect(resumeOffset(null)).toBeUndefined();
    expect(resumeOffset(undefined)).toBeUndefined();
  });
});
