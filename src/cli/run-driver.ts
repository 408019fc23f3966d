import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { loadMirrorMakerConfig, type LoadedConfig } from '../config/index.ts';
import { clientCertificates } from '../config/client-certificates.ts';
import { readHttpSettings, startHttpServers, type HealthReport } from '../http/index.ts';
import { reloadPlugin } from '../http/plugins/reload.ts';
import { membersPlugin } from '../http/plugins/members.ts';
import { uiPlugin } from '../http/plugins/ui.ts';
import { createApplianceMetrics, parseMetricsLevel } from '../metrics/index.ts';
import { ReloadMetrics } from '../metrics/reload-metrics.ts';
import { ClusterIdReader, routeClusters } from '../runtime/cluster-ids.ts';
import { Driver, workerPolicyOf } from '../runtime/driver.ts';
import { defaultCollaborators } from '../runtime/default-collaborators.ts';
import { startProgressLog } from '../runtime/progress-log.ts';
import { startMembership } from '../runtime/membership.ts';
import { readiness, stateSamples } from '../runtime/readiness.ts';
import { Reloader, type ReloadProblem } from '../runtime/reload.ts';
import { watchConfigFile } from '../runtime/reload-watch.ts';
import { connectorsPlugin } from '../http/plugins/connectors.ts';
import { connectorsPort, mirrorPlugins } from '../runtime/connector-control.ts';
import { loggersPort } from '../runtime/log-levels.ts';
import { describeError } from '../util/errors.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import { packageVersion } from '../util/version.ts';
import {
  changedHttpKeys,
  httpConfigSource,
  httpSettingsErrorKey,
  httpSettingsFingerprint,
} from './http-config-source.ts';
import type { CliIo } from './io.ts';
import { statusPageData } from './status-page-data.ts';

const STOP_TIMEOUT_MS = 30_000;
/** Exit code after an error escaped every handler (BSD's EX_SOFTWARE): never 0, so a supervisor restarts us. */
const CRASH_EXIT_CODE = 70;

/** SIGTERM and SIGINT stop the appliance gracefully; SIGHUP reloads the configuration file (see runDriver). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      resolveSignal(signal);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
  });
}

/**
 * The last resort: an error that escaped every unit's own handling is a bug. Log it with what we
 * know and exit non-zero at once, so a supervisor restarts the process with its stored positions,
 * instead of running on in an unknown state (or dying silently with 0).
 */
function installLastResort(logger: Logger): void {
  const crash = (kind: string) => (err: unknown) => {
    logger.fatal(
      { kind, err: describeError(err), stack: err instanceof Error ? err.stack : undefined },
      `${kind}: exiting with code ${CRASH_EXIT_CODE} so a supervisor restarts the process`,
    );
    logger.flush();
    process.exit(CRASH_EXIT_CODE);
  };
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
}

/**
 * Node prints process warnings (e.g. MaxListenersExceededWarning while a client library queues
 * writes on a socket that is still connecting) as plain text on stderr, which breaks a JSON log
 * stream: its default printer is replaced by a JSON log line.
 */
function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn({ warning: warning.name, detail: warning.message }, 'Node.js process warning');
  });
}

/**
 * The start-up checks done here rather than by the config loader, for a reloaded file: the HTTP
 * listeners and credentials must still be valid (a change to them needs a restart, but an edit
 * that breaks them is refused like any other invalid file).
 */
function processChecks(config: LoadedConfig): ReloadProblem[] {
  try {
    readHttpSettings(httpConfigSource(config));
    return [];
  } catch (err) {
    const named = httpSettingsErrorKey(err);
    const line = config.properties.lines.get(named);
    return [
      {
        code: 'ERR_CONFIG',
        message: (err as Error).message,
        key: named,
        ...(line !== undefined ? { line } : {}),
        ...(config.file !== undefined ? { file: config.file } : {}),
      },
    ];
  }
}

/** Top-level keys a reload applies to the running process itself (the progress log, the file watch). */
const LIVE_PROCESS_KEYS = ['mm2ts.log.progress.interval.ms', 'mm2ts.config.watch', 'mm2ts.config.watch.interval.ms'];

/** How the process was started: what a reload reads again. */
export interface RunSelection {
  /** `--clusters`: the target aliases this node serves (empty: all). */
  clusters: readonly string[];
}

/**
 * The dedicated-mode run: starts every selected route (each keeps retrying until it runs), serves
 * metrics, liveness, readiness, status and the operator API on the configured listeners
 * (docs/security.md), logs progress, and on
 * SIGTERM or SIGINT — in any phase, start-up included — drains in-flight records, stores
 * positions and returns (exit 0), within 30 s. SIGHUP, `POST /reload` and (with
 * `mm2ts.config.watch`) a change of the file reload it: the file the process was started with and
 * the same `--clusters` selection, validated whole, and only the routes whose settings changed are
 * restarted (docs/runbooks/operating.md).
 */
export async function runDriver(
  config: LoadedConfig,
  _io: CliIo,
  logger: Logger = createLogger(),
  selection: RunSelection = { clusters: [] },
): Promise<void> {
  // A listener or credential setting the appliance cannot honour fails here, before anything starts.
  const httpSettings = readHttpSettings(httpConfigSource(config));
  const startedHttp = httpSettingsFingerprint(config);
  installLastResort(logger);
  logProcessWarnings(logger);
  // Before anything creates a child logger: it names the route, connector, kafka and http loggers.
  const loggers = loggersPort(logger);
  const signal = waitForStopSignal();
  const version = packageVersion();
  const metrics = createApplianceMetrics({
    version,
    level: parseMetricsLevel(config.properties.values.get('mm2ts.metrics.level')),
  });
  metrics.tls.set(clientCertificates(config));
  const driver = new Driver(config, defaultCollaborators({ metrics }), logger, workerPolicyOf(config));
  metrics.states.observe(() => stateSamples(driver.status()));
  // Scale-out (docs/scale-out.md): with mm2ts.cluster.enabled the group decides which routes run here.
  const membership = await startMembership(config, driver, logger, metrics.registry);
  const reloadMetrics = new ReloadMetrics(metrics.registry);
  const file = config.file;
  let stopProgress: () => void = () => {};
  let stopWatch: () => void = () => {};
  const armProgressLog = (current: LoadedConfig): void => {
    stopProgress();
    stopProgress = startProgressLog({
      intervalMs: Number(current.properties.values.get('mm2ts.log.progress.interval.ms')?.trim() || 60_000),
      routes: () => driver.status(),
      totals: (source, target) => metrics.source.routeTotals(source, target),
      logger,
    });
  };
  const reloader = new Reloader({
    current: config,
    load: () => {
      if (file === undefined) throw new Error('the configuration was not read from a file: nothing to reload');
      return loadMirrorMakerConfig(file, { clusters: selection.clusters, collectErrors: true });
    },
    driver,
    logger,
    check: processChecks,
    // The HTTP server keeps what it started with: compared with that, not with the last reload.
    restartNeededBy: (next) => changedHttpKeys(startedHttp, httpSettingsFingerprint(next)),
    liveKeys: LIVE_PROCESS_KEYS,
    onApplied: (current) => {
      metrics.tls.set(clientCertificates(current));
      armProgressLog(current);
      armWatch(current);
      membership?.configChanged(current);
    },
    observe: (outcome) => reloadMetrics.observe(outcome),
  });
  const reloadLogged = (trigger: 'SIGHUP' | 'file-change') => (): void => {
    // The outcome is logged by the reloader; only a bug could reject here.
    reloader
      .reload(trigger)
      .catch((err: unknown) => logger.error({ err: describeError(err), trigger }, 'reload failed'));
  };
  const onHangup = reloadLogged('SIGHUP');
  const armWatch = (current: LoadedConfig): void => {
    stopWatch();
    stopWatch = () => {};
    const values = current.properties.values;
    if (file === undefined || values.get('mm2ts.config.watch')?.trim().toLowerCase() !== 'true') return;
    const intervalMs = Number(values.get('mm2ts.config.watch.interval.ms')?.trim() || 2_000);
    stopWatch = watchConfigFile(file, intervalMs, reloadLogged('file-change'));
  };
  process.on('SIGHUP', onHangup);
  // Java has no public REST API in dedicated mode; this read-only view shows routes, connector and
  // task states and each task's assigned partitions (Java's `task.assigned.partitions`).
  const statusPlugin = async (app: FastifyInstance): Promise<void> => {
    app.get('/status', async () => ({
      routes: driver.status(),
      ...(membership ? { member: membership.status() } : {}),
    }));
  };
  // GET /'s cluster ids: read in the background from the start, for the routes of the file as last applied.
  const clusterIds = new ClusterIdReader({ clusters: () => routeClusters(reloader.config), logger });
  if (httpSettings.listeners.length > 0) clusterIds.ids();
  const kafkaClusters = (): { ids: Record<string, string | null>; worker?: string } => {
    const targets = new Set(reloader.config.routes.map((r) => r.target));
    const [worker] = targets;
    return { ids: clusterIds.ids(), ...(targets.size === 1 && worker !== undefined ? { worker } : {}) };
  };
  const liveness = (): HealthReport => ({ status: 'healthy', message: 'process running; readiness at /ready' });
  // Listen before the routes start, so /ready says what is starting instead of refusing connections.
  const servers = await startHttpServers(httpSettings, {
    registry: metrics.registry,
    health: liveness,
    ready: () => (membership ? membership.readiness(readiness(driver.status())) : readiness(driver.status())),
    logger,
    version,
    kafkaClusters,
    plugins: [
      statusPlugin,
      connectorsPlugin({
        // Connect's worker_id names the worker running a connector or task: in a group, this member.
        connectors: connectorsPort(() => driver.runtimes(), {
          logger,
          ...(membership ? { workerId: membership.status().instance } : {}),
        }),
        plugins: mirrorPlugins(version),
        loggers,
      }),
      reloadPlugin({ reload: () => reloader.reload('http') }),
      membersPlugin({
        members: () =>
          membership ? { enabled: true, ...membership.status() } : { enabled: false, instance: hostname() },
      }),
      uiPlugin({
        // The routes of the file as last applied: a reload adds routes and changes policies.
        data: statusPageData({
          version,
          routes: () => driver.status(),
          configs: () => reloader.config.routes,
          metrics,
        }),
        logger,
      }),
    ],
  });
  for (const w of httpSettings.warnings) logger.warn({ key: w.key }, w.message);
  for (const s of servers)
    logger.info({ url: s.url, auth: httpSettings.auth !== undefined }, 'operator HTTP server listening');
  const closeHttp = (): Promise<unknown> => {
    clusterIds.close();
    return Promise.all(servers.map((s) => s.close()));
  };
  armProgressLog(config);
  armWatch(config);
  const stopReloads = (): void => {
    // Still handled while draining: SIGHUP's default action would kill the process mid-stop.
    process.off('SIGHUP', onHangup);
    process.on('SIGHUP', () => logger.info('SIGHUP ignored: the process is stopping'));
    stopWatch();
  };

  const starting = driver.start();
  const first = await Promise.race([starting.then(() => undefined), signal]).catch(async (err: unknown) => {
    stopReloads();
    stopProgress();
    await closeHttp();
    await membership?.stop();
    throw err;
  });
  // A signal during start-up stops the routes where they are (their start attempts are aborted).
  const received = first ?? (await signal);
  if (first !== undefined) starting.catch(() => {});
  logger.info({ signal: received }, 'stopping on signal');
  const timer = setTimeout(() => {
    logger.error(`stop took longer than ${STOP_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  timer.unref();
  stopReloads();
  stopProgress();
  await closeHttp();
  membership?.drain();
  await driver.stop();
  // Only after the routes stopped (drained, positions flushed) may another member take them.
  await membership?.stop();
  clearTimeout(timer);
  logger.flush();
}
