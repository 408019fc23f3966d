import { describe, expect, it } from 'vitest';
import { CheckpointConnector } from '../../../src/connectors/checkpoint/checkpoint-connector.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka, inMemoryAdmin, kafkaError } from '../../support/in-memory-kafka.ts';

function connector(ensureCheckpointsTopic: () => Promise<void>): CheckpointConnector {
  return new CheckpointConnector({
    route: 'A->B',
    tasksMax: 1,
    adminTimeoutMs: 5_000,
    refreshGroups: { enabled: false, intervalSeconds: 600 },
    groupFilter: { shouldReplicateGroup: () => true },
    topicFilter: { shouldReplicateTopic: () => true },
    sourceAdmin: inMemoryAdmin(new InMemoryKafka()),
    ensureCheckpointsTopic,
    createTask: () => {
      throw new Error('no task expected: the source has no groups');
    },
    logger: silentLogger(),
  });
}

describe('CheckpointConnector start: the checkpoints topic', () => {
  it('fails the connector, naming the topic, when the target refuses it for good (a missing ACL)', async () => {
    const c = connector(() =>
      Promise.reject(
        kafkaError(
          'TOPIC_AUTHORIZATION_FAILED',
          false,
          'not authorized (topic=A.checkpoints.internal op=createTopics)',
        ),
      ),
    );
    await expect(c.start()).rejects.toThrow(/checkpoints topic.*TOPIC_AUTHORIZATION_FAILED.*A\.checkpoints\.internal/);
    await c.stop();
  });

  it('goes on after a retriable failure, as Java does (the topic is created on a later start or by the operator)', async () => {
    const c = connector(() => Promise.reject(kafkaError('REQUEST_TIMED_OUT', true)));
    await expect(c.start()).resolves.toBeUndefined();
    expect(c.status().state).toBe('RUNNING');
    await c.stop();
  });
});
