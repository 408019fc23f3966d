import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AclBinding, KafkaAdmin, KafkaCluster, ProducerRecord } from '../../src/kafka/index.ts';
import { removeAcls } from '../support/broker-faults.ts';
import { openTestCluster, readAll, requireSasl, testKafka, uniqueName } from '../support/kafka.ts';
import {
  baseProperties,
  propertiesWith,
  saslClusterProperties,
  spawnMirrorMaker,
  startMirrorMaker,
  waitForMirror,
  type RunningMirrorMaker,
} from '../support/mirror-maker.ts';
import { runJavaSource } from '../support/java.ts';
import { endOffsets, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The Connect-shaped REST API against a running appliance (docs/rest-api.md): one appliance run
 * (restarted once) serves the tests in order. Flow A->B replicates two single-partition topics;
 * B is reached as the ACL-only user, whose writes to one remote topic are denied at first.
 */

/** A parsed JSON answer, asserted field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Answer {
  code: number;
  body: Json;
}

const SOURCE = 'A->B.MirrorSourceConnector';
const path = (name: string): string => `/connectors/${encodeURIComponent(name)}`;

describe('REST API (Connect endpoints on the appliance)', () => {
  const kafka = testKafka();
  const { clusters } = kafka;
  const sasl = requireSasl(kafka);
  const p = uniqueName('api');
  /** This file's Connect config and status topics for A->B (see the properties below). */
  const configTopic = `${p}-configs`;
  const statusTopic = `${p}-status`;
  const data = `${p}-data`;
  const denied = `${p}-denied`;
  const principal = `User:${sasl.users.mirror.name}`;
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;
  let mm: RunningMirrorMaker;
  /** Records produced to each source topic so far. */
  const produced = new Map<string, number>();
  const count = (topic: string): number => produced.get(topic) ?? 0;

  const api = async (method: string, url: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${mm.httpUrl}${url}`, {
      method,
      signal: AbortSignal.timeout(30_000),
      ...(body !== undefined
        ? {
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { code: res.status, body: parsed };
  };
  const status = async (name = SOURCE): Promise<Json> => (await api('GET', `${path(name)}/status`)).body;
  const produce = async (topic: string, n: number): Promise<void> => {
    const records: ProducerRecord[] = Array.from({ length: n }, (_, i) => ({
      partition: 0,
      key: null,
      value: Buffer.from(`${topic}#${count(topic) + i}`),
    }));
    produced.set(topic, count(topic) + n);
    await (await a.recordSink()).send(topic, records);
  };
  const remoteEnd = async (topic: string): Promise<bigint> => total(await endOffsets(adminB, `A.${topic}`));
  const syncsEnd = async (): Promise<bigint> => total(await endOffsets(adminA, 'mm2-offset-syncs.B.internal'));
  /** Values of the remote topic from `from` to its end. */
  const remoteValues = async (topic: string, from: bigint): Promise<string[]> => {
    const ends = await endOffsets(adminB, `A.${topic}`);
    const source = await b.recordSource();
    try {
      return (await readAll(source, `A.${topic}`, ends))
        .filter((r) => r.offset >= from)
        .map((r) => r.value?.toString() ?? '');
    } finally {
      await source.close();
    }
  };
  /** The latest value of each key of an internal topic on B (null: tombstone). */
  const latest = async (topic: string): Promise<Map<string, string | null>> => {
    const source = await b.recordSource();
    try {
      const out = new Map<string, string | null>();
      for (const r of await readAll(source, topic, await endOffsets(adminB, topic))) {
        out.set(r.key?.toString() ?? '', r.value?.toString() ?? null);
      }
      return out;
    } finally {
      await source.close();
    }
  };
  /** The flow's status topic as Connect's KafkaStatusBackingStore writes it, parsed. */
  const statusRecords = async (): Promise<Map<string, Json>> =>
    new Map([...(await latest(statusTopic))].map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));
  const statusTopicShows = (what: string, check: (records: Map<string, Json>) => boolean): Promise<Map<string, Json>> =>
    waitForMirror(mm, `the status topic showing ${what}`, statusRecords, check, 30_000);

  /** Nothing new on the remote topic nor on the offset-syncs topic for `ms` while A gets records. */
  const expectIdle = async (ms: number): Promise<void> => {
    const [remote, syncs] = [await remoteEnd(data), await syncsEnd()];
    await produce(data, 20);
    await new Promise((r) => setTimeout(r, ms));
    expect(await remoteEnd(data), 'records copied while not running').toBe(remote);
    expect(await syncsEnd(), 'offset syncs written while not running').toBe(syncs);
  };

  const grant = (resourceType: AclBinding['resourceType'], resourceName: string): AclBinding => ({
    resourceType,
    resourceName,
    patternType: 'LITERAL',
    principal,
    host: '*',
    operation: 'ALL',
    permission: 'ALLOW',
  });

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!);
    b = openTestCluster(clusters['B']!);
    adminA = await a.admin();
    adminB = await b.admin();
    for (const name of [data, denied]) await adminA.createTopics([{ name, partitions: 1, replicationFactor: 1 }]);
    await produce(data, 50);
    await produce(denied, 10);
    await adminB.createAcls([
      grant('TOPIC', '*'),
      grant('GROUP', '*'),
      grant('TRANSACTIONAL_ID', '*'),
      grant('CLUSTER', 'kafka-cluster'),
      {
        resourceType: 'TOPIC',
        resourceName: `A.${denied}`,
        patternType: 'LITERAL',
        principal,
        host: '*',
        operation: 'WRITE',
        permission: 'DENY',
      },
    ]);
    await waitFor(
      'the DENY in effect on B',
      () => adminB.describeAcls({ resourceType: 'TOPIC' }),
      (acls) => acls.some((x) => x.resourceName === `A.${denied}` && x.permission === 'DENY'),
      30_000,
    );
    mm = await startMirrorMaker(
      propertiesWith(
        [baseProperties(clusters), 'A->B.enabled = true', `A->B.topics = ${p}-.*`, 'B->A.enabled = false'].join('\n'),
        {
          ...saslClusterProperties('B', sasl.clusters['B']!, sasl.users.mirror, 'SCRAM-SHA-256'),
          'tasks.max': '2',
          'emit.checkpoints.interval.seconds': '1',
          // The flow's own Connect config and status topics: a target state this file leaves
          // behind (a failed test stops between pause and resume) must not pause other files'
          // A->B flows, which read mm2-configs.A.internal.
          'B.config.storage.topic': configTopic,
          'B.status.storage.topic': statusTopic,
        },
      ),
    );
  }, 90_000);

  afterAll(async () => {
    await mm?.stop();
    await removeAcls(
      clusters['B']!,
      { principal, operation: 'All', permission: 'ALLOW' },
      { topic: '*', group: '*', transactionalId: '*', cluster: true },
    ).catch(() => {});
    await adminA?.close();
    await adminB?.close();
    await a?.close();
    await b?.close();
  }, 90_000);

  it('a FAILED task (write denied by ACL) shows its trace; restart?includeTasks=true&onlyFailed=true recovers it alone', async () => {
    const failed = await waitForMirror(
      mm,
      `the task owning ${denied}-0 FAILED`,
      () => status(),
      (s) => s?.tasks?.some((t: Json) => t.state === 'FAILED') ?? false,
      60_000,
      250,
    );
    const task = failed.tasks.find((t: { state: string }) => t.state === 'FAILED');
    expect(task.trace).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized|authoriz/i);
    expect(task.worker_id).toEqual(expect.any(String));
    const one = await api('GET', `${path(SOURCE)}/tasks/${task.id}/status`);
    expect(one).toMatchObject({ code: 200, body: { id: task.id, state: 'FAILED' } });
    expect(one.body.trace).toMatch(/authoriz/i);

    const failedRecord = (
      await statusTopicShows(
        `task ${task.id} FAILED`,
        (m) => m.get(`status-task-MirrorSourceConnector-${task.id}`)?.state === 'FAILED',
      )
    ).get(`status-task-MirrorSourceConnector-${task.id}`);
    expect(failedRecord).toEqual({
      state: 'FAILED',
      trace: expect.stringMatching(/authoriz/i),
      worker_id: task.worker_id,
      generation: 0,
    });

    await removeAcls(clusters['B']!, { principal, operation: 'Write', permission: 'DENY' }, { topic: `A.${denied}` });
    const restart = await api('POST', `${path(SOURCE)}/restart?includeTasks=true&onlyFailed=true`);
    expect(restart.code).toBe(202);
    expect(restart.body.connector.state).toBe('RUNNING');
    for (const t of restart.body.tasks) expect(t.state).toBe(t.id === task.id ? 'RESTARTING' : 'RUNNING');
    await waitForMirror(
      mm,
      `every record of ${denied} on B after the restart`,
      () => remoteEnd(denied),
      (end) => end === 10n,
      60_000,
    );
    const after = await status();
    expect(after.tasks.map((t: { state: string }) => t.state)).toEqual(['RUNNING', 'RUNNING']);
  }, 120_000);

  it('lists and describes connectors as Connect does (names, expand, info, config, tasks, plugins, flow scoping)', async () => {
    await waitForMirror(
      mm,
      `every record of ${data} on B`,
      () => remoteEnd(data),
      (e) => e === 50n,
      60_000,
    );
    const names = await api('GET', '/connectors');
    expect(names).toEqual({
      code: 200,
      body: [
        'A->B.MirrorSourceConnector',
        'A->B.MirrorCheckpointConnector',
        'A->B.MirrorHeartbeatConnector',
        'B->A.MirrorHeartbeatConnector',
      ],
    });
    const expanded = await api('GET', '/connectors?expand=status&expand=info');
    expect(expanded.body[SOURCE].status).toMatchObject({
      name: SOURCE,
      connector: { state: 'RUNNING' },
      type: 'source',
    });
    expect(expanded.body[SOURCE].info).toMatchObject({ name: SOURCE, type: 'source' });
    const info = await api('GET', path(SOURCE));
    expect(info.code).toBe(200);
    expect(info.body.tasks).toEqual([
      { connector: SOURCE, task: 0 },
      { connector: SOURCE, task: 1 },
    ]);
    const config = await api('GET', `${path(SOURCE)}/config`);
    expect(config.body).toMatchObject({
      'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
      'source.cluster.alias': 'A',
      'target.cluster.alias': 'B',
      'target.cluster.bootstrap.servers': sasl.clusters['B'],
      'target.cluster.sasl.jaas.config': '[hidden]',
    });
    expect(JSON.stringify(config.body)).not.toContain(sasl.users.mirror.password);
    const tasks = await api('GET', `${path(SOURCE)}/tasks`);
    expect(tasks.body.map((t: { id: unknown }) => t.id)).toEqual([
      { connector: SOURCE, task: 0 },
      { connector: SOURCE, task: 1 },
    ]);
    expect(tasks.body.flatMap((t: Json) => t.config['task.assigned.partitions'].split(','))).toEqual(
      expect.arrayContaining([`${data}-0`, `${denied}-0`]),
    );
    expect(await api('GET', '/A/B/connectors')).toEqual({
      code: 200,
      body: ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector'],
    });
    expect(await api('GET', '/A/B/connectors/MirrorSourceConnector/status')).toMatchObject({
      code: 200,
      body: { name: SOURCE, connector: { state: 'RUNNING' } },
    });
    const plugins = await api('GET', '/connector-plugins');
    expect(plugins.body.map((x: { class: string }) => x.class)).toEqual([
      'org.apache.kafka.connect.mirror.MirrorSourceConnector',
      'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
      'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector',
    ]);
    const root = await api('GET', '/');
    expect(root.body.version).toEqual(expect.any(String));
  }, 90_000);

  it('answers 404, 409 and 400 with Connect error bodies that say what is wrong', async () => {
    const unknown = await api('GET', '/connectors/nope/status');
    expect(unknown.code).toBe(404);
    expect(unknown.body).toMatchObject({
      error_code: 404,
      message: expect.stringContaining('Connector nope not found'),
    });
    expect(unknown.body.message).toContain(SOURCE);
    const scoped = await api('PUT', '/A/C/connectors/MirrorSourceConnector/pause');
    expect(scoped).toMatchObject({ code: 404, body: { error_code: 404 } });
    expect((await api('GET', `${path(SOURCE)}/tasks/7/status`)).body).toMatchObject({
      error_code: 404,
      message: `Task 7 of ${SOURCE} not found`,
    });
    const patchRunning = await api('PATCH', `${path(SOURCE)}/offsets`, {
      offsets: [{ partition: { cluster: 'A', topic: data, partition: 0 }, offset: { offset: 1 } }],
    });
    expect(patchRunning.code).toBe(409);
    expect(patchRunning.body.message).toContain('STOPPED');
    expect((await api('DELETE', `${path(SOURCE)}/offsets`)).code).toBe(409);
    const badBody = await api('PATCH', `${path(SOURCE)}/offsets`, { offset: [] });
    expect(badBody).toMatchObject({
      code: 400,
      body: { error_code: 400, message: expect.stringContaining('"offsets" is missing') },
    });
    const badJson = await api('PATCH', `${path(SOURCE)}/offsets`, '{"offsets": [');
    expect(badJson.code).toBe(400);
    expect((await api('POST', `${path(SOURCE)}/restart?includeTasks=maybe`)).body.message).toContain('includeTasks');
    expect((await api('GET', '/connectors?expand=everything')).code).toBe(400);
    // A change in flight: the 202 restart goes on after the answer (stopping the tasks with
    // their last round, starting new ones), so a call right after it is refused.
    const checkpoints = path('A->B.MirrorCheckpointConnector');
    expect((await api('POST', `${checkpoints}/restart?includeTasks=true`)).code).toBe(202);
    expect(await api('PUT', `${checkpoints}/pause`)).toMatchObject({
      code: 409,
      body: { error_code: 409, message: 'MirrorCheckpointConnector of A->B is restarting; try again when it is done' },
    });
    await waitForMirror(
      mm,
      'the checkpoint connector RUNNING again',
      () => status('A->B.MirrorCheckpointConnector'),
      (s) => s.connector.state === 'RUNNING',
      30_000,
    );
  }, 60_000);

  it('pause stops all work of the connector, is kept in the config topic and survives an appliance restart; resume continues', async () => {
    expect((await api('PUT', `${path(SOURCE)}/pause`)).code).toBe(202);
    const paused = await status();
    expect(paused.connector.state).toBe('PAUSED');
    expect(paused.tasks.map((t: { state: string }) => t.state)).toEqual(['PAUSED', 'PAUSED']);
    await expectIdle(3_000);
    // Connect's own record in the flow's config topic (KafkaConfigBackingStore.putTargetState).
    expect((await latest(configTopic)).get('target-state-MirrorSourceConnector')).toBe(
      '{"state":"PAUSED","state.v2":"PAUSED"}',
    );
    const pausedStatus = (m: Map<string, Json>): boolean =>
      [
        'status-connector-MirrorSourceConnector',
        'status-task-MirrorSourceConnector-0',
        'status-task-MirrorSourceConnector-1',
      ].every((k) => m.get(k)?.state === 'PAUSED');
    await statusTopicShows('the connector and its tasks PAUSED', pausedStatus);

    expect(await mm.stop()).toBe(0);
    mm = spawnMirrorMaker(mm.file, Number(new URL(mm.httpUrl).port));
    await waitForMirror(
      mm,
      'the restarted appliance serving the connectors',
      async () => (await api('GET', '/connectors')).body,
      (names) => Array.isArray(names) && names.includes(SOURCE),
      60_000,
    );
    expect((await status()).connector.state).toBe('PAUSED');
    expect(pausedStatus(await statusRecords())).toBe(true);
    await expectIdle(3_000);

    expect((await api('PUT', `${path(SOURCE)}/resume`)).code).toBe(202);
    const expected = BigInt(count(data));
    await waitForMirror(
      mm,
      `every record of ${data} on B after resume`,
      () => remoteEnd(data),
      (e) => e === expected,
      60_000,
    );
    expect((await status()).connector.state).toBe('RUNNING');
  }, 150_000);

  it('stop leaves no background work; offsets PATCH and DELETE while STOPPED decide where the next resume copies from', async () => {
    expect((await api('PUT', `${path(SOURCE)}/stop`)).code).toBe(204);
    expect(await status()).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    // A stopped connector has no tasks: their status records are tombstoned, as Connect does.
    await statusTopicShows(
      'the connector STOPPED and its tasks gone',
      (m) =>
        m.get('status-connector-MirrorSourceConnector')?.state === 'STOPPED' &&
        m.get('status-task-MirrorSourceConnector-0') === null &&
        m.get('status-task-MirrorSourceConnector-1') === null,
    );
    expect((await latest(configTopic)).get('target-state-MirrorSourceConnector')).toBe(
      '{"state":"PAUSED","state.v2":"STOPPED"}',
    );
    // Kafka Connect's own readers see the same (KafkaStatusBackingStore, the config topic's converter).
    const java = await runJavaSource(
      kafka.version === 'external' ? '4.1.2' : kafka.version,
      'interop/ConnectStateCheck.java',
      [clusters['B']!, statusTopic, configTopic, 'MirrorSourceConnector', '2'],
    );
    expect(java.trim().split('\n')).toEqual([
      expect.stringMatching(/^connector\tSTOPPED\t\S+$/),
      'task\t0\tnone',
      'task\t1\tnone',
      'target\tSTOPPED',
    ]);
    await expectIdle(3_000);
    const sourceEnd = count(data);
    const offsets = await api('GET', `${path(SOURCE)}/offsets`);
    expect(offsets.code).toBe(200);
    const mine = offsets.body.offsets.find((o: Json) => o.partition.topic === data);
    // The last record copied before the stop (the 20 produced while idle were never copied).
    expect(mine).toEqual({
      partition: { cluster: 'A', partition: 0, topic: data },
      offset: { offset: sourceEnd - 21 },
    });

    // PATCH: the stored offset is the last one copied, so the next resume starts right after it.
    const patched = await api('PATCH', `${path(SOURCE)}/offsets`, {
      offsets: [{ partition: { cluster: 'A', topic: data, partition: 0 }, offset: { offset: 9 } }],
    });
    expect(patched).toEqual({
      code: 200,
      body: { message: 'The offsets for this connector have been altered successfully' },
    });
    let before = await remoteEnd(data);
    expect((await api('PUT', `${path(SOURCE)}/resume`)).code).toBe(202);
    const copiedAgain = BigInt(sourceEnd - 10);
    await waitForMirror(
      mm,
      'records from offset 10 copied again',
      () => remoteEnd(data),
      (e) => e === before + copiedAgain,
      60_000,
    );
    const values = await remoteValues(data, before);
    expect(values[0]).toBe(`${data}#10`);

    // DELETE: no stored position, so the resume starts over per auto.offset.reset (earliest).
    expect((await api('PUT', `${path(SOURCE)}/stop`)).code).toBe(204);
    const reset = await api('DELETE', `${path(SOURCE)}/offsets`);
    expect(reset).toEqual({
      code: 200,
      body: { message: 'The offsets for this connector have been reset successfully' },
    });
    expect(
      (await api('GET', `${path(SOURCE)}/offsets`)).body.offsets.filter((o: Json) => o.partition.topic === data),
    ).toEqual([]);
    before = await remoteEnd(data);
    expect((await api('PUT', `${path(SOURCE)}/resume`)).code).toBe(202);
    await waitForMirror(
      mm,
      'every record copied once more',
      () => remoteEnd(data),
      (e) => e === before + BigInt(sourceEnd),
      60_000,
    );
    expect((await remoteValues(data, before))[0]).toBe(`${data}#0`);
  }, 150_000);

  it('restarts one task and the connector: the task and connector run again', async () => {
    expect((await api('POST', `${path(SOURCE)}/tasks/1/restart`)).code).toBe(204);
    expect((await api('POST', `${path(SOURCE)}/restart`)).code).toBe(204);
    const all = await api('POST', `${path(SOURCE)}/restart?includeTasks=true`);
    expect(all.code).toBe(202);
    expect(all.body.connector.state).toBe('RESTARTING');
    await waitForMirror(
      mm,
      'the source connector and its tasks RUNNING after the restarts',
      () => status(),
      (s) =>
        s.connector.state === 'RUNNING' && s.tasks.length === 2 && s.tasks.every((t: Json) => t.state === 'RUNNING'),
      60_000,
    );
    const before = await remoteEnd(data);
    await produce(data, 5);
    await waitForMirror(
      mm,
      'new records copied after the restarts',
      () => remoteEnd(data),
      (e) => e === before + 5n,
      60_000,
    );
  }, 90_000);

  it('/admin/loggers: the root logger, its level changed at run time with Connect level names', async () => {
    expect(await api('GET', '/admin/loggers')).toMatchObject({
      code: 200,
      body: { root: { level: 'INFO', last_modified: null }, kafka: { level: 'INFO' }, http: { level: 'INFO' } },
    });
    const debugLines = (): number =>
      mm
        .output()
        .split('\n')
        .filter((l) => l.includes('"level":20')).length;
    expect(debugLines()).toBe(0);
    // root sets every logger (docs/rest-api.md, "Loggers").
    expect(await api('PUT', '/admin/loggers/root', { level: 'DEBUG' })).toMatchObject({
      code: 200,
      body: expect.arrayContaining(['root', 'kafka', 'http']),
    });
    const changed = await api('GET', '/admin/loggers/root');
    expect(changed.body).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
    await waitForMirror(
      mm,
      'DEBUG lines in the log',
      async () => debugLines(),
      (n) => n > 0,
      30_000,
    );
    expect((await api('PUT', '/admin/loggers/root', { level: 'info' })).code).toBe(200);
    const bad = await api('PUT', '/admin/loggers/root', { level: 'LOUD' });
    expect(bad).toMatchObject({ code: 400, body: { message: expect.stringContaining("Invalid log level 'LOUD'") } });
    expect((await api('PUT', '/admin/loggers/root', {})).code).toBe(400);
    expect((await api('PUT', '/admin/loggers/org.apache.kafka', { level: 'DEBUG' })).code).toBe(404);
  }, 60_000);
});
