import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointTask, type CheckpointTaskOptions } from '../../../src/connectors/checkpoint/checkpoint-task.ts';
import type { WorkStatus } from '../../../src/connect/states.ts';
import type { TopicPartitionOffset } from '../../../src/kafka/index.ts';
import { DefaultTopicFilter } from '../../../src/policy/index.ts';
import { loadReplicationPolicy } from '../../../src/policy/index.ts';
import { compilePatternList } from '../../../src/config/java-regex.ts';
import {
  decodeCheckpoint,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  hasExactCheckpointHeader,
  RUN_START_HEADER,
  type OffsetSync,
  type TopicPartition,
} from '../../../src/records/index.ts';
import type { CheckpointTaskMetrics } from '../../../src/connectors/checkpoint/metrics-port.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka, kafkaError } from '../../support/in-memory-kafka.ts';

const CHECKPOINTS = 'A.checkpoints.internal';
const SYNCS = 'mm2-offset-syncs.B.internal';

const tasks: CheckpointTask[] = [];
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((t) => t.stop()));
});

interface Clusters {
  /** A: the groups' committed offsets. */
  source: InMemoryKafka;
  /** B: the checkpoints topic, remote topics, groups on the target, and the offset-syncs topic. */
  target: InMemoryKafka;
}

function clusters(): Clusters {
  const source = new InMemoryKafka();
  const target = new InMemoryKafka();
  target.addTopic(CHECKPOINTS);
  target.addTopic(SYNCS);
  return { source, target };
}

async function commit(kafka: InMemoryKafka, group: string, offsets: TopicPartitionOffset[]): Promise<void> {
  await (await kafka.cluster().admin()).commitGroupOffsets(group, offsets);
}

/** Writes a sync to the offset-syncs topic as our writer does (marked with its run start). */
function writeSync(kafka: InMemoryKafka, sync: OffsetSync, runStart: bigint): void {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(runStart, 0);
  kafka.produce(SYNCS, [
    {
      partition: 0,
      key: encodeOffsetSyncKey(sync),
      value: encodeOffsetSyncValue(sync),
      headers: [{ key: RUN_START_HEADER, value }],
    },
  ]);
}

async function startTask(
  c: Clusters,
  groups: string[],
  extra: Partial<CheckpointTaskOptions> = {},
): Promise<{ task: CheckpointTask; offsetsWritten: [string, TopicPartition[]][] }> {
  const offsetsWritten: [string, TopicPartition[]][] = [];
  const task = new CheckpointTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    groups,
    policy: loadReplicationPolicy({}),
    topicFilter: new DefaultTopicFilter({
      include: compilePatternList('.*', { key: 'topics' }),
      exclude: compilePatternList('', { key: 'topics.exclude' }),
    }),
    checkpointsTopic: CHECKPOINTS,
    sourceAdmin: await c.source.cluster().admin(),
    targetAdmin: await c.target.cluster().admin(),
    checkpointsReader: c.target.cluster(),
    checkpointsWriter: c.target.cluster(),
    offsetSyncs: { cluster: c.target.cluster(), admin: await c.target.cluster().admin(), topic: SYNCS },
    emitIntervalMs: 3_600_000,
    syncGroupOffsetsIntervalMs: 3_600_000,
    offsetFlushIntervalMs: 3_600_000,
    offsets: { writeCheckpointOffsets: async (group, tps) => void offsetsWritten.push([group, [...tps]]) },
    pollTimeoutMs: 10,
    logger: silentLogger(),
    ...extra,
  });
  tasks.push(task);
  await task.start();
  await task.whenReady();
  return { task, offsetsWritten };
}

/** A ready task whose store holds one run: records 0..200 of t-0 landed at 0..200 (marked syncs). */
async function readyTask(c: Clusters, sourceOffsets: Record<string, TopicPartitionOffset[]>): Promise<CheckpointTask> {
  for (const [group, offsets] of Object.entries(sourceOffsets)) await commit(c.source, group, offsets);
  const { task } = await startTask(c, Object.keys(sourceOffsets));
  const tp = { topic: 't', partition: 0 };
  task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
  task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 200n, downstreamOffset: 200n }, 0n);
  return task;
}

const committed = (offset: bigint): TopicPartitionOffset[] => [{ topic: 't', partition: 0, offset, metadata: 'm' }];

function checkpointsOn(kafka: InMemoryKafka) {
  return kafka.records(CHECKPOINTS).map((r) => decodeCheckpoint(r.key, r.value));
}

describe('CheckpointTask', () => {
  it('fails, naming the topic, Write and the grant, when the checkpoints topic refuses its writes (a missing ACL)', async () => {
    const c = clusters();
    const task = await readyTask(c, { g: committed(150n) });
    c.target.inject({
      op: 'send',
      topic: CHECKPOINTS,
      times: Infinity,
      error: () => kafkaError('TOPIC_AUTHORIZATION_FAILED', false),
    });
    expect(await task.emit()).toBe(0);
    expect(task.status.state).toBe('FAILED');
    expect(task.status.trace).toMatch(
      /^NotAuthorizedError: cluster .*is not authorized for Write on topic 'A\.checkpoints\.internal', needed for A->B checkpoints \(TOPIC_AUTHORIZATION_FAILED\); grant it: kafka-acls\.sh /,
    );
  });

  it('fails, naming the topic and Read, when the offset-syncs topic refuses its reads (a missing ACL)', async () => {
    const c = clusters();
    c.target.inject({
      op: 'fetch',
      topic: SYNCS,
      times: Infinity,
      // As the adapter reports it: Kafka's name, the call and the topic.
      error: () =>
        new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED: refused', {
          retriable: false,
          op: 'fetch',
          topic: SYNCS,
        }),
    });
    // A sync to read, so that reading to the end fetches.
    writeSync(c.target, { topicPartition: { topic: 't', partition: 0 }, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
    const states: WorkStatus[] = [];
    await startTask(c, ['g'], { onStateChange: (s) => states.push(s) });
    expect(states.at(-1)?.state).toBe('FAILED');
    expect(states.at(-1)?.trace).toMatch(
      /is not authorized for Read on topic 'mm2-offset-syncs\.B\.internal', needed for A->B checkpoints/,
    );
  });

  it('emits exact checkpoints, then only when they move forward', async () => {
    const c = clusters();
    const task = await readyTask(c, { g: committed(150n) });
    expect(await task.emit()).toBe(1);
    const [c0] = checkpointsOn(c.target);
    expect(c0).toEqual({
      consumerGroupId: 'g',
      topicPartition: { topic: 'A.t', partition: 0 },
      upstreamOffset: 150n,
      downstreamOffset: 150n, // Java's store alone would say 1
      metadata: 'm',
    });
    expect(c.target.records(CHECKPOINTS)[0]!.partition).toBe(0);
    expect(await task.emit()).toBe(0); // same offset: not repeated
    await commit(c.source, 'g', committed(160n));
    expect(await task.emit()).toBe(1);
  });

  it('syncs group offsets only to empty or absent groups, only forward, never past the log end', async () => {
    const c = clusters();
    c.target.addTopic('A.t');
    c.target.produce(
      'A.t',
      Array.from({ length: 170 }, () => ({ partition: 0, key: null, value: null })),
    );
    c.target.setGroupState('active', 'Stable');
    await commit(c.target, 'behind', [{ topic: 'A.t', partition: 0, offset: 100n }]);
    await commit(c.target, 'ahead', [{ topic: 'A.t', partition: 0, offset: 190n }]);
    const task = await readyTask(c, {
      active: committed(150n),
      behind: committed(150n),
      ahead: committed(150n),
      absent: committed(150n),
      short: committed(180n),
    });
    await task.emit();
    expect(await task.syncGroupOffsets()).toBe(2);
    const offsetOf = async (g: string) => (await (await c.target.cluster().admin()).fetchGroupOffsets(g))[0];
    expect((await offsetOf('absent'))?.offset).toBe(150n);
    expect(await offsetOf('behind')).toMatchObject({ topic: 'A.t', partition: 0, offset: 150n, metadata: 'm' });
    expect((await offsetOf('ahead'))?.offset).toBe(190n);
    expect(await offsetOf('active')).toBeUndefined();
    expect(await offsetOf('short')).toBeUndefined(); // 180 is past B's log end (170)
  });

  it('skips a group that became active between the state check and the commit', async () => {
    const c = clusters();
    c.target.addTopic('A.t');
    c.target.produce(
      'A.t',
      Array.from({ length: 500 }, () => ({ partition: 0, key: null, value: null })),
    );
    c.target.inject({
      op: 'commitGroupOffsets',
      times: Infinity,
      error: () => kafkaError('UNKNOWN_MEMBER_ID', false),
    });
    const task = await readyTask(c, { g: committed(150n) });
    await task.emit();
    expect(await task.syncGroupOffsets()).toBe(0);
    expect(task.stats().groupOffsetSyncsSkipped).toBe(1);
    expect(task.status.state).toBe('RUNNING');
  });

  it('reports every state change: RUNNING, then STOPPED', async () => {
    const states: WorkStatus[] = [];
    const { task } = await startTask(clusters(), ['g'], { onStateChange: (s) => states.push(s) });
    expect(states).toEqual([{ state: 'RUNNING' }]);
    await task.stop();
    expect(states).toEqual([{ state: 'RUNNING' }, { state: 'STOPPED' }]);
    expect(task.status.state).toBe('STOPPED');
  });

  it('stop({ finalRound }) reads the syncs written just before, emits the last checkpoints and stores their offsets', async () => {
    const c = clusters();
    const tp = { topic: 't', partition: 0 };
    // While running: records 0..202 were synced; the group has consumed all 250.
    writeSync(c.target, { topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
    writeSync(c.target, { topicPartition: tp, upstreamOffset: 202n, downstreamOffset: 202n }, 0n);
    await commit(c.source, 'g', committed(250n));
    const { task, offsetsWritten } = await startTask(c, ['g']);
    expect(await task.emit()).toBe(1);
    expect(checkpointsOn(c.target).at(-1)?.downstreamOffset).toBe(203n); // Java's bound: 47 re-read
    // The source task's stop sends the sync of the last record; the checkpoint task stops next.
    writeSync(c.target, { topicPartition: tp, upstreamOffset: 249n, downstreamOffset: 249n }, 0n);
    await task.stop({ finalRound: true });
    expect(checkpointsOn(c.target).at(-1)).toMatchObject({ upstreamOffset: 250n, downstreamOffset: 250n });
    expect(offsetsWritten).toEqual([['g', [{ topic: 'A.t', partition: 0 }]]]);
    expect(task.status.state).toBe('STOPPED');
  });

  it('a plain stop (a reassignment) emits nothing more', async () => {
    const c = clusters();
    const tp = { topic: 't', partition: 0 };
    writeSync(c.target, { topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
    await commit(c.source, 'g', committed(100n));
    const { task } = await startTask(c, ['g']);
    await task.stop();
    expect(checkpointsOn(c.target)).toHaveLength(0);
  });

  it('the final round is bounded: an offset-syncs topic that cannot be read does not hold the stop', async () => {
    const c = clusters();
    await commit(c.source, 'g', committed(100n));
    const { task } = await startTask(c, ['g'], { finalRoundTimeoutMs: 200 });
    // Every read of the offset-syncs topic fails from now on: the reader retries, never reaching the end.
    c.target.inject({
      op: 'fetch',
      topic: SYNCS,
      times: Infinity,
      afterMs: 20,
      error: () => kafkaError('NOT_LEADER_OR_FOLLOWER', true),
    });
    writeSync(c.target, { topicPartition: { topic: 't', partition: 0 }, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
    const started = performance.now();
    await task.stop({ finalRound: true });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(task.status.state).toBe('STOPPED');
  });

  it('marks exact checkpoints with the mm2ts.exact header, lower bounds without it', async () => {
    const c = clusters();
    const task = await readyTask(c, { exact: committed(150n), behind: committed(250n) });
    expect(await task.emit()).toBe(2);
    const byGroup = new Map(
      c.target.records(CHECKPOINTS).map((r) => [decodeCheckpoint(r.key, r.value).consumerGroupId, r]),
    );
    // 150 lies in the run 0..200: exact. 250 is past the newest sync (200): Java's lower bound 201.
    expect(decodeCheckpoint(byGroup.get('exact')!.key, byGroup.get('exact')!.value).downstreamOffset).toBe(150n);
    expect(hasExactCheckpointHeader(byGroup.get('exact')!.headers)).toBe(true);
    expect(decodeCheckpoint(byGroup.get('behind')!.key, byGroup.get('behind')!.value).downstreamOffset).toBe(201n);
    expect(hasExactCheckpointHeader(byGroup.get('behind')!.headers)).toBe(false);
  });

  it('a partition replicated to its end reports 0 missed records although its newest offset-sync trails the data', async () => {
    const c = clusters();
    // Source t-0 holds 300 records, all replicated to A.t-0 at the same offsets; the newest sync
    // is record 200 (syncs are up to offset.lag.max apart).
    const data = Array.from({ length: 300 }, () => ({ partition: 0, key: null, value: Buffer.from('x') }));
    c.source.addTopic('t');
    c.source.produce('t', data);
    c.target.addTopic('A.t');
    c.target.produce('A.t', data);
    const failovers = new Map<string, { reread: number; missed: number }>();
    const metrics: CheckpointTaskMetrics = {
      partition: (labels) => ({
        checkpointed: () => undefined,
        failover: (reread, missed) => void failovers.set(labels.group, { reread, missed }),
        remove: () => undefined,
      }),
    };
    await commit(c.source, 'caught-up', committed(300n));
    await commit(c.source, 'behind', committed(250n));
    const { task } = await startTask(c, ['caught-up', 'behind'], { metrics });
    const tp = { topic: 't', partition: 0 };
    task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 0n, downstreamOffset: 0n }, 0n);
    task.offsetSyncStore.handleSync({ topicPartition: tp, upstreamOffset: 200n, downstreamOffset: 200n }, 0n);
    await task.emit();
    expect(failovers.get('caught-up')?.missed).toBe(0);
    expect(failovers.get('behind')?.missed).toBe(0);
    // Records the target does not hold yet are missed: the source grows by 40, the target does not.
    c.source.produce('t', data.slice(0, 40));
    await task.emit();
    expect(failovers.get('caught-up')?.missed).toBe(40);
    expect(failovers.get('behind')?.missed).toBe(40);
  });
});
