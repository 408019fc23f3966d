import type { Registry } from 'prom-client';
import { CheckpointMetrics } from './checkpoint-metrics.ts';
import { createMetricsRegistry, type MetricsRegistryOptions } from './registry.ts';
import { SourceMetrics } from './source-metrics.ts';
import { StateMetrics } from './state-metrics.ts';
import { TlsCertificateMetrics } from './tls-metrics.ts';
import type { WindowConfig } from './windowed-stat.ts';
import type { MetricsLevel } from './family.ts';

export type { Registry } from 'prom-client';
export { createMetricsRegistry, METRICS_PREFIX, type MetricsRegistryOptions } from './registry.ts';
export {
  SourceMetrics,
  SOURCE_LABELS,
  type SourceMetricsOptions,
  type SourcePartitionLabels,
  type SourcePartitionMetrics,
  type RouteTotals,
} from './source-metrics.ts';
export {
  CheckpointMetrics,
  CHECKPOINT_LABELS,
  type CheckpointMetricsOptions,
  type CheckpointPartitionLabels,
  type CheckpointPartitionMetrics,
  type CheckpointRouteMetrics,
  type RouteLabels,
} from './checkpoint-metrics.ts';
export { StateMetrics, CONNECT_STATES, type ConnectState, type StateSample } from './state-metrics.ts';
export { METRICS_LEVELS, type MetricsLevel } from './family.ts';
export { DEFAULT_METRICS_LEVEL, parseMetricsLevel } from './level.ts';
export { sourceLabelNames } from './source-metrics.ts';
export { checkpointLabelNames } from './checkpoint-metrics.ts';
export { TlsCertificateMetrics, type CertificateExpirySample } from './tls-metrics.ts';
export { KAFKA_DEFAULT_WINDOW, WindowedStat, type WindowConfig } from './windowed-stat.ts';

/** Every metric group of one appliance instance, on one registry. */
export interface ApplianceMetrics {
  readonly registry: Registry;
  readonly source: SourceMetrics;
  readonly checkpoint: CheckpointMetrics;
  readonly states: StateMetrics;
  readonly tls: TlsCertificateMetrics;
}

export interface ApplianceMetricsOptions extends MetricsRegistryOptions {
  clock?: () => number;
  /** Sample window of the windowed gauges (Java `metrics.num.samples` × `metrics.sample.window.ms`). */
  window?: WindowConfig;
  /**
   * Granularity of the per-partition families (`mm2ts.metrics.level`). Default here `partition`
   * (every series, as Java); the appliance passes the key's value, whose default is `topic`.
   */
  level?: MetricsLevel;
}

/** A registry with every metric group registered: what the driver creates once at start-up. */
export function createApplianceMetrics(options: ApplianceMetricsOptions = {}): ApplianceMetrics {
  const registry = createMetricsRegistry(options);
  const groupOptions = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.window ? { window: options.window } : {}),
    ...(options.level ? { level: options.level } : {}),
  };
  return {
    registry,
    source: new SourceMetrics(registry, groupOptions),
    checkpoint: new CheckpointMetrics(registry, groupOptions),
    states: new StateMetrics(registry, groupOptions),
    tls: new TlsCertificateMetrics(registry),
  };
}
