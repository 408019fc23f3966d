import { describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  encodeCheckpointKey,
  encodeCheckpointValue,
  formatCheckpoint,
  type Checkpoint,
} from '../../../src/records/checkpoint.ts';
import {
  decodeHeartbeat,
  encodeHeartbeatKey,
  encodeHeartbeatValue,
  formatHeartbeat,
  heartbeatAt,
} from '../../../src/records/heartbeat.ts';
import {
  decodeOffsetSync,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  formatOffsetSync,
  type OffsetSync,
} from '../../../src/records/offset-sync.ts';
import { RecordFormatError } from '../../../src/util/errors.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('OffsetSync codec', () => {
  const sync: OffsetSync = { topicPartition: { topic: 't', partition: 0 }, upstreamOffset: 5n, downstreamOffset: 7n };

  it('writes the worked example of the spec byte for byte', () => {
    expect(encodeOffsetSyncKey(sync)).toEqual(hex('0001 74 00000000'));
    expect(encodeOffsetSyncValue(sync)).toEqual(hex('0000000000000005 0000000000000007'));
  });

  it('reads back what it writes, including extreme offsets and non-ASCII topics', () => {
    const odd: OffsetSync = {
      topicPartition: { topic: 'tö-π', partition: 2147483647 },
      upstreamOffset: -(1n << 63n),
      downstreamOffset: (1n << 63n) - 1n,
    };
    expect(decodeOffsetSync(encodeOffsetSyncKey(odd), encodeOffsetSyncValue(odd))).toEqual(odd);
  });

  it('has no version header and ignores trailing bytes, as Java does', () => {
    const value = Buffer.concat([encodeOffsetSyncValue(sync), hex('ffff')]);
    const key = Buffer.concat([encodeOffsetSyncKey(sync), hex('01')]);
    expect(decodeOffsetSync(key, value)).toEqual(sync);
  });

  it('rejects truncated, negative-length and missing data with RecordFormatError', () => {
    expect(() => decodeOffsetSync(hex('0001 74 0000'), encodeOffsetSyncValue(sync))).toThrow(RecordFormatError);
    expect(() => decodeOffsetSync(hex('ffff 74 00000000'), encodeOffsetSyncValue(sync))).toThrow(/negative/);
    expect(() => decodeOffsetSync(hex('0005 74 00000000'), encodeOffsetSyncValue(sync))).toThrow(RecordFormatError);
    expect(() => decodeOffsetSync(encodeOffsetSyncKey(sync), hex('00'))).toThrow(RecordFormatError);
    expect(() => decodeOffsetSync(encodeOffsetSyncKey(sync), null)).toThrow(RecordFormatError);
    expect(() => decodeOffsetSync(null, encodeOffsetSyncValue(sync))).toThrow(RecordFormatError);
    expect(() => decodeOffsetSync(new Uint8Array(0), new Uint8Array(0))).toThrow(RecordFormatError);
  });

  it('refuses to write values Java could not write', () => {
    expect(() => encodeOffsetSyncKey({ ...sync, topicPartition: { topic: 'x'.repeat(32768), partition: 0 } })).toThrow(
      RecordFormatError,
    );
    expect(() => encodeOffsetSyncKey({ ...sync, topicPartition: { topic: 't', partition: 2 ** 31 } })).toThrow(
      RecordFormatError,
    );
    expect(() => encodeOffsetSyncValue({ ...sync, upstreamOffset: 1n << 63n })).toThrow(RecordFormatError);
    expect(encodeOffsetSyncKey({ ...sync, topicPartition: { topic: 'x'.repeat(32767), partition: 0 } }).length).toBe(
      32773,
    );
  });

  it("prints like Java's OffsetSync.toString()", () => {
    expect(formatOffsetSync(sync)).toBe('OffsetSync{topicPartition=t-0, upstreamOffset=5, downstreamOffset=7}');
  });
});

describe('Checkpoint codec', () => {
  const checkpoint: Checkpoint = {
    consumerGroupId: 'g',
    topicPartition: { topic: 'A.t', partition: 0 },
    upstreamOffset: 10n,
    downstreamOffset: 8n,
    metadata: '',
  };

  it('writes the worked example of the spec byte for byte', () => {
    expect(encodeCheckpointKey(checkpoint)).toEqual(hex('0001 67 0003 412e74 00000000'));
    expect(encodeCheckpointValue(checkpoint)).toEqual(hex('0000 000000000000000a 0000000000000008 0000'));
  });

  it('reads back what it writes, metadata included', () => {
    const withMetadata = { ...checkpoint, metadata: 'commit by ünïcode ✓' };
    expect(decodeCheckpoint(encodeCheckpointKey(withMetadata), encodeCheckpointValue(withMetadata))).toEqual(
      withMetadata,
    );
  });

  it('accepts any version number and ignores trailing bytes, as Java does with assertions off', () => {
    const value = encodeCheckpointValue(checkpoint);
    value.writeInt16BE(7, 0);
    const extended = Buffer.concat([value, hex('deadbeef')]);
    expect(decodeCheckpoint(encodeCheckpointKey(checkpoint), extended)).toEqual(checkpoint);
  });

  it('rejects malformed records with RecordFormatError', () => {
    const key = encodeCheckpointKey(checkpoint);
    const value = encodeCheckpointValue(checkpoint);
    expect(() => decodeCheckpoint(new Uint8Array(0), new Uint8Array(0))).toThrow(RecordFormatError);
    expect(() => decodeCheckpoint(key, value.subarray(0, 19))).toThrow(RecordFormatError);
    expect(() => decodeCheckpoint(key.subarray(0, 8), value)).toThrow(RecordFormatError);
    expect(() => decodeCheckpoint(key, null)).toThrow(RecordFormatError);
  });

  it("prints like Java's Checkpoint.toString()", () => {
    expect(formatCheckpoint({ ...checkpoint, metadata: 'm' })).toBe(
      'Checkpoint{consumerGroupId=g, topicPartition=A.t-0, upstreamOffset=10, downstreamOffset=8, metadata=m}',
    );
  });
});

describe('Heartbeat codec', () => {
  const heartbeat = heartbeatAt('A', 'B', 1700000000000);

  it('writes the worked example of the spec byte for byte', () => {
    expect(heartbeat.timestamp).toBe(1700000000000n);
    expect(encodeHeartbeatKey(heartbeat)).toEqual(hex('0001 41 0001 42'));
    expect(encodeHeartbeatValue(heartbeat)).toEqual(hex('0000 0000018bcfe56800'));
  });

  it('reads back what it writes; any version; trailing bytes ignored', () => {
    const value = Buffer.concat([encodeHeartbeatValue(heartbeat), hex('00')]);
    value.writeInt16BE(-1, 0);
    expect(decodeHeartbeat(encodeHeartbeatKey(heartbeat), value)).toEqual(heartbeat);
  });

  it('rejects malformed records with RecordFormatError', () => {
    expect(() => decodeHeartbeat(encodeHeartbeatKey(heartbeat), hex('0000 00'))).toThrow(RecordFormatError);
    expect(() => decodeHeartbeat(hex('0001 41'), encodeHeartbeatValue(heartbeat))).toThrow(RecordFormatError);
  });

  it("prints like Java's Heartbeat.toString()", () => {
    expect(formatHeartbeat(heartbeat)).toBe(
      'Heartbeat{sourceClusterAlias=A, targetClusterAlias=B, timestamp=1700000000000}',
    );
  });
});

describe('strings', () => {
  it("write an unpaired surrogate as '?' like Java's String.getBytes(UTF_8)", () => {
    const sync: OffsetSync = {
      topicPartition: { topic: 'a\uD800b', partition: 0 },
      upstreamOffset: 0n,
      downstreamOffset: 0n,
    };
    expect(encodeOffsetSyncKey(sync)).toEqual(hex('0003 613f62 00000000'));
  });
});
