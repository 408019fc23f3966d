import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { packageVersion } from '../util/version.ts';
import { ExpositionWriter } from './exposition-writer.ts';
import { LiveFamily } from './family.ts';

/** Prefix of the Node process metrics and of every metric this appliance adds beyond Java's. */
export const METRICS_PREFIX = 'mm2ts_';

/**
 * How often the event-loop delay histogram behind `mm2ts_nodejs_eventloop_lag_*` samples the loop
 * (`perf_hooks.monitorEventLoopDelay`'s resolution: a timer of its own). prom-client's default, 10 ms,
 * woke an idle mirror 100 times a second for that alone (docs/benchmarks/2026-12-01-idle-wakeups.md).
 * At 100 ms a stall of the loop still shows in full in the sample it delays; one shorter than
 * 100 ms may fall between samples.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

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
  const registry = new ApplianceRegistry();
  if (options.processMetrics !== false)
    collectDefaultMetrics({
      register: registry,
      prefix: METRICS_PREFIX,
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  const buildInfo = new Gauge({
    name: `${METRICS_PREFIX}build_info`,
    help: 'Always 1; the version label says which mirrormaker-ts build is running',
    labelNames: ['version'],
    registers: [registry],
  });
  buildInfo.set({ version: options.version ?? packageVersion() }, 1);
  return registry;
}

/** prom-client's own rendering of one metric (not in its type declarations). */
const renderThroughPromClient = (
  Registry.prototype as unknown as { getMetricsAsString(this: Registry, metric: unknown): Promise<string> }
).getMetricsAsString;

/**
 * prom-client's registry, except that the live families (family.ts) write their own text: the
 * same bytes as prom-client's `getMetricsAsString`, without rebuilding every series' labels on
 * every scrape. Default labels (which this appliance never sets) send them the generic way.
 */
class ApplianceRegistry extends Registry {
  private withDefaultLabels = false;
  /** The last exposition's size: the next one's buffer starts there. */
  private lastBytes = 64 * 1024;

  override setDefaultLabels(labels: object): void {
    this.withDefaultLabels = Object.keys(labels).length > 0;
    super.setDefaultLabels(labels);
  }

  /**
   * `metrics()` as UTF-8 bytes, written straight into one buffer (exposition-writer.ts): what the
   * operator HTTP server sends for `/metrics`. Byte for byte `Buffer.from(await metrics())`.
   */
  async metricsBytes(): Promise<Buffer> {
    // OpenMetrics renames counters and ends with `# EOF`: prom-client's own path (never used here).
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return Buffer.from(await this.metrics());
    const out = new ExpositionWriter(this.lastBytes + (this.lastBytes >> 3));
    let first = true;
    for (const metric of this.getMetricsAsArray() as unknown[]) {
      if (!first) out.text('\n\n');
      first = false;
      if (metric instanceof LiveFamily && !this.withDefaultLabels) metric.renderInto(out);
      else out.text(await renderThroughPromClient.call(this, metric));
    }
    out.byte(0x0a);
    this.lastBytes = out.length;
    return out.finish();
  }

  /** Called by `metrics()` for every registered metric. */
  getMetricsAsString(metric: unknown): Promise<string> {
    if (metric instanceof LiveFamily && !this.withDefaultLabels) return Promise.resolve(metric.render());
    return renderThroughPromClient.call(this, metric);
  }
}
