/**
 * Idle promotion (OffsetSyncWriter.promoteIdleOffsetSync) on random scenarios, read back the way
 * the checkpoint runtime reads them (OffsetSyncStore, run-start headers included):
 * - syncs of a partition reach the topic in upstream order (Java's store would otherwise take a
 *   rewind and forget the partition's history);
 * - no translation ever skips a record (each is at or below the true downstream position);
 * - right after a partition's idle promotion is sent, its end (last record + 1) translates
 *   exactly, whatever the offset.lag.max and wherever the last required sync was.
 */
import { describe, expect, it } from 'vitest';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { OffsetSyncStore } from '../../../src/connectors/checkpoint/offset-sync-store.ts';
import { decodeOffsetSync, readRunStart } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { seededRandom as random } from '../../support/seeded-random.ts';

const TOPIC = 'mm2-offset-syncs.B.internal';
const PARTITIONS = 3;
const tp = (partition: number) => ({ topic: 'orders', partition });

describe('idle offset-sync promotion', () => {
  it('keeps upstream order, never skips a record, and makes a caught-up end exact (300 seeds)', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const lag = BigInt([0, 1, 7, 100][seed % 4]!);
      const kafka = new InMemoryKafka();
      kafka.addTopic(TOPIC);
      const writer = new OffsetSyncWriter({
        cluster: kafka.cluster(),
        topic: TOPIC,
        maxOffsetLag: lag,
        markExact: true,
        maxInFlight: 2,
        logger: silentLogger(),
      });
      const up = new Array<bigint>(PARTITIONS).fill(0n);
      const down = new Array<bigint>(PARTITIONS).fill(0n);
      /** Per partition: upstream offset → downstream offset of every copied record. */
      const copies = Array.from({ length: PARTITIONS }, () => new Map<bigint, bigint>());
      const idleChecks: { partition: number; end: bigint; downstreamEnd: bigint }[] = [];
      for (let step = 0; step < 60; step++) {
        const x = next();
        const p = Math.floor(next() * PARTITIONS);
        if (x < 0.25) {
          // The partition went idle: promote, send, and its end must now translate exactly.
          const promoted = writer.promoteIdleOffsetSync(tp(p));
          writer.firePendingOffsetSyncs();
          await writer.flush();
          if (promoted && copies[p]!.size > 0) idleChecks.push({ partition: p, end: up[p]!, downstreamEnd: down[p]! });
          continue;
        }
        if (x < 0.3) {
          writer.promoteDelayedOffsetSyncs();
          writer.firePendingOffsetSyncs();
          await writer.flush();
          continue;
        }
        if (next() < 0.15) up[p]! += BigInt(1 + Math.floor(next() * 4)); // compaction or markers
        const count = 1 + Math.floor(next() * (next() < 0.3 ? 300 : 10));
        if (next() < 0.5) writer.maybeQueueOffsetSyncsRun(tp(p), up[p]!, down[p]!, count);
        else
          for (let i = 0; i < count; i++) writer.maybeQueueOffsetSyncs(tp(p), up[p]! + BigInt(i), down[p]! + BigInt(i));
        for (let i = 0n; i < BigInt(count); i++) copies[p]!.set(up[p]! + i, down[p]! + i);
        up[p]! += BigInt(count);
        down[p]! += BigInt(count);
        if (next() < 0.3) {
          writer.firePendingOffsetSyncs();
          await writer.flush();
        }
      }
      await writer.flush();
      const records = kafka.records(TOPIC);
      // 1. Upstream order per partition.
      const lastUp = new Map<number, bigint>();
      for (const r of records) {
        const s = decodeOffsetSync(r.key, r.value);
        const before = lastUp.get(s.topicPartition.partition) ?? -1n;
        expect(s.upstreamOffset >= before, `seed ${seed}: rewind on ${s.topicPartition.partition}`).toBe(true);
        lastUp.set(s.topicPartition.partition, s.upstreamOffset);
      }
      // 2 and 3, replaying the topic into the checkpoint runtime's store one record at a time.
      const store = new OffsetSyncStore();
      store.start(false);
      store.markReadToEnd();
      for (const r of records) store.handleRecord(r.key, r.value, readRunStart(r.headers));
      for (let p = 0; p < PARTITIONS; p++) {
        const copied = copies[p]!;
        if (copied.size === 0) continue;
        // The true position for a group at g: the copy of the first record at or after g.
        const truth = (g: bigint): bigint => {
          for (let o = g; o < up[p]!; o++) {
            const d = copied.get(o);
            if (d !== undefined) return d;
          }
          return down[p]!;
        };
        for (let g = 0n; g <= up[p]!; g++) {
          const t = store.translate(tp(p), g);
          if (t.kind !== 'translated') continue;
          expect(t.downstreamOffset <= truth(g), `seed ${seed}: p${p} g=${g} skips records`).toBe(true);
        }
      }
      // Each idle promotion made its end exact in the store as it was right then; replay per check.
      for (const check of idleChecks) {
        const atCheck = new OffsetSyncStore();
        atCheck.start(false);
        atCheck.markReadToEnd();
        for (const r of records) {
          const s = decodeOffsetSync(r.key, r.value);
          atCheck.handleRecord(r.key, r.value, readRunStart(r.headers));
          if (s.topicPartition.partition === check.partition && s.upstreamOffset === check.end - 1n) break;
        }
        const t = atCheck.translate(tp(check.partition), check.end);
        expect(t.kind === 'translated' && t.exact, `seed ${seed}: p${check.partition} end ${check.end} not exact`).toBe(
          true,
        );
        expect(t.kind === 'translated' ? t.downstreamOffset : -1n).toBe(check.downstreamEnd);
      }
      await writer.close();
    }
    // 300 seeds take ~1 s alone; a loaded 2-core CI machine needs more than the default 5 s.
  }, 60_000);
});
