import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckpointTask } from '../../../src/connectors/checkpoint/checkpoint-task.ts';
import type { KafkaAdmin } from '../../../src/kafka/port.ts';
import { compilePatternList } from '../../../src/config/java-regex.ts';
import { DefaultTopicFilter, loadReplicationPolicy } from '../../../src/policy/index.ts';
import { encodeCheckpointKey, encodeCheckpointValue, type Checkpoint } from '../../../src/records/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { MemoryTopic } from '../connect/memory-topic.ts';

const CHECKPOINTS = 'A.checkpoints.internal';

const tasks: CheckpointTask[] = [];
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((t) => t.stop()));
});

/** A task whose checkpoints topic holds one checkpoint of group g; resolves with what its start logged. */
function taskOn(checkpoints: MemoryTopic) {
  const c: Checkpoint = {
    consumerGroupId: 'g',
    topicPartition: { topic: 'A.t', partition: 0 },
    upstreamOffset: 10n,
    downstreamOffset: 10n,
    metadata: '',
  };
  checkpoints.appendRecord(0, encodeCheckpointKey(c), encodeCheckpointValue(c));
  const offsetSyncs = new MemoryTopic('mm2-offset-syncs.B.internal', 1);
  const lines: { msg: string; level: number; checkpointsLoaded?: boolean; err?: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const admin = (topic: MemoryTopic): KafkaAdmin => ({ listOffsets: topic.listOffsets }) as unknown as KafkaAdmin;
  const task = new CheckpointTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    groups: ['g'],
    policy: loadReplicationPolicy({}),
    topicFilter: new DefaultTopicFilter({
      include: compilePatternList('.*', { key: 'topics' }),
      exclude: compilePatternList('', { key: 'topics.exclude' }),
    }),
    checkpointsTopic: CHECKPOINTS,
    sourceAdmin: admin(offsetSyncs),
    targetAdmin: admin(checkpoints),
    checkpointsReader: checkpoints.cluster(),
    checkpointsWriter: checkpoints.cluster(),
    offsetSyncs: { cluster: offsetSyncs.cluster(), admin: admin(offsetSyncs), topic: offsetSyncs.name },
    emitIntervalMs: 3_600_000,
    syncGroupOffsetsIntervalMs: undefined,
    offsetFlushIntervalMs: 3_600_000,
    pollTimeoutMs: 20,
    logger,
  });
  tasks.push(task);
  const loaded = async (): Promise<boolean | undefined> => {
    await task.start();
    await task.whenReady();
    return lines.find((l) => l.msg === 'checkpoint task ready')?.checkpointsLoaded;
  };
  return { task, lines, loaded };
}

describe('CheckpointTask: loading the checkpoints topic (Java CheckpointStore.start)', () => {
  it('retries a retriable read failure and loads the checkpoints', async () => {
    const checkpoints = new MemoryTopic(CHECKPOINTS, 1);
    checkpoints.failures = [new KafkaPortError('KAFKA_NOT_LEADER_OR_FOLLOWER', 'not the leader', { retriable: true })];
    const { loaded } = taskOn(checkpoints);
    expect(await loaded()).toBe(true);
    expect(checkpoints.fetches).toBeGreaterThanOrEqual(2);
  });

  it("a non-retriable failure (no READ permission) is Java's failed load at once: earlier checkpoints are ignored", async () => {
    const checkpoints = new MemoryTopic(CHECKPOINTS, 1);
    checkpoints.alwaysFail = new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'not authorized', {
      retriable: false,
    });
    const { loaded, lines } = taskOn(checkpoints);
    const began = Date.now();
    expect(await loaded()).toBe(false);
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(checkpoints.fetches).toBe(1);
    expect(lines.find((l) => l.msg.startsWith('could not read the checkpoints topic'))?.err?.message).toBe(
      'not authorized',
    );
  });

  it('stop during a load stuck on retriable failures returns promptly', async () => {
    const checkpoints = new MemoryTopic(CHECKPOINTS, 1);
    checkpoints.alwaysFail = new KafkaPortError('KAFKA_NOT_LEADER_OR_FOLLOWER', 'not the leader', { retriable: true });
    const { task } = taskOn(checkpoints);
    await task.start();
    await vi.waitFor(() => expect(checkpoints.fetches).toBeGreaterThanOrEqual(2));
    const began = Date.now();
    await task.stop();
    expect(Date.now() - began).toBeLessThan(1_000);
  });
});
