import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from '../../util/logger.ts';
import type { ErrorBody } from '../errors.ts';

/** One task of a connector, as the status page shows it. */
export interface StatusPageTask {
  id: number;
  state: string;
  trace?: string;
}

export interface StatusPageConnector {
  name: string;
  state: string;
  trace?: string;
  tasks: readonly StatusPageTask[];
}

/** What the route moves, from the metrics registry; null while not known yet. */
export interface StatusPageReplication {
  /** Source partitions currently assigned to the route's tasks. */
  partitions: number;
  /** Records the target acknowledged since the process started. */
  records: number;
  /** Records acknowledged per second over the metrics' sample window (Java's record-rate). */
  recordsPerSecond: number | null;
  /** Records on the source not yet on the target: what a failover now would lose. */
  lagRecords: number | null;
  /** Seconds since the recovery point: everything the source held before it is on the target. */
  recoveryPointAgeSeconds: number | null;
}

/** A heartbeat topic the route copies: the clusters its heartbeats came through, nearest first. */
export interface StatusPageHeartbeat {
  /** The topic name on the route's target. */
  topic: string;
  /** Where the heartbeats were emitted; absent when the replication policy does not say. */
  origin?: string;
  /** Replication hops from the origin to the route's target (1: emitted on the route's source). */
  hops?: number;
  /** Heartbeat records copied since the process started. */
  records: number;
}

export interface StatusPageRoute {
  route: string;
  source: string;
  target: string;
  /** False for a heartbeat-only route (replication not enabled). */
  enabled: boolean;
  state: string;
  error?: string;
  connectors: readonly StatusPageConnector[];
  replication: StatusPageReplication;
  heartbeats: readonly StatusPageHeartbeat[];
}

/** Everything the page shows, read fresh on each poll (`GET /ui/data`). */
export interface StatusPageData {
  /** ISO 8601 time the data was read. */
  generatedAt: string;
  version: string;
  /** Cluster aliases: the topology's nodes. */
  clusters: readonly string[];
  routes: readonly StatusPageRoute[];
}

export type StatusPageSource = () => Promise<StatusPageData>;

/** The page's files: read once, served from memory. The build copies the folder next to this module. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/ui': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The page loads only its own script, style and data: a topic name or an error text that slipped
 * into markup could not run script or load anything (the script also never writes markup, only
 * text nodes).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = new URL('../ui/', import.meta.url);
  return new Map(
    Object.entries(ASSETS).map(([path, { file, type }]) => [path, { body: readFileSync(new URL(file, dir)), type }]),
  );
}

/**
 * Whether an `Accept` header asks for a page rather than JSON: it names `text/html` (or XHTML)
 * with a quality at least that of `application/json`. `*\/*` alone (curl, fetch, most HTTP
 * libraries) is not a request for HTML, so API clients keep getting JSON from `GET /`.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    if (range === 'text/html' || range === 'application/xhtml+xml') html = Math.max(html, q);
    else if (range === 'application/json') json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

export interface UiPluginOptions {
  data: StatusPageSource;
  logger: Logger;
}

/**
 * The status page: `GET /ui` (HTML, CSS, a script without framework) and `GET /ui/data` (the JSON
 * it polls). `GET /` answers the page too when the client asks for HTML (a browser); every other
 * client keeps the JSON root resource, byte for byte.
 */
export function uiPlugin(options: UiPluginOptions): FastifyPluginAsync {
  const assets = loadAssets();
  const page = assets.get('/ui')!;
  const send = (reply: FastifyReply, asset: { body: Buffer; type: string }): FastifyReply =>
    reply.headers(SECURITY_HEADERS).type(asset.type).send(asset.body);
  const plugin: FastifyPluginAsync = async (app) => {
    for (const [path, asset] of assets) app.get(path, async (_request, reply) => send(reply, asset));
    app.get('/ui/data', async (_request, reply) => {
      let data: StatusPageData;
      try {
        data = await options.data();
      } catch (err) {
        // The details go to the log, where redaction applies; the page shows that it has no data.
        options.logger.error({ err }, 'status page data failed');
        const body: ErrorBody = {
          error_code: 500,
          code: 'ERR_STATUS_PAGE',
          message: 'status data unavailable; see the logs',
        };
        return reply.code(500).send(body);
      }
      return reply.header('cache-control', 'no-store').send(data);
    });
    // Runs right before the root resource's handler: a browser at `/` gets the page in its place.
    // A pre-handler, not an onRequest hook, so every onRequest check (authentication) has run
    // first whatever the order the plugins were registered in.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'GET' || request.url.split('?', 1)[0] !== '/') return;
      void reply.header('vary', 'Accept');
      if (!prefersHtml(request.headers.accept)) return;
      send(reply, page);
      return reply;
    });
  };
  // Fastify's `skip-override` (what fastify-plugin sets): the hook above must see requests to
  // `/`, which another plugin serves, so this plugin is not encapsulated.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
