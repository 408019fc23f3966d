import { CLIENT_SECURITY_KEY_NAMES } from './keys/client-security-keys.ts';
import { CONNECTOR_CONFIG_NAMES, type ConnectorKind } from './keys/key-table.ts';
import { parseJavaList } from './keys/key-types.ts';

/**
 * Java's `MirrorMakerConfig` (facts §5.2–§5.6, §5.8): how the flat mm2.properties becomes the
 * routes and, per route, the connector, worker and client configs. Every derived value remembers
 * the raw key it came from (`origin`), so a later error can name the key and line the operator wrote.
 *
 * Java quirks kept here (documented in docs/configuration.md):
 * - `S->T.enabled` is true only for the exact text "true" (any case); `yes` is false.
 * - top-level keys that are not connector ConfigDef keys are dropped from connector configs;
 * - top-level worker-prefix keys (offset.storage*, task*, …) override the target cluster's own.
 */

/** A config value and the raw key of mm2.properties it was copied from. */
export interface SourcedValue {
  readonly value: string;
  readonly origin: string;
}

export type SourcedMap = Map<string, SourcedValue>;

export interface SourceAndTarget {
  readonly source: string;
  readonly target: string;
}

export const routeName = (r: SourceAndTarget): string => `${r.source}->${r.target}`;

export const CONNECTOR_CLASSES: Readonly<Record<ConnectorKind, string>> = {
  source: 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
  checkpoint: 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
  heartbeat: 'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector',
};

export const connectorSimpleName = (kind: ConnectorKind): string => CONNECTOR_CLASSES[kind].split('.').pop() ?? '';

const BYTE_ARRAY_CONVERTER = 'org.apache.kafka.connect.converters.ByteArrayConverter';
/** Top-level key prefixes Java's `workerConfig` copies into every worker (prefix match, no dot). */
export const WORKER_TOP_LEVEL_PREFIXES: readonly string[] = [
  'offset.storage',
  'config.storage',
  'status.storage',
  'key.converter',
  'value.converter',
  'header.converter',
  'task',
  'worker',
  'replication.policy',
];
const CLIENT_PREFIX = /^(consumer|producer|admin)/;

/** Java `Boolean.parseBoolean`: true only for "true", ignoring case; everything else is false. */
export const javaParseBoolean = (v: string | undefined): boolean => v?.toLowerCase() === 'true';

export class MirrorMakerConfig {
  readonly raw: ReadonlyMap<string, string>;

  constructor(raw: ReadonlyMap<string, string>) {
    this.raw = raw;
  }

  /** Declared aliases, first occurrence order, duplicates dropped (Java keeps a set). */
  clusters(): string[] {
    return [...new Set(parseJavaList(this.raw.get('clusters') ?? ''))];
  }

  /** Java `clusterPairs()`: every ordered pair that is enabled or emits heartbeats. */
  clusterPairs(): SourceAndTarget[] {
    const pairs: SourceAndTarget[] = [];
    const clusters = this.clusters();
    const globalHeartbeats = this.raw.has('emit.heartbeats.enabled')
      ? javaParseBoolean(this.raw.get('emit.heartbeats.enabled'))
      : true;
    for (const source of clusters) {
      for (const target of clusters) {
        if (source === target) continue;
        const prefix = `${source}->${target}.`;
        const enabled = javaParseBoolean(this.raw.get(`${prefix}enabled`));
        const heartbeats = this.raw.has(`${prefix}emit.heartbeats.enabled`)
          ? javaParseBoolean(this.raw.get(`${prefix}emit.heartbeats.enabled`))
          : globalHeartbeats;
        if (enabled || heartbeats) pairs.push({ source, target });
      }
    }
    return pairs;
  }

  /** Whether `S->T.enabled` turns replication on (Java's parseBoolean). */
  routeEnabled(pair: SourceAndTarget): boolean {
    return javaParseBoolean(this.raw.get(`${routeName(pair)}.enabled`));
  }

  /** Raw keys with `prefix`, prefix stripped; a key equal to the prefix is skipped (Java `entriesWithPrefix`). */
  withPrefixStripped(prefix: string): SourcedMap {
    const out: SourcedMap = new Map();
    for (const [k, v] of this.raw) {
      if (k.startsWith(prefix) && k.length > prefix.length) out.set(k.slice(prefix.length), { value: v, origin: k });
    }
    return out;
  }

  /** Raw keys starting with `prefix`, prefix kept. */
  withPrefix(prefix: string): SourcedMap {
    const out: SourcedMap = new Map();
    for (const [k, v] of this.raw) if (k.startsWith(prefix)) out.set(k, { value: v, origin: k });
    return out;
  }

  /** Java `clusterProps(X)` (facts §5.3). */
  clusterProps(cluster: string): SourcedMap {
    const props = this.withPrefixStripped(`${cluster}.`);
    const putIfAbsent = (k: string, v: SourcedValue): void => {
      if (!props.has(k)) props.set(k, v);
    };
    for (const k of CLIENT_SECURITY_KEY_NAMES) {
      const v = props.get(k);
      if (v !== undefined) {
        putIfAbsent(`producer.${k}`, v);
        putIfAbsent(`consumer.${k}`, v);
        putIfAbsent(`admin.${k}`, v);
      }
    }
    for (const k of CLIENT_SECURITY_KEY_NAMES) {
      const v = this.raw.get(k);
      if (v !== undefined) {
        const sourced = { value: v, origin: k };
        putIfAbsent(`producer.${k}`, sourced);
        putIfAbsent(`consumer.${k}`, sourced);
        putIfAbsent(`admin.${k}`, sourced);
        putIfAbsent(k, sourced);
      }
    }
    return props;
  }

  /** Java `connectorBaseConfig(S->T, class)` (facts §5.4). Placeholders are not resolved. */
  connectorBaseConfig(pair: SourceAndTarget, kind: ConnectorKind): SourcedMap {
    const props: SourcedMap = new Map();
    for (const [k, v] of this.raw) if (CONNECTOR_CONFIG_NAMES.has(k)) props.set(k, { value: v, origin: k });
    putAll(props, this.withPrefix('config.providers'));
    putAll(props, this.withPrefix('replication.policy'));
    const sourceProps = this.clusterProps(pair.source);
    putAll(props, clusterConfigsWithPrefix('source.cluster.', sourceProps));
    putAll(props, clientConfigsWithPrefix('source.', sourceProps));
    const targetProps = this.clusterProps(pair.target);
    putAll(props, clusterConfigsWithPrefix('target.cluster.', targetProps));
    putAll(props, clientConfigsWithPrefix('target.', targetProps));
    const injected = (value: string): SourcedValue => ({ value, origin: '' });
    if (!props.has('name')) props.set('name', injected(connectorSimpleName(kind)));
    if (!props.has('connector.class')) props.set('connector.class', injected(CONNECTOR_CLASSES[kind]));
    if (!props.has('source.cluster.alias')) props.set('source.cluster.alias', injected(pair.source));
    if (!props.has('target.cluster.alias')) props.set('target.cluster.alias', injected(pair.target));
    putAll(props, this.withPrefixStripped(`${routeName(pair)}.`));
    if (!props.has('enabled')) props.set('enabled', injected('false'));
    return props;
  }

  /**
   * Java `workerConfig(S->T)` (facts §5.6) before and after placeholder resolution: `resolve` is
   * applied to everything but the raw `config.providers*` keys, as Java does.
   */
  workerConfig(pair: SourceAndTarget, resolve: (m: SourcedMap) => SourcedMap = (m) => m): SourcedMap {
    let props = this.clusterProps(pair.target);
    for (const prefix of WORKER_TOP_LEVEL_PREFIXES) putAll(props, this.withPrefix(prefix));
    props = resolve(props);
    putAll(props, this.withPrefix('config.providers'));
    const injected = (value: string): SourcedValue => ({ value, origin: '' });
    const defaults: [string, string][] = [
      ['client.id', routeName(pair)],
      ['group.id', `${pair.source}-mm2`],
      ['offset.storage.topic', `mm2-offsets.${pair.source}.internal`],
      ['status.storage.topic', `mm2-status.${pair.source}.internal`],
      ['config.storage.topic', `mm2-configs.${pair.source}.internal`],
      ['key.converter', BYTE_ARRAY_CONVERTER],
      ['value.converter', BYTE_ARRAY_CONVERTER],
      ['header.converter', BYTE_ARRAY_CONVERTER],
    ];
    for (const [k, v] of defaults) if (!props.has(k)) props.set(k, injected(v));
    return props;
  }

  /** Java `clientConfig(X)` originals (facts §5.8): all top-level keys + clusterProps(X), resolved. */
  clientConfig(cluster: string, resolve: (m: SourcedMap) => SourcedMap = (m) => m): SourcedMap {
    const props: SourcedMap = new Map();
    for (const [k, v] of this.raw) props.set(k, { value: v, origin: k });
    putAll(props, this.clusterProps(cluster));
    return resolve(props);
  }
}

function putAll(into: SourcedMap, from: ReadonlyMap<string, SourcedValue>): void {
  for (const [k, v] of from) into.set(k, v);
}

function clusterConfigsWithPrefix(prefix: string, props: SourcedMap): SourcedMap {
  const out: SourcedMap = new Map();
  for (const [k, v] of props) if (!CLIENT_PREFIX.test(k)) out.set(prefix + k, v);
  return out;
}

function clientConfigsWithPrefix(prefix: string, props: SourcedMap): SourcedMap {
  const out: SourcedMap = new Map();
  for (const [k, v] of props) if (CLIENT_PREFIX.test(k)) out.set(prefix + k, v);
  return out;
}

/** Plain string view of a sourced map, keys sorted (for display and comparisons). */
export function valuesOf(m: ReadonlyMap<string, SourcedValue>): Record<string, string> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, v.value]));
}
