import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../util/logger.ts';

/** A unit that is not doing its work, as `/ready` names it. */
export interface NotRunningUnit {
  route: string;
  connector?: string;
  task?: number;
  state: string;
  error?: string;
}

/** What the readiness source reports; `/ready` turns it into 200 or 503. */
export interface ReadinessReport {
  ready: boolean;
  message: string;
  notRunning: readonly NotRunningUnit[];
}

export type ReadinessSource = () => ReadinessReport | Promise<ReadinessReport>;

/**
 * `GET /ready`: readiness (a Kubernetes readiness probe, a load balancer, an alert). 200
 * `{"status":"ready",…}` only when all the work is being done; otherwise 503
 * `{"status":"not ready","message":…,"notRunning":[{route, connector?, task?, state, error?}]}`,
 * naming each unit that is not running and its last error. `/health` stays liveness.
 */
export function readyPlugin(source: ReadinessSource, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    app.get('/ready', async (_request, reply) => {
      let report: ReadinessReport;
      try {
        report = await source();
      } catch (err) {
        logger.error({ err }, 'readiness check failed');
        report = { ready: false, message: 'the readiness check itself failed; see the logs', notRunning: [] };
      }
      return reply
        .code(report.ready ? 200 : 503)
        .send({ status: report.ready ? 'ready' : 'not ready', message: report.message, notRunning: report.notRunning });
    });
  };
}
