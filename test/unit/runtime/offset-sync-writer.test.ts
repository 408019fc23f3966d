import { describe, expect, it } from 'vitest';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { readRunStart } from '../../../src/records/index.ts';
import type { ConsumedRecord } from '../../../src/kafka/index.ts';
import { decodeOffsetSync } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';

const SYNCS = 'mm2-offset-syncs.B.internal';

/** A target cluster holding the offset-syncs topic. */
function cluster(): InMemoryKafka {
  const kafka = new InMemoryKafka();
  kafka.addTopic(SYNCS);
  return kafka;
}

/** A promise with its resolve exposed: holds sends until the test lets them through. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((done) => (open = done));
  return { promise, open };
}

const P = { topic: 't', partition: 0 };
const Q = { topic: 'q', partition: 1 };

/** `topic-partition:upstream->downstream` plus `@runStart` when the record carries one. */
function show(r: ConsumedRecord): string {
  const s = decodeOffsetSync(r.key, r.value);
  const runStart = readRunStart(r.headers);
  const base = `${s.topicPartition.topic}-${s.topicPartition.partition}:${s.upstreamOffset}->${s.downstreamOffset}`;
  return runStart === undefined ? base : `${base}@${runStart}`;
}

function writer(
  kafka: InMemoryKafka,
  options: { maxOffsetLag?: bigint; markExact?: boolean; maxInFlight?: number } = {},
) {
  return new OffsetSyncWriter({
    cluster: kafka.cluster(),
    topic: SYNCS,
    maxOffsetLag: options.maxOffsetLag ?? 50n,
    logger: silentLogger(),
    ...(options.markExact !== undefined ? { markExact: options.markExact } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
  });
}

describe('OffsetSyncWriter', () => {
  it("sends exactly the syncs Java's rules require, to partition 0, without headers by default", async () => {
    const sink = cluster();
    const w = writer(sink, { maxOffsetLag: 50n });
    const vectors: [bigint, bigint][] = [
      [0n, 100n], [2n, 102n], [3n, 152n], [4n, 153n], [5n, 154n], [6n, 203n], [7n, 204n], [2n, 206n],
      [3n, 207n], [4n, 3n], [5n, 4n], [7n, 6n], [7n, 6n], [8n, 7n], [10n, 57n], [11n, 58n],
    ]; // prettier-ignore
    for (const [u, d] of vectors) {
      w.maybeQueueOffsetSyncs(P, u, d);
      w.firePendingOffsetSyncs();
      await w.flush();
    }
    // (The facts' "(8,7)→sync" relies on PartitionState's sticky flag without a reset; the writer
    // resets after queueing each sync, as Java's does, so (8,7) is only delayed.)
    expect(sink.records(SYNCS).map(show)).toEqual(
      ['0->100', '2->102', '4->153', '7->204', '2->206', '4->3', '7->6', '7->6', '10->57'].map((x) => `t-0:${x}`),
    );
    expect(sink.records(SYNCS).every((r) => r.partition === 0 && r.headers.length === 0)).toBe(true);
    expect(sink.sends.every((s) => s.topic === SYNCS)).toBe(true);

    // KAFKA-15906: the delayed sync of the last record goes out after a position flush.
    w.promoteDelayedOffsetSyncs();
    w.firePendingOffsetSyncs();
    await w.close();
    expect(sink.records(SYNCS).map(show).at(-1)).toBe('t-0:11->58');
  });

  it('keeps at most maxInFlight syncs in flight and sends the rest, coalesced, when permits return', async () => {
    const sink = cluster();
    const held = gate();
    sink.inject({ op: 'send', until: held.promise, times: Infinity });
    const w = writer(sink, { maxInFlight: 10 });
    for (let p = 0; p < 15; p++) w.maybeQueueOffsetSyncs({ topic: 't', partition: p }, 0n, 0n);
    w.firePendingOffsetSyncs();
    // Partitions 10..14 wait; a newer required sync of partition 12 replaces its pending one.
    w.maybeQueueOffsetSyncs({ topic: 't', partition: 12 }, 5n, 1n);
    w.firePendingOffsetSyncs();
    await new Promise((r) => setTimeout(r, 10));
    held.open();
    await w.flush();
    expect(sink.sends.map((s) => s.records.length)).toEqual([10, 5]);
    expect(sink.records(SYNCS).slice(10).map(show)).toEqual([
      't-10:0->0',
      't-11:0->0',
      't-12:5->1',
      't-13:0->0',
      't-14:0->0',
    ]);
    await w.close();
  });

  it('retries a failed send with the same syncs in the same order', async () => {
    const sink = cluster();
    sink.inject({ op: 'send', call: 1, error: new Error('broker down') });
    const w = writer(sink);
    w.maybeQueueOffsetSyncs(P, 0n, 0n);
    w.maybeQueueOffsetSyncs(Q, 0n, 0n);
    w.firePendingOffsetSyncs();
    await w.flush();
    expect(sink.sends).toHaveLength(1);
    expect(sink.records(SYNCS).map(show)).toEqual(['t-0:0->0', 'q-1:0->0']);
    expect(w.stats()).toMatchObject({ sent: 2, failedAttempts: 1, dropped: 0 });
    await w.close();
  });

  it('gives up at close after closeTimeoutMs when the topic stays unreachable', async () => {
    const sink = cluster();
    sink.inject({ op: 'send', times: Infinity, error: new Error('broker down') });
    const w = new OffsetSyncWriter({
      cluster: sink.cluster(),
      topic: 's',
      maxOffsetLag: 100n,
      logger: silentLogger(),
      closeTimeoutMs: 300,
    });
    w.maybeQueueOffsetSyncs(P, 0n, 0n);
    const started = Date.now();
    await w.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(w.stats()).toMatchObject({ sent: 0, dropped: 1 });
    // Closed: later calls are ignored.
    w.maybeQueueOffsetSyncs(P, 1n, 1n);
    w.firePendingOffsetSyncs();
    expect(w.stats().dropped).toBe(1);
  });

  describe('markExact', () => {
    it('marks every sync with the start of its run of consecutive records and closes a run when the delta changes', async () => {
      const sink = cluster();
      const w = writer(sink, { maxOffsetLag: 10n, markExact: true });
      const feed = async (u: bigint, d: bigint): Promise<void> => {
        w.maybeQueueOffsetSyncs(P, u, d);
        w.firePendingOffsetSyncs();
        await w.flush();
      };
      for (let u = 0n; u <= 14n; u++) await feed(u, 100n + u); // run 0..14, delta 100
      for (let u = 20n; u <= 24n; u++) await feed(u, 95n + u); // upstream gap: run 20.., delta 95
      await feed(25n, 125n); // downstream jump, upstream consecutive: Java needs no sync, a new run starts
      await feed(26n, 126n);
      w.promoteDelayedOffsetSyncs();
      w.firePendingOffsetSyncs();
      await w.close();
      expect(sink.records(SYNCS).map(show)).toEqual([
        't-0:0->100@0',
        't-0:11->111@0', // offset.lag.max
        't-0:14->114@0', // closing sync of run 0..14
        't-0:20->115@20', // required: upstream gap
        't-0:24->119@20', // closing sync of run 20..24 (its sync was only delayed)
        't-0:26->126@25', // promoted delayed sync of run 25..26
      ]);
      expect(w.stats()).toMatchObject({ closingSent: 2 });
    });

    it('does not repeat a run end that was already sent', async () => {
      const sink = cluster();
      const w = writer(sink, { maxOffsetLag: 0n, markExact: true }); // every record is a sync
      for (const [u, d] of [
        [0n, 0n],
        [1n, 1n],
        [3n, 2n],
        [4n, 3n],
      ] as const) {
        w.maybeQueueOffsetSyncs(P, u, d);
        w.firePendingOffsetSyncs();
        await w.flush();
      }
      await w.close();
      expect(sink.records(SYNCS).map(show)).toEqual(['t-0:0->0@0', 't-0:1->1@0', 't-0:3->2@3', 't-0:4->3@3']);
    });

    it('never sends a closing sync ahead of an older pending sync of the same partition', async () => {
      const sink = cluster();
      const held = gate();
      sink.inject({ op: 'send', until: held.promise, times: Infinity });
      const w = writer(sink, { maxOffsetLag: 100n, markExact: true, maxInFlight: 1 });
      w.maybeQueueOffsetSyncs(Q, 0n, 0n); // takes the only permit; the sink holds it
      w.firePendingOffsetSyncs();
      w.maybeQueueOffsetSyncs(P, 0n, 0n); // pending, waiting for a permit
      w.maybeQueueOffsetSyncs(P, 1n, 1n); // delayed
      w.maybeQueueOffsetSyncs(P, 2n, 5n); // delta changes, not required: 0->0 is still pending
      w.firePendingOffsetSyncs();
      held.open();
      await w.flush();
      w.promoteDelayedOffsetSyncs();
      w.firePendingOffsetSyncs();
      await w.close();
      // 1->1 (end of run 0..1) would have to go before 0->0 to be sent now: skipped instead.
      expect(sink.records(SYNCS).map(show)).toEqual(['q-1:0->0@0', 't-0:0->0@0', 't-0:2->5@2']);
    });

    it('sends the closing sync of a run whose pending sync a required one replaced, ahead of it', async () => {
      const sink = cluster();
      const held = gate();
      sink.inject({ op: 'send', until: held.promise, times: Infinity });
      const w = writer(sink, { maxOffsetLag: 100n, markExact: true, maxInFlight: 1 });
      w.maybeQueueOffsetSyncs(Q, 0n, 0n);
      w.firePendingOffsetSyncs();
      w.maybeQueueOffsetSyncs(P, 0n, 0n); // pending
      w.maybeQueueOffsetSyncs(P, 1n, 1n); // delayed
      w.maybeQueueOffsetSyncs(P, 3n, 2n); // upstream gap: required, replaces 0->0 (as in Java)
      w.firePendingOffsetSyncs();
      held.open();
      await w.flush();
      await w.close();
      expect(sink.records(SYNCS).map(show)).toEqual(['q-1:0->0@0', 't-0:1->1@0', 't-0:3->2@3']);
    });
  });
});
