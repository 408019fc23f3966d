import { describe, expect, it } from 'vitest';
import { CheckpointCollector, translatedOffsetKey } from '../../../src/client/index.ts';
import { encodeCheckpointKey, encodeCheckpointValue, type Checkpoint } from '../../../src/records/index.ts';

const cp = (group: string, topic: string, partition: number, upstream: bigint, downstream: bigint, metadata = '') =>
  ({
    consumerGroupId: group,
    topicPartition: { topic, partition },
    upstreamOffset: upstream,
    downstreamOffset: downstream,
    metadata,
  }) satisfies Checkpoint;

const record = (c: Checkpoint, timestamp = 1) => ({
  key: encodeCheckpointKey(c),
  value: encodeCheckpointValue(c),
  headers: [],
  timestamp,
});

describe('CheckpointCollector (MirrorClient.remoteConsumerOffsets folding)', () => {
  it('keeps the last checkpoint per (group, topic, partition) and only the asked group', () => {
    const collector = new CheckpointCollector('g');
    collector.add(record(cp('g', 'A.t', 0, 10n, 8n), 1));
    collector.add(record(cp('other', 'A.t', 0, 99n, 99n), 2));
    collector.add(record(cp('g', 'A.t', 1, 5n, 5n, 'meta'), 3));
    collector.add(record(cp('g', 'A.t', 0, 20n, 18n), 4));
    const offsets = collector.offsetsOf('g');
    expect([...offsets.keys()].sort()).toEqual(['A.t-0', 'A.t-1']);
    expect(offsets.get(translatedOffsetKey({ topic: 'A.t', partition: 0 }))).toEqual({
      topic: 'A.t',
      partition: 0,
      downstreamOffset: 18n,
      upstreamOffset: 20n,
      metadata: '',
      exact: false,
      checkpointTimestamp: 4,
    });
    expect(offsets.get('A.t-1')?.metadata).toBe('meta');
    expect(collector.offsetsOf('other').size).toBe(0);
    expect(collector.stats).toEqual({ records: 4, skipped: 0 });
  });

  it('a checkpoint that moves backwards still wins: the newest record is the answer, as in Java', () => {
    const collector = new CheckpointCollector();
    collector.add(record(cp('g', 'A.t', 0, 20n, 18n)));
    collector.add(record(cp('g', 'A.t', 0, 5n, 4n)));
    expect(collector.offsetsOf('g').get('A.t-0')?.downstreamOffset).toBe(4n);
  });

  it('skips records that are not checkpoints, as Java skips SchemaException records', () => {
    const collector = new CheckpointCollector('g');
    collector.add({ key: Buffer.from([0, 9]), value: Buffer.from([0]), headers: [], timestamp: 0 });
    collector.add({ key: null, value: encodeCheckpointValue(cp('g', 't', 0, 1n, 1n)), headers: [], timestamp: 0 });
    collector.add(record(cp('g', 't', 0, 1n, 1n)));
    expect(collector.stats).toEqual({ records: 3, skipped: 2 });
    expect(collector.offsetsOf('g').size).toBe(1);
  });

  it('a tombstone removes its key (Java would fail on it; MM2 never writes one)', () => {
    const collector = new CheckpointCollector();
    const c = cp('g', 'A.t', 0, 1n, 1n);
    collector.add(record(c));
    collector.add({ key: encodeCheckpointKey(c), value: null, headers: [], timestamp: 0 });
    expect(collector.allGroups().size).toBe(0);
  });

  it('any value version is read as version 0 and trailing bytes are ignored, as Java does', () => {
    const collector = new CheckpointCollector();
    const c = cp('g', 'A.t', 0, 7n, 6n);
    const value = Buffer.concat([encodeCheckpointValue(c), Buffer.from([1, 2, 3])]);
    value.writeInt16BE(3, 0);
    collector.add({ key: encodeCheckpointKey(c), value, headers: [], timestamp: 0 });
    expect(collector.offsetsOf('g').get('A.t-0')?.downstreamOffset).toBe(6n);
  });

  it('lists every group sorted by id', () => {
    const collector = new CheckpointCollector();
    collector.add(record(cp('b', 't', 0, 1n, 1n)));
    collector.add(record(cp('a', 't', 0, 1n, 1n)));
    expect([...collector.allGroups().keys()]).toEqual(['a', 'b']);
  });
});
