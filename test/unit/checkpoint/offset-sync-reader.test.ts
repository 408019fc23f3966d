import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OffsetSyncReader } from '../../../src/connectors/checkpoint/offset-sync-reader.ts';
import { OffsetSyncStore } from '../../../src/connectors/checkpoint/offset-sync-store.ts';
import type { KafkaAdmin } from '../../../src/kafka/port.ts';
import { RUN_START_HEADER, encodeOffsetSyncKey, encodeOffsetSyncValue } from '../../../src/records/index.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { MemoryTopic } from '../connect/memory-topic.ts';

const TOPIC = 'mm2-offset-syncs.B.internal';
const tp = { topic: 't', partition: 0 };

function sync(topic: MemoryTopic, upstream: bigint, downstream: bigint, runStart?: bigint): void {
  const s = { topicPartition: tp, upstreamOffset: upstream, downstreamOffset: downstream };
  const headers = [];
  if (runStart !== undefined) {
    const value = Buffer.alloc(8);
    value.writeBigInt64BE(runStart);
    headers.push({ key: RUN_START_HEADER, value });
  }
  topic.appendRecord(0, encodeOffsetSyncKey(s), encodeOffsetSyncValue(s), headers);
}

/** JSON log lines, to see what an operator would see. */
function capturingLogger() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const readers: OffsetSyncReader[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.stop()));
});

function readerOn(topic: MemoryTopic) {
  const store = new OffsetSyncStore();
  const { logger, lines } = capturingLogger();
  const synced: number[] = [];
  const reader = new OffsetSyncReader({
    cluster: topic.cluster(),
    admin: { listOffsets: topic.listOffsets } as unknown as KafkaAdmin,
    topic: TOPIC,
    store,
    logger,
    onSync: (ts) => synced.push(ts),
    pollTimeoutMs: 50,
  });
  readers.push(reader);
  return { reader, store, lines, synced };
}

describe('OffsetSyncReader (the Kafka side of Java OffsetSyncStore)', () => {
  it('waits for the topic, reads it to its end before translating, skips malformed records, then tails', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.missing = true;
    sync(topic, 0n, 0n, 0n);
    topic.appendRecord(0, Buffer.from('junk'), null); // a tombstone: skipped on its own
    sync(topic, 100n, 100n, 0n);
    const { reader, store, lines, synced } = readerOn(topic);
    let started = false;
    const starting = reader.start(false).then(() => (started = true));
    await vi.waitFor(() => expect(lines.some((l) => l.msg.includes('not readable yet'))).toBe(true));
    expect(started).toBe(false);
    expect(store.isReadToEnd).toBe(false);
    topic.missing = false;
    await starting;
    expect(store.isReadToEnd).toBe(true);
    expect(store.syncsFor(tp)?.[0]).toMatchObject({ upstreamOffset: 100n, downstreamOffset: 100n });
    expect(store.translateDownstreamExact(tp, 50n)).toBe(50n); // the run-start headers reached the store
    expect(reader.skippedRecords).toBe(1);
    expect(synced).toHaveLength(2);
    // The wait was logged once, not once per attempt.
    expect(lines.filter((l) => l.msg.includes('not readable yet'))).toHaveLength(1);

    sync(topic, 200n, 180n);
    await vi.waitFor(() => expect(store.syncsFor(tp)?.[0]?.upstreamOffset).toBe(200n), { timeout: 2_000 });
  });

  it('a failed tail is logged as an error and starts again from where it stood', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    sync(topic, 0n, 0n);
    const { reader, store, lines } = readerOn(topic);
    await reader.start(false);
    topic.failures = [new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'not authorized', { retriable: false })];
    await vi.waitFor(() => expect(lines.some((l) => l.level === 50 && l.err?.message === 'not authorized')).toBe(true));
    sync(topic, 10n, 10n);
    await vi.waitFor(() => expect(store.syncsFor(tp)?.[0]?.upstreamOffset).toBe(10n), { timeout: 3_000 });
  });

  it('stop while waiting for the topic returns at once; start resolves without marking the store read', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.missing = true;
    const { reader, store } = readerOn(topic);
    const starting = reader.start(true);
    await new Promise((r) => setTimeout(r, 50));
    const began = Date.now();
    await reader.stop();
    await starting;
    expect(Date.now() - began).toBeLessThan(500);
    expect(store.isReadToEnd).toBe(false);
    expect(reader.stopSignal.aborted).toBe(true);
  });
});
