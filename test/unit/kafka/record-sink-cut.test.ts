import { describe, expect, it } from 'vitest';
import type { CompressionType } from '../../../src/kafka/index.ts';
import { KafkajsConnection } from '../../../src/kafka/kafkajs/connection.ts';
import { KafkajsRecordSink } from '../../../src/kafka/kafkajs/record-sink.ts';
import { decodeRecordBatches } from '../../../src/kafka/protocol/decode.ts';
import type { ProduceResponseBody } from '../../../src/kafka/wire/produce.ts';
import { ProtocolReader, type ProtocolWriter } from '../../../src/kafka/wire/codec.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/** Each request's record batches (one per partition) as sent. */
function sentBatches(body: ProtocolWriter): Buffer[] {
  const r = new ProtocolReader(Buffer.concat(body.chunks()));
  r.nullableString();
  r.int16();
  r.int32();
  const batches: Buffer[] = [];
  r.array((tr) => {
    tr.string();
    tr.array((pr) => {
      pr.int32();
      batches.push(Buffer.from(pr.bytes()!));
    });
  });
  return batches;
}

/** A sink over a connection stand-in that acknowledges everything and keeps every batch sent. */
function recordingSink(compression: CompressionType) {
  const batches: Buffer[] = [];
  const connection = new KafkajsConnection(
    { clientId: 'p', clusterAlias: 'B', bootstrapServers: ['b-1:9092'], securityProtocol: 'PLAINTEXT' },
    silentLogger(),
  );
  Object.assign(connection, {
    leadersOf: (topics: string[]) => Promise.resolve(new Map(topics.map((t) => [t, new Map([[0, 1]])]))),
    broker: () => Promise.resolve({}),
    send: (_broker: unknown, _api: unknown, body: ProtocolWriter): Promise<ProduceResponseBody> => {
      const sent = sentBatches(body);
      batches.push(...sent);
      return Promise.resolve({
        topics: [
          {
            topic: 'B.t',
            partitions: [{ partition: 0, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n }],
          },
        ],
      });
    },
  });
  return { sink: new KafkajsRecordSink(connection, { compression }), batches };
}

const text = (i: number): Buffer => Buffer.from(`{"order":${i},"status":"shipped","note":"`.padEnd(100, 'x') + '"}');

async function values(batches: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for (const b of batches)
    for (const batch of await decodeRecordBatches(b))
      for (const r of batch.records) out.push(r.value!.toString('latin1'));
  return out;
}

/**
 * Compressed batches are cut by what they compress to, not by their uncompressed size: one batch
 * is one produce round trip per partition, so well-compressing small records went out in four to
 * five times as many round trips as needed. A batch that compresses worse than expected is cut
 * in two: no batch goes over the broker's default limit.
 */
describe('record sink: where compressed batches are cut', () => {
  it('cuts lz4 batches of compressible records larger once it has seen their ratio, in order, each under 1 MB', async () => {
    const { sink, batches } = recordingSink('lz4');
    const first = Array.from({ length: 30_000 }, (_, i) => ({ partition: 0, key: null, value: text(i) }));
    await sink.send('B.t', first);
    const firstBatches = batches.length;
    // ~130 estimated bytes per record: 900 KB uncompressed holds ~7,000 of them.
    expect(firstBatches).toBeGreaterThanOrEqual(4);
    const second = Array.from({ length: 30_000 }, (_, i) => ({ partition: 0, key: null, value: text(30_000 + i) }));
    await sink.send('B.t', second);
    const secondBatches = batches.length - firstBatches;
    expect(secondBatches).toBeLessThan(firstBatches / 2);
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(1_000_000);
    expect(await values(batches)).toEqual([...first, ...second].map((r) => r.value.toString('latin1')));
  });

  it('cuts a batch that compresses worse than the ratio seen in two, until it fits', async () => {
    const { sink, batches } = recordingSink('lz4');
    await sink.send(
      'B.t',
      Array.from({ length: 30_000 }, (_, i) => ({ partition: 0, key: null, value: text(i) })),
    );
    const before = batches.length;
    const random = seededRandom(3);
    // Incompressible: the learned cut (MBs uncompressed) compresses to MBs.
    const noise = Array.from({ length: 3_000 }, () => ({
      partition: 0,
      key: null,
      value: Buffer.from(Array.from({ length: 1_000 }, () => Math.floor(random() * 256))),
    }));
    await sink.send('B.t', noise);
    const sent = batches.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const b of sent) expect(b.length).toBeLessThanOrEqual(1_000_000);
    expect(await values(sent)).toEqual(noise.map((r) => r.value.toString('latin1')));
  });

  it('keeps uncompressed batches at 900 KB', async () => {
    const { sink, batches } = recordingSink('none');
    await sink.send(
      'B.t',
      Array.from({ length: 30_000 }, (_, i) => ({ partition: 0, key: null, value: text(i) })),
    );
    await sink.send(
      'B.t',
      Array.from({ length: 30_000 }, (_, i) => ({ partition: 0, key: null, value: text(i) })),
    );
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(900_000 + 61);
    expect(batches.length).toBeGreaterThanOrEqual(8);
  });
});
