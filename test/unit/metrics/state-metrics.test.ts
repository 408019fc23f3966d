import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CONNECT_STATES, StateMetrics, type StateSample } from '../../../src/metrics/state-metrics.ts';
import { series, value } from './scrape.ts';

describe('StateMetrics', () => {
  it('exposes a state set read at scrape time: one series per state, 1 for the current one', async () => {
    const registry = new Registry();
    const states = new StateMetrics(registry);
    let samples: StateSample[] = [
      { route: 'A->B', source: 'A', target: 'B', connector: 'MirrorSourceConnector', task: 1, state: 'UNASSIGNED' },
    ];
    states.observe(() => samples);
    expect(await series(registry, 'mm2ts_task_state')).toHaveLength(CONNECT_STATES.length);
    expect(await value(registry, 'mm2ts_task_state', { state: 'UNASSIGNED' })).toBe(1);
    samples = [
      { route: 'A->B', source: 'A', target: 'B', connector: 'MirrorSourceConnector', task: 1, state: 'FAILED' },
    ];
    expect(await value(registry, 'mm2ts_task_state', { state: 'FAILED', task: '1' })).toBe(1);
    expect(await value(registry, 'mm2ts_task_state', { state: 'UNASSIGNED' })).toBe(0);
    samples = [];
    expect(await series(registry, 'mm2ts_task_state')).toEqual([]);
  });

  it('has a route state set, labelled with the route and its source and target', async () => {
    const registry = new Registry();
    const states = new StateMetrics(registry);
    states.observe(() => [{ route: 'A->C', source: 'A', target: 'C', state: 'FAILED' }]);
    expect(
      await value(registry, 'mm2ts_route_state', { route: 'A->C', source: 'A', target: 'C', state: 'FAILED' }),
    ).toBe(1);
    expect(await series(registry, 'mm2ts_route_state')).toHaveLength(CONNECT_STATES.length);
    expect(await series(registry, 'mm2ts_connector_state')).toEqual([]);
  });

  it('labels connectors by route and connector class, apart from tasks', async () => {
    const registry = new Registry();
    const states = new StateMetrics(registry);
    states.observe(() => [
      { route: 'A->B', source: 'A', target: 'B', connector: 'MirrorCheckpointConnector', state: 'RUNNING' },
      { route: 'A->B', source: 'A', target: 'B', connector: 'MirrorCheckpointConnector', task: 0, state: 'FAILED' },
    ]);
    expect(
      await value(registry, 'mm2ts_connector_state', {
        route: 'A->B',
        connector: 'MirrorCheckpointConnector',
        state: 'RUNNING',
      }),
    ).toBe(1);
    expect(await series(registry, 'mm2ts_connector_state')).toHaveLength(CONNECT_STATES.length);
    expect(await value(registry, 'mm2ts_task_state', { task: '0', state: 'FAILED' })).toBe(1);
  });
});
