import type { Registry } from 'prom-client';
import { registerFamily, SeriesSet, seriesKey, type FamilySpec, type SeriesLabels } from './family.ts';

/**
 * Connector and task states as Prometheus state sets: one series per possible state, 1 for the
 * current one and 0 for the others (the kube-state-metrics convention). An alert is then
 * `mm2ts_task_state{state="FAILED"} == 1`, with no numeric code to remember, and
 * `sum by (state) (mm2ts_task_state)` counts tasks per state.
 */

/** Kafka Connect's connector/task states (the status API's `state` values). */
export const CONNECT_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPED', 'RESTARTING'] as const;
export type ConnectState = (typeof CONNECT_STATES)[number];

export interface StateRecorder {
  set(state: ConnectState): void;
  remove(): void;
}

interface StateOwner {
  readonly labels: SeriesLabels;
  current: ConnectState;
}

/** One series per (owner, state); the family reads `current` at scrape time. */
interface StateSeries {
  readonly labels: SeriesLabels;
  readonly owner: StateOwner;
  readonly state: ConnectState;
}

class StateHandle implements StateRecorder, StateOwner {
  readonly labels: SeriesLabels;
  current: ConnectState;
  /** Per-state label sets, built once so a scrape does not rebuild them. */
  readonly series: readonly StateSeries[];
  private readonly detach: () => void;

  constructor(labels: SeriesLabels, initial: ConnectState, detach: () => void) {
    this.labels = labels;
    this.current = initial;
    this.detach = detach;
    this.series = CONNECT_STATES.map((state) => ({ labels: Object.freeze({ ...labels, state }), owner: this, state }));
  }

  set(state: ConnectState): void {
    this.current = state;
  }

  remove(): void {
    this.detach();
  }
}

export class StateMetrics {
  private readonly connectors = new SeriesSet<StateHandle>();
  private readonly tasks = new SeriesSet<StateHandle>();

  constructor(registry: Registry, options: { clock?: () => number } = {}) {
    const clock = options.clock ?? Date.now;
    const read: FamilySpec<StateSeries>['read'] = (s) => (s.owner.current === s.state ? 1 : 0);
    registerFamily(
      registry,
      {
        name: 'mm2ts_connector_state',
        help: `Connector state: 1 for the current state, 0 for the others (${CONNECT_STATES.join(', ')})`,
        labelNames: ['route', 'connector', 'state'],
        type: 'gauge',
        read,
      },
      () => flatten(this.connectors.values()),
      clock,
    );
    registerFamily(
      registry,
      {
        name: 'mm2ts_task_state',
        help: `Task state: 1 for the current state, 0 for the others (${CONNECT_STATES.join(', ')})`,
        labelNames: ['route', 'connector', 'task', 'state'],
        type: 'gauge',
        read,
      },
      () => flatten(this.tasks.values()),
      clock,
    );
  }

  /** `route` is `S->T` (Java's herder pair); `connector` e.g. `MirrorSourceConnector`. */
  connector(labels: { route: string; connector: string }, initial: ConnectState = 'UNASSIGNED'): StateRecorder {
    const key = seriesKey([labels.route, labels.connector]);
    const handle: StateHandle = new StateHandle(
      Object.freeze({ route: labels.route, connector: labels.connector }),
      initial,
      () => this.connectors.delete(key, handle),
    );
    this.connectors.put(key, handle);
    return handle;
  }

  task(
    labels: { route: string; connector: string; task: number },
    initial: ConnectState = 'UNASSIGNED',
  ): StateRecorder {
    const task = String(labels.task);
    const key = seriesKey([labels.route, labels.connector, task]);
    const handle: StateHandle = new StateHandle(
      Object.freeze({ route: labels.route, connector: labels.connector, task }),
      initial,
      () => this.tasks.delete(key, handle),
    );
    this.tasks.put(key, handle);
    return handle;
  }
}

function* flatten(handles: Iterable<StateHandle>): Iterable<StateSeries> {
  for (const h of handles) yield* h.series;
}
