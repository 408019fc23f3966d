import { describe, expect, it } from 'vitest';
import { ensureCompactedTopic, InternalTopicError } from '../../../src/connect/internal-topics.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import type { KafkaAdmin } from '../../../src/kafka/index.ts';
import { InMemoryKafka, inMemoryAdmin } from '../../support/in-memory-kafka.ts';

/** An admin on an empty in-memory cluster whose createTopics answers `topicError` when given. */
function fakeAdmin(topicError?: string): KafkaAdmin & { created: InMemoryKafka['created'] } {
  const kafka = new InMemoryKafka();
  if (topicError !== undefined) kafka.inject({ op: 'createTopics', topicError });
  return Object.assign(inMemoryAdmin(kafka), { created: kafka.created });
}

const spec = { name: 'mm2-offset-syncs.B.internal', partitions: 1, replicationFactor: 3 };

describe("ensureCompactedTopic (Java's MirrorUtils.createCompactedTopic)", () => {
  it('creates the topic compacted with the given partitions and replication factor', async () => {
    const admin = fakeAdmin();
    expect(await ensureCompactedTopic(admin, spec, silentLogger())).toBe('created');
    expect(admin.created).toEqual([
      { name: spec.name, partitions: 1, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } },
    ]);
  });

  it('accepts an existing topic as it is', async () => {
    expect(await ensureCompactedTopic(fakeAdmin('TOPIC_ALREADY_EXISTS'), spec, silentLogger())).toBe('exists');
  });

  it.each(['UNSUPPORTED_VERSION', 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED'])(
    'assumes the topic exists on %s',
    async (error) => {
      expect(await ensureCompactedTopic(fakeAdmin(error), spec, silentLogger())).toBe('assumed');
    },
  );

  it.each([
    ['INVALID_CONFIG', 'ERR_INTERNAL_TOPIC_CONFIG'],
    ['REQUEST_TIMED_OUT', 'ERR_INTERNAL_TOPIC_TIMEOUT'],
    ['KafkaJSTimeout', 'ERR_INTERNAL_TOPIC_TIMEOUT'],
    ['INVALID_REPLICATION_FACTOR', 'ERR_INTERNAL_TOPIC'],
    ['POLICY_VIOLATION', 'ERR_INTERNAL_TOPIC'],
  ])('throws on %s', async (error, code) => {
    const failure = ensureCompactedTopic(fakeAdmin(error), spec, silentLogger());
    await expect(failure).rejects.toBeInstanceOf(InternalTopicError);
    await expect(failure).rejects.toMatchObject({ code, details: { topic: spec.name, kafkaError: error } });
  });
});
