import {
  changedTopLevelKeys,
  diffRoutes,
  KEYS_BY_NAME,
  type Diagnostic,
  type LoadedConfig,
  type RouteDifference,
} from '../config/index.ts';
import { isMirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { WORKER_POLICY_KEYS, workerPolicyOf, type Driver, type RouteStartFailure } from './driver.ts';

/** What asked for the reload (in the log line). */
export type ReloadTrigger = 'SIGHUP' | 'http' | 'file-change';

/** One reason a file was rejected, or a warning about it, with where to edit (as start-up reports it). */
export interface ReloadProblem {
  code: string;
  message: string;
  key?: string;
  line?: number;
  file?: string;
}

/** Routes by what the reload did to them (names `S->T`). */
export interface ReloadChanges {
  added: string[];
  removed: string[];
  restarted: string[];
  unchanged: string[];
}

export type ReloadResult =
  | {
      outcome: 'applied';
      changed: ReloadChanges;
      /** Per restarted route, the file keys whose values made the difference (never the values). */
      restartedBecause: Record<string, readonly string[]>;
      /** Changed keys the running process cannot apply (e.g. the HTTP listener): they apply at the next restart. */
      needsRestart: string[];
      /** Started routes that can never run (they are shown FAILED in /status, as at start-up). */
      failed: RouteStartFailure[];
      warnings: ReloadProblem[];
    }
  | { outcome: 'invalid'; errors: ReloadProblem[] }
  | { outcome: 'busy' };

export interface ReloaderOptions {
  /** The config the process runs now (the one it started with). */
  current: LoadedConfig;
  /** Reads and validates the file again, with the process's `--clusters` selection; collects errors instead of throwing. */
  load: () => LoadedConfig;
  driver: Pick<Driver, 'apply'>;
  logger: Logger;
  /**
   * Process-wide checks start-up does outside the config loader (e.g. the listener's syntax), on
   * the new config: a problem rejects the file as the loader's errors do.
   */
  check?: (config: LoadedConfig) => ReloadProblem[];
  /**
   * More keys of the new config that need a restart, found by the caller (e.g. the HTTP settings
   * whose resolved values or files changed while the keys did not: a new secret behind the same
   * provider placeholder, a renewed certificate at the same path).
   */
  restartNeededBy?: (config: LoadedConfig) => readonly string[];
  /** Top-level process keys the caller applies live itself (see `onApplied`); other process keys need a restart. */
  liveKeys?: readonly string[];
  /** Called with the new config after it was applied (re-arm timers that depend on top-level keys). */
  onApplied?: (config: LoadedConfig) => void;
  /** Counts outcomes (metrics). */
  observe?: (outcome: ReloadResult['outcome']) => void;
}

function problemOf(err: unknown, file: string | undefined): ReloadProblem {
  if (isMirrorError(err)) {
    const d = err.details;
    return {
      code: err.code,
      message: err.message,
      ...(typeof d['key'] === 'string' ? { key: d['key'] } : {}),
      ...(typeof d['line'] === 'number' ? { line: d['line'] } : {}),
      ...(typeof d['file'] === 'string' ? { file: d['file'] } : file !== undefined ? { file } : {}),
    };
  }
  return { code: 'ERR_CONFIG', message: err instanceof Error ? err.message : String(err), ...(file ? { file } : {}) };
}

function diagnosticProblem(d: Diagnostic, file: string | undefined): ReloadProblem {
  return {
    code: d.code,
    message: d.message,
    ...(d.key !== undefined ? { key: d.key } : {}),
    ...(d.line !== undefined ? { line: d.line } : {}),
    ...(file !== undefined ? { file } : {}),
  };
}

/**
 * Hot reload: re-reads the file the process runs, validates it whole with the checks of start-up,
 * and applies only the difference to the driver; an invalid file changes nothing. Reloads run one
 * at a time: a reload asked for over HTTP while one runs is refused (`busy`), one asked for by a
 * signal or a file change waits and runs after it (several such requests meanwhile make one).
 */
export class Reloader {
  private readonly options: ReloaderOptions;
  private current: LoadedConfig;
  private running: Promise<ReloadResult> | undefined;
  private queued: Promise<ReloadResult> | undefined;

  constructor(options: ReloaderOptions) {
    this.options = options;
    this.current = options.current;
  }

  /** The config the process runs now. */
  get config(): LoadedConfig {
    return this.current;
  }

  reload(
    trigger: ReloadTrigger,
    whenBusy: 'refuse' | 'queue' = trigger === 'http' ? 'refuse' : 'queue',
  ): Promise<ReloadResult> {
    if (!this.running) return this.run(trigger);
    if (whenBusy === 'refuse') {
      this.options.observe?.('busy');
      return Promise.resolve({ outcome: 'busy' });
    }
    // After the running one whatever its outcome (a failed one must not block later reloads).
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.run(trigger);
      });
    return this.queued;
  }

  private run(trigger: ReloadTrigger): Promise<ReloadResult> {
    const running = this.once(trigger).then((result) => {
      this.options.observe?.(result.outcome);
      return result;
    });
    this.running = running.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async once(trigger: ReloadTrigger): Promise<ReloadResult> {
    const { logger } = this.options;
    const file = this.current.file;
    let next: LoadedConfig;
    try {
      next = this.options.load();
    } catch (err) {
      return this.rejected(trigger, [problemOf(err, file)]);
    }
    const errors = [
      ...next.diagnostics.filter((d) => d.severity === 'error').map((d) => diagnosticProblem(d, file)),
      ...(this.options.check?.(next) ?? []),
    ];
    if (errors.length > 0) return this.rejected(trigger, errors);
    const warnings = next.diagnostics.filter((d) => d.severity === 'warning').map((d) => diagnosticProblem(d, file));
    for (const { message, ...where } of warnings) logger.warn({ trigger, ...where }, message);

    const before = this.current.properties.values;
    const after = next.properties.values;
    const policyKeys = changedTopLevelKeys(before, after, (k) => WORKER_POLICY_KEYS.includes(k));
    const difference: RouteDifference = diffRoutes(this.current.routes, next.routes, policyKeys);
    const live = new Set([...WORKER_POLICY_KEYS, ...(this.options.liveKeys ?? [])]);
    const changedKeys = changedTopLevelKeys(before, after, (k) => {
      const def = KEYS_BY_NAME.get(k);
      // `clusters` and the providers shape the routes, whose difference is applied; every other
      // process-level key (the HTTP listener and its security) is read once at start-up.
      return def?.scope === 'mm2' && k !== 'clusters' && !k.startsWith('config.providers') && !live.has(k);
    });
    const needsRestart = [...new Set([...changedKeys, ...(this.options.restartNeededBy?.(next) ?? [])])].sort();
    const failed = await this.options.driver.apply(next, difference, workerPolicyOf(next));
    this.current = next;
    this.options.onApplied?.(next);
    const changed: ReloadChanges = {
      added: [...difference.added],
      removed: [...difference.removed],
      restarted: difference.restarted.map((r) => r.route),
      unchanged: [...difference.unchanged],
    };
    const restartedBecause = Object.fromEntries(difference.restarted.map((r) => [r.route, r.keys]));
    logger.info(
      { trigger, file, changed, restartedBecause, needsRestart, ...(failed.length > 0 ? { failed } : {}) },
      `configuration reloaded: ${changed.added.length} route(s) added, ${changed.removed.length} removed, ${changed.restarted.length} restarted, ${changed.unchanged.length} unchanged` +
        (needsRestart.length > 0 ? `; ${needsRestart.join(', ')} changed and apply only after a restart` : ''),
    );
    return { outcome: 'applied', changed, restartedBecause, needsRestart, failed, warnings };
  }

  private rejected(trigger: ReloadTrigger, errors: ReloadProblem[]): ReloadResult {
    this.options.logger.error(
      { trigger, file: this.current.file, errors },
      `configuration reload rejected, nothing changed: ${errors.map((e) => (e.line !== undefined ? `line ${e.line}: ${e.message}` : e.message)).join('; ')}`,
    );
    return { outcome: 'invalid', errors };
  }
}
