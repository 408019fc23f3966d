import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AclBinding } from '../../src/kafka/index.ts';
import { freePort } from '../../scripts/kafka/ports.ts';
import { removeAcls, useExtraClusters } from '../support/broker-faults.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { openTestCluster, requireSasl, testKafka, uniqueName } from '../support/kafka.ts';
import {
  baseProperties,
  metricValue,
  notRunning,
  propertiesWith,
  saslClusterProperties,
  waitForMirror,
  type RunningMirrorMaker,
} from '../support/mirror-maker.ts';
import { endOffsets, total } from '../support/records.ts';
import { checkTopicSequences, readSequences, startSequencedLoad } from '../support/sequenced-load.ts';
import { waitFor } from '../support/wait.ts';

// Faults that exist before or from the start of a run: a wrong password, a target that is not
// there yet, a write the target's ACLs deny. Each test asserts what the operator sees (/ready,
// /status, /metrics, the process staying up) and that the data arrives once the fault is gone.

/** The process has not exited (a fault in one route or task must never take it down). */
async function expectStillRunning(mm: RunningMirrorMaker, forMs = 0): Promise<void> {
  const result = await Promise.race([mm.exited, new Promise((r) => setTimeout(() => r('running'), forMs))]);
  expect(result, `the mirror exited\n${await mm.diagnostics()}`).toBe('running');
}

describe('faults at start: /ready tells the truth and the mirror recovers by itself', () => {
  const kafka = testKafka();
  const { clusters } = kafka;
  const t = useMirrorTestContext(clusters);
  const extra = useExtraClusters();

  const route = (prefix: string): string =>
    [baseProperties(clusters), 'A->B.enabled = true', `A->B.topics = ${prefix}.*`, 'B->A.enabled = false'].join('\n');

  it('a wrong source password: /ready 503 names the route and the authentication error within 60 s; the process stays up', async () => {
    const sasl = requireSasl(kafka);
    const p = uniqueName('auth');
    await t.adminA.createTopics([{ name: `${p}-t`, partitions: 1, replicationFactor: 1 }]);
    const wrongPassword = `wrong-${randomBytes(6).toString('hex')}`;
    const properties = propertiesWith(route(p), {
      ...saslClusterProperties('A', sasl.clusters['A']!, { name: sasl.users.admin.name, password: wrongPassword }),
      // The default: the error must show without waiting for a topic refresh.
      'refresh.topics.interval.seconds': '600',
    });
    const started = Date.now();
    const mm = await t.start(properties);
    const ready = await waitForMirror(
      mm,
      '/ready 503 naming route A->B, its source connector and the authentication error',
      () => mm.ready(),
      // The source connector cannot list the source topics: FAILED with the cause, not RUNNING with no tasks.
      (a) =>
        a.code === 503 &&
        notRunning(a).some(
          (e) => e.route === 'A->B' && e.connector === 'MirrorSourceConnector' && /authenticat/i.test(e.error ?? ''),
        ),
      60_000,
      1_000,
    );
    const seenAfterMs = Date.now() - started;
    console.log(
      `[faults] wrong source password: /ready 503 after ${seenAfterMs} ms: ${JSON.stringify(notRunning(ready))}`,
    );

    await expectStillRunning(mm, 3_000);
    expect((await mm.health()).code).toBe(200);
    // The wrong secret is never echoed: not in /ready, /status or the log.
    const status = JSON.stringify(await mm.status());
    for (const [where, text] of [
      ['/ready', JSON.stringify(ready.body)],
      ['/status', status],
      ['log', mm.output()],
    ] as const) {
      expect(text.includes(wrongPassword), `${where} shows the password`).toBe(false);
    }
  }, 90_000);

  it('b a target unreachable at start: /ready 503 names A->C while A->B replicates; once C is up, A->C starts by itself and loses nothing', async () => {
    const p = uniqueName('late');
    const topic = `${p}-t`;
    const partitions = 2;
    await t.adminA.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    // Nothing listens on C's port until the test starts a broker there.
    const portC = await freePort();
    const properties = [
      baseProperties(clusters).replace('clusters = A, B', 'clusters = A, B, C'),
      `C.bootstrap.servers = 127.0.0.1:${portC}`,
      'C.offset.flush.interval.ms = 1000',
      'A->B.enabled = true',
      `A->B.topics = ${p}.*`,
      'A->C.enabled = true',
      `A->C.topics = ${p}.*`,
      // No other flow, not even heartbeat-only ones that would also target C.
      ...['B->A', 'B->C', 'C->A', 'C->B'].flatMap((r) => [
        `${r}.enabled = false`,
        `${r}.emit.heartbeats.enabled = false`,
      ]),
    ].join('\n');
    const load = startSequencedLoad(clusters['A']!, [{ topic, partitions }], 10, 200);
    try {
      const mm = await t.start(properties);
      const ready = await waitForMirror(
        mm,
        '/ready 503 naming route A->C (with its error) and A->B replicating',
        async () => ({
          ready: await mm.ready(),
          onB: total(await endOffsets(t.adminB, `A.${topic}`).catch(() => new Map())),
        }),
        ({ ready: a, onB }) =>
          a.code === 503 &&
          notRunning(a).some((e) => e.route === 'A->C' && Boolean(e.error)) &&
          !notRunning(a).some((e) => e.route === 'A->B') &&
          onB > 0n,
        120_000,
        1_000,
      );
      console.log(
        `[faults] unreachable target: /ready 503 ${JSON.stringify(notRunning(ready.ready).filter((e) => e.route === 'A->C'))}; A->B copied ${ready.onB} meanwhile`,
      );
      await expectStillRunning(mm);

      const upAt = Date.now();
      const bedC = await extra.start('C', portC);
      const c = openTestCluster(bedC.bootstrap['C']!);
      try {
        const adminC = await c.admin();
        await waitForMirror(
          mm,
          '/ready 200 after C came up',
          () => mm.ready(),
          (a) => a.code === 200,
          150_000,
          1_000,
        );
        console.log(`[faults] unreachable target: A->C running and /ready 200 ${Date.now() - upAt} ms after C came up`);
        const produced = await load.stop();
        const source = await readSequences(t.a, t.adminA, topic);
        expect(total(await endOffsets(t.adminA, topic))).toBe(BigInt(produced.get(topic)!));
        for (const [name, cluster, admin] of [
          ['B', t.b, t.adminB],
          ['C', c, adminC],
        ] as const) {
          const remote = `A.${topic}`;
          const copied = await waitForMirror(
            mm,
            `every record on ${name}`,
            async () => checkTopicSequences(source, await readSequences(cluster, admin, remote)),
            (r) => r.problems.length === 0,
            60_000,
            1_000,
          );
          console.log(
            `[faults] unreachable target: ${name} has every record (${[...copied.perPartition].map(([q, n]) => `p${q} ${n.target}/${n.source}`).join(', ')}), ${copied.duplicates} duplicates`,
          );
        }
      } finally {
        await c.close();
      }
    } finally {
      await load.stop().catch(() => {});
    }
  }, 330_000);

  describe('c write denied on one remote topic', () => {
    const sasl = kafka.sasl;
    const principal = `User:${sasl?.users.mirror.name ?? 'mm2-mirror'}`;
    const grant = (resourceType: AclBinding['resourceType'], resourceName: string): AclBinding => ({
      resourceType,
      resourceName,
      patternType: 'LITERAL',
      principal,
      host: '*',
      operation: 'ALL',
      permission: 'ALLOW',
    });
    let granted = false;
    afterAll(async () => {
      if (granted) {
        await removeAcls(
          clusters['B']!,
          { principal, operation: 'All', permission: 'ALLOW' },
          { topic: '*', group: '*', transactionalId: '*', cluster: true },
        );
      }
    }, 60_000);

    it('fails only that task (authorization error in /status, /ready and metrics); the rest flows; auto-restart resumes it with no gap once the ACL is gone', async () => {
      const { clusters: saslClusters, users } = requireSasl(kafka);
      const p = uniqueName('deny');
      const denied = `${p}-denied`;
      const open = `${p}-open`;
      for (const name of [denied, open]) await t.adminA.createTopics([{ name, partitions: 1, replicationFactor: 1 }]);
      // The mirror user may do everything MM2 needs on B except write to one remote topic (a
      // DENY wins over any ALLOW).
      await t.adminB.createAcls([
        grant('TOPIC', '*'),
        grant('GROUP', '*'),
        grant('TRANSACTIONAL_ID', '*'),
        grant('CLUSTER', 'kafka-cluster'),
      ]);
      granted = true;
      const deny = { principal, operation: 'WRITE', permission: 'DENY' as const };
      await t.adminB.createAcls([
        { ...deny, resourceType: 'TOPIC', resourceName: `A.${denied}`, patternType: 'LITERAL', host: '*' },
      ]);
      // ACLs take effect when the broker applies the metadata record: wait, so the mirror's first
      // requests meet them.
      await waitFor(
        'the DENY in effect on B',
        () => t.adminB.describeAcls({ resourceType: 'TOPIC' }),
        (acls) => acls.some((a) => a.resourceName === `A.${denied}` && a.permission === 'DENY'),
        30_000,
      );
      const properties = propertiesWith(route(p), {
        ...saslClusterProperties('B', saslClusters['B']!, users.mirror, 'SCRAM-SHA-256'),
        'tasks.max': '2',
        'mm2ts.task.auto.restart.enabled': 'true',
        'mm2ts.task.auto.restart.backoff.ms': '1000',
        'mm2ts.task.auto.restart.backoff.max.ms': '4000',
      });
      const load = startSequencedLoad(
        clusters['A']!,
        [
          { topic: denied, partitions: 1 },
          { topic: open, partitions: 1 },
        ],
        10,
        200,
      );
      try {
        const mm = await t.start(properties);
        const authz = /TOPIC_AUTHORIZATION_FAILED|not authorized|authoriz/i;
        const status = await waitForMirror(
          mm,
          `the task owning ${denied}-0 FAILED with an authorization error in /status`,
          () => mm.status(),
          (s) =>
            s.routes
              .find((r) => r.route === 'A->B')
              ?.connectors.find((c) => c.name === 'MirrorSourceConnector')
              ?.tasks.some(
                (task) =>
                  task.assignedPartitions?.includes(`${denied}-0`) &&
                  task.state === 'FAILED' &&
                  authz.test(task.trace ?? ''),
              ) ?? false,
          60_000,
          250,
        );
        const tasks = status.routes
          .find((r) => r.route === 'A->B')!
          .connectors.find((c) => c.name === 'MirrorSourceConnector')!.tasks;
        const failedTask = tasks.find((task) => task.assignedPartitions?.includes(`${denied}-0`))!;
        // Two single-partition topics (plus A's heartbeats), two tasks: the open topic is another task's.
        expect(failedTask.assignedPartitions).not.toContain(`${open}-0`);
        const ready = await waitForMirror(
          mm,
          `/ready 503 naming task ${failedTask.id} FAILED with the authorization error`,
          () => mm.ready(),
          (a) =>
            a.code === 503 &&
            notRunning(a).some(
              (e) =>
                e.route === 'A->B' &&
                e.connector === 'MirrorSourceConnector' &&
                e.task === failedTask.id &&
                e.state === 'FAILED' &&
                authz.test(e.error ?? ''),
            ),
          30_000,
          250,
        );
        const labels = {
          route: 'A->B',
          connector: 'MirrorSourceConnector',
          task: String(failedTask.id),
          state: 'FAILED',
        };
        await waitForMirror(
          mm,
          `mm2ts_task_state${JSON.stringify(labels)} = 1`,
          () => mm.metrics(),
          (m) => metricValue(m, 'mm2ts_task_state', labels) === 1,
          30_000,
          250,
        );
        // The process stays up and the open topic keeps flowing meanwhile.
        const before = total(await endOffsets(t.adminB, `A.${open}`));
        await expectStillRunning(mm, 4_000);
        await waitForMirror(
          mm,
          `A.${open} growing on B while A.${denied} is denied`,
          () => endOffsets(t.adminB, `A.${open}`),
          (m) => total(m) > before,
          30_000,
        );
        console.log(
          `[faults] write denied: task ${failedTask.id} FAILED (${(failedTask.trace ?? '').split('\n')[0]}); /ready ${JSON.stringify(notRunning(ready))}; mm2ts_task_state FAILED=1; A.${open} kept flowing`,
        );

        await removeAcls(
          clusters['B']!,
          { principal, operation: 'Write', permission: 'DENY' },
          { topic: `A.${denied}` },
        );
        const liftedAt = Date.now();
        await waitForMirror(
          mm,
          '/ready 200 after the DENY was removed',
          () => mm.ready(),
          (a) => a.code === 200,
          60_000,
          500,
        );
        console.log(
          `[faults] write denied: auto-restart resumed the task ${Date.now() - liftedAt} ms after the ACL was removed`,
        );
        await new Promise((r) => setTimeout(r, 2_000));
        await load.stop();
        for (const topic of [denied, open]) {
          const source = await readSequences(t.a, t.adminA, topic);
          const copied = await waitForMirror(
            mm,
            `every record of ${topic} on B, in order`,
            async () => checkTopicSequences(source, await readSequences(t.b, t.adminB, `A.${topic}`)),
            (r) => r.problems.length === 0,
            60_000,
            1_000,
          );
          console.log(
            `[faults] write denied: A.${topic} complete (${[...copied.perPartition].map(([q, n]) => `p${q} ${n.target}/${n.source}`).join(', ')}), ${copied.duplicates} duplicates`,
          );
        }
      } finally {
        await load.stop().catch(() => {});
      }
    }, 240_000);
  });
});
