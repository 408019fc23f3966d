import { toKafkaClientSettings, type RouteConfig, type SourcedMap } from '../config/index.ts';
import {
  openKafkaCluster,
  type CompressionType,
  type KafkaClientSettings,
  type KafkaCluster,
  type RecordSinkOptions,
  type RecordSourceOptions,
} from '../kafka/index.ts';
import { ConfigError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';

const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const CLIENT_PREFIXES = ['producer.', 'consumer.', 'admin.'];

function plain(map: SourcedMap): Map<string, string> {
  return new Map([...map].map(([k, v]) => [k, v.value]));
}

/** Keys of `map` under `prefix`, with the prefix removed. */
function under(map: ReadonlyMap<string, string>, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of map) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

function settingsOrThrow(props: Map<string, string>, what: string, clusterAlias: string): KafkaClientSettings {
  const { settings, problems } = toKafkaClientSettings(props);
  const error = problems.find((p) => p.severity === 'error');
  if (error) throw new ConfigError(`${what}: ${error.message}`, { key: error.key });
  return { ...settings, clusterAlias };
}

/** The alias of the cluster a connector client talks to (its side; offset-syncs clients follow `offset-syncs.topic.location`). */
function aliasOf(route: RouteConfig, side: 'source' | 'target'): string {
  return side === 'source' ? route.source : route.target;
}

/**
 * The settings of the producer that writes replicated records: in Java it is the Connect worker's
 * task producer, configured by the target cluster's worker config (`T.*` security keys and
 * `T.producer.*`), then the route's `producer.override.*` (client override policy All).
 */
export function replicationProducer(
  route: RouteConfig,
  taskIndex: number,
): {
  settings: KafkaClientSettings;
  options: RecordSinkOptions;
} {
  const worker = plain(route.worker);
  const props = new Map<string, string>();
  for (const [k, v] of worker) if (!CLIENT_PREFIXES.some((p) => k.startsWith(p))) props.set(k, v);
  for (const [k, v] of under(worker, 'producer.')) props.set(k, v);
  for (const [k, v] of under(plain(route.resolvedConnectors.source), 'producer.override.')) props.set(k, v);
  props.set('client.id', `connector-producer-MirrorSourceConnector-${taskIndex}`);
  const compression = (props.get('compression.type') ?? 'none').trim().toLowerCase();
  if (!COMPRESSION_TYPES.includes(compression as CompressionType)) {
    throw new ConfigError(
      `compression.type = ${compression} for the replication producer: valid values are ${COMPRESSION_TYPES.join(', ')}`,
      {
        key: `${route.target}.producer.compression.type`,
        value: compression,
      },
    );
  }
  const acks = (props.get('acks') ?? 'all').trim();
  const acksValue = acks === 'all' || acks === '-1' ? -1 : acks === '1' ? 1 : acks === '0' ? 0 : undefined;
  if (acksValue === undefined) {
    throw new ConfigError(`acks = ${acks} for the replication producer: valid values are all, -1, 1, 0`, {
      key: 'acks',
      value: acks,
    });
  }
  return {
    settings: settingsOrThrow(props, `replication producer of ${route.name}`, route.target),
    options: { compression: compression as CompressionType, acks: acksValue },
  };
}

/** The offsets-topic client: the worker's own connection to the target cluster. */
export function workerClientSettings(route: RouteConfig, suffix: string): KafkaClientSettings {
  const worker = plain(route.worker);
  const props = new Map<string, string>();
  for (const [k, v] of worker) if (!CLIENT_PREFIXES.some((p) => k.startsWith(p))) props.set(k, v);
  props.set('client.id', `${route.settings.worker.groupId}-${route.settings.worker.clientId}-${suffix}`);
  return settingsOrThrow(props, `worker client of ${route.name}`, route.target);
}

/** Fetch settings and `auto.offset.reset` of the replication consumer (Java `source.consumer.*`). */
export function replicationConsumer(route: RouteConfig): {
  settings: KafkaClientSettings;
  options: RecordSourceOptions;
  autoOffsetReset: 'earliest' | 'latest' | 'none';
} {
  const client = route.clients.get('source.replication-consumer');
  if (!client) throw new ConfigError(`no replication consumer settings for ${route.name}`);
  const c = plain(client.config);
  const reset = (c.get('auto.offset.reset') ?? 'earliest').trim().toLowerCase();
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') {
    throw new ConfigError(`auto.offset.reset = ${reset}: valid values are earliest, latest, none`, {
      key: `${route.source}.consumer.auto.offset.reset`,
      value: reset,
    });
  }
  // Java's ConfigDef BOOLEAN: "true" or "false", any case, blanks trimmed; anything else is refused.
  const checkCrcs = (c.get('check.crcs') ?? 'true').trim().toLowerCase();
  if (checkCrcs !== 'true' && checkCrcs !== 'false') {
    throw new ConfigError(`check.crcs = ${checkCrcs}: valid values are true, false`, {
      key: `${route.source}.consumer.check.crcs`,
      value: checkCrcs,
    });
  }
  const isolation = (c.get('isolation.level') ?? 'read_uncommitted').trim().toLowerCase();
  const num = (key: string): number | undefined => {
    const v = c.get(key);
    return v === undefined ? undefined : Number(v);
  };
  const options: RecordSourceOptions = {
    isolationLevel: isolation === 'read_committed' ? 'read_committed' : 'read_uncommitted',
    checkCrcs: checkCrcs === 'true',
  };
  const maxWait = num('fetch.max.wait.ms');
  const minBytes = num('fetch.min.bytes');
  const maxBytes = num('fetch.max.bytes');
  const maxPartitionBytes = num('max.partition.fetch.bytes');
  if (maxWait !== undefined) options.maxWaitMs = maxWait;
  if (minBytes !== undefined) options.minBytes = minBytes;
  if (maxBytes !== undefined) options.maxBytes = maxBytes;
  if (maxPartitionBytes !== undefined) options.maxPartitionBytes = maxPartitionBytes;
  return {
    settings: { ...client.settings, clusterAlias: aliasOf(route, client.use.side) },
    options,
    autoOffsetReset: reset,
  };
}

/** The settings of a client the connectors open, by its label (`source.replication-source-admin`, …). */
export function clientSettings(route: RouteConfig, label: string): KafkaClientSettings {
  const client = route.clients.get(label);
  if (!client) throw new ConfigError(`no client settings '${label}' for route ${route.name}`);
  return { ...client.settings, clusterAlias: aliasOf(route, client.use.side) };
}

/** Opens clusters and closes every one it opened. */
export class ClusterPool {
  private readonly opened: KafkaCluster[] = [];
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  open(settings: KafkaClientSettings): KafkaCluster {
    const cluster = openKafkaCluster(settings, this.logger);
    this.opened.push(cluster);
    return cluster;
  }

  async closeAll(): Promise<void> {
    const all = this.opened.splice(0);
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
