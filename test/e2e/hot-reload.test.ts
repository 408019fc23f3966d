import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TESTBED_USERS } from '../../scripts/kafka/sasl.ts';
import { useMirrorTestContext } from '../support/e2e.ts';
import { requireSasl, testKafka, uniqueName } from '../support/kafka.ts';
import {
  baseProperties,
  saslClusterProperties,
  waitForMirror,
  type RunningMirrorMaker,
  type StatusResponse,
} from '../support/mirror-maker.ts';
import { endOffsets, makeRecords, total } from '../support/records.ts';
import { parseLogLines } from '../support/log-lines.ts';

/** `POST /reload`: the status code and the JSON body. */
async function postReload(mm: RunningMirrorMaker): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(`${mm.httpUrl}/reload`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What shows a route's work was (not) restarted: its starts, its connectors' and its source tasks'. */
function startsOf(status: StatusResponse, route: string): unknown {
  const r = status.routes.find((x) => x.route === route) as
    (StatusResponse['routes'][number] & { starts?: number; startedAt?: string }) | undefined;
  if (!r) return undefined;
  return {
    starts: r.starts,
    startedAt: r.startedAt,
    connectors: r.connectors.map((c) => ({
      name: c.name,
      starts: (c as { starts?: number }).starts,
      tasks: c.tasks.map((task) => ({ id: task.id, starts: (task as { starts?: number }).starts })),
    })),
  };
}

const sourceTasksRunning = (status: StatusResponse, route: string, topic: string): boolean =>
  (status.routes.find((r) => r.route === route)?.connectors ?? []).some(
    (c) =>
      c.name === 'MirrorSourceConnector' &&
      c.tasks.some((task) => task.state === 'RUNNING' && (task.assignedPartitions ?? []).includes(`${topic}-0`)),
  );

// Hot reload end to end: one running process, its file edited four times (a route's topics, a
// route added, a cluster's bootstrap moved to another listener, an invalid edit) and reloaded by
// POST /reload, then by SIGHUP and by the file watch. The route B->A is never touched: its start counters stay.
describe('hot reload (connect-mirror-maker)', () => {
  const kafka = testKafka();
  const { clusters } = kafka;
  const t = useMirrorTestContext(clusters);

  it('applies only the difference: added, restarted and removed routes; untouched routes never restart; an invalid edit changes nothing', async () => {
    const sasl = requireSasl(kafka);
    const p = uniqueName('reload');
    const [one, two, three, back] = ['one', 'two', 'three', 'back'].map((s) => `${p}-${s}`) as [
      string,
      string,
      string,
      string,
    ];
    await t.adminA.createTopics([one, two, three].map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
    await t.adminB.createTopics([{ name: back, partitions: 1, replicationFactor: 1 }]);
    const common = [
      ...baseProperties(clusters).split('\n'),
      // Only the enabled pairs are routes: a third alias adds one route, not four.
      'emit.heartbeats.enabled = false',
      'sync.topic.acls.enabled = false',
      'A->B.enabled = true',
      'B->A.enabled = true',
      `B->A.topics = ${back}`,
      // Heartbeats topics the routes create would otherwise join every route's topics (Java
      // replicates them whatever `topics` says, KAFKA-17534) and reassign its tasks, as Java would.
      'heartbeats.replication.enabled = false',
    ];
    const version1 = [...common, `A->B.topics = ${one}`];
    const mm = await t.start(version1.join('\n'));
    const listenerLine = readFileSync(mm.file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('mm2ts.http.listener'))!;
    const write = (lines: string[]): void => writeFileSync(mm.file, [...lines, listenerLine, ''].join('\n'));
    const copied = (admin: typeof t.adminA, topic: string, n: bigint) =>
      waitForMirror(
        mm,
        `${n} records in ${topic}`,
        () => endOffsets(admin, topic),
        (m) => total(m) >= n,
        30_000,
      ).then(total);

    const sinkA = await t.a.recordSink();
    await sinkA.send(one, makeRecords(10, 1, 1));
    await copied(t.adminB, `A.${one}`, 10n);
    const initial = await waitForMirror(
      mm,
      'both routes running their source tasks',
      () => mm.status(),
      (s) => sourceTasksRunning(s, 'A->B', one) && sourceTasksRunning(s, 'B->A', back),
      30_000,
    );
    const untouched = startsOf(initial, 'B->A');
    expect(untouched).toMatchObject({
      starts: 1,
      connectors: expect.arrayContaining([{ name: 'MirrorSourceConnector', starts: 1, tasks: [{ id: 0, starts: 1 }] }]),
    });

    // 1. A route's topics: that route is restarted, records of the newly included topic arrive.
    const version2 = [...common, `A->B.topics = ${one}, ${two}`];
    write(version2);
    const topics = await postReload(mm);
    expect(topics).toEqual({
      code: 200,
      body: expect.objectContaining({
        changed: { added: [], removed: [], restarted: ['A->B'], unchanged: ['B->A'] },
        restartedBecause: { 'A->B': ['A->B.topics'] },
        needsRestart: [],
      }),
    });
    await sinkA.send(two, makeRecords(10, 1, 2));
    expect(await copied(t.adminB, `A.${two}`, 10n)).toBe(10n);
    const afterTopics = await waitForMirror(
      mm,
      `A->B running a task for ${two}`,
      () => mm.status(),
      (st) => sourceTasksRunning(st, 'A->B', two),
      30_000,
    );
    expect(afterTopics.routes.find((r) => r.route === 'A->B')).toMatchObject({ starts: 2 });
    const abAfterTopics = startsOf(afterTopics, 'A->B');

    // 2. A route added: a third alias C for cluster A's listener, replicating one more topic.
    const withC = [
      ...version2.map((l) => (l.startsWith('clusters =') ? 'clusters = A, B, C' : l)),
      `C.bootstrap.servers = ${clusters['A']}`,
      'C.offset.flush.interval.ms = 1000',
      'C->B.enabled = true',
      `C->B.topics = ${three}`,
    ];
    write(withC);
    const added = await postReload(mm);
    expect(added.code, JSON.stringify(added.body)).toBe(200);
    expect(added.body['changed']).toEqual({
      added: ['C->B'],
      removed: [],
      restarted: [],
      unchanged: ['A->B', 'B->A'],
    });
    await sinkA.send(three, makeRecords(10, 1, 3));
    expect(await copied(t.adminB, `C.${three}`, 10n)).toBe(10n);

    // 3. A cluster's bootstrap: C moves to the SASL listener of the same cluster; only C->B restarts
    // and resumes from its stored positions (nothing copied twice).
    const saslC = saslClusterProperties('C', sasl.clusters['A']!, TESTBED_USERS.admin);
    write([
      ...withC.filter((l) => !l.startsWith('C.bootstrap.servers')),
      ...Object.entries(saslC).map(([k, v]) => `${k} = ${v}`),
    ]);
    const moved = await postReload(mm);
    expect(moved.code, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body['changed']).toEqual({
      added: [],
      removed: [],
      restarted: ['C->B'],
      unchanged: ['A->B', 'B->A'],
    });
    expect((moved.body['restartedBecause'] as Record<string, string[]>)['C->B']).toEqual(
      expect.arrayContaining(['C.bootstrap.servers', 'C.security.protocol', 'C.sasl.jaas.config']),
    );
    await sinkA.send(three, makeRecords(10, 1, 4));
    expect(await copied(t.adminB, `C.${three}`, 20n)).toBe(20n);
    const afterMove = await mm.status();
    expect(afterMove.routes.find((r) => r.route === 'C->B')).toMatchObject({ starts: 2, state: 'RUNNING' });

    // 4. An invalid edit: 400 naming the line; nothing restarted, the file's routes keep running.
    const invalid = [...withC, 'A->B.tasks.max = zero'];
    write(invalid);
    const line = readFileSync(mm.file, 'utf8').split('\n').indexOf('A->B.tasks.max = zero') + 1;
    const rejected = await postReload(mm);
    expect(rejected.code).toBe(400);
    expect(rejected.body).toMatchObject({
      error_code: 400,
      errors: [expect.objectContaining({ key: 'A->B.tasks.max', line, file: mm.file })],
    });
    expect(String(rejected.body['message'])).toContain(`line ${line}`);
    const afterInvalid = await mm.status();
    expect(afterInvalid.routes.map((r) => r.route)).toEqual(['A->B', 'B->A', 'C->B']);
    for (const route of ['A->B', 'C->B']) expect(startsOf(afterInvalid, route)).toEqual(startsOf(afterMove, route));

    // 5. SIGHUP: the file without C; the route is removed, the process keeps running.
    write(version2);
    mm.signal('SIGHUP');
    await waitForMirror(
      mm,
      'C->B removed after SIGHUP',
      () => mm.status(),
      (s) => s.routes.map((r) => r.route).join() === 'A->B,B->A',
      30_000,
    );
    // /status drops the route as it starts stopping; the reload's own line comes once it is done.
    const reloaded = await waitForMirror(
      mm,
      'the SIGHUP reload logged',
      async () => parseLogLines(mm.output()).filter((l) => l['trigger'] === 'SIGHUP'),
      (lines) => lines.length > 0 && lines.at(-1)!['changed'] !== undefined,
      30_000,
    );
    expect(reloaded.at(-1)).toMatchObject({
      changed: { added: [], removed: ['C->B'], restarted: [], unchanged: ['A->B', 'B->A'] },
    });

    // B->A was never restarted, nor A->B after its own change, and B->A still copies.
    const final = await mm.status();
    const routeLog = (route: string): string =>
      parseLogLines(mm.output())
        .filter((l) => l['route'] === route)
        .map((l) => `${String(l['connector'] ?? '')} ${String(l['msg'])}`)
        .join('\n');
    expect(startsOf(final, 'B->A'), routeLog('B->A')).toEqual(untouched);
    expect(startsOf(final, 'A->B'), routeLog('A->B')).toEqual(abAfterTopics);
    await (await t.b.recordSink()).send(back, makeRecords(5, 1, 5));
    expect(await copied(t.adminA, `B.${back}`, 5n)).toBe(5n);

    // 6. The file watch, switched on by a reload (it applies live), reloads an edit by itself.
    const watched = [...version2, 'mm2ts.config.watch = true', 'mm2ts.config.watch.interval.ms = 200'];
    write(watched);
    expect((await postReload(mm)).body).toMatchObject({
      changed: { added: [], removed: [], restarted: [], unchanged: ['A->B', 'B->A'] },
      needsRestart: [],
    });
    write(watched.map((l) => (l.startsWith('B->A.topics') ? `B->A.topics = ${back}, ${p}-none` : l)));
    await waitForMirror(
      mm,
      'a reload of the edited file by the watch',
      async () => parseLogLines(mm.output()).filter((l) => l['trigger'] === 'file-change' && l['changed']),
      (lines) => lines.length > 0,
      15_000,
    ).then((lines) =>
      expect(lines[0]).toMatchObject({
        changed: { restarted: ['B->A'] },
        restartedBecause: { 'B->A': ['B->A.topics'] },
      }),
    );
    const reloads = (await mm.metrics()).filter((m) => m.name === 'mm2ts_config_reloads_total');
    expect(Object.fromEntries(reloads.map((m) => [m.labels['outcome'], m.value]))).toEqual({
      applied: 6,
      invalid: 1,
      busy: 0,
    });
  }, 120_000);
});
