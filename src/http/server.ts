import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { packageVersion } from '../util/version.ts';
import { MirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import type { HttpAuthenticator } from './auth.ts';
import { installErrorHandlers, type ErrorBody } from './errors.ts';
import type { HttpSettings } from './listener-settings.ts';
import type { HealthSource } from './health.ts';
import { healthPlugin } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { readyPlugin, type ReadinessSource } from './plugins/ready.ts';
import { rootPlugin, type KafkaClustersInfo } from './plugins/root.ts';
import type { HttpsServerOptions } from './tls.ts';

export interface HttpAppOptions {
  registry: Registry;
  health: HealthSource;
  /** `GET /ready`; absent: no readiness endpoint. */
  ready?: ReadinessSource;
  logger: Logger;
  /** Reported by `GET /`; defaults to the package version. */
  version?: string;
  commit?: string;
  /** `GET /`'s Kafka cluster ids (answered from a cache, never waiting for a cluster); absent: not reported. */
  kafkaClusters?: () => KafkaClustersInfo;
  /**
   * More routes, each an encapsulated Fastify plugin (the operator API's connectors and status
   * endpoints). A plugin that needs options closes over them. They inherit the JSON error handler.
   */
  plugins?: readonly FastifyPluginAsync[];
  /** Credentials every route but `GET /health` requires; absent: none. */
  auth?: HttpAuthenticator;
  /** Serve HTTPS with these (see tls.ts); absent: plain HTTP. */
  https?: HttpsServerOptions;
}

export interface HttpServerOptions extends HttpAppOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is in `url`. */
  port: number;
}

export interface HttpServer {
  /** `http://host:port` or `https://host:port` the server listens on. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops accepting, answers in-flight requests, closes idle keep-alive connections. */
  close(): Promise<void>;
}

/**
 * Routes that answer without credentials: liveness probes (Kubernetes, load balancers) carry none,
 * and `/health` tells nothing but "the process runs".
 */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/health']);

/**
 * Logged at DEBUG: Prometheus scrapes and probes arrive every few seconds and would bury the
 * requests people make (a 503 from /ready while starting is an answer, not an event). Refused
 * credentials on them are still logged at INFO, as every other request is.
 */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/metrics', '/health', '/ready']);

/** The Fastify app with every plugin registered but not listening: `app.inject()` in tests. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const logger = options.logger.child({ component: 'http' });
  const https = options.https;
  const app = fastify({
    // Typed as Fastify's base logger so the app is a plain FastifyInstance plugins can accept.
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's request logging would log at info with the full URL; one line per request below.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ...(https
      ? {
          https: {
            key: https.key,
            cert: https.cert,
            ...(https.passphrase !== undefined ? { passphrase: https.passphrase } : {}),
            ...(https.ca !== undefined ? { ca: https.ca } : {}),
            ...(https.minVersion ? { minVersion: https.minVersion } : {}),
            ...(https.maxVersion ? { maxVersion: https.maxVersion } : {}),
            // Connect's ssl.client.auth: `required` fails the handshake without a trusted
            // certificate; `requested` asks for one and accepts none (an untrusted one is
            // refused in startHttpServer, as Java's TLS engine does).
            requestCert: https.clientAuth !== 'none',
            rejectUnauthorized: https.clientAuth === 'required',
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  installErrorHandlers(app, logger);
  // Every route served, logged once at DEBUG: what to check a listener's authentication against.
  const served: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) served.push(`${method} ${route.url}`);
  });
  if (options.auth) installAuthentication(app, options.auth);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const refused = reply.statusCode === 401 || reply.statusCode === 403;
    const quiet = route !== undefined && QUIET_ROUTES.has(route) && !refused;
    // The path only: a query string may carry anything, and headers (Authorization) never go in.
    const line = {
      method: request.method,
      path: request.url.split('?')[0] ?? '',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      remote: request.ip,
      ...(request.authenticatedUser !== undefined ? { user: request.authenticatedUser } : {}),
    };
    if (quiet) logger.debug(line, 'HTTP request');
    else logger.info(line, 'HTTP request');
  });
  await app.register(
    rootPlugin({
      version: options.version ?? packageVersion(),
      ...(options.commit ? { commit: options.commit } : {}),
      ...(options.kafkaClusters ? { kafkaClusters: options.kafkaClusters } : {}),
    }),
  );
  await app.register(healthPlugin(options.health, logger));
  if (options.ready) await app.register(readyPlugin(options.ready, logger));
  await app.register(metricsPlugin(options.registry));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  await app.ready();
  logger.debug({ routes: served }, 'HTTP routes');
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The basic-auth user the request authenticated as (bearer tokens name no user). */
    authenticatedUser?: string;
  }
}

/**
 * Every request but the open routes must authenticate, unknown paths included (a 401 before the
 * 404, so paths cannot be probed). A failure is Connect's error body with 401 and the challenges.
 */
function installAuthentication(app: FastifyInstance, auth: HttpAuthenticator): void {
  app.decorateRequest('authenticatedUser', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && OPEN_ROUTES.has(route)) return;
    const result = auth.check(request.headers.authorization);
    if (result.ok) {
      if (result.user !== undefined) request.authenticatedUser = result.user;
      return;
    }
    const body: ErrorBody = {
      error_code: 401,
      code: 'ERR_UNAUTHORIZED',
      message:
        request.headers.authorization === undefined
          ? 'authentication required: send credentials in the Authorization header'
          : 'the credentials in the Authorization header are not valid',
    };
    return reply
      .code(401)
      .header('www-authenticate', auth.challenges.join(', '))
      .type('application/json; charset=utf-8')
      .send(body);
  });
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
  if (options.https?.clientAuth === 'requested') {
    // Node accepts an untrusted client certificate when verification is optional; Java's TLS
    // engine (Jetty's wantClientAuth) fails such a handshake: a certificate, if sent, must be trusted.
    app.server.on('secureConnection', (socket: TLSSocket) => {
      if (!socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) socket.destroy();
    });
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.https ? 'https' : 'http'}://${host}:${address.port}`,
    app,
    close: () => app.close(),
  };
}

/**
 * One server per configured listener (Connect's `listeners` may list an http and an https one),
 * all with the same routes and authentication. If one cannot listen, those already listening are
 * closed and the error is thrown.
 */
export async function startHttpServers(settings: HttpSettings, options: HttpAppOptions): Promise<HttpServer[]> {
  const servers: HttpServer[] = [];
  try {
    for (const l of settings.listeners) {
      servers.push(
        await startHttpServer({
          ...options,
          host: l.spec.host,
          port: l.spec.port,
          ...(l.tls ? { https: l.tls } : {}),
          ...(settings.auth ? { auth: settings.auth } : {}),
        }),
      );
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return servers;
}
