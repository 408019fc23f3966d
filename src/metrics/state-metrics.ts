import type { Registry } from 'prom-client';
import { registerFamily, type SeriesLabels } from './family.ts';

/**
 * Connector and task states as Prometheus state sets: one series per possible state, 1 for the
 * current one and 0 for the others (the kube-state-metrics convention). An alert is then
 * `mm2ts_task_state{state="FAILED"} == 1`, with no numeric code to remember, and
 * `sum by (state) (mm2ts_task_state)` counts tasks per state.
 *
 * The states are read at scrape time from the same source `/status` and `/ready` answer from
 * (the driver's status), so the three can never disagree and a unit that is gone has no series.
 */

/** Kafka Connect's connector/task states (the status API's `state` values). */
export const CONNECT_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPED', 'RESTARTING'] as const;
export type ConnectState = (typeof CONNECT_STATES)[number];

/**
 * The current state of one route (no `connector`), connector (no `task`) or task, with its route
 * (`S->T`) and the route's source and target aliases (so states join the replication metrics,
 * which are labelled by source and target).
 */
export interface StateSample {
  route: string;
  source: string;
  target: string;
  connector?: string;
  task?: number;
  state: ConnectState;
}

type StateKind = 'route' | 'connector' | 'task';

function kindOf(sample: StateSample): StateKind {
  if (sample.connector === undefined) return 'route';
  return sample.task === undefined ? 'connector' : 'task';
}

interface StateSeries {
  readonly labels: SeriesLabels;
  readonly value: number;
}

export class StateMetrics {
  private source: () => Iterable<StateSample> = () => [];

  constructor(registry: Registry, options: { clock?: () => number } = {}) {
    const clock = options.clock ?? Date.now;
    const read = (s: StateSeries): number => s.value;
    registerFamily(
      registry,
      {
        name: 'mm2ts_route_state',
        help: `Route state (its offsets store and plugins; FAILED while it cannot start and is retried): 1 for the current state, 0 for the others (${CONNECT_STATES.join(', ')})`,
        labelNames: ['route', 'source', 'target', 'state'],
        type: 'gauge',
        read,
      },
      () => this.series('route'),
      clock,
    );
    registerFamily(
      registry,
      {
        name: 'mm2ts_connector_state',
        help: `Connector state: 1 for the current state, 0 for the others (${CONNECT_STATES.join(', ')})`,
        labelNames: ['route', 'source', 'target', 'connector', 'state'],
        type: 'gauge',
        read,
      },
      () => this.series('connector'),
      clock,
    );
    registerFamily(
      registry,
      {
        name: 'mm2ts_task_state',
        help: `Task state: 1 for the current state, 0 for the others (${CONNECT_STATES.join(', ')})`,
        labelNames: ['route', 'source', 'target', 'connector', 'task', 'state'],
        type: 'gauge',
        read,
      },
      () => this.series('task'),
      clock,
    );
  }

  /** Where the states come from at each scrape (the driver's status). */
  observe(source: () => Iterable<StateSample>): void {
    this.source = source;
  }

  private *series(kind: StateKind): Iterable<StateSeries> {
    for (const sample of this.source()) {
      if (kindOf(sample) !== kind) continue;
      const base: Record<string, string> = { route: sample.route, source: sample.source, target: sample.target };
      if (sample.connector !== undefined) base['connector'] = sample.connector;
      if (sample.task !== undefined) base['task'] = String(sample.task);
      for (const state of CONNECT_STATES) {
        yield { labels: { ...base, state }, value: sample.state === state ? 1 : 0 };
      }
    }
  }
}
