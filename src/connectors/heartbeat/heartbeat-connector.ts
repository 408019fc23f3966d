import type { WorkerConnector } from '../../connect/connector-runner.ts';
import type { ConnectorStatusEntry, TaskStatusEntry, WorkState } from '../../connect/states.ts';
import { traceOf } from '../../connect/task-group.ts';
import type { HeartbeatEmitter } from './heartbeat-emitter.ts';

export interface HeartbeatConnectorStatus extends ConnectorStatusEntry {
  name: 'MirrorHeartbeatConnector';
}

/**
 * Java's MirrorHeartbeatConnector with its one task, as the worker sees it. The task reports
 * FAILED while heartbeat sends fail (the emitter keeps trying every interval, and turns RUNNING
 * again with the first send that succeeds): heartbeats that do not arrive are work not done.
 */
export class HeartbeatConnector implements WorkerConnector<HeartbeatConnectorStatus> {
  private readonly emitter: HeartbeatEmitter;
  private stopped = false;

  constructor(emitter: HeartbeatEmitter) {
    this.emitter = emitter;
  }

  start(): Promise<void> {
    return this.emitter.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.emitter.stop();
  }

  status(): HeartbeatConnectorStatus {
    const failure = this.emitter.failure;
    const state: WorkState = this.stopped ? 'STOPPED' : 'RUNNING';
    const task: TaskStatusEntry =
      failure !== undefined && !this.stopped ? { id: 0, state: 'FAILED', trace: traceOf(failure) } : { id: 0, state };
    // Java runs no heartbeat task when emission is off.
    const tasks = this.emitter.intervalMs === undefined ? [] : [task];
    return { name: 'MirrorHeartbeatConnector', state, tasks };
  }
}
