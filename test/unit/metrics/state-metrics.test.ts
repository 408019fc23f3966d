import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CONNECT_STATES, StateMetrics } from '../../../src/metrics/state-metrics.ts';
import { series, value } from './scrape.ts';

describe('StateMetrics', () => {
  it('exposes a state set: one series per state, 1 for the current one', async () => {
    const registry = new Registry();
    const states = new StateMetrics(registry);
    const task = states.task({ route: 'A->B', connector: 'MirrorSourceConnector', task: 1 });
    const all = await series(registry, 'mm2ts_task_state');
    expect(all).toHaveLength(CONNECT_STATES.length);
    expect(await value(registry, 'mm2ts_task_state', { state: 'UNASSIGNED' })).toBe(1);
    task.set('FAILED');
    expect(await value(registry, 'mm2ts_task_state', { state: 'FAILED', task: '1' })).toBe(1);
    expect(await value(registry, 'mm2ts_task_state', { state: 'UNASSIGNED' })).toBe(0);
    task.remove();
    expect(await series(registry, 'mm2ts_task_state')).toEqual([]);
  });

  it('labels connectors by route and connector class', async () => {
    const registry = new Registry();
    const states = new StateMetrics(registry);
    states.connector({ route: 'A->B', connector: 'MirrorCheckpointConnector' }, 'RUNNING');
    expect(
      await value(registry, 'mm2ts_connector_state', {
        route: 'A->B',
        connector: 'MirrorCheckpointConnector',
        state: 'RUNNING',
      }),
    ).toBe(1);
  });
});
