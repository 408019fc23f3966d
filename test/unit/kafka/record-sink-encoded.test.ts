import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataBuffers } from '../../../src/kafka/buffer-pool.ts';
import type { EncodedBatch, ProducePiece } from '../../../src/kafka/port.ts';
import { encodeRecordBatch } from '../../../src/kafka/protocol/index.ts';
import { stubbedSink } from '../../support/stubbed-sink.ts';

/**
 * Batches encoded while decoded (src/kafka/protocol/transcode.ts) are sent as they are, and sent
 * again from the same bytes when the source task retries a failed send: their pooled bytes may go
 * back to the pool only once the whole send is acknowledged (a socket still writing a failed
 * request holds them itself: test/unit/kafka/request-writes.test.ts).
 */

const INVALID_RECORD = 87;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A batch of `count` records of 100 KB (large enough to come from the data-path pool). */
async function encodedBatch(count: number, firstOffset: bigint): Promise<EncodedBatch> {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.alloc(100_000, i) }));
  const bytes = encodeRecordBatch({ records });
  return { bytes, recordCount: count, firstOffset, lastOffset: firstOffset + BigInt(count - 1) };
}

/** Two batches for partition 0 (two produce rounds) and one for partition 1. */
async function threeBatches(): Promise<{ pieces: ProducePiece[]; bytes: Buffer[] }> {
  const batches = [await encodedBatch(2, 10n), await encodedBatch(1, 12n), await encodedBatch(3, 40n)];
  const pieces: ProducePiece[] = [
    { partition: 0, encoded: batches[0]! },
    { partition: 0, encoded: batches[1]! },
    { partition: 1, encoded: batches[2]! },
  ];
  return { pieces, bytes: await Promise.all(batches.map((b) => b.bytes)) };
}

/** Which of `bytes` were handed back to the pool (by identity), in their order. */
function released(spy: { mock: { calls: unknown[][] } }, bytes: Buffer[]): boolean[] {
  return bytes.map((b) => spy.mock.calls.some(([view]) => view === b));
}

describe('a sink sending batches encoded while decoded', () => {
  it('sends their bytes as they are, in order per partition, and returns them to the pool once all are acknowledged', async () => {
    const { pieces, bytes } = await threeBatches();
    const expected = bytes.map((b) => Buffer.from(b));
    const release = vi.spyOn(dataBuffers, 'release');
    // What the pool had back when the second round was answered: none yet (a retry would resend them).
    let atSecondRound: boolean[] = [];
    const { sink, calls } = stubbedSink((_t, _p, request) => {
      if (request === 1) atSecondRound = released(release, bytes);
      return 0;
    });
    const results = await sink.sendPieces('B.t', pieces);
    expect(results.map((r) => [r.partition, r.recordCount])).toEqual([
      [0, 2],
      [1, 3],
      [0, 1],
    ]);
    // Round 1: partition 0's first batch and partition 1's; round 2: partition 0's second.
    expect(calls.requests.map((r) => r.flatMap((t) => t.partitions))).toEqual([[0, 1], [0]]);
    expect(calls.batches).toEqual([expected[0], expected[2], expected[1]]);
    expect(atSecondRound).toEqual([false, false, false]);
    expect(released(release, bytes)).toEqual([true, true, true]);
  });

  it('returns none of a failed send’s batches to the pool, not even those acknowledged before it failed, until a retry of them lands', async () => {
    // The second round (partition 0's second batch) is refused the first time.
    let failing = true;
    const { sink, calls } = stubbedSink((_t, partition, request) =>
      failing && partition === 0 && request === 1 ? INVALID_RECORD : 0,
    );
    const { pieces, bytes } = await threeBatches();
    const release = vi.spyOn(dataBuffers, 'release');
    await expect(sink.sendPieces('B.t', pieces)).rejects.toMatchObject({ code: 'KAFKA_INVALID_RECORD' });
    expect(calls.requests).toHaveLength(2);
    expect(released(release, bytes)).toEqual([false, false, false]);
    // The source task sends the same pieces again: the very same bytes, returned once all landed.
    failing = false;
    const results = await sink.sendPieces('B.t', pieces);
    expect(results).toHaveLength(3);
    expect(calls.batches.slice(3)).toEqual([bytes[0], bytes[2], bytes[1]]);
    expect(released(release, bytes)).toEqual([true, true, true]);
  });

  it('returns a successful send’s batches to the pool while another topic’s send fails', async () => {
    const { sink } = stubbedSink((topic) => (topic === 'B.bad' ? INVALID_RECORD : 0));
    const good = await threeBatches();
    const bad = await threeBatches();
    const release = vi.spyOn(dataBuffers, 'release');
    const [ok, failed] = await Promise.allSettled([
      sink.sendPieces('B.good', good.pieces),
      sink.sendPieces('B.bad', bad.pieces),
    ]);
    expect([ok.status, failed.status]).toEqual(['fulfilled', 'rejected']);
    expect(released(release, good.bytes)).toEqual([true, true, true]);
    expect(released(release, bad.bytes)).toEqual([false, false, false]);
  });
});
