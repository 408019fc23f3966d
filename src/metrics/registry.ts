import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { packageVersion } from '../util/version.ts';

/** Prefix of the Node process metrics and of every metric this appliance adds beyond Java's. */
export const METRICS_PREFIX = 'mm2ts_';

export interface MetricsRegistryOptions {
  /** Reported in `mm2ts_build_info{version}`; defaults to the package version. */
  version?: string;
  /** Node process metrics (`mm2ts_process_*`, `mm2ts_nodejs_*`); default true. */
  processMetrics?: boolean;
}

/**
 * A fresh registry for one appliance instance. Nothing goes to prom-client's global registry, so
 * tests and several runtimes in one process never collide; pass the registry to the metric
 * groups (SourceMetrics, CheckpointMetrics, StateMetrics) and to the HTTP server.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const buildInfo = new Gauge({
    name: `${METRICS_PREFIX}build_info`,
    help: 'Always 1; the version label says which mirrormaker-ts build is running',
    labelNames: ['version'],
    registers: [registry],
  });
  buildInfo.set({ version: options.version ?? packageVersion() }, 1);
  return registry;
}
