import { toKafkaClientSettings, type LoadedConfig } from '../config/index.ts';
import { openKafkaCluster, type KafkaClientSettings, type KafkaCluster } from '../kafka/index.ts';
import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { withTimeout } from '../util/timeout.ts';

/** Per cluster alias, its id; null while it is not known (the cluster has not answered yet). */
export type KafkaClusterIds = Record<string, string | null>;

export interface ClusterIdReaderOptions {
  /** The clusters to report, by alias, with the settings to reach them (read at every call: reloads change them). */
  clusters: () => ReadonlyMap<string, KafkaClientSettings>;
  logger: Logger;
  open?: (settings: KafkaClientSettings) => KafkaCluster;
  /** A cluster that did not answer is asked again at most this often. */
  retryMs?: number;
  /** One read's bound (connect + DescribeCluster). */
  timeoutMs?: number;
  now?: () => number;
}

interface Entry {
  /** The bootstrap list the id was read from: another list (a reload) is read again. */
  readonly bootstrap: string;
  id?: string;
  reading: boolean;
  lastAttempt: number;
}

/**
 * The Kafka cluster ids `GET /` reports (Connect's `kafka_cluster_id`, one per cluster here).
 * `ids()` never waits: it answers from the cache and starts a background read for each cluster
 * not known yet, so an unreachable cluster is reported as unknown rather than holding the
 * request. An id never changes for a cluster, so one read per bootstrap list is enough.
 */
export class ClusterIdReader {
  private readonly options: ClusterIdReaderOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(options: ClusterIdReaderOptions) {
    this.options = options;
  }

  ids(): KafkaClusterIds {
    const now = (this.options.now ?? Date.now)();
    const retryMs = this.options.retryMs ?? 30_000;
    const out: KafkaClusterIds = {};
    for (const [alias, settings] of this.options.clusters()) {
      const bootstrap = settings.bootstrapServers.join(',');
      let entry = this.entries.get(alias);
      if (entry === undefined || entry.bootstrap !== bootstrap) {
        entry = { bootstrap, reading: false, lastAttempt: -Infinity };
        this.entries.set(alias, entry);
      }
      if (entry.id === undefined && !entry.reading && now - entry.lastAttempt >= retryMs && !this.closed) {
        entry.lastAttempt = now;
        this.read(alias, settings, entry);
      }
      out[alias] = entry.id ?? null;
    }
    return out;
  }

  /** No read starts afterwards; reads under way end by themselves (each is bounded by `timeoutMs`). */
  close(): void {
    this.closed = true;
  }

  /** Resolves when the reads under way have ended (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private read(alias: string, settings: KafkaClientSettings, entry: Entry): void {
    entry.reading = true;
    const open = this.options.open ?? ((s: KafkaClientSettings) => openKafkaCluster(s, this.options.logger));
    const reading = (async () => {
      const cluster = open(settings);
      try {
        const admin = await cluster.admin();
        entry.id = await withTimeout(this.options.timeoutMs ?? 10_000, admin.clusterId());
      } finally {
        await cluster.close().catch(() => {});
      }
    })()
      .catch((err: unknown) => {
        this.options.logger.debug(
          { cluster: alias, err: describeError(err) },
          'cluster id not read (GET / reports it as null until the cluster answers)',
        );
      })
      .finally(() => {
        entry.reading = false;
        this.inFlight.delete(reading);
      });
    this.inFlight.add(reading);
  }
}

/**
 * The clusters the routes of `config` talk to, each with its cluster-level client settings
 * (Java's `clientConfig(alias)`: bootstrap and security); a cluster whose settings cannot make a
 * client is left out (its routes report why).
 */
export function routeClusters(config: LoadedConfig): Map<string, KafkaClientSettings> {
  const aliases = new Set(config.routes.flatMap((r) => [r.source, r.target]));
  const out = new Map<string, KafkaClientSettings>();
  for (const alias of config.clusters) {
    const props = config.clusterClientConfigs.get(alias);
    if (!aliases.has(alias) || props === undefined) continue;
    const { settings, problems } = toKafkaClientSettings(new Map([...props].map(([k, v]) => [k, v.value])));
    if (problems.some((p) => p.severity === 'error')) continue;
    out.set(alias, { ...settings, clientId: 'mm2ts-cluster-id', clusterAlias: alias });
  }
  return out;
}
