import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointTask } from '../../../src/connectors/checkpoint/checkpoint-task.ts';
import type {
  FetchedPartition,
  FetchRequest,
  KafkaAdmin,
  KafkaCluster,
  ProducerRecord,
  TopicPartitionOffset,
} from '../../../src/kafka/index.ts';
import { asUndecoded } from '../../support/undecoded.ts';
import { DefaultTopicFilter } from '../../../src/policy/index.ts';
import { loadReplicationPolicy } from '../../../src/policy/index.ts';
import { compilePatternList } from '../../../src/config/java-regex.ts';
import { decodeCheckpoint } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';

type AdminFake = Partial<KafkaAdmin>;

function admin(parts: AdminFake): KafkaAdmin {
  return {
    listOffsets: async () => [{ partition: 0, earliest: 0n, latest: 0n }],
    close: async () => {},
    ...parts,
  } as KafkaAdmin;
}

function cluster(sent: ProducerRecord[] = []): KafkaCluster {
  return {
    settings: { clientId: 'x', bootstrapServers: [], securityProtocol: 'PLAINTEXT' },
    admin: async () => admin({}),
    recordSource: async () => {
      const fetch = async (reqs: FetchRequest[]): Promise<FetchedPartition[]> => {
        await new Promise((d) => setTimeout(d, 5));
        return reqs.map((r) => ({ ...r, records: [], nextOffset: r.offset, highWatermark: 0n, logStartOffset: 0n }));
      };
      return {
        fetch,
        fetchUndecoded: async (reqs: FetchRequest[]) => (await fetch(reqs)).map(asUndecoded),
        close: async () => {},
      };
    },
    recordSink: async () => ({
      send: async (_topic, records) => {
        sent.push(...records);
        return [];
      },
      close: async () => {},
    }),
    close: async () => {},
  } as KafkaCluster;
}

const tasks: CheckpointTask[] = [];
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((t) => t.stop()));
});

async function readyTask(options: {
  sourceOffsets: Record<string, TopicPartitionOffset[]>;
  target: AdminFake;
  sent?: ProducerRecord[];
}): Promise<CheckpointTask> {
  const task = new CheckpointTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    groups: Object.keys(options.sourceOffsets),
    policy: loadReplicationPolicy({}),
    topicFilter: new DefaultTopicFilter({
      include: compilePatternList('.*', { key: 'topics' }),
      exclude: compilePatternList('', { key: 'topics.exclude' }),
    }),
    checkpointsTopic: 'A.checkpoints.internal',
    sourceAdmin: admin({ fetchGroupOffsets: async (g) => options.sourceOffsets[g] ?? [] }),
    targetAdmin: admin(options.target),
    checkpointsReader: cluster(),
    checkpointsWriter: cluster(options.sent),
    offsetSyncs: { cluster: cluster(), admin: admin({}), topic: 'mm2-offset-syncs.B.internal' },
    emitIntervalMs: 3_600_000,
    syncGroupOffsetsIntervalMs: 3_600_000,
    offsetFlushIntervalMs: 3_600_000,
    pollTimeoutMs: 10,
    logger: silentLogger(),
  });
  tasks.push(task);
  await task.start();
  await task.whenReady();
  // One run of replication: records 0..200 of t-0 landed at 0..200 (marked syncs).
  const tp = { topic: 't', partition: 0 };
  task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
  task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 200n, downstreamOffset: 200n }, 0n);
  return task;
}

const committed = (offset: bigint): TopicPartitionOffset[] => [{ topic: 't', partition: 0, offset, metadata: 'm' }];

describe('CheckpointTask', () => {
  it('emits exact checkpoints, then only when they move forward', async () => {
    const sent: ProducerRecord[] = [];
    const source = { g: committed(150n) };
    const task = await readyTask({ sourceOffsets: source, target: {}, sent });
    expect(await task.emit()).toBe(1);
    const c = decodeCheckpoint(sent[0]!.key, sent[0]!.value);
    expect(c).toEqual({
      consumerGroupId: 'g',
      topicPartition: { topic: 'A.t', partition: 0 },
      upstreamOffset: 150n,
      downstreamOffset: 150n, // Java's store alone would say 1
      metadata: 'm',
    });
    expect(sent[0]!.partition).toBe(0);
    expect(await task.emit()).toBe(0); // same offset: not repeated
    source.g = committed(160n);
    expect(await task.emit()).toBe(1);
  });

  it('syncs group offsets only to empty or absent groups, only forward, never past the log end', async () => {
    const commits: [string, TopicPartitionOffset[]][] = [];
    const states: Record<string, string> = {
      active: 'Stable',
      behind: 'Empty',
      ahead: 'Empty',
      absent: 'Dead',
      short: 'Dead',
    };
    const targetOffsets: Record<string, bigint> = { behind: 100n, ahead: 190n };
    const task = await readyTask({
      sourceOffsets: {
        active: committed(150n),
        behind: committed(150n),
        ahead: committed(150n),
        absent: committed(150n),
        short: committed(180n),
      },
      target: {
        describeGroupStates: async (ids) => new Map(ids.map((g) => [g, states[g]!])),
        fetchGroupOffsets: async (g) =>
          targetOffsets[g] === undefined ? [] : [{ topic: 'A.t', partition: 0, offset: targetOffsets[g] }],
        listOffsets: async (topic) => [{ partition: 0, earliest: 0n, latest: topic === 'A.t' ? 170n : 0n }],
        commitGroupOffsets: async (g, offsets) => void commits.push([g, offsets]),
      },
    });
    await task.emit();
    expect(await task.syncGroupOffsets()).toBe(2);
    expect(commits.map(([g, o]) => [g, o[0]!.offset]).sort()).toEqual([
      ['absent', 150n],
      ['behind', 150n],
    ]);
    expect(commits[0]![1][0]).toMatchObject({ topic: 'A.t', partition: 0, metadata: 'm' });
  });

  it('skips a group that became active between the state check and the commit', async () => {
    const task = await readyTask({
      sourceOffsets: { g: committed(150n) },
      target: {
        describeGroupStates: async () => new Map([['g', 'Empty']]),
        fetchGroupOffsets: async () => [],
        listOffsets: async (topic) => [{ partition: 0, earliest: 0n, latest: topic === 'A.t' ? 500n : 0n }],
        commitGroupOffsets: async () => {
          throw new Error('UNKNOWN_MEMBER_ID');
        },
      },
    });
    await task.emit();
    expect(await task.syncGroupOffsets()).toBe(0);
    expect(task.stats().groupOffsetSyncsSkipped).toBe(1);
    expect(task.status.state).toBe('RUNNING');
  });
});
