import { describe, expect, it } from 'vitest';
import { isRetriable, kafkaErrorName } from '../../../src/kafka/index.ts';
import { protocolError } from '../../../src/kafka/kafkajs/protocol-errors.ts';
import { KafkaPortError, MirrorError, RecordFormatError } from '../../../src/util/errors.ts';

/** A kafkajs protocol error's shape, as it looked before the port wrapped it. */
const clientLibraryError = (type: string) =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: true });

describe('kafkaErrorName', () => {
  it("reads a port error's KAFKA_<NAME> code", () => {
    expect(kafkaErrorName(new KafkaPortError('KAFKA_SECURITY_DISABLED', 'x'))).toBe('SECURITY_DISABLED');
    expect(kafkaErrorName(protocolError(3, { op: 'fetch' }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('walks the causes of our own errors', () => {
    const inner = new KafkaPortError('KAFKA_UNSUPPORTED_VERSION', 'x');
    const outer = new MirrorError(
      'ERR_OUTER',
      'outer',
      {},
      { cause: new MirrorError('ERR_MIDDLE', 'm', {}, { cause: inner }) },
    );
    expect(kafkaErrorName(outer)).toBe('UNSUPPORTED_VERSION');
  });

  it('is undefined for anything else, client library shapes included', () => {
    expect(kafkaErrorName(new KafkaPortError('ERR_KAFKA_CONNECTION', 'down'))).toBeUndefined();
    expect(kafkaErrorName(new MirrorError('KAFKA_LOOKALIKE', 'not a port error'))).toBeUndefined();
    expect(kafkaErrorName(clientLibraryError('UNKNOWN_TOPIC_OR_PARTITION'))).toBeUndefined();
    expect(kafkaErrorName(new Error('x', { cause: new KafkaPortError('KAFKA_X', 'x') }))).toBeUndefined();
    expect(kafkaErrorName(new Error('boom'))).toBeUndefined();
    expect(kafkaErrorName(undefined)).toBeUndefined();
  });
});

describe('isRetriable', () => {
  it('a port error says so in details.retriable', () => {
    expect(isRetriable(new KafkaPortError('KAFKA_NOT_LEADER_OR_FOLLOWER', 'x', { retriable: true }))).toBe(true);
    expect(isRetriable(new KafkaPortError('ERR_KAFKA_CONNECTION', 'x', { retriable: true }))).toBe(true);
    expect(isRetriable(new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'x', { retriable: false }))).toBe(false);
    expect(isRetriable(new KafkaPortError('ERR_SOMETHING', 'x'))).toBe(false);
    expect(isRetriable(protocolError(6, { op: 'produce' }))).toBe(true);
    expect(isRetriable(protocolError(10 /* MESSAGE_TOO_LARGE */, { op: 'produce' }))).toBe(false);
  });

  it('a broken produce connection is always retriable', () => {
    expect(isRetriable(new KafkaPortError('ERR_PRODUCE_CONNECTION', 'produce to t failed'))).toBe(true);
  });

  it('anything that is not a port error is not', () => {
    expect(isRetriable(new RecordFormatError('bad record'))).toBe(false);
    expect(isRetriable(new MirrorError('ERR_X', 'x', { retriable: true }))).toBe(false);
    expect(isRetriable(new Error('bug'))).toBe(false);
    expect(isRetriable(clientLibraryError('NOT_LEADER_OR_FOLLOWER'))).toBe(false);
    expect(isRetriable('string')).toBe(false);
  });
});
