import type { StateSample } from '../metrics/index.ts';
import type { RouteStatus } from './route-runtime.ts';

/** A unit that is not doing its work: a route that cannot start, a connector or a task not RUNNING. */
export interface NotRunning {
  route: string;
  connector?: string;
  task?: number;
  state: string;
  /** The last cause, in words (the first line of a trace); never a secret. */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  message: string;
  notRunning: NotRunning[];
}

/**
 * A RUNNING task that has retried the same failing work this long is not doing its work: Java's
 * producer would have failed the task after `delivery.timeout.ms` (2 min); we keep retrying
 * (nothing is lost and it resumes by itself) but stop calling it ready after one minute.
 */
export const RETRYING_NOT_READY_MS = 60_000;

/** The first line of a trace: the error's name and message, without the stack. */
function firstLine(trace: string | undefined): string | undefined {
  return trace?.split('\n', 1)[0];
}

/**
 * Readiness as `/ready` reports it: ready only when every selected route that replicates has
 * started and all its connectors and tasks are RUNNING. Heartbeat-only routes are shown in
 * `/status` but do not hold readiness back (they copy nothing).
 */
export function readiness(routes: readonly RouteStatus[]): Readiness {
  const notRunning: NotRunning[] = [];
  let tasks = 0;
  const replicating = routes.filter((r) => r.enabled);
  for (const r of replicating) {
    if (r.state !== 'RUNNING') {
      const error = r.error ?? firstLine(r.trace);
      notRunning.push({ route: r.route, state: r.state, ...(error ? { error } : {}) });
      continue;
    }
    for (const c of r.connectors) {
      if (c.state !== 'RUNNING') {
        const error = firstLine(c.trace);
        notRunning.push({ route: r.route, connector: c.name, state: c.state, ...(error ? { error } : {}) });
      }
      for (const t of c.tasks) {
        tasks++;
        if (t.state === 'RUNNING' && t.retrying !== undefined && t.retrying.forMs >= RETRYING_NOT_READY_MS) {
          const seconds = Math.round(t.retrying.forMs / 1000);
          notRunning.push({
            route: r.route,
            connector: c.name,
            task: t.id,
            state: t.state,
            error: `retrying for ${seconds} s: ${t.retrying.cause}`,
          });
          continue;
        }
        if (t.state === 'RUNNING') continue;
        const error = firstLine(t.trace);
        notRunning.push({ route: r.route, connector: c.name, task: t.id, state: t.state, ...(error ? { error } : {}) });
      }
    }
  }
  if (notRunning.length === 0) {
    return { ready: true, message: `${replicating.length} route(s) running, ${tasks} task(s)`, notRunning };
  }
  const what = notRunning.map(
    (n) =>
      `${n.route}${n.connector ? ` ${n.connector}` : ''}${n.task !== undefined ? ` task ${n.task}` : ''} ${n.state}`,
  );
  return { ready: false, message: `not running: ${what.join(', ')}`, notRunning };
}

/** Every route, connector and task state, for the state metrics. */
export function* stateSamples(routes: readonly RouteStatus[]): Iterable<StateSample> {
  for (const r of routes) {
    const where = { route: r.route, source: r.source, target: r.target };
    yield { ...where, state: r.state };
    for (const c of r.connectors) {
      yield { ...where, connector: c.name, state: c.state };
      for (const t of c.tasks) yield { ...where, connector: c.name, task: t.id, state: t.state };
    }
  }
}
