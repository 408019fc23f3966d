import { describe, expect, it } from 'vitest';
import { deleteTopic, useBrokerFaults } from '../support/broker-faults.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import {
  allRunning,
  baseProperties,
  logProblems,
  propertiesWith,
  waitForMirror,
  watchOperatorView,
  type RunningMirrorMaker,
} from '../support/mirror-maker.ts';
import { endOffsets, total } from '../support/records.ts';
import {
  checkSequence,
  checkTopicSequences,
  readSequences,
  startSequencedLoad,
  type SequencedLoad,
} from '../support/sequenced-load.ts';
import { waitFor } from '../support/wait.ts';

// Faults in the middle of a run, under a small steady load of sequence-numbered records: what the
// operator sees (states, /ready, log, metrics), printed as one line per test, and that nothing
// already mirrored is lost.

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** After the fault: every unit RUNNING in /status, and /ready agrees (soft, so the data checks still report). */
async function expectRunningAndReady(mm: RunningMirrorMaker): Promise<void> {
  expect(allRunning(await mm.status()), await mm.diagnostics()).toBe(true);
  const ready = await mm.ready();
  expect.soft(ready.code, `/ready: ${JSON.stringify(ready.body)}`).toBe(200);
}

describe('faults mid-run: the mirror rides them out and loses nothing already mirrored', () => {
  const kafka = testKafka();
  const { clusters } = kafka;
  const t = useMirrorTestContext(clusters);
  const brokers = useBrokerFaults();

  const route = (prefix: string, extra: Record<string, string> = {}): string =>
    propertiesWith(
      [baseProperties(clusters), 'A->B.enabled = true', `A->B.topics = ${prefix}.*`, 'B->A.enabled = false'].join('\n'),
      extra,
    );

  interface Clients {
    a: KafkaCluster;
    adminA: KafkaAdmin;
    b: KafkaCluster;
    adminB: KafkaAdmin;
  }

  /** Waits until `topic`'s copy on B holds every source record in order; returns the check. */
  async function expectComplete(
    mm: RunningMirrorMaker,
    topic: string,
    c: Clients = t,
  ): Promise<ReturnType<typeof checkTopicSequences>> {
    const source = await readSequences(c.a, c.adminA, topic);
    return waitForMirror(
      mm,
      `every record of ${topic} on B, in order`,
      async () => checkTopicSequences(source, await readSequences(c.b, c.adminB, `A.${topic}`)),
      (r) => r.problems.length === 0,
      90_000,
      1_000,
    );
  }

  async function copiedSome(mm: RunningMirrorMaker, topic: string, atLeast: bigint, adminB = t.adminB): Promise<void> {
    await waitForMirror(
      mm,
      `at least ${atLeast} records of ${topic} on B`,
      () => endOffsets(adminB, `A.${topic}`),
      (m) => total(m) >= atLeast,
      60_000,
    );
  }

  /**
   * Clients that never saw a deleted topic: the kafkajs adapter's metadata refresh covers every
   * topic a client ever used and fails once one of them is deleted.
   */
  async function freshClients(): Promise<Clients & { close(): Promise<void> }> {
    const a = openTestCluster(clusters['A']!, 'mm2ts-test-fresh');
    const b = openTestCluster(clusters['B']!, 'mm2ts-test-fresh');
    return {
      a,
      b,
      adminA: await a.admin(),
      adminB: await b.admin(),
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  }

  it('the source broker killed (SIGKILL) and restarted: the route resumes by itself; every record arrives, in order', async () => {
    const p = uniqueName('srckill');
    const topic = `${p}-t`;
    await t.adminA.createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    const load = startSequencedLoad(clusters['A']!, [{ topic, partitions: 2 }], 10, 200);
    try {
      const mm = await t.start(route(p));
      await copiedSome(mm, topic, 200n);
      const logFrom = Date.now();
      const views = watchOperatorView(mm);
      // No send in flight when the broker dies: each sequence number is on the source once.
      await load.pause();
      await brokers.kill('A');
      await pause(8_000);
      const restart = Date.now();
      await brokers.restart('A');
      const restartMs = Date.now() - restart;
      load.resume();
      await waitForMirror(
        mm,
        'every task RUNNING after the source came back',
        () => mm.status(),
        allRunning,
        90_000,
        1_000,
      );
      await pause(3_000);
      const seen = await views.stop();
      await load.stop();
      const copied = await expectComplete(mm, topic);
      await expectRunningAndReady(mm);
      const logged = logProblems(mm.output(), logFrom);
      console.log(
        `[faults] source broker SIGKILL + restart (${restartMs} ms): operator saw ${seen.join(' -> ')}; log ${logged.warn} WARN / ${logged.error} ERROR (${logged.messages.slice(0, 3).join(' | ')}); target complete, ${copied.duplicates} duplicates`,
      );
    } finally {
      await load.stop().catch(() => {});
    }
  }, 240_000);

  it('the remote topic deleted on the target: it is created again and mirroring goes on; the other topic loses nothing', async () => {
    const p = uniqueName('tgtdel');
    const gone = `${p}-gone`;
    const kept = `${p}-kept`;
    await t.adminA.createTopics([
      { name: gone, partitions: 2, replicationFactor: 1 },
      { name: kept, partitions: 1, replicationFactor: 1 },
    ]);
    const load = startSequencedLoad(
      clusters['A']!,
      [
        { topic: gone, partitions: 2 },
        { topic: kept, partitions: 1 },
      ],
      10,
      200,
    );
    try {
      const mm = await t.start(route(p));
      await copiedSome(mm, gone, 200n);
      const logFrom = Date.now();
      const views = watchOperatorView(mm);
      await deleteTopic(clusters['B']!, `A.${gone}`);
      const deletedAt = Date.now();
      await waitFor(
        `A.${gone} gone from B`,
        () => t.adminB.listTopics(),
        (names) => !names.includes(`A.${gone}`),
        30_000,
      );
      // Java's MirrorSourceConnector creates a remote topic missing on the target at its next
      // topic refresh (3 s here); records sent meanwhile are retried until it exists.
      await waitForMirror(
        mm,
        `A.${gone} back on B and growing`,
        async () => total(await endOffsets(t.adminB, `A.${gone}`)),
        (n) => n > 0n,
        60_000,
        1_000,
      );
      const backMs = Date.now() - deletedAt;
      await waitForMirror(
        mm,
        'every task RUNNING after the remote topic came back',
        () => mm.status(),
        allRunning,
        60_000,
      );
      await pause(3_000);
      const seen = await views.stop();
      await load.stop();
      // The kept topic: everything. The recreated one: a run without gaps from its first record
      // to the source's end (what was on the deleted topic went with it).
      const keptCheck = await expectComplete(mm, kept);
      const source = await readSequences(t.a, t.adminA, gone);
      const recreated = await waitForMirror(
        mm,
        `A.${gone} holding, per partition, an unbroken run up to the source's end`,
        async () => {
          const target = await readSequences(t.b, t.adminB, `A.${gone}`);
          return [...source].map(([q, seqs]) => {
            const copied = target.get(q) ?? [];
            return { partition: q, first: copied[0], ...checkSequence(seqs, copied, copied[0] ?? 0) };
          });
        },
        (parts) => parts.every((x) => x.first !== undefined && x.problem === undefined),
        60_000,
        1_000,
      );
      await expectRunningAndReady(mm);
      const logged = logProblems(mm.output(), logFrom);
      console.log(
        `[faults] remote topic deleted: back on B after ${backMs} ms, resumed at seq ${recreated.map((x) => `p${x.partition}:${x.first}`).join(',')}; operator saw ${seen.join(' -> ')}; log ${logged.warn} WARN / ${logged.error} ERROR (${logged.messages.slice(0, 3).join(' | ')}); kept topic complete, ${keptCheck.duplicates} duplicates`,
      );
    } finally {
      await load.stop().catch(() => {});
    }
  }, 240_000);

  it('the source topic deleted: the mirror drops it and stays ready; its copy keeps everything mirrored; the other topic flows on', async () => {
    const p = uniqueName('srcdel');
    const gone = `${p}-gone`;
    const kept = `${p}-kept`;
    await t.adminA.createTopics([
      { name: gone, partitions: 2, replicationFactor: 1 },
      { name: kept, partitions: 1, replicationFactor: 1 },
    ]);
    const goneLoad = startSequencedLoad(clusters['A']!, [{ topic: gone, partitions: 2 }], 10, 200);
    const keptLoad = startSequencedLoad(clusters['A']!, [{ topic: kept, partitions: 1 }], 10, 200);
    try {
      const mm = await t.start(route(p, { 'tasks.max': '2' }));
      await copiedSome(mm, gone, 200n);
      await goneLoad.stop();
      const mirroredBefore = await readSequences(t.b, t.adminB, `A.${gone}`);
      const logFrom = Date.now();
      const views = watchOperatorView(mm);
      await deleteTopic(clusters['A']!, gone);
      const deletedAt = Date.now();
      // A few topic refreshes (3 s) for the connector to notice and hand out tasks without it.
      await waitForMirror(
        mm,
        `no task assigned ${gone} any more, every task RUNNING`,
        () => mm.status(),
        (s) =>
          allRunning(s) &&
          s.routes.every((r) =>
            r.connectors.every((c) =>
              c.tasks.every((task) => !(task.assignedPartitions ?? []).some((tp) => tp.startsWith(`${gone}-`))),
            ),
          ),
        60_000,
        1_000,
      );
      const droppedMs = Date.now() - deletedAt;
      // It stays so: no task keeps failing on the missing topic.
      await pause(8_000);
      const seen = await views.stop();
      await expectRunningAndReady(mm);
      await keptLoad.stop();
      const keptCheck = await expectComplete(mm, kept);
      // The copy of the deleted topic is still there with everything it had: MM2 never deletes
      // remote topics, and records it had copied stay an unbroken run from seq 0.
      expect(await t.adminB.listTopics()).toContain(`A.${gone}`);
      const after = await readSequences(t.b, t.adminB, `A.${gone}`);
      for (const [q, before] of mirroredBefore) {
        const copied = after.get(q) ?? [];
        const upTo = Math.max(-1, ...copied) + 1;
        const check = checkSequence(
          Array.from({ length: upTo }, (_, i) => i),
          copied,
        );
        expect(check.problem, `A.${gone} partition ${q}`).toBeUndefined();
        expect(upTo).toBeGreaterThanOrEqual(Math.max(-1, ...before) + 1);
      }
      const logged = logProblems(mm.output(), logFrom);
      console.log(
        `[faults] source topic deleted: dropped from the tasks after ${droppedMs} ms; operator saw ${seen.join(' -> ')}; log ${logged.warn} WARN / ${logged.error} ERROR (${logged.messages.slice(0, 3).join(' | ')}); copy kept ${[...after].map(([q, s]) => `p${q} ${s.length}`).join(', ')} records; other topic complete, ${keptCheck.duplicates} duplicates`,
      );
    } finally {
      await goneLoad.stop().catch(() => {});
      await keptLoad.stop().catch(() => {});
    }
  }, 200_000);

  it('a topic deleted for good on both sides: topics created afterwards are still mirrored', async () => {
    const p = uniqueName('forgood');
    const gone = `${p}-gone`;
    const later = `${p}-later`;
    // Clients of their own for the topic to be deleted, so the shared ones stay usable afterwards.
    const before = await freshClients();
    await before.adminA.createTopics([{ name: gone, partitions: 1, replicationFactor: 1 }]);
    const first = startSequencedLoad(clusters['A']!, [{ topic: gone, partitions: 1 }], 10, 200);
    let mm: RunningMirrorMaker;
    try {
      mm = await t.start(route(p));
      await copiedSome(mm, gone, 50n, before.adminB);
    } finally {
      await first.stop().catch(() => {});
      await before.close();
    }
    // The operator retires the topic: source and remote copy both deleted.
    await deleteTopic(clusters['A']!, gone);
    await deleteTopic(clusters['B']!, `A.${gone}`);
    const logFrom = Date.now();
    const fresh = await freshClients();
    await fresh.adminA.createTopics([{ name: later, partitions: 2, replicationFactor: 1 }]);
    const load = startSequencedLoad(clusters['A']!, [{ topic: later, partitions: 2 }], 10, 200);
    try {
      // The clients the mirror used for the deleted topics must not stay stuck on them.
      await copiedSome(mm, later, 100n, fresh.adminB);
      await load.stop();
      const copied = await expectComplete(mm, later, fresh);
      await expectRunningAndReady(mm);
      const logged = logProblems(mm.output(), logFrom);
      console.log(
        `[faults] topic deleted on both sides: a later topic mirrored (${copied.duplicates} duplicates); log ${logged.warn} WARN / ${logged.error} ERROR (${logged.messages.slice(0, 3).join(' | ')})`,
      );
    } finally {
      await load.stop().catch(() => {});
      await fresh.close();
    }
  }, 200_000);

  it('SIGINT under load drains and exits 0; restarted on the same file it re-sends nothing', async () => {
    const p = uniqueName('int');
    const topic = `${p}-t`;
    const partitions = 3;
    await t.adminA.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    // About 300 records/s: with the 1 s position flush, a stop that does not drain re-sends hundreds.
    const load: SequencedLoad = startSequencedLoad(clusters['A']!, [{ topic, partitions }], 10, 100);
    try {
      const first = await t.start(route(p));
      await copiedSome(first, topic, 1_000n);
      const signalled = Date.now();
      first.signal('SIGINT');
      const exit = await Promise.race([first.exited, pause(35_000).then(() => 'still running after 35 s')]);
      const stopMs = Date.now() - signalled;
      t.forget(first);
      if (exit === 'still running after 35 s') await first.stop(1_000);
      const second = t.restart(first);
      await pause(3_000);
      await load.stop();
      const copied = await expectComplete(second, topic);
      console.log(
        `[faults] SIGINT: exit ${String(exit)} after ${stopMs} ms; after restart ${copied.duplicates} duplicates (${[...copied.perPartition].map(([q, n]) => `p${q} ${n.target}/${n.source}`).join(', ')})`,
      );
      // Both outcomes are reported even when the first fails.
      expect.soft(exit, `exit after SIGINT\n${first.output().slice(-3000)}`).toBe(0);
      expect(copied.duplicates).toBe(0);
    } finally {
      await load.stop().catch(() => {});
    }
  }, 200_000);
});
