/**
 * `check.crcs` (Java consumer, default true) reaches the replication consumer: an operator who
 * trusts the source's disks and network can skip verifying each fetched batch's CRC-32C (half the
 * checksum work of an uncompressed copy, docs/benchmarks/2026-11-30-drain-2.md); a value that is
 * not a boolean is refused by name, as Java's ConfigDef refuses it.
 */
import { describe, expect, it } from 'vitest';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import { encodeRecordBatch } from '../../../src/kafka/protocol/encode.ts';
import { readRecordBatchViews } from '../../../src/kafka/protocol/decode.ts';
import { BATCH } from '../../../src/kafka/protocol/types.ts';
import { replicationConsumer } from '../../../src/runtime/route-clients.ts';

function route(extra = '') {
  const config = loadMirrorMakerConfigText(
    [
      'clusters = eu, us',
      'eu.bootstrap.servers = eu-1:9092',
      'us.bootstrap.servers = us-1:9092',
      'eu->us.enabled = true',
      extra,
    ].join('\n'),
  );
  return config.routes.find((r) => r.name === 'eu->us')!;
}

describe('check.crcs of the replication consumer', () => {
  it('defaults to true, as in Java; false (any case, blanks trimmed) turns the check off', () => {
    expect(replicationConsumer(route()).options.checkCrcs).toBe(true);
    expect(replicationConsumer(route('eu.consumer.check.crcs = FALSE ')).options.checkCrcs).toBe(false);
    expect(replicationConsumer(route('eu.consumer.check.crcs = true')).options.checkCrcs).toBe(true);
  });

  it('refuses a value that is not a boolean, naming the key and the valid values', () => {
    expect(() => replicationConsumer(route('eu.consumer.check.crcs = maybe'))).toThrow(
      /check\.crcs = maybe: valid values are true, false/,
    );
  });

  it('off, a batch whose CRC does not match is read; on, it is refused', async () => {
    const batch = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] });
    batch.writeUInt32BE((batch.readUInt32BE(BATCH.CRC) ^ 1) >>> 0, BATCH.CRC);
    expect(() => readRecordBatchViews(batch)).toThrow(/CRC-32C mismatch/);
    expect(readRecordBatchViews(batch, { verifyCrc: false })).toHaveLength(1);
  });
});
