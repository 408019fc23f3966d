import type { RouteConfig } from '../config/index.ts';
import type { StatusPageData, StatusPageHeartbeat, StatusPageRoute } from '../http/plugins/ui.ts';
import type { ApplianceMetrics } from '../metrics/index.ts';
import { loadReplicationPolicy, type ReplicationPolicy } from '../policy/index.ts';
import type { RouteStatus } from '../runtime/route-runtime.ts';

export interface StatusPageDataOptions {
  version: string;
  /** The routes running now (a reload may change them: asked on every call). */
  routes: () => readonly RouteStatus[];
  /** The routes' configurations, by route name: their replication policy names heartbeat hops. */
  configs: () => readonly RouteConfig[];
  metrics: ApplianceMetrics;
  clock?: () => number;
}

type Labels = Partial<Record<string, string | number>>;

/** Sums of one source-metric family per route and per (route, remote topic), read from the registry. */
async function sumsOf(metrics: ApplianceMetrics, name: string): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return sums;
  for (const { labels, value } of (await metric.get()).values as { labels: Labels; value: number }[]) {
    if (!Number.isFinite(value)) continue;
    const route = `${labels['source']}->${labels['target']}`;
    for (const key of [route, `${route}\n${labels['topic']}`]) sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return sums;
}

/**
 * The heartbeats a route copies, each with its origin and hops to the route's target: the remote
 * topic's name holds the path (`B.A.heartbeats` on C came A → B → C), which the route's
 * replication policy reads (Java MirrorClient.replicationHops does the same on a topic listing).
 */
function heartbeatsOf(
  route: RouteStatus,
  policy: ReplicationPolicy | undefined,
  recordsByTopic: ReadonlyMap<string, number>,
): StatusPageHeartbeat[] {
  const out: StatusPageHeartbeat[] = [];
  const prefix = `${route.source}->${route.target}\n`;
  for (const [key, records] of recordsByTopic) {
    if (!key.startsWith(prefix)) continue;
    const topic = key.slice(prefix.length);
    if (!(policy ? policy.isHeartbeatsTopic(topic) : topic.endsWith('heartbeats'))) continue;
    const entry: StatusPageHeartbeat = { topic, records };
    let hops = 0;
    let origin: string | undefined;
    for (let t: string | null = topic; policy && t !== null && hops < 100; t = policy.upstreamTopic(t)) {
      const source = policy.topicSource(t);
      if (source === null) break;
      origin = source;
      hops++;
    }
    if (origin !== undefined) Object.assign(entry, { origin, hops });
    out.push(entry);
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

/** The built-in policy of a route, as its connectors configure it; undefined for a custom class. */
function builtinPolicy(config: RouteConfig): ReplicationPolicy | undefined {
  if (config.settings.replicationPolicy.kind !== 'builtin') return undefined;
  const props: Record<string, string> = {};
  for (const [k, v] of config.resolvedConnectors.source) props[k] = v.value;
  try {
    return loadReplicationPolicy(props);
  } catch {
    return undefined;
  }
}

/**
 * What the status page shows (`GET /ui/data`): `/status` per route plus what each route moves,
 * read from the metrics registry — totals, lag and recovery point as the progress log line has
 * them (SourceMetrics.routeTotals), records/s as Java's windowed record-rate summed over the
 * route's partitions.
 */
export function statusPageData(options: StatusPageDataOptions): () => Promise<StatusPageData> {
  const clock = options.clock ?? Date.now;
  const policies = new WeakMap<RouteConfig, ReplicationPolicy | undefined>();
  const policyOf = (name: string): ReplicationPolicy | undefined => {
    const config = options.configs().find((c) => c.name === name);
    if (!config) return undefined;
    if (!policies.has(config)) policies.set(config, builtinPolicy(config));
    return policies.get(config);
  };
  return async () => {
    const now = clock();
    const rates = await sumsOf(options.metrics, 'kafka_connect_mirror_source_connector_record_rate');
    const counts = await sumsOf(options.metrics, 'kafka_connect_mirror_source_connector_record_count');
    const clusters = new Set<string>();
    const routes = options.routes().map((status): StatusPageRoute => {
      clusters.add(status.source).add(status.target);
      const totals = options.metrics.source.routeTotals(status.source, status.target);
      const known = totals.partitions > 0;
      return {
        route: status.route,
        source: status.source,
        target: status.target,
        enabled: status.enabled,
        state: status.state,
        ...(status.error !== undefined ? { error: status.error } : {}),
        connectors: status.connectors.map((c) => ({
          name: c.name,
          state: c.state,
          ...(c.trace !== undefined ? { trace: c.trace } : {}),
          tasks: c.tasks.map((t) => ({
            id: t.id,
            state: t.state,
            ...(t.trace !== undefined ? { trace: t.trace } : {}),
          })),
        })),
        replication: {
          partitions: totals.partitions,
          records: totals.records,
          recordsPerSecond: known ? (rates.get(`${status.source}->${status.target}`) ?? 0) : null,
          lagRecords: known ? (totals.lag ?? null) : null,
          recoveryPointAgeSeconds:
            totals.recoveryPointMs === undefined
              ? null
              : Math.max(0, Math.round((now - totals.recoveryPointMs) / 1000)),
        },
        heartbeats: heartbeatsOf(status, policyOf(status.route), counts),
      };
    });
    return {
      generatedAt: new Date(now).toISOString(),
      version: options.version,
      clusters: [...clusters].sort(),
      routes,
    };
  };
}
