import { describe, expect, it } from 'vitest';
import type { CompressionType, ConsumedRecord, KafkaCluster } from '../../src/kafka/index.ts';
import { useBrokerFaults } from '../support/broker-faults.ts';
import { readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { baseProperties } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, partitionDigests, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const CODECS: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** A steady producer of numbered records (value = "<partition>:<seq>") until stopped. */
function startLoad(
  cluster: KafkaCluster,
  topic: string,
  partitions: number,
  perPartitionPerTick: number,
  tickMs: number,
): { stop: () => Promise<number> } {
  let stopped = false;
  let produced = 0;
  const seq = new Array<number>(partitions).fill(0);
  const loop = (async () => {
    const sink = await cluster.recordSink({ compression: 'lz4' });
    while (!stopped) {
      const records = [];
      for (let p = 0; p < partitions; p++) {
        for (let i = 0; i < perPartitionPerTick; i++) {
          records.push({ partition: p, key: null, value: Buffer.from(`${p}:${seq[p]!++}`), timestamp: Date.now() });
        }
      }
      await sink.send(topic, records);
      produced += records.length;
      await new Promise((r) => setTimeout(r, tickMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return produced;
    },
  };
}

/**
 * Checks a partition's target sequence against its source sequence: every source record present,
 * in order, where a restart may re-send a suffix of what was sent before (a rewind) but never
 * skip. Returns the number of duplicates.
 */
function duplicatesIfNoLossAndInOrder(source: number[], target: number[]): number {
  let expected = 0; // next source seq not yet seen
  let duplicates = 0;
  for (const seq of target) {
    if (seq === expected) expected++;
    else if (seq < expected) duplicates++;
    else throw new Error(`gap: expected ${expected}, got ${seq}`);
  }
  if (expected !== source.length) throw new Error(`missing records: target ends at ${expected} of ${source.length}`);
  return duplicates;
}

const seqOf = (r: ConsumedRecord): number => Number(r.value!.toString().split(':')[1]);

describe('durability and fidelity of source replication', () => {
  const { clusters, stateFile } = testKafka();
  const t = useMirrorTestContext(clusters);
  // The broker's pid as of now (from the bed's state file): an earlier file may have restarted it.
  const faults = useBrokerFaults();

  const routeProperties = (prefix: string, extra: string[] = []): string =>
    [
      baseProperties(clusters),
      'A->B.enabled = true',
      `A->B.topics = ${prefix}.*`,
      'B->A.enabled = false',
      ...extra,
    ].join('\n');

  it('copies 100,000 records over 8 partitions byte for byte with every codec, per-partition order kept', async () => {
    const p = uniqueName('bytes');
    const perCodec = 20_000;
    const sources = new Map<string, ReturnType<typeof makeRecords>>();
    for (const [i, codec] of CODECS.entries()) {
      const topic = `${p}-${codec}`;
      await t.adminA.createTopics([{ name: topic, partitions: 8, replicationFactor: 1 }]);
      const records = makeRecords(perCodec, 8, 10 + i, 60 + i * 40);
      await (await t.a.recordSink({ compression: codec })).send(topic, records);
      sources.set(topic, records);
    }
    const mm = await t.start(routeProperties(p, ['tasks.max = 4', 'B.producer.compression.type = lz4']));
    for (const [topic, records] of sources) {
      const ends = await waitFor(
        `${perCodec} records in A.${topic} (log: ${mm.output().slice(-1000)})`,
        () => endOffsets(t.adminB, `A.${topic}`),
        (m) => total(m) === BigInt(perCodec),
        120_000,
      );
      const copied = await readAll(await t.b.recordSource(), `A.${topic}`, ends);
      expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    }
  });

  it('loses nothing and keeps order across three SIGKILLs under load; duplicates stay within the flush window', async () => {
    const p = uniqueName('kill');
    const topic = `${p}-load`;
    const partitions = 4;
    await t.adminA.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    const properties = routeProperties(p, ['tasks.max = 2']);
    // 4 partitions x 50 records every 100 ms: about 2,000 records/s.
    const load = startLoad(t.a, topic, partitions, 50, 100);
    let mm = await t.start(properties);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 4_000));
      mm.signal('SIGKILL');
      expect(await mm.exited).toBe('SIGKILL');
      t.forget(mm);
      mm = await t.start(properties);
    }
    await new Promise((r) => setTimeout(r, 3_000));
    const produced = await load.stop();
    const sourceEnds = await endOffsets(t.adminA, topic);
    expect(total(sourceEnds)).toBe(BigInt(produced));
    // Target holds at least every source record once (duplicates make it more).
    const targetEnds = await waitFor(
      `target catching up with ${produced} records (log: ${mm.output().slice(-1000)})`,
      async () => {
        const ends = await endOffsets(t.adminB, `A.${topic}`);
        const copied = await readAll(await t.b.recordSource(), `A.${topic}`, ends);
        const maxSeq = new Map<number, number>();
        for (const r of copied) maxSeq.set(r.partition, Math.max(maxSeq.get(r.partition) ?? -1, seqOf(r)));
        return { ends, done: [...sourceEnds].every(([part, end]) => maxSeq.get(part) === Number(end) - 1) };
      },
      (x) => x.done,
      120_000,
      1_000,
    );
    const source = await readAll(await t.a.recordSource(), topic, sourceEnds);
    const target = await readAll(await t.b.recordSource(), `A.${topic}`, targetEnds.ends);
    let duplicates = 0;
    for (let part = 0; part < partitions; part++) {
      duplicates += duplicatesIfNoLossAndInOrder(
        source.filter((r) => r.partition === part).map(seqOf),
        target.filter((r) => r.partition === part).map(seqOf),
      );
    }
    // Each crash re-sends at most what was copied since the last position flush (1 s here) plus
    // the batch in flight: with ~2,000 records/s that is well under 3 x 2 s of load.
    console.log(`[durability] produced ${produced}, duplicates after 3 SIGKILLs: ${duplicates}`);
    expect(duplicates).toBeLessThanOrEqual(3 * 2 * 2_000);
  });

  it('detects records deleted by source retention before replication: logs, counts, continues from the log start', async () => {
    const p = uniqueName('loss');
    const topic = `${p}-t`;
    await t.adminA.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    const properties = routeProperties(p);
    const sink = await t.a.recordSink();
    await sink.send(topic, makeRecords(100, 1, 40));
    const first = await t.start(properties);
    await waitFor(
      'first 100 copied',
      () => endOffsets(t.adminB, `A.${topic}`),
      (m) => total(m) === 100n,
      60_000,
    );
    expect(await first.stop()).toBe(0);
    t.forget(first);

    // While the mirror is down, 100 more arrive and "retention" deletes offsets 100..149 unreplicated.
    await sink.send(topic, makeRecords(100, 1, 41));
    await t.adminA.deleteRecords(topic, [{ partition: 0, beforeOffset: 150n }]);
    const second = await t.start(properties);
    await waitFor(
      'the surviving 50 copied',
      () => endOffsets(t.adminB, `A.${topic}`),
      (m) => total(m) === 150n,
      60_000,
    );
    const log = second.output();
    expect(log).toMatch(new RegExp(`"level":50.*source retention deleted 50 records of ${topic}-0`));
    const metrics = await (await fetch(`${second.httpUrl}/metrics`)).text();
    const lost = metrics
      .split('\n')
      .find((l) => l.startsWith('mm2ts_source_records_lost_to_retention_total') && l.includes(topic));
    expect(lost?.trim().endsWith(' 50')).toBe(true);
  });

  it.runIf(stateFile !== undefined)(
    'resumes by itself after the target is unresponsive for 30 s, nothing lost',
    async () => {
      const p = uniqueName('down');
      const topic = `${p}-t`;
      await t.adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
      const mm = await t.start(routeProperties(p));
      const sink = await t.a.recordSink();
      await sink.send(topic, makeRecords(1000, 2, 20));
      await waitFor(
        'first records copied',
        () => endOffsets(t.adminB, `A.${topic}`),
        (m) => total(m) === 1000n,
        60_000,
      );
      faults.pause('B');
      try {
        await sink.send(topic, makeRecords(1000, 2, 21));
        await new Promise((r) => setTimeout(r, 30_000));
      } finally {
        faults.resume('B');
      }
      const ends = await waitFor(
        `all 2000 records on B after the outage (log: ${mm.output().slice(-1500)})`,
        () => endOffsets(t.adminB, `A.${topic}`),
        (m) => total(m) >= 2000n,
        120_000,
        1_000,
      );
      const source = await readAll(await t.a.recordSource(), topic, await endOffsets(t.adminA, topic));
      const target = await readAll(await t.b.recordSource(), `A.${topic}`, ends);
      const fp = (r: ConsumedRecord): string => `${r.partition}|${r.key?.toString()}|${r.timestamp}`;
      expect(new Set(target.map(fp))).toEqual(new Set(source.map(fp)));
      const status = await mm.status();
      expect(
        status.routes.find((r) => r.route === 'A->B')!.connectors[0]!.tasks.every((t) => t.state === 'RUNNING'),
      ).toBe(true);
    },
    300_000,
  );
});
