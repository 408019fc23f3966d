export {
  buildHttpApp,
  startHttpServer,
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
