import { describe, expect, it } from 'vitest';
import { readiness, stateSamples } from '../../../src/runtime/readiness.ts';
import type { RouteStatus } from '../../../src/runtime/route-runtime.ts';

const route = (over: Partial<RouteStatus> = {}): RouteStatus => ({
  route: 'A->B',
  source: 'A',
  target: 'B',
  enabled: true,
  state: 'RUNNING',
  connectors: [
    {
      name: 'MirrorSourceConnector',
      state: 'RUNNING',
      tasks: [{ id: 0, state: 'RUNNING', assignedPartitions: ['t-0'] }],
    },
    { name: 'MirrorHeartbeatConnector', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
  ],
  ...over,
});

describe('readiness', () => {
  it('is ready only when every replicating route and all its connectors and tasks run', () => {
    expect(readiness([route()])).toEqual({ ready: true, message: '1 route(s) running, 2 task(s)', notRunning: [] });
  });

  it('names a route that cannot start with its last error', () => {
    const r = readiness([
      route(),
      route({
        route: 'A->C',
        target: 'C',
        state: 'FAILED',
        error: 'connection refused: C at 127.0.0.1:1',
        connectors: [],
      }),
    ]);
    expect(r.ready).toBe(false);
    expect(r.notRunning).toEqual([{ route: 'A->C', state: 'FAILED', error: 'connection refused: C at 127.0.0.1:1' }]);
    expect(r.message).toBe('not running: A->C FAILED');
  });

  it('names a FAILED task with the first line of its trace, and a connector still starting', () => {
    const r = readiness([
      route({
        connectors: [
          {
            name: 'MirrorSourceConnector',
            state: 'RUNNING',
            tasks: [
              {
                id: 1,
                state: 'FAILED',
                trace: 'KafkaPortError: TOPIC_AUTHORIZATION_FAILED\n    at x',
                assignedPartitions: [],
              },
            ],
          },
          { name: 'MirrorCheckpointConnector', state: 'UNASSIGNED', groups: 0, tasks: [] },
        ],
      }),
    ]);
    expect(r.notRunning).toEqual([
      {
        route: 'A->B',
        connector: 'MirrorSourceConnector',
        task: 1,
        state: 'FAILED',
        error: 'KafkaPortError: TOPIC_AUTHORIZATION_FAILED',
      },
      { route: 'A->B', connector: 'MirrorCheckpointConnector', state: 'UNASSIGNED' },
    ]);
  });

  it('a RUNNING task retrying the same failure for a minute is named, with how long and why', () => {
    const retrying = (forMs: number) =>
      route({
        connectors: [
          {
            name: 'MirrorSourceConnector',
            state: 'RUNNING',
            tasks: [
              {
                id: 0,
                state: 'RUNNING',
                retrying: { forMs, cause: 'KafkaPortError: B: connection refused' },
                assignedPartitions: [],
              },
            ],
          },
        ],
      });
    expect(readiness([retrying(59_000)]).ready).toBe(true);
    expect(readiness([retrying(75_000)]).notRunning).toEqual([
      {
        route: 'A->B',
        connector: 'MirrorSourceConnector',
        task: 0,
        state: 'RUNNING',
        error: 'retrying for 75 s: KafkaPortError: B: connection refused',
      },
    ]);
  });

  it('a heartbeat-only route does not hold readiness back', () => {
    expect(readiness([route(), route({ route: 'B->A', enabled: false, state: 'FAILED', connectors: [] })]).ready).toBe(
      true,
    );
  });

  it('lists a state sample per route, connector and task', () => {
    const ab = { route: 'A->B', source: 'A', target: 'B' };
    expect([...stateSamples([route()])]).toEqual([
      { ...ab, state: 'RUNNING' },
      { ...ab, connector: 'MirrorSourceConnector', state: 'RUNNING' },
      { ...ab, connector: 'MirrorSourceConnector', task: 0, state: 'RUNNING' },
      { ...ab, connector: 'MirrorHeartbeatConnector', state: 'RUNNING' },
      { ...ab, connector: 'MirrorHeartbeatConnector', task: 0, state: 'RUNNING' },
    ]);
  });
});
