import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * A registry that writes its exposition as bytes itself, without the text of every series as a
 * string first (the appliance's registry, src/metrics/registry.ts).
 */
interface ByteExposition {
  metricsBytes(): Promise<Buffer>;
}

function writesBytes(registry: Registry): registry is Registry & ByteExposition {
  return typeof (registry as Partial<ByteExposition>).metricsBytes === 'function';
}

/** `GET /metrics`: the registry in Prometheus text format (0.0.4), read fresh on every scrape. */
export function metricsPlugin(registry: Registry): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_request, reply) => {
      const body = writesBytes(registry) ? await registry.metricsBytes() : await registry.metrics();
      return reply.header('cache-control', 'no-store').type(registry.contentType).send(body);
    });
  };
}
