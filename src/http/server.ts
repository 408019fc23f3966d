import type { AddressInfo } from 'node:net';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { packageVersion } from '../util/version.ts';
import { MirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { installErrorHandlers } from './errors.ts';
import type { HealthSource } from './health.ts';
import { healthPlugin } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { readyPlugin, type ReadinessSource } from './plugins/ready.ts';
import { rootPlugin } from './plugins/root.ts';

export interface HttpAppOptions {
  registry: Registry;
  health: HealthSource;
  /** `GET /ready`; absent: no readiness endpoint. */
  ready?: ReadinessSource;
  logger: Logger;
  /** Reported by `GET /`; defaults to the package version. */
  version?: string;
  commit?: string;
  /**
   * More routes, each an encapsulated Fastify plugin (the operator API's connectors and status
   * endpoints). A plugin that needs options closes over them. They inherit the JSON error handler.
   */
  plugins?: readonly FastifyPluginAsync[];
}

export interface HttpServerOptions extends HttpAppOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  port: number;
}

export interface HttpServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops accepting, answers in-flight requests, closes idle keep-alive connections. */
  close(): Promise<void>;
}

/** The Fastify app with every plugin registered but not listening: `app.inject()` in tests. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const logger = options.logger.child({ component: 'http' });
  const app = fastify({
    // Typed as Fastify's base logger so the app is a plain FastifyInstance plugins can accept.
    loggerInstance: logger as FastifyBaseLogger,
    // A scrape every few seconds would flood the log at info; requests are logged at debug below.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  installErrorHandlers(app, logger);
  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ method: request.method, url: request.url, status: reply.statusCode }, 'HTTP request');
  });
  await app.register(
    rootPlugin({ version: options.version ?? packageVersion(), ...(options.commit ? { commit: options.commit } : {}) }),
  );
  await app.register(healthPlugin(options.health, logger));
  if (options.ready) await app.register(readyPlugin(options.ready, logger));
  await app.register(metricsPlugin(options.registry));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  await app.ready();
  return app;
}

/** Builds the app and listens on `host:port`. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = await buildHttpApp(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await app.close();
    const code = (err as { code?: unknown }).code;
    throw new MirrorError(
      'ERR_HTTP_LISTEN',
      `cannot listen on ${options.host}:${options.port}${typeof code === 'string' ? ` (${code})` : ''}`,
      { host: options.host, port: options.port },
      { cause: err },
    );
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    app,
    close: () => app.close(),
  };
}
