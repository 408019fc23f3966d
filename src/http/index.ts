export {
  buildHttpApp,
  startHttpServer,
  startHttpServers,
  type HttpAppOptions,
  type HttpServer,
  type HttpServerOptions,
} from './server.ts';
export { HttpError, type ErrorBody } from './errors.ts';
export {
  healthStatusCode,
  type HealthCheck,
  type HealthReport,
  type HealthSource,
  type HealthStatus,
} from './health.ts';
export { rootPlugin, type RootInfo } from './plugins/root.ts';
export { readyPlugin, type NotRunningUnit, type ReadinessReport, type ReadinessSource } from './plugins/ready.ts';
export {
  readHttpSettings,
  AUTH_KEYS,
  type HttpConfigSource,
  type HttpSettings,
  type ListenerSettings,
} from './listener-settings.ts';
export { createAuthenticator, type HttpAuthenticator, type HttpAuthSettings } from './auth.ts';
export { parseListener, selectListeners, type ListenerSpec } from './listener.ts';
export { httpsServerOptions, HTTPS_SSL_KEYS, HTTPS_PREFIX, type HttpsServerOptions } from './tls.ts';
