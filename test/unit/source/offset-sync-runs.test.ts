/**
 * The O(1) contiguous-run path of the offset-sync rules (queueContiguous, maybeQueueOffsetSyncsRun)
 * must leave exactly what the per-record calls leave: same pending and delayed syncs, same order,
 * same records sent (with their run-start marks). Checked on random scenarios: several partitions,
 * upstream gaps, downstream truncation, fires, promotions and small or zero offset.lag.max.
 */
import { describe, expect, it } from 'vitest';
import { OffsetSyncQueue } from '../../../src/connectors/source/offset-sync-queue.ts';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { readRunStart } from '../../../src/records/index.ts';
import type { ConsumedRecord } from '../../../src/kafka/index.ts';
import { decodeOffsetSync } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { seededRandom as random } from '../../support/seeded-random.ts';

type Op =
  | { kind: 'run'; partition: number; upstream: bigint; downstream: bigint; count: number }
  | { kind: 'fire' }
  | { kind: 'promote' };

/** Runs of contiguous records per partition, with gaps and truncations between runs. */
function scenario(seed: number, partitions: number, steps: number): Op[] {
  const next = random(seed);
  const up = new Array<bigint>(partitions).fill(0n);
  const down = new Array<bigint>(partitions).fill(0n);
  const ops: Op[] = [];
  for (let s = 0; s < steps; s++) {
    const x = next();
    if (x < 0.1) {
      ops.push({ kind: 'fire' });
      continue;
    }
    if (x < 0.15) {
      ops.push({ kind: 'promote' });
      continue;
    }
    const p = Math.floor(next() * partitions);
    const y = next();
    if (y < 0.15) up[p]! += BigInt(1 + Math.floor(next() * 5)); // compaction or transaction markers
    if (y > 0.95) down[p] = BigInt(Math.floor(next() * 3)); // the remote topic was recreated
    const count = 1 + Math.floor(next() * (next() < 0.3 ? 400 : 12));
    ops.push({ kind: 'run', partition: p, upstream: up[p]!, downstream: down[p]!, count });
    up[p]! += BigInt(count);
    down[p]! += BigInt(count);
  }
  return ops;
}

const tp = (partition: number) => ({ topic: 'orders', partition });

function show(r: ConsumedRecord): string {
  const s = decodeOffsetSync(r.key, r.value);
  return `${s.topicPartition.partition}:${s.upstreamOffset}->${s.downstreamOffset}@${readRunStart(r.headers)}`;
}

describe('offset syncs for contiguous runs', () => {
  it('OffsetSyncQueue.queueContiguous leaves the queues as per-record queue() calls do', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const lag = BigInt([0, 1, 3, 100][seed % 4]!);
      const perRecord = new OffsetSyncQueue(lag, 3);
      const perRun = new OffsetSyncQueue(lag, 3);
      const sentA: string[] = [];
      const sentB: string[] = [];
      for (const op of scenario(seed, 3, 60)) {
        if (op.kind === 'fire') {
          perRecord.firePending((s) => sentA.push(`${s.topicPartition.partition}:${s.upstreamOffset}`));
          perRun.firePending((s) => sentB.push(`${s.topicPartition.partition}:${s.upstreamOffset}`));
          perRecord.release();
          perRun.release();
        } else if (op.kind === 'promote') {
          perRecord.promoteDelayed();
          perRun.promoteDelayed();
        } else {
          for (let i = 0; i < op.count; i++)
            perRecord.queue(tp(op.partition), op.upstream + BigInt(i), op.downstream + BigInt(i));
          perRun.queue(tp(op.partition), op.upstream, op.downstream);
          perRun.queueContiguous(tp(op.partition), op.count - 1);
        }
        expect(perRun.pending(), `seed ${seed}`).toEqual(perRecord.pending());
        expect(perRun.delayed(), `seed ${seed}`).toEqual(perRecord.delayed());
        expect(perRun.partitionState(tp(op.kind === 'run' ? op.partition : 0))).toEqual(
          perRecord.partitionState(tp(op.kind === 'run' ? op.partition : 0)),
        );
      }
      expect(sentB).toEqual(sentA);
    }
  });

  it('OffsetSyncWriter.maybeQueueOffsetSyncsRun sends what per-record calls send, run-start marks included', async () => {
    for (let seed = 1; seed <= 120; seed++) {
      const lag = BigInt([0, 2, 100][seed % 3]!);
      const topic = 'mm2-offset-syncs.B.internal';
      const sinks = [new InMemoryKafka(), new InMemoryKafka()] as const;
      for (const sink of sinks) sink.addTopic(topic);
      const [perRecord, perRun] = sinks.map(
        (sink) =>
          new OffsetSyncWriter({
            cluster: sink.cluster(),
            topic,
            maxOffsetLag: lag,
            markExact: seed % 5 !== 0,
            maxInFlight: 2,
            logger: silentLogger(),
          }),
      ) as [OffsetSyncWriter, OffsetSyncWriter];
      for (const op of scenario(seed, 3, 50)) {
        if (op.kind === 'run') {
          for (let i = 0; i < op.count; i++)
            perRecord.maybeQueueOffsetSyncs(tp(op.partition), op.upstream + BigInt(i), op.downstream + BigInt(i));
          perRun.maybeQueueOffsetSyncsRun(tp(op.partition), op.upstream, op.downstream, op.count);
          continue;
        }
        for (const w of [perRecord, perRun]) {
          if (op.kind === 'promote') w.promoteDelayedOffsetSyncs();
          w.firePendingOffsetSyncs();
          await w.flush();
        }
        expect(sinks[1].records(topic).map(show), `seed ${seed}`).toEqual(sinks[0].records(topic).map(show));
      }
      for (const w of [perRecord, perRun]) {
        w.promoteDelayedOffsetSyncs();
        w.firePendingOffsetSyncs();
        await w.close();
      }
      expect(sinks[1].records(topic).map(show), `seed ${seed}`).toEqual(sinks[0].records(topic).map(show));
      expect(sinks[0].records(topic).length).toBeGreaterThan(0);
    }
  });
});
