import type { FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/index.ts';
import { startHttpServer, type HealthReport, type HttpServer } from '../http/index.ts';
import { createApplianceMetrics } from '../metrics/index.ts';
import { Driver } from '../runtime/driver.ts';
import { defaultCollaborators } from '../runtime/default-collaborators.ts';
import { startProgressLog } from '../runtime/progress-log.ts';
import { readiness, stateSamples } from '../runtime/readiness.ts';
import { connectorsPlugin } from '../http/plugins/connectors.ts';
import { connectorsPort, mirrorPlugins } from '../runtime/connector-control.ts';
import { loggersPort } from '../runtime/log-levels.ts';
import type { WorkerPolicy } from '../runtime/route-runtime.ts';
import { describeError } from '../util/errors.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import { packageVersion } from '../util/version.ts';
import type { CliIo } from './io.ts';

const STOP_TIMEOUT_MS = 30_000;
/** Exit code after an error escaped every handler (BSD's EX_SOFTWARE): never 0, so a supervisor restarts us. */
const CRASH_EXIT_CODE = 70;

/**
 * SIGTERM and SIGINT stop the appliance gracefully. So does SIGHUP: until live reload exists it
 * must not kill the process without draining (which re-sends everything since the last position
 * flush on restart); a supervisor restarts it with the edited file.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

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

/** `host:port` → listen options; an invalid value is a start-up error naming the key. */
function listener(value: string): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?\[?([^\]]*?)\]?:(\d+)$/.exec(value.trim());
  if (!m) throw new Error(`mm2ts.http.listener = ${value}: expected host:port, e.g. 0.0.0.0:8083`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

/** The worker settings of the file (types were checked when it was loaded). */
function workerPolicy(config: LoadedConfig): WorkerPolicy {
  const values = config.properties.values;
  const number = (key: string, fallback: number): number => Number(values.get(key)?.trim() || fallback);
  const autoRestart = values.get('mm2ts.task.auto.restart.enabled')?.trim().toLowerCase() === 'true';
  return autoRestart
    ? {
        autoRestart: {
          initialMs: number('mm2ts.task.auto.restart.backoff.ms', 10_000),
          maxMs: number('mm2ts.task.auto.restart.backoff.max.ms', 600_000),
        },
      }
    : {};
}

/**
 * The dedicated-mode run: starts every selected route (each keeps retrying until it runs), serves
 * metrics, liveness, readiness and status if `mm2ts.http.listener` is set, logs progress, and on
 * SIGTERM, SIGINT or SIGHUP — in any phase, start-up included — drains in-flight records, stores
 * positions and returns (exit 0), within 30 s.
 */
export async function runDriver(config: LoadedConfig, _io: CliIo, logger: Logger = createLogger()): Promise<void> {
  installLastResort(logger);
  logProcessWarnings(logger);
  const signal = waitForStopSignal();
  const version = packageVersion();
  const metrics = createApplianceMetrics({ version });
  const driver = new Driver(config, defaultCollaborators({ metrics }), logger, workerPolicy(config));
  metrics.states.observe(() => stateSamples(driver.status()));
  const listen = config.properties.values.get('mm2ts.http.listener')?.trim();
  // Java has no public REST API in dedicated mode; this read-only view shows routes, connector and
  // task states and each task's assigned partitions (Java's `task.assigned.partitions`).
  const statusPlugin = async (app: FastifyInstance): Promise<void> => {
    app.get('/status', async () => ({ routes: driver.status() }));
  };
  const liveness = (): HealthReport => ({ status: 'healthy', message: 'process running; readiness at /ready' });
  // Listen before the routes start, so /ready says what is starting instead of refusing connections.
  const http: HttpServer | undefined = listen
    ? await startHttpServer({
        ...listener(listen),
        registry: metrics.registry,
        health: liveness,
        ready: () => readiness(driver.status()),
        logger,
        version,
        plugins: [
          statusPlugin,
          connectorsPlugin({
            connectors: connectorsPort(() => driver.runtimes(), { logger }),
            plugins: mirrorPlugins(version),
            loggers: loggersPort(logger),
          }),
        ],
      })
    : undefined;
  if (http) logger.info({ url: http.url }, 'operator HTTP server listening');
  const stopProgress = startProgressLog({
    intervalMs: Number(config.properties.values.get('mm2ts.log.progress.interval.ms')?.trim() || 60_000),
    routes: () => driver.status(),
    totals: (source, target) => metrics.source.routeTotals(source, target),
    logger,
  });

  const starting = driver.start();
  const first = await Promise.race([starting.then(() => undefined), signal]).catch(async (err: unknown) => {
    stopProgress();
    await http?.close();
    throw err;
  });
  // A signal during start-up stops the routes where they are (their start attempts are aborted).
  const received = first ?? (await signal);
  if (first !== undefined) starting.catch(() => {});
  logger.info(
    { signal: received },
    received === 'SIGHUP'
      ? 'stopping on SIGHUP (live reload is not supported: restart with the edited file)'
      : 'stopping on signal',
  );
  const timer = setTimeout(() => {
    logger.error(`stop took longer than ${STOP_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  timer.unref();
  stopProgress();
  await http?.close();
  await driver.stop();
  clearTimeout(timer);
  logger.flush();
}
