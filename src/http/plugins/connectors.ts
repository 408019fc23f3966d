import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorOffset, ConnectorRef, ConnectorsPort, LoggersPort, PluginInfo } from '../connectors-port.ts';
import { HttpError } from '../errors.ts';

export interface ConnectorsApiOptions {
  connectors: ConnectorsPort;
  plugins: readonly PluginInfo[];
  loggers?: LoggersPort;
}

type Params = { name?: string; source?: string; target?: string; task?: string; logger?: string };
type Request = FastifyRequest<{ Params: Params; Querystring: Record<string, string | string[] | undefined> }>;

/**
 * Kafka Connect's REST API for the connectors of every flow (`ConnectorsResource`,
 * `ConnectorPluginsResource`, `LoggingResource`), with Connect's paths, JSON shapes and status
 * codes; see docs/rest-api.md. Each connector has a global name, `<source>-><target>.<Java name>`
 * (`A->B.MirrorSourceConnector`), under `/connectors/...`; the same endpoints are also scoped by
 * flow as Java's internal MM2 server does, `/{source}/{target}/connectors/<Java name>/...`.
 */
export function connectorsPlugin(options: ConnectorsApiOptions): FastifyPluginAsync {
  const port = options.connectors;
  return async (app) => {
    const find = (request: Request): ConnectorRef => {
      const { name = '', source, target } = request.params;
      const all = port.list();
      const scoped = source !== undefined && target !== undefined;
      const ref = scoped
        ? all.find((c) => c.source === source && c.target === target && c.connector === name)
        : all.find((c) => c.name === name);
      if (ref) return ref;
      const names = scoped
        ? all.filter((c) => c.source === source && c.target === target).map((c) => c.connector)
        : all.map((c) => c.name);
      const where = scoped ? `in flow ${source}->${target}` : '';
      throw new HttpError(
        404,
        'ERR_UNKNOWN_CONNECTOR',
        `Connector ${name} not found${where ? ` ${where}` : ''}; ${
          names.length > 0
            ? `connectors: ${names.join(', ')}`
            : scoped
              ? 'no such running flow'
              : 'no connector is running'
        }`,
        { connector: name },
      );
    };
    const taskId = (request: Request): number => {
      const raw = request.params.task ?? '';
      if (!/^\d+$/.test(raw)) {
        throw new HttpError(400, 'ERR_BAD_REQUEST', `task id '${raw}' is not a task number (0, 1, …)`, { task: raw });
      }
      return Number(raw);
    };
    const bool = (request: Request, key: string): boolean => {
      const value = request.query[key];
      if (value === undefined || value === '') return false;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new HttpError(
        400,
        'ERR_BAD_REQUEST',
        `query parameter ${key} must be true or false, got '${String(value)}'`,
        {
          parameter: key,
        },
      );
    };

    const routes = (prefix: string, app: FastifyInstance): void => {
      const c = `${prefix}/connectors/:name`;
      app.get(`${c}`, async (r: Request) => port.info(find(r)));
      app.get(`${c}/config`, async (r: Request) => port.info(find(r)).config);
      app.get(`${c}/status`, async (r: Request) => port.status(find(r)));
      app.get(`${c}/tasks`, async (r: Request) => port.tasks(find(r)));
      app.get(`${c}/tasks/:task/status`, async (r: Request) => {
        const ref = find(r);
        const id = taskId(r);
        const task = port.status(ref).tasks.find((t) => t.id === id);
        if (!task) throw new HttpError(404, 'ERR_UNKNOWN_TASK', `Task ${id} of ${ref.name} not found`, { task: id });
        return task;
      });
      // Connect answers pause and resume with 202 (applied asynchronously there; here once done).
      app.put(`${c}/pause`, async (r: Request, reply: FastifyReply) => {
        await port.pause(find(r));
        return reply.code(202).send();
      });
      app.put(`${c}/resume`, async (r: Request, reply: FastifyReply) => {
        await port.resume(find(r));
        return reply.code(202).send();
      });
      app.put(`${c}/stop`, async (r: Request, reply: FastifyReply) => {
        await port.stop(find(r));
        return reply.code(204).send();
      });
      app.post(`${c}/restart`, async (r: Request, reply: FastifyReply) => {
        const ref = find(r);
        const state = await port.restart(ref, {
          includeTasks: bool(r, 'includeTasks'),
          onlyFailed: bool(r, 'onlyFailed'),
        });
        return state === undefined ? reply.code(204).send() : reply.code(202).send(state);
      });
      app.post(`${c}/tasks/:task/restart`, async (r: Request, reply: FastifyReply) => {
        const ref = find(r);
        await port.restartTask(ref, taskId(r));
        return reply.code(204).send();
      });
      app.get(`${c}/offsets`, async (r: Request) => ({ offsets: await port.offsets(find(r)) }));
      app.patch(`${c}/offsets`, async (r: Request) => {
        const ref = find(r);
        await port.alterOffsets(ref, offsetsBody(r.body));
        return { message: 'The offsets for this connector have been altered successfully' };
      });
      app.delete(`${c}/offsets`, async (r: Request) => {
        await port.resetOffsets(find(r));
        return { message: 'The offsets for this connector have been reset successfully' };
      });
    };

    app.get('/connectors', async (r: Request) => {
      const expand = [r.query.expand ?? []].flat();
      for (const e of expand) {
        if (e !== 'status' && e !== 'info') {
          throw new HttpError(
            400,
            'ERR_BAD_REQUEST',
            `expand=${e} is not known; use expand=status and/or expand=info`,
            {
              expand: e,
            },
          );
        }
      }
      const all = port.list();
      if (expand.length === 0) return all.map((c) => c.name);
      return Object.fromEntries(
        all.map((c) => [
          c.name,
          {
            ...(expand.includes('status') ? { status: port.status(c) } : {}),
            ...(expand.includes('info') ? { info: port.info(c) } : {}),
          },
        ]),
      );
    });
    routes('', app);
    app.get('/:source/:target/connectors', async (r: Request) => {
      const { source, target } = r.params;
      return port
        .list()
        .filter((c) => c.source === source && c.target === target)
        .map((c) => c.connector);
    });
    routes('/:source/:target', app);

    app.get('/connector-plugins', async () => options.plugins);

    const loggers = options.loggers;
    if (loggers) {
      app.get('/admin/loggers', async () => loggers.levels());
      app.get('/admin/loggers/:logger', async (r: Request) => {
        const name = r.params.logger ?? '';
        const level = loggers.levels()[name];
        if (!level) {
          throw new HttpError(
            404,
            'ERR_UNKNOWN_LOGGER',
            `Logger ${name} not found; loggers: ${Object.keys(loggers.levels()).join(', ')}`,
            {
              logger: name,
            },
          );
        }
        return level;
      });
      app.put('/admin/loggers/:logger', async (r: Request) => {
        const body = r.body as { level?: unknown } | null | undefined;
        if (typeof body !== 'object' || body === null || typeof body.level !== 'string') {
          throw new HttpError(
            400,
            'ERR_BAD_REQUEST',
            'the body must be {"level": "<level>"}, e.g. {"level": "DEBUG"}',
            {},
          );
        }
        return loggers.setLevel(r.params.logger ?? '', body.level);
      });
    }
  };
}

/** KIP-875's request body: `{"offsets": [{"partition": {…}, "offset": {…} | null}]}`. */
function offsetsBody(body: unknown): ConnectorOffset[] {
  const bad = (what: string): never => {
    throw new HttpError(
      400,
      'ERR_BAD_REQUEST',
      `${what}; expected {"offsets": [{"partition": {"cluster": …, "topic": …, "partition": …}, "offset": {"offset": …}}]}`,
      {},
    );
  };
  if (typeof body !== 'object' || body === null) return bad('the body is not a JSON object');
  const offsets = (body as { offsets?: unknown }).offsets;
  if (!Array.isArray(offsets)) return bad('"offsets" is missing or not an array');
  if (offsets.length === 0) return bad('"offsets" is empty');
  return offsets.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) return bad(`offsets[${i}] is not an object`);
    const { partition, offset } = entry as { partition?: unknown; offset?: unknown };
    if (typeof partition !== 'object' || partition === null || Array.isArray(partition))
      return bad(`offsets[${i}].partition is missing or not an object`);
    if (offset !== null && (typeof offset !== 'object' || Array.isArray(offset)))
      return bad(`offsets[${i}].offset must be an object or null`);
    return { partition: partition as Record<string, unknown>, offset: offset as Record<string, unknown> | null };
  });
}
