import { describe, expect, it } from 'vitest';
import { ConnectorRunner, type TargetState } from '../../../src/connect/connector-runner.ts';
import type { ConnectorStatusEntry } from '../../../src/connect/states.ts';
import type { ConnectorRef } from '../../../src/http/connectors-port.ts';
import { HttpError } from '../../../src/http/errors.ts';
import {
  decodeSourceOffsetValue,
  encodeMirrorSourcePartitionKey,
  encodeSourceOffsetValue,
} from '../../../src/records/index.ts';
import { connectorsPort } from '../../../src/runtime/connector-control.ts';
import type { RouteRuntime } from '../../../src/runtime/route-runtime.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const SOURCE: ConnectorRef = {
  name: 'A->B.MirrorSourceConnector',
  source: 'A',
  target: 'B',
  connector: 'MirrorSourceConnector',
};

/** A route with one source connector whose status the test sets, and an in-memory offsets store. */
function fixture(tasks: ConnectorStatusEntry['tasks'], connectorState: ConnectorStatusEntry['state'] = 'RUNNING') {
  const restarted: string[] = [];
  const store = new Map<string, { key: Buffer; value: Buffer }>();
  const runner = new ConnectorRunner<ConnectorStatusEntry>({
    name: 'MirrorSourceConnector of A->B',
    create: () => ({
      start: async () => {},
      stop: async () => {},
      status: () => ({
        name: 'MirrorSourceConnector',
        state: connectorState,
        ...(connectorState === 'FAILED' ? { trace: 'x' } : {}),
        tasks,
      }),
      restartTask: async (id: number) => {
        restarted.push(`task ${id}`);
        return true;
      },
    }),
    idleStatus: (s) => ({ name: 'MirrorSourceConnector', ...s, tasks: [] }),
    logger: silentLogger(),
  });
  const route = {
    route: { source: 'A', target: 'B', connectors: { source: new Map() } },
    connectorNames: () => ['MirrorSourceConnector'],
    connector: (name: string) => (name === 'MirrorSourceConnector' ? runner : undefined),
    setTargetState: (_name: string, state: TargetState) => runner.setTarget(state),
    offsets: {
      entries: () => store.values(),
      write: async (records: { key: Buffer; value: Buffer | null }[]) => {
        for (const r of records) {
          if (r.value === null) store.delete(r.key.toString('latin1'));
          else store.set(r.key.toString('latin1'), { key: r.key, value: r.value });
        }
      },
      refresh: async () => {},
    },
  } as unknown as RouteRuntime;
  const port = connectorsPort(() => [route], { logger: silentLogger(), workerId: 'w1' });
  return { runner, port, store, restarted };
}

const rejection = async (work: Promise<unknown>): Promise<HttpError> => {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
};

describe('connectors port over the route runtimes', () => {
  it('KIP-745 onlyFailed + includeTasks: only the FAILED tasks restart, shown RESTARTING; the connector is left alone', async () => {
    const { runner, port, restarted } = fixture([
      { id: 0, state: 'RUNNING' },
      { id: 1, state: 'FAILED', trace: 'Error: denied' },
    ]);
    await runner.start().started;
    const planned = await port.restart(SOURCE, { includeTasks: true, onlyFailed: true });
    expect(planned).toEqual({
      name: SOURCE.name,
      connector: { state: 'RUNNING', worker_id: 'w1' },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: 'w1' },
        { id: 1, state: 'RESTARTING', worker_id: 'w1' },
      ],
      type: 'source',
    });
    await new Promise((r) => setImmediate(r));
    expect(restarted).toEqual(['task 1']);
    expect(runner.startCount).toBe(1);
    // onlyFailed alone restarts the connector only if it FAILED: here nothing.
    const nothing = await port.restart(SOURCE, { includeTasks: false, onlyFailed: true });
    expect(nothing?.connector.state).toBe('RUNNING');
    expect(nothing?.tasks.map((t) => t.state)).toEqual(['RUNNING', 'FAILED']);
    await runner.stop();
  });

  it('a FAILED connector with onlyFailed restarts with all its tasks; without parameters the answer is 204 (undefined)', async () => {
    const { runner, port } = fixture([{ id: 0, state: 'RUNNING' }], 'FAILED');
    await runner.start().started;
    const planned = await port.restart(SOURCE, { includeTasks: false, onlyFailed: true });
    expect(planned?.connector.state).toBe('RESTARTING');
    expect(planned?.tasks.map((t) => t.state)).toEqual(['RESTARTING']);
    await new Promise((r) => setTimeout(r, 10));
    expect(runner.startCount).toBe(2);
    expect(await port.restart(SOURCE, { includeTasks: false, onlyFailed: false })).toBeUndefined();
    expect(runner.startCount).toBe(3);
    await port.stop(SOURCE);
    expect((await rejection(port.restart(SOURCE, { includeTasks: true, onlyFailed: false }))).statusCode).toBe(409);
    await runner.stop();
  });

  it('restart of a PAUSED connector or task answers as Connect (it stays PAUSED) and starts nothing', async () => {
    const { runner, port, restarted } = fixture([
      { id: 0, state: 'RUNNING' },
      { id: 1, state: 'RUNNING' },
    ]);
    await runner.start().started;
    await port.pause(SOURCE);
    expect(await port.restart(SOURCE, { includeTasks: false, onlyFailed: false })).toBeUndefined();
    const answer = await port.restart(SOURCE, { includeTasks: true, onlyFailed: false });
    expect(answer?.connector.state).toBe('PAUSED');
    expect(answer?.tasks.map((t) => t.state)).toEqual(['PAUSED', 'PAUSED']);
    await port.restartTask(SOURCE, 1);
    expect(runner.startCount).toBe(1);
    expect(restarted).toEqual([]);
    expect(port.status(SOURCE).connector.state).toBe('PAUSED');
    // The resume starts a fresh instance, as after Connect's restart.
    await port.resume(SOURCE);
    expect(runner.startCount).toBe(2);
    await runner.stop();
  });

  it('offsets: PATCH and DELETE only while STOPPED; PATCH writes Java key bytes; bad entries are 400 naming the field', async () => {
    const { runner, port, store } = fixture([{ id: 0, state: 'RUNNING' }]);
    await runner.start().started;
    const entry = { partition: { cluster: 'A', topic: 't', partition: 0 }, offset: { offset: 41 } };
    const running = await rejection(port.alterOffsets(SOURCE, [entry]));
    expect(running.statusCode).toBe(409);
    expect(running.message).toContain('must be in the STOPPED state');
    await port.stop(SOURCE);
    await port.alterOffsets(SOURCE, [entry]);
    const key = encodeMirrorSourcePartitionKey({
      sourceClusterAlias: 'A',
      topicPartition: { topic: 't', partition: 0 },
    });
    expect(decodeSourceOffsetValue(store.get(key.toString('latin1'))!.value)).toBe(41n);
    expect(await port.offsets(SOURCE)).toEqual([entry]);

    const bad = async (e: unknown): Promise<string> =>
      (await rejection(port.alterOffsets(SOURCE, [e as typeof entry]))).message;
    expect(await bad({ ...entry, partition: { ...entry.partition, cluster: 'B' } })).toBe(
      'offsets[0].partition.cluster must be "A" (the source cluster of this flow), got "B"',
    );
    expect(await bad({ ...entry, partition: { ...entry.partition, partition: -1 } })).toContain(
      'partition.partition must be',
    );
    expect(await bad({ ...entry, partition: { ...entry.partition, extra: 1 } })).toContain('unknown keys extra');
    expect(await bad({ ...entry, offset: { offset: 1.5 } })).toContain('offset must be {"offset": <integer >= 0>}');
    expect(await bad({ ...entry, offset: { offset: 1, more: 2 } })).toContain('offset must be');

    // Another connector's record in the same topic is never listed or deleted.
    const other = Buffer.from('["MirrorCheckpointConnector",{"group":"g","partition":0,"topic":"t"}]');
    store.set(other.toString('latin1'), { key: other, value: encodeSourceOffsetValue(3n) });
    await port.resetOffsets(SOURCE);
    expect(await port.offsets(SOURCE)).toEqual([]);
    expect(store.size).toBe(1);
    await runner.stop();
  });

  it('a resume while an offsets edit is written is refused (409), so tasks never read half-edited offsets', async () => {
    const { runner, port } = fixture([{ id: 0, state: 'RUNNING' }]);
    await runner.start().started;
    await port.stop(SOURCE);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const editing = runner.whileStopped('altering offsets', () => gate);
    const refused = await rejection(port.resume(SOURCE));
    expect(refused.statusCode).toBe(409);
    expect(refused.message).toBe('MirrorSourceConnector of A->B is altering offsets; try again when it is done');
    release();
    await editing;
    await port.resume(SOURCE);
    expect(runner.targetState).toBe('STARTED');
    await runner.stop();
  });
});
