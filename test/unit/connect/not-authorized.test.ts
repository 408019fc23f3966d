import { describe, expect, it } from 'vitest';
import {
  ensureRequiredTopic,
  isAuthorizationError,
  notAuthorized,
  NotAuthorizedError,
} from '../../../src/connect/not-authorized.ts';
import type { KafkaAdmin, KafkaClientSettings } from '../../../src/kafka/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const client: KafkaClientSettings = {
  clientId: 'mm2',
  clusterAlias: 'B',
  bootstrapServers: ['b1:9093', 'b2:9093'],
  securityProtocol: 'SASL_SSL',
  sasl: { mechanism: 'SCRAM-SHA-512', username: 'mirror', password: 'never-shown' },
};

/** A port error as the kafkajs adapter makes it: Kafka's name, the failed call and where. */
function portError(name: string, details: Record<string, unknown>): KafkaPortError {
  return new KafkaPortError(`KAFKA_${name}`, `${name}: refused`, { retriable: false, cluster: 'B', ...details });
}

describe('isAuthorizationError', () => {
  it("is true for Kafka's *_AUTHORIZATION_FAILED, also as a cause, and for a named refusal", () => {
    expect(isAuthorizationError(portError('TOPIC_AUTHORIZATION_FAILED', { op: 'produce' }))).toBe(true);
    expect(isAuthorizationError(portError('GROUP_AUTHORIZATION_FAILED', { op: 'offsetCommit' }))).toBe(true);
    expect(isAuthorizationError(portError('CLUSTER_AUTHORIZATION_FAILED', { op: 'createAcls' }))).toBe(true);
    expect(
      isAuthorizationError(notAuthorized({ feature: 'A->B x' }, {}, portError('TOPIC_AUTHORIZATION_FAILED', {}))),
    ).toBe(true);
  });

  it('is false for other errors: retrying or the operator fixes those differently', () => {
    expect(isAuthorizationError(portError('UNKNOWN_TOPIC_OR_PARTITION', { op: 'produce' }))).toBe(false);
    expect(isAuthorizationError(new KafkaPortError('ERR_KAFKA_AUTHENTICATION', 'wrong password'))).toBe(false);
    expect(isAuthorizationError(new Error('TOPIC_AUTHORIZATION_FAILED'))).toBe(false);
  });
});

describe('notAuthorized', () => {
  it('names cluster, principal, operation (from the failed call), resource, feature and the grant', () => {
    const err = notAuthorized(
      { feature: 'A->B checkpoints', client },
      {},
      portError('TOPIC_AUTHORIZATION_FAILED', { op: 'produce', topic: 'A.checkpoints.internal' }),
    );
    expect(err).toBeInstanceOf(NotAuthorizedError);
    expect(err.code).toBe('ERR_NOT_AUTHORIZED');
    expect(err.message).toBe(
      "cluster B: User:mirror is not authorized for Write on topic 'A.checkpoints.internal', needed for A->B checkpoints (TOPIC_AUTHORIZATION_FAILED); " +
        "grant it: kafka-acls.sh --bootstrap-server b1:9093,b2:9093 --command-config admin.properties --add --allow-principal 'User:mirror' --operation Write --topic 'A.checkpoints.internal'",
    );
    expect(err.message).not.toContain('never-shown');
    expect(err.details).toMatchObject({ operation: 'Write', resourceType: 'topic', principal: 'User:mirror' });
  });

  it.each([
    ['TOPIC_AUTHORIZATION_FAILED', 'fetch', { topic: 't' }, "Read on topic 't'"],
    ['TOPIC_AUTHORIZATION_FAILED', 'listOffsets', { topic: 't' }, "Describe on topic 't'"],
    ['TOPIC_AUTHORIZATION_FAILED', 'describeConfigs', { topic: 't' }, "DescribeConfigs on topic 't'"],
    ['TOPIC_AUTHORIZATION_FAILED', 'incrementalAlterConfigs', { topic: 't' }, "AlterConfigs on topic 't'"],
    ['GROUP_AUTHORIZATION_FAILED', 'offsetCommit', { group: 'g' }, "Read on group 'g'"],
    ['GROUP_AUTHORIZATION_FAILED', 'describeGroups', { group: 'g' }, "Describe on group 'g'"],
    ['CLUSTER_AUTHORIZATION_FAILED', 'describeAcls', {}, 'Describe on the cluster'],
    ['CLUSTER_AUTHORIZATION_FAILED', 'createAcls', {}, 'Alter on the cluster'],
  ])('reads %s of %s as %s', (name, op, where, said) => {
    const err = notAuthorized({ feature: 'A->B f', client }, {}, portError(name, { op, ...where }));
    expect(err.message).toContain(`is not authorized for ${said}, needed for A->B f (${name})`);
    expect(err.message).toContain(said.endsWith('cluster') ? '--cluster' : `--${said.split(' ')[2]}`);
  });

  it('does not guess a principal without the client settings', () => {
    const err = notAuthorized(
      { feature: 'A->B checkpoints', cluster: 'A' },
      { resourceType: 'group', resource: 'app' },
      portError('GROUP_AUTHORIZATION_FAILED', { op: 'fetchOffsets' }),
    );
    expect(err.message).toMatch(
      /^cluster A: User:<the principal of A's client> is not authorized for Describe on group 'app'/,
    );
  });
});

describe('ensureRequiredTopic', () => {
  function admin(createError: string | undefined, existing: string[]): KafkaAdmin {
    return {
      createTopics: (topics: { name: string }[]) =>
        Promise.resolve(topics.map((t) => ({ name: t.name, ...(createError ? { error: createError } : {}) }))),
      listTopics: () => Promise.resolve(existing),
    } as unknown as KafkaAdmin;
  }
  const spec = { name: 'mm2-offset-syncs.B.internal', partitions: 1, replicationFactor: 1 };
  const context = { feature: 'A->B offset syncs', client };

  it('fails naming Create and the grant when the cluster refuses the topic and it is not there', async () => {
    for (const refused of ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']) {
      const err = await ensureRequiredTopic(admin(refused, []), spec, context, silentLogger()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotAuthorizedError);
      expect((err as Error).message).toContain(
        "User:mirror is not authorized for Create on topic 'mm2-offset-syncs.B.internal', needed for A->B offset syncs",
      );
      expect((err as Error).message).toContain("--operation Create --topic 'mm2-offset-syncs.B.internal'");
    }
  });

  it('is content with a refused topic that exists (created beforehand: Create is not needed), and with a created one', async () => {
    await expect(
      ensureRequiredTopic(admin('TOPIC_AUTHORIZATION_FAILED', [spec.name]), spec, context, silentLogger()),
    ).resolves.toBe('exists');
    await expect(ensureRequiredTopic(admin(undefined, []), spec, context, silentLogger())).resolves.toBe('created');
    await expect(ensureRequiredTopic(admin('TOPIC_ALREADY_EXISTS', []), spec, context, silentLogger())).resolves.toBe(
      'exists',
    );
  });
});
