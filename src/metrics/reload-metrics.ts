import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_PREFIX } from './registry.ts';

/** The outcomes of a configuration reload (see src/runtime/reload.ts). */
export type ReloadOutcome = 'applied' | 'invalid' | 'busy';

/**
 * Configuration reloads, so an alert can catch a rejected edit that the process keeps running
 * without (`increase(mm2ts_config_reloads_total{outcome="invalid"}[10m]) > 0`) and a dashboard
 * can show when the running configuration was last applied.
 */
export class ReloadMetrics {
  private readonly reloads: Counter<'outcome'>;
  private readonly lastApplied: Gauge;
  private readonly clock: () => number;

  constructor(registry: Registry, clock: () => number = Date.now) {
    this.reloads = new Counter({
      name: `${METRICS_PREFIX}config_reloads_total`,
      help: 'Configuration reloads by outcome: applied, invalid (the file was rejected, nothing changed) or busy (refused while another ran)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['applied', 'invalid', 'busy'] as const) this.reloads.inc({ outcome }, 0);
    this.lastApplied = new Gauge({
      name: `${METRICS_PREFIX}config_last_applied_timestamp_seconds`,
      help: 'When the running configuration was applied (start-up or the last successful reload), in Unix seconds',
      registers: [registry],
    });
    this.clock = clock;
    this.applied();
  }

  /** Counts one reload; an applied one also moves the timestamp. */
  observe(outcome: ReloadOutcome): void {
    this.reloads.inc({ outcome });
    if (outcome === 'applied') this.applied();
  }

  private applied(): void {
    this.lastApplied.set(this.clock() / 1000);
  }
}
