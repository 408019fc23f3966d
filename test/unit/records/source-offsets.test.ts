import { describe, expect, it } from 'vitest';
import { jacksonString, jacksonStringify } from '../../../src/records/jackson-json.ts';
import { murmur2, partitionForKey, toPositive } from '../../../src/records/murmur2.ts';
import {
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  encodeCheckpointPartitionKey,
  encodeHeartbeatPartitionKey,
  encodeMirrorSourcePartitionKey,
  encodeSourceOffsetValue,
  offsetsTopicPartitionFor,
  toMirrorSourcePartition,
} from '../../../src/records/source-offsets.ts';
import { RecordFormatError } from '../../../src/util/errors.ts';

describe('murmur2', () => {
  it("matches Kafka's UtilsTest.testMurmur2 vectors", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, expected] of cases) expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  it('toPositive clears the sign bit rather than negating', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionForKey(Buffer.from('x'), 0)).toThrow(RangeError);
  });
});

describe('Connect source-offset keys and values', () => {
  const sourceKey = encodeMirrorSourcePartitionKey({
    sourceClusterAlias: 'A',
    topicPartition: { topic: 't', partition: 0 },
  });
  const checkpointKey = encodeCheckpointPartitionKey('g', { topic: 'A.t', partition: 0 });
  const heartbeatKey = encodeHeartbeatPartitionKey('A', 'B');

  it('write the exact key bytes of each connector, in Java HashMap order', () => {
    expect(sourceKey.toString('utf8')).toBe('["MirrorSourceConnector",{"cluster":"A","partition":0,"topic":"t"}]');
    expect(checkpointKey.toString('utf8')).toBe(
      '["MirrorCheckpointConnector",{"partition":0,"topic":"A.t","group":"g"}]',
    );
    expect(heartbeatKey.toString('utf8')).toBe(
      '["MirrorHeartbeatConnector",{"sourceClusterAlias":"A","targetClusterAlias":"B"}]',
    );
  });

  it('land in partitions 7, 21 and 0 of a 25-partition offsets topic', () => {
    expect(offsetsTopicPartitionFor(sourceKey, 25)).toBe(7);
    expect(offsetsTopicPartitionFor(checkpointKey, 25)).toBe(21);
    expect(offsetsTopicPartitionFor(heartbeatKey, 25)).toBe(0);
  });

  it('write values as {"offset":N} with 64-bit integers intact', () => {
    expect(encodeSourceOffsetValue(123n).toString()).toBe('{"offset":123}');
    expect(encodeSourceOffsetValue(0n).toString()).toBe('{"offset":0}');
    expect(decodeSourceOffsetValue(encodeSourceOffsetValue(9223372036854775807n))).toBe(9223372036854775807n);
    expect(decodeSourceOffsetValue(null)).toBeNull();
  });

  it('decode keys back into the source partition', () => {
    const decoded = decodeSourceOffsetKey(sourceKey);
    expect(decoded.connectorName).toBe('MirrorSourceConnector');
    expect(toMirrorSourcePartition(decoded.partition)).toEqual({
      sourceClusterAlias: 'A',
      topicPartition: { topic: 't', partition: 0 },
    });
    expect(toMirrorSourcePartition(decodeSourceOffsetKey(heartbeatKey).partition)).toBeUndefined();
  });

  it('reject what Java could not read', () => {
    expect(() => decodeSourceOffsetValue(Buffer.from('{"offset":5.0}'))).toThrow(RecordFormatError);
    expect(() => decodeSourceOffsetValue(Buffer.from('{"offset":"5"}'))).toThrow(RecordFormatError);
    expect(() => decodeSourceOffsetValue(Buffer.from('not json'))).toThrow(RecordFormatError);
    expect(() => decodeSourceOffsetKey(Buffer.from('{"a":1}'))).toThrow(RecordFormatError);
    expect(() => decodeSourceOffsetKey(null)).toThrow(RecordFormatError);
  });
});

describe('Jackson-compatible JSON', () => {
  it('escapes quotes, backslashes and control characters with uppercase hex', () => {
    expect(jacksonString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(jacksonString('\b\t\n\f\r')).toBe('"\\b\\t\\n\\f\\r"');
    expect(jacksonString('\u0000\u001f\u000b')).toBe('"\\u0000\\u001F\\u000B"');
  });

  it('leaves slash, DEL and non-ASCII as they are', () => {
    expect(jacksonString('a/b\u007fé€😀\u2028')).toBe('"a/b\u007fé€😀\u2028"');
  });

  it('escapes unpaired surrogates so the output stays valid JSON', () => {
    expect(jacksonString('\uD800x\uDC00')).toBe('"\\uD800x\\uDC00"');
    expect(JSON.parse(jacksonString('\uD800x'))).toBe('\uD800x');
  });

  it('agrees with JSON.stringify except for the hex case', () => {
    const text = 'weird alias B- ._~:/?#[]@!$&\'()*+;="<>%{}|\\^`618\u001b';
    expect(jacksonString(text)).toBe(JSON.stringify(text).replace('\\u001b', '\\u001B'));
    expect(jacksonStringify(['x', { entries: [['k', 1n]] }, null, true])).toBe('["x",{"k":1},null,true]');
  });

  it('keeps exotic aliases byte-identical in keys', () => {
    const key = encodeHeartbeatPartitionKey('A\u0007', 'B"');
    expect(key.toString()).toBe(
      '["MirrorHeartbeatConnector",{"sourceClusterAlias":"A\\u0007","targetClusterAlias":"B\\""}]',
    );
  });
});
