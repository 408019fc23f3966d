import type { FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/index.ts';
import { startHttpServer, type HealthReport } from '../http/index.ts';
import { createApplianceMetrics } from '../metrics/index.ts';
import { Driver } from '../runtime/driver.ts';
import { defaultCollaborators } from '../runtime/default-collaborators.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import type { CliIo } from './io.ts';
import { packageVersion } from '../util/version.ts';

const STOP_TIMEOUT_MS = 30_000;

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolveSignal(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function health(driver: Driver, started: boolean): HealthReport {
  if (!started) return { status: 'starting', message: 'routes are starting' };
  const routes = driver.status();
  const failed = routes.flatMap((r) =>
    r.connectors.flatMap((c) =>
      c.tasks.filter((t) => t.state === 'FAILED').map((t) => `${r.route} ${c.name} task ${t.id}`),
    ),
  );
  return failed.length > 0
    ? { status: 'unhealthy', message: `failed tasks: ${failed.join(', ')}` }
    : { status: 'healthy', message: `${routes.length} route(s) running` };
}

/** `host:port` → listen options; an invalid value is a start-up error naming the key. */
function listener(value: string): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?\[?([^\]]*?)\]?:(\d+)$/.exec(value.trim());
  if (!m) throw new Error(`mm2ts.http.listener = ${value}: expected host:port, e.g. 0.0.0.0:8083`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

/**
 * The dedicated-mode run: starts every selected route, serves metrics and health if
 * `mm2ts.http.listener` is set, and on SIGTERM or SIGINT drains in-flight records, stores
 * positions and returns (exit 0), within 30 s.
 */
export async function runDriver(config: LoadedConfig, _io: CliIo, logger: Logger = createLogger()): Promise<void> {
  const version = packageVersion();
  const metrics = createApplianceMetrics({ version });
  const driver = new Driver(config, defaultCollaborators({ metrics }), logger);
  const listen = config.properties.values.get('mm2ts.http.listener')?.trim();
  const signal = waitForStopSignal();
  let started = false;
  // Java has no public REST API in dedicated mode; this read-only view shows routes, connector and
  // task states and each task's assigned partitions (Java's `task.assigned.partitions`).
  const statusPlugin = async (app: FastifyInstance): Promise<void> => {
    app.get('/status', async () => ({ routes: driver.status() }));
  };
  // Listen before the routes start, so /health says "starting" instead of refusing connections.
  const http = listen
    ? await startHttpServer({
        ...listener(listen),
        registry: metrics.registry,
        health: () => health(driver, started),
        logger,
        version,
        plugins: [statusPlugin],
      })
    : undefined;
  if (http) logger.info({ url: http.url }, 'operator HTTP server listening');
  try {
    await driver.start();
  } catch (err) {
    await http?.close();
    throw err;
  }
  started = true;
  const received = await signal;
  logger.info({ signal: received }, 'stopping on signal');
  const timer = setTimeout(() => {
    logger.error(`stop took longer than ${STOP_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, STOP_TIMEOUT_MS);
  timer.unref();
  await http?.close();
  await driver.stop();
  clearTimeout(timer);
  logger.flush();
}
