import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/records/index.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { runJavaSource } from '../support/java.ts';
import { readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, checkpointedRouteLines } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A graceful stop writes the translation it owes (Java: MirrorSourceTask.commit/stop sends the
 * last offset syncs, MirrorCheckpointTask emits from them): a failover right after SIGTERM, for a
 * group that had consumed everything, re-reads nothing. Positions are flushed only at stop here
 * (offset.flush.interval.ms at its default, 60 s) and idle partitions' syncs are not sent early
 * (`mm2ts.offset-syncs.idle.ms = -1`), so nothing but the stop promotes the last syncs: with offset.lag.max 100 and 250 records per partition, the last sync written while
 * running is at upstream 202, which alone translates 250 to 203 (47 re-read per partition).
 */
describe('graceful stop (connect-mirror-maker)', () => {
  const { clusters, version } = testKafka();
  const ctx = useMirrorTestContext(clusters);
  const javaVersion = version === 'external' ? '4.1.2' : version;

  it('SIGTERM then failover: a caught-up group translates to its exact downstream offsets (Java RemoteClusterUtils)', async () => {
    const prefix = uniqueName('stop');
    const topic = `${prefix}-orders`;
    const remote = `A.${topic}`;
    const group = `${prefix}-app`;
    const partitions = 4;
    await ctx.adminA.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    await (await ctx.a.recordSink()).send(topic, makeRecords(250 * partitions, partitions, 7));
    const consumed = await endOffsets(ctx.adminA, topic);
    expect([...consumed.values()]).toEqual(Array(partitions).fill(250n));
    // The group consumed everything on A (an outsider commit stands in for the consumer).
    await waitFor(
      'the commit on A',
      async () => {
        await ctx.adminA.commitGroupOffsets(
          group,
          [...consumed].map(([partition, offset]) => ({ topic, partition, offset, metadata: 'done' })),
        );
        return true;
      },
      (ok) => ok,
      30_000,
    );

    const mm = await ctx.start(
      [
        baseProperties(clusters),
        ...checkpointedRouteLines(prefix, 2),
        // Java's default; overrides baseProperties' 1 s so only the stop flushes (see above).
        'A.offset.flush.interval.ms = 60000',
        'B.offset.flush.interval.ms = 60000',
        // No early sync for idle partitions (docs/offset-translation.md): only the stop may send them.
        'A->B.mm2ts.offset-syncs.idle.ms = -1',
      ].join('\n'),
    );

    // Everything is on B, and the checkpoint task runs for the group (it has emitted).
    await waitFor(
      `all records on B (log: ${mm.output().slice(-1500)})`,
      async () => endOffsets(ctx.adminB, remote),
      (ends) => ends.size === partitions && [...ends.values()].every((o) => o === 250n),
      60_000,
    );
    const cpTopic = 'A.checkpoints.internal';
    const checkpointed = async (): Promise<Map<number, bigint>> => {
      const ends = await endOffsets(ctx.adminB, cpTopic);
      const source = await ctx.b.recordSource();
      try {
        const out = new Map<number, bigint>();
        for (const r of await readAll(source, cpTopic, ends)) {
          const c = decodeCheckpoint(r.key, r.value);
          if (c.consumerGroupId === group) out.set(c.topicPartition.partition, c.downstreamOffset);
        }
        return out;
      } finally {
        await source.close();
      }
    };
    const running = await waitFor('a checkpoint per partition', checkpointed, (m) => m.size === partitions, 60_000);

    // SIGTERM right away; the process drains and exits 0.
    const code = await mm.stop(30_000);
    expect(code, mm.output().slice(-3000)).toBe(0);

    // Failover: Java's RemoteClusterUtils on B. The downstream equivalent of a caught-up group is
    // the remote partition's end (one copy of each record, no gaps in this setup).
    const out = await runJavaSource(javaVersion, 'interop/RemoteClusterUtilsCheck.java', [
      clusters['B']!,
      'A',
      group,
      'A',
    ]);
    const translated = new Map(
      out
        .split('\n')
        .filter((l) => l.startsWith('translate\t'))
        .map((l) => l.split('\t'))
        .filter(([, t]) => t === remote)
        .map(([, , p, o]) => [Number(p), BigInt(o!)]),
    );
    const endsB = await endOffsets(ctx.adminB, remote);
    let reread = 0n;
    for (const [p, end] of endsB) reread += end - (translated.get(p) ?? 0n);
    console.log(
      `[graceful stop on Kafka ${version}] checkpoints while running: ${[...running.values()].join(',')}; ` +
        `translated after SIGTERM: ${[...translated].map(([p, o]) => `${p}=${o}`).join(',')}; re-read ${reread}`,
    );
    expect(
      [...translated].sort(([x], [y]) => x - y),
      out,
    ).toEqual([...endsB].sort(([x], [y]) => x - y));
    expect(reread).toBe(0n);
  }, 150_000);
});
