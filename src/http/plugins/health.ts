import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../util/logger.ts';
import { healthStatusCode, type HealthReport, type HealthSource } from '../health.ts';

/**
 * `GET /health`: the report as JSON, 200 when healthy and 503 otherwise. A health source that
 * throws is itself a failure: the answer is 503 `unhealthy` with a generic message (the error
 * goes to the log, not to the client).
 */
export function healthPlugin(health: HealthSource, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async (_request, reply) => {
      let report: HealthReport;
      try {
        report = await health();
      } catch (err) {
        logger.error({ err }, 'health check failed');
        report = { status: 'unhealthy', message: 'the health check itself failed; see the logs' };
      }
      return reply.code(healthStatusCode(report)).send(report);
    });
  };
}
