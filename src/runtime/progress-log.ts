import type { RouteTotals } from '../metrics/index.ts';
import type { Logger } from '../util/logger.ts';
import { readiness } from './readiness.ts';
import type { RouteStatus } from './route-runtime.ts';

export interface ProgressLogOptions {
  intervalMs: number;
  routes: () => readonly RouteStatus[];
  totals: (source: string, target: string) => RouteTotals;
  logger: Logger;
  clock?: () => number;
}

/**
 * A periodic INFO line per replicating route, for operators who read logs rather than dashboards:
 * records/s since the last line, lag in records, recovery point age and the units not running.
 * Returns the function that stops it.
 */
export function startProgressLog(options: ProgressLogOptions): () => void {
  if (!(options.intervalMs > 0)) return () => {};
  const clock = options.clock ?? Date.now;
  const last = new Map<string, { at: number; records: number }>();
  const timer = setInterval(() => {
    const now = clock();
    for (const route of options.routes()) {
      if (!route.enabled) continue;
      const totals = options.totals(route.source, route.target);
      const before = last.get(route.route);
      last.set(route.route, { at: now, records: totals.records });
      const seconds = before ? (now - before.at) / 1000 : 0;
      const rate = before && seconds > 0 ? Math.max(0, (totals.records - before.records) / seconds) : undefined;
      const notRunning = readiness([route]).notRunning.length;
      options.logger.info(
        {
          route: route.route,
          state: route.state,
          partitions: totals.partitions,
          recordsPerSecond: rate === undefined ? null : Math.round(rate),
          lagRecords: totals.lag ?? null,
          recoveryPointAgeSeconds:
            totals.recoveryPointMs === undefined
              ? null
              : Math.max(0, Math.round((now - totals.recoveryPointMs) / 1000)),
          notRunning,
        },
        'replication progress',
      );
    }
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
