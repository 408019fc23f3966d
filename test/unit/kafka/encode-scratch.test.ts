import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from '../../../src/kafka/protocol/index.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/**
 * ~`bytes` of records that compress well (the compressed batch is far smaller than its records),
 * values distinct per seed so batches encoded at the same time differ.
 */
function records(seed: number, bytes: number): RecordInput[] {
  const random = seededRandom(seed);
  const out: RecordInput[] = [];
  for (let n = 0; n < bytes; n += 300) {
    const value = Buffer.from(`${seed}:${Math.floor(random() * 1e6)}:`.padEnd(300, 'abcdefgh'.repeat(40)));
    out.push({ key: Buffer.from(`k${seed}-${out.length}`), value, timestamp: 1_700_000_000_000 + out.length });
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('encodeRecordBatch: the scratch of compressed batches', () => {
  it('reuses one scratch buffer for the uncompressed records of batch after batch', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => records(i + 1, 200_000));
    await encodeRecordBatch({ records: inputs[0]!, compression: 'lz4' }); // takes the first scratch
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    for (const input of inputs) await encodeRecordBatch({ records: input, compression: 'lz4' });
    // Each batch's own output is allocated; none of the 200 KB scratch buffers is (they were ~6).
    const large = alloc.mock.calls.filter(([size]) => size >= 150_000);
    expect(large).toEqual([]);
  });

  it('gives batches encoded at the same time their own scratch: each equals its encoding alone', async () => {
    for (const compression of ['lz4', 'gzip', 'snappy', 'zstd'] as const) {
      const inputs = Array.from({ length: 12 }, (_, i) => records(100 + i, 70_000 + i * 20_000));
      const together = await Promise.all(inputs.map((input) => encodeRecordBatch({ records: input, compression })));
      for (let i = 0; i < inputs.length; i++) {
        const alone = await encodeRecordBatch({ records: inputs[i]!, compression });
        expect(together[i]!.equals(alone), `${compression} #${i}`).toBe(true);
        const [decoded] = await decodeRecordBatches(together[i]!);
        expect(decoded!.records.map((r) => r.value)).toEqual(inputs[i]!.map((r) => r.value));
      }
    }
  });
});
