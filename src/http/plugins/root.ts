import type { FastifyPluginAsync } from 'fastify';

export interface RootInfo {
  version: string;
  /** The source commit of this build, when known. */
  commit?: string;
  /** The Kafka clusters the routes use; absent: not reported. Must answer at once (from a cache). */
  kafkaClusters?: () => KafkaClustersInfo;
}

export interface KafkaClustersInfo {
  /** Per cluster alias, its cluster id; null while it is not known (the cluster has not answered yet). */
  ids: Record<string, string | null>;
  /**
   * The alias Connect's single `kafka_cluster_id` stands for: a Connect worker reports the cluster
   * holding its internal topics, which for MM2's herders is the target, so it is set when every
   * route writes to the same target.
   */
  worker?: string;
}

/**
 * `GET /`: what is running, like Kafka Connect's root resource (`ServerInfo`: `version`, `commit`,
 * `kafka_cluster_id`), plus `kafka_clusters`, every cluster's id by alias, as one appliance talks
 * to several clusters.
 */
export function rootPlugin(info: RootInfo): FastifyPluginAsync {
  const base = info.commit ? { version: info.version, commit: info.commit } : { version: info.version };
  const clusters = info.kafkaClusters;
  return async (app) => {
    app.get('/', async () => {
      if (!clusters) return base;
      const { ids, worker } = clusters();
      return { ...base, kafka_cluster_id: worker !== undefined ? (ids[worker] ?? null) : null, kafka_clusters: ids };
    });
  };
}
