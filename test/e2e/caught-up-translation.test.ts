import { describe, expect, it } from 'vitest';
import { translateOffsets, translatedOffsetKey } from '../../src/client/index.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { testKafka, uniqueName } from '../support/kafka.ts';
import { baseProperties, checkpointedRouteLines } from '../support/mirror-maker.ts';
import { endOffsets, makeRecords } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A group that caught up shortly before a failover translates exactly, while the mirror keeps
 * running. Positions are flushed at Java's default (offset.flush.interval.ms 60 s), so the only
 * thing that can send the sync of each partition's last record within seconds is the source
 * task's idle promotion: with offset.lag.max 100 and 250 records per partition the last sync
 * Java's rules send is at upstream 202, which alone translates 250 to 203 (47 re-read per
 * partition) until the next flush.
 */
describe('translation right after catch-up (connect-mirror-maker)', () => {
  const { clusters, version } = testKafka();
  const ctx = useMirrorTestContext(clusters);

  it('a group that caught up 5 s before the failover translates to the remote ends: 0 re-reads', async () => {
    const prefix = uniqueName('caughtup');
    const topic = `${prefix}-orders`;
    const remote = `A.${topic}`;
    const group = `${prefix}-app`;
    const partitions = 3;
    await ctx.adminA.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    const mm = await ctx.start(
      [
        baseProperties(clusters),
        ...checkpointedRouteLines(prefix),
        'A.offset.flush.interval.ms = 60000',
        'B.offset.flush.interval.ms = 60000',
      ].join('\n'),
    );
    // Replication is running when the records arrive (a flush at start cannot promote them).
    await waitFor(
      `the remote topic on B (log: ${mm.output().slice(-1500)})`,
      async () => (await ctx.adminB.listTopics()).includes(remote),
      (ok) => ok,
      30_000,
    );
    await (await ctx.a.recordSink()).send(topic, makeRecords(250 * partitions, partitions, 11));
    const ends = await endOffsets(ctx.adminA, topic);
    expect([...ends.values()]).toEqual(Array(partitions).fill(250n));
    await waitFor(
      'all records on B',
      async () => endOffsets(ctx.adminB, remote),
      (e) => e.size === partitions && [...e.values()].every((o) => o === 250n),
      30_000,
    );
    // The group consumed everything on A (an outsider commit stands in for the consumer).
    await ctx.adminA.commitGroupOffsets(
      group,
      [...ends].map(([partition, offset]) => ({ topic, partition, offset, metadata: '' })),
    );
    const caughtUpAt = Date.now();

    // Failover 5 s later: where does the group resume on B?
    const translate = () => translateOffsets({ 'bootstrap.servers': clusters['B']! }, 'A', group, 10_000);
    let translated = await translate();
    while (Date.now() - caughtUpAt < 5_000) {
      await new Promise((done) => setTimeout(done, 500));
      translated = await translate();
    }
    const endsB = await endOffsets(ctx.adminB, remote);
    let reread = 0n;
    const lines: string[] = [];
    for (const [p, end] of endsB) {
      const t = translated.get(translatedOffsetKey({ topic: remote, partition: p }));
      reread += end - (t?.downstreamOffset ?? 0n);
      lines.push(`${p}=${t?.downstreamOffset ?? 'none'}${t?.exact === true ? ' exact' : ''}`);
    }
    console.log(
      `[caught-up translation on Kafka ${version}] ${Date.now() - caughtUpAt} ms after catch-up: ` +
        `${lines.join(', ')}; re-read ${reread}`,
    );
    expect(reread, mm.output().slice(-3000)).toBe(0n);
    for (const [p, end] of endsB) {
      const t = translated.get(translatedOffsetKey({ topic: remote, partition: p }));
      expect(t?.downstreamOffset).toBe(end);
      expect(t?.exact).toBe(true);
    }
  }, 90_000);
});
