/**
 * The kafkajs adapter's error wrapper: every error a port method lets escape is a KafkaPortError.
 * The kafkajs errors here are kafkajs's own classes (and its retrier, which builds the nested
 * shapes), loaded with require: tests may use kafkajs as a reference, production code outside
 * src/kafka/ may not.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isRetriable, kafkaErrorName } from '../../../src/kafka/index.ts';
import { KafkajsAdmin } from '../../../src/kafka/kafkajs/admin.ts';
import { KafkajsCluster } from '../../../src/kafka/kafkajs/cluster.ts';
import { KafkajsConnection } from '../../../src/kafka/kafkajs/connection.ts';
import { toPortError, withPortErrors } from '../../../src/kafka/kafkajs/port-errors.ts';
import { KafkaPortError, MirrorError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';

type ErrorClass = new (...args: unknown[]) => Error;

interface KafkajsErrors {
  KafkaJSError: ErrorClass;
  KafkaJSNonRetriableError: ErrorClass;
  KafkaJSProtocolError: ErrorClass;
  KafkaJSNumberOfRetriesExceeded: ErrorClass;
  KafkaJSConnectionError: ErrorClass;
  KafkaJSConnectionClosedError: ErrorClass;
  KafkaJSRequestTimeoutError: ErrorClass;
  KafkaJSTimeout: ErrorClass;
  KafkaJSBrokerNotFound: ErrorClass;
  KafkaJSGroupCoordinatorNotFound: ErrorClass;
  KafkaJSSASLAuthenticationError: ErrorClass;
  KafkaJSServerDoesNotSupportApiKey: ErrorClass;
  KafkaJSCreateTopicError: ErrorClass;
  KafkaJSAggregateError: ErrorClass;
  KafkaJSDeleteGroupsError: ErrorClass;
  KafkaJSDeleteTopicRecordsError: ErrorClass;
}

type Retrier = <T>(fn: (bail: (e: Error) => void) => Promise<T>) => Promise<T>;

const require = createRequire(import.meta.url);
const errors = require('kafkajs/src/errors.js') as KafkajsErrors;
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Error;
};
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => Retrier;

// Kafka error codes.
const OFFSET_OUT_OF_RANGE = 1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_LEADER_OR_FOLLOWER = 6;
const TOPIC_AUTHORIZATION_FAILED = 29;
const INVALID_REPLICATION_FACTOR = 38;
const NOT_CONTROLLER = 41;
const GROUP_ID_NOT_FOUND = 69;

const context = { op: 'describeTopics', topic: 't' };

/** What kafkajs's retrier rejects with when `fn` keeps failing with `error` (retries: 0, so at once). */
async function afterRetries(error: Error): Promise<unknown> {
  const retrier = createRetry({ retries: 0, initialRetryTime: 1, maxRetryTime: 1 });
  return retrier(() => Promise.reject(error)).then(
    () => expect.unreachable(),
    (err: unknown) => err,
  );
}

function portError(err: unknown): KafkaPortError {
  const converted = toPortError(err, context);
  expect(converted).toBeInstanceOf(KafkaPortError);
  return converted as KafkaPortError;
}

describe('toPortError: Kafka protocol errors', () => {
  it('names the Kafka error, keeps kafkajs text and the original as cause, and says retriable as Kafka does', () => {
    const original = createErrorFromCode(UNKNOWN_TOPIC_OR_PARTITION);
    const err = portError(original);
    expect(err.code).toBe('KAFKA_UNKNOWN_TOPIC_OR_PARTITION');
    expect(err.details).toEqual({
      op: 'describeTopics',
      topic: 't',
      kafkaErrorCode: UNKNOWN_TOPIC_OR_PARTITION,
      retriable: true,
    });
    expect(err.cause).toBe(original);
    expect(err.message).toContain(original.message);
    expect(err.message).toContain('op=describeTopics topic=t');
    expect(kafkaErrorName(err)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(isRetriable(err)).toBe(true);
  });

  it('non-retriable Kafka errors are not retriable', () => {
    const err = portError(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED));
    expect(err.code).toBe('KAFKA_TOPIC_AUTHORIZATION_FAILED');
    expect(err.details['retriable']).toBe(false);
    expect(isRetriable(err)).toBe(false);
  });

  it("uses Kafka's current name for code 6 (kafkajs: NOT_LEADER_FOR_PARTITION)", () => {
    expect(portError(createErrorFromCode(NOT_LEADER_OR_FOLLOWER)).code).toBe('KAFKA_NOT_LEADER_OR_FOLLOWER');
  });

  it('finds the protocol error inside retries kafkajs gave up on (still retriable)', async () => {
    const exhausted = await afterRetries(createErrorFromCode(NOT_CONTROLLER));
    expect((exhausted as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    const err = portError(exhausted);
    expect(err.code).toBe('KAFKA_NOT_CONTROLLER');
    expect(err.details['retriable']).toBe(true);
    expect(err.cause).toBe(exhausted);
  });

  it('finds the protocol error inside the non-retriable wrapper of the retrier', async () => {
    const wrapped = await afterRetries(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED));
    expect((wrapped as Error).name).toBe('KafkaJSNonRetriableError');
    const err = portError(wrapped);
    expect(err.code).toBe('KAFKA_TOPIC_AUTHORIZATION_FAILED');
    expect(err.details['retriable']).toBe(false);
  });

  it('reads the errors of an aggregate (CreateTopics) error', () => {
    const aggregate = new errors.KafkaJSAggregateError('Topic creation errors', [
      new errors.KafkaJSCreateTopicError(createErrorFromCode(INVALID_REPLICATION_FACTOR), 'A.t'),
    ]);
    const err = portError(aggregate);
    expect(err.code).toBe('KAFKA_INVALID_REPLICATION_FACTOR');
    expect(err.details['retriable']).toBe(false);
    expect(err.message).toContain('Topic creation errors');
  });

  it('an aggregate is retriable only if every error in it is', () => {
    const aggregate = new errors.KafkaJSAggregateError('Topic creation errors', [
      new errors.KafkaJSCreateTopicError(createErrorFromCode(NOT_CONTROLLER), 'a'),
      new errors.KafkaJSCreateTopicError(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED), 'b'),
    ]);
    const err = portError(aggregate);
    expect(err.code).toBe('KAFKA_NOT_CONTROLLER');
    expect(err.details['retriable']).toBe(false);
  });

  it('reads the per-partition errors of DeleteRecords and the per-group errors of DeleteGroups', () => {
    const records = new errors.KafkaJSDeleteTopicRecordsError({
      topic: 't',
      partitions: [{ partition: 0, offset: '5', error: createErrorFromCode(OFFSET_OUT_OF_RANGE) }],
    });
    expect(portError(records).code).toBe('KAFKA_OFFSET_OUT_OF_RANGE');
    const groups = new errors.KafkaJSDeleteGroupsError('Error in DeleteGroups', [
      { groupId: 'g', errorCode: GROUP_ID_NOT_FOUND, error: createErrorFromCode(GROUP_ID_NOT_FOUND) },
    ]);
    expect(portError(groups).code).toBe('KAFKA_GROUP_ID_NOT_FOUND');
  });

  it('also follows `originalError`', () => {
    const err = portError(Object.assign(new Error('outer'), { originalError: createErrorFromCode(3) }));
    expect(err.code).toBe('KAFKA_UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('toPortError: errors below the protocol', () => {
  it('a connection error is ERR_KAFKA_CONNECTION, retriable, with the broker', () => {
    const original = new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
      broker: 'localhost:9092',
      code: 'ECONNREFUSED',
    });
    const err = portError(original);
    expect(err.code).toBe('ERR_KAFKA_CONNECTION');
    expect(err.details).toMatchObject({ op: 'describeTopics', broker: 'localhost:9092', retriable: true });
    expect(err.message).toContain('Connection error: connect ECONNREFUSED');
    expect(err.cause).toBe(original);
    expect(isRetriable(err)).toBe(true);
    expect(kafkaErrorName(err)).toBeUndefined();
    expect(portError(new errors.KafkaJSConnectionClosedError('Closed', { host: 'h', port: 1 })).code).toBe(
      'ERR_KAFKA_CONNECTION',
    );
  });

  it('a connection error stays retriable after kafkajs retried it, even inside nested retriers', async () => {
    const exhausted = await afterRetries(new errors.KafkaJSConnectionError('Connection timeout'));
    expect(portError(exhausted)).toMatchObject({ code: 'ERR_KAFKA_CONNECTION', details: { retriable: true } });
    // An outer retrier wraps an exhausted inner one as non-retriable, with the connection error as cause.
    const nested = await afterRetries(exhausted as Error);
    expect((nested as Error).name).toBe('KafkaJSNonRetriableError');
    expect(portError(nested)).toMatchObject({ code: 'ERR_KAFKA_CONNECTION', details: { retriable: true } });
  });

  it('a Node socket error is ERR_KAFKA_CONNECTION, retriable', () => {
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    expect(portError(socket)).toMatchObject({ code: 'ERR_KAFKA_CONNECTION', details: { retriable: true } });
  });

  it('timeouts are ERR_KAFKA_TIMEOUT, retriable', () => {
    expect(portError(new errors.KafkaJSRequestTimeoutError('Request Fetch timed out'))).toMatchObject({
      code: 'ERR_KAFKA_TIMEOUT',
      details: { retriable: true },
    });
    expect(portError(new errors.KafkaJSTimeout('Timed out while waiting'))).toMatchObject({
      code: 'ERR_KAFKA_TIMEOUT',
      details: { retriable: true },
    });
  });

  it('missing metadata is ERR_KAFKA_METADATA, retriable', () => {
    expect(portError(new errors.KafkaJSBrokerNotFound('Broker 3 not found'))).toMatchObject({
      code: 'ERR_KAFKA_METADATA',
      details: { retriable: true },
    });
    expect(portError(new errors.KafkaJSGroupCoordinatorNotFound('no coordinator'))).toMatchObject({
      code: 'ERR_KAFKA_METADATA',
      details: { retriable: true },
    });
  });

  it('a SASL failure is ERR_KAFKA_AUTHENTICATION, not retriable', () => {
    expect(portError(new errors.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed'))).toMatchObject({
      code: 'ERR_KAFKA_AUTHENTICATION',
      details: { retriable: false },
    });
  });

  it('an API the broker lacks is KAFKA_UNSUPPORTED_VERSION, not retriable', () => {
    const err = portError(
      new errors.KafkaJSServerDoesNotSupportApiKey('The Kafka server does not support the requested API version', {
        apiKey: 44,
        apiName: 'IncrementalAlterConfigs',
      }),
    );
    expect(err).toMatchObject({ code: 'KAFKA_UNSUPPORTED_VERSION', details: { retriable: false } });
    expect(kafkaErrorName(err)).toBe('UNSUPPORTED_VERSION');
  });

  it("other kafkajs errors are ERR_KAFKA_CLIENT with kafkajs's retriable flag", () => {
    expect(portError(new errors.KafkaJSError('Invalid partition metadata'))).toMatchObject({
      code: 'ERR_KAFKA_CLIENT',
      details: { retriable: true },
    });
    expect(portError(new errors.KafkaJSNonRetriableError('Invalid topic undefined'))).toMatchObject({
      code: 'ERR_KAFKA_CLIENT',
      details: { retriable: false },
    });
  });

  it('anything else is ERR_KAFKA_UNEXPECTED, not retriable', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(portError(bug)).toMatchObject({ code: 'ERR_KAFKA_UNEXPECTED', details: { retriable: false }, cause: bug });
    expect(portError('thrown string')).toMatchObject({
      code: 'ERR_KAFKA_UNEXPECTED',
      message: expect.stringContaining('thrown string'),
    });
  });
});

describe('toPortError: our own errors', () => {
  it('passes KafkaPortErrors and other MirrorErrors through unchanged', () => {
    const port = new KafkaPortError('KAFKA_INVALID_RECORD', 'x', { retriable: false });
    expect(toPortError(port, context)).toBe(port);
    const ours = new MirrorError('ERR_KAFKA_COMPRESSION', 'zstd: corrupt');
    expect(toPortError(ours, context)).toBe(ours);
  });

  it('withPortErrors resolves as the call does and rejects with a port error', async () => {
    await expect(withPortErrors(context, () => Promise.resolve(7))).resolves.toBe(7);
    await expect(
      withPortErrors(context, () => Promise.reject(new errors.KafkaJSConnectionError('down'))),
    ).rejects.toMatchObject({ code: 'ERR_KAFKA_CONNECTION' });
  });
});

describe('the adapter wraps what its methods throw', () => {
  /** A KafkajsAdmin over a stub kafkajs admin client whose calls do what `calls` says. */
  function adminWith(calls: Record<string, (...args: unknown[]) => Promise<unknown>>): KafkajsAdmin {
    const client = { connect: () => Promise.resolve(), disconnect: () => Promise.resolve(), ...calls };
    const connection = new KafkajsConnection(
      { clientId: 'test', clusterAlias: 'A', bootstrapServers: ['localhost:1'], securityProtocol: 'PLAINTEXT' },
      silentLogger(),
    );
    Object.defineProperty(connection, 'kafka', { value: { admin: () => client } });
    return new KafkajsAdmin(connection);
  }

  it('admin calls reject with port errors', async () => {
    const admin = adminWith({
      listTopics: async () => {
        throw await afterRetries(new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED'));
      },
      describeAcls: () => Promise.reject(createErrorFromCode(54 /* SECURITY_DISABLED */)),
    });
    await expect(admin.listTopics()).rejects.toMatchObject({
      code: 'ERR_KAFKA_CONNECTION',
      details: { cluster: 'A', op: 'listTopics', retriable: true },
    });
    const acls = await admin.describeAcls({ resourceType: 'TOPIC' }).catch((err: unknown) => err);
    expect(acls).toBeInstanceOf(KafkaPortError);
    expect(kafkaErrorName(acls)).toBe('SECURITY_DISABLED');
  });

  it('a connect failure of the admin client is a port error too', async () => {
    const admin = adminWith({
      connect: () => Promise.reject(new errors.KafkaJSSASLAuthenticationError('SASL PLAIN: bad credentials')),
    });
    await expect(admin.brokerCount()).rejects.toMatchObject({ code: 'ERR_KAFKA_AUTHENTICATION' });
  });

  it("createTopics reports each topic's failure by Kafka's name, or the client's text", async () => {
    const admin = adminWith({
      createTopics: (...args: unknown[]) => {
        const { topics } = args[0] as { topics: { topic: string }[] };
        const topic = topics[0]!.topic;
        if (topic === 'bad-rf') {
          return Promise.reject(
            new errors.KafkaJSAggregateError('Topic creation errors', [
              new errors.KafkaJSCreateTopicError(createErrorFromCode(INVALID_REPLICATION_FACTOR), topic),
            ]),
          );
        }
        if (topic === 'exists') return Promise.resolve(false);
        return Promise.reject(new errors.KafkaJSRequestTimeoutError('Request CreateTopics(key: 19) timed out'));
      },
    });
    const results = await admin.createTopics(
      ['bad-rf', 'exists', 'slow'].map((name) => ({ name, partitions: 1, replicationFactor: 3 })),
    );
    expect(results).toEqual([
      { name: 'bad-rf', error: 'INVALID_REPLICATION_FACTOR' },
      { name: 'exists', error: 'TOPIC_ALREADY_EXISTS' },
      { name: 'slow', error: 'Request CreateTopics(key: 19) timed out' },
    ]);
  });

  it('an unsupported record sink is a rejected port error, not a synchronous throw', async () => {
    const cluster = new KafkajsCluster({
      clientId: 'test',
      bootstrapServers: ['localhost:1'],
      securityProtocol: 'PLAINTEXT',
    });
    try {
      await expect(cluster.recordSink({ idempotent: true })).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED',
        details: { retriable: false },
      });
    } finally {
      await cluster.close();
    }
  });
});
