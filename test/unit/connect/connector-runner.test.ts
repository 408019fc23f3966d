import { describe, expect, it } from 'vitest';
import { ConnectorRunner, ConnectorStateError, type WorkerConnector } from '../../../src/connect/connector-runner.ts';
import type { ConnectorStatusEntry, WorkStatus } from '../../../src/connect/states.ts';
import { silentLogger } from '../../../src/util/logger.ts';

/** A connector instance that records what the runner did to it; `startGate` holds its start. */
class FakeConnector implements WorkerConnector<ConnectorStatusEntry> {
  running = false;
  stops = 0;
  restartedTasks: number[] = [];
  private readonly startGate: Promise<void>;
  constructor(startGate: Promise<void> = Promise.resolve()) {
    this.startGate = startGate;
  }
  async start(): Promise<void> {
    await this.startGate;
    this.running = true;
  }
  async stop(): Promise<void> {
    this.running = false;
    this.stops++;
  }
  status(): ConnectorStatusEntry {
    return {
      name: 'C',
      state: 'RUNNING',
      tasks: [
        { id: 0, state: 'RUNNING' },
        { id: 1, state: 'FAILED', trace: 'boom' },
      ],
    };
  }
  async restartTask(id: number): Promise<boolean> {
    this.restartedTasks.push(id);
    return id < 2;
  }
}

function runner(instances: FakeConnector[], gate?: () => Promise<void>): ConnectorRunner<ConnectorStatusEntry> {
  return new ConnectorRunner({
    name: 'C of A->B',
    create: () => {
      const c = new FakeConnector(gate?.());
      instances.push(c);
      return c;
    },
    idleStatus: (s: WorkStatus) => ({ name: 'C', ...s, tasks: [] }),
    logger: silentLogger(),
  });
}

describe('ConnectorRunner control (target states, restarts)', () => {
  it('pause stops the instance and shows its tasks PAUSED; resume starts a fresh one', async () => {
    const instances: FakeConnector[] = [];
    const r = runner(instances);
    await r.start().started;
    await r.setTarget('PAUSED');
    expect(instances[0]!.running).toBe(false);
    expect(r.status()).toEqual({
      name: 'C',
      state: 'PAUSED',
      tasks: [
        { id: 0, state: 'PAUSED' },
        { id: 1, state: 'PAUSED' },
      ],
    });
    expect(r.targetState).toBe('PAUSED');
    await r.setTarget('STARTED');
    expect(instances).toHaveLength(2);
    expect(instances[1]!.running).toBe(true);
    expect(r.status().state).toBe('RUNNING');
    expect(r.startCount).toBe(2);
    await r.stop();
  });

  it('stop (KIP-875) leaves no tasks; a runner started STOPPED or PAUSED runs nothing until resumed', async () => {
    const instances: FakeConnector[] = [];
    const r = runner(instances);
    await r.start().started;
    await r.setTarget('STOPPED');
    expect(r.status()).toEqual({ name: 'C', state: 'STOPPED', tasks: [] });
    await r.stop();

    const paused = runner(instances);
    await paused.start('PAUSED').started;
    expect(instances).toHaveLength(1);
    expect(paused.status().state).toBe('PAUSED');
    await paused.setTarget('STARTED');
    expect(instances).toHaveLength(2);
    await paused.stop();
  });

  it('restart replaces the instance; a restart while PAUSED is refused; a second change while one runs is refused', async () => {
    const instances: FakeConnector[] = [];
    let release: () => void = () => {};
    let gated = false;
    const r = runner(instances, () =>
      gated ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve(),
    );
    await r.start().started;
    gated = true;
    const restarting = r.restart();
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.busy).toBe('restarting');
    expect(r.status().state).toBe('RESTARTING');
    await expect(r.setTarget('PAUSED')).rejects.toThrow(/is restarting; try again/);
    release();
    await restarting;
    expect(instances[0]!.stops).toBe(1);
    expect(instances[1]!.running).toBe(true);
    gated = false;
    await r.setTarget('PAUSED');
    const refused = await r.restart().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ConnectorStateError);
    expect((refused as ConnectorStateError).code).toBe('ERR_CONNECTOR_STATE');
    await r.stop();
  });

  it('restartTask goes to the running instance; nothing runs: false', async () => {
    const instances: FakeConnector[] = [];
    const r = runner(instances);
    await r.start().started;
    expect(await r.restartTask(1)).toBe(true);
    expect(instances[0]!.restartedTasks).toEqual([1]);
    await r.setTarget('STOPPED');
    expect(await r.restartTask(1)).toBe(false);
    await r.stop();
  });
});
