import { ConfigError } from '../util/errors.ts';
import { METRICS_LEVELS, type MetricsLevel } from './family.ts';

/**
 * The appliance's default for `mm2ts.metrics.level`: one series per remote topic. Java's
 * MirrorSourceMetrics are per partition, which at 8,000 partitions made a 13.9 MB scrape
 * (docs/benchmarks/2026-11-30-scale.md); per topic keeps every label the shipped dashboard and
 * alerts use.
 */
export const DEFAULT_METRICS_LEVEL: MetricsLevel = 'topic';

/** `mm2ts.metrics.level` as a level; unset or blank is the default. */
export function parseMetricsLevel(text: string | undefined): MetricsLevel {
  const value = text?.trim().toLowerCase() ?? '';
  if (value === '') return DEFAULT_METRICS_LEVEL;
  if ((METRICS_LEVELS as readonly string[]).includes(value)) return value as MetricsLevel;
  throw new ConfigError(`mm2ts.metrics.level must be one of ${METRICS_LEVELS.join(', ')}, got "${text}"`, {
    key: 'mm2ts.metrics.level',
  });
}
