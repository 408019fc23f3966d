import { dirname, resolve as resolvePath } from 'node:path';
import { ConfigError } from '../util/errors.ts';
import type { KafkaClientSettings } from '../kafka/port.ts';
import { toKafkaClientSettings } from './client-settings.ts';
import { clientUses, connectorClientConfig, type ClientUse } from './connector-clients.ts';
import { collectDiagnostics, formatDiagnostic, type Diagnostic } from './diagnostics.ts';
import { KEYS_BY_NAME, MM2_CONFIG_NAMES, type ConnectorKind } from './keys/key-table.ts';
import { parseJavaList, parseValue } from './keys/key-types.ts';
import { MirrorMakerConfig, routeName, type SourceAndTarget, type SourcedMap } from './mirror-maker-config.ts';
import { parseProperties, readPropertiesFile, type PropertiesFile } from './properties-reader.ts';
import {
  createProviders,
  findPlaceholders,
  providerDeclarations,
  resolvePlaceholders,
  type ConfigProvider,
} from './providers.ts';
import { invalid, routeSettings, type Origin, type RouteSettings } from './route-settings.ts';

/** One route `S->T` as it will run: Java's derived configs plus typed settings. */
export interface RouteConfig {
  readonly name: string;
  readonly source: string;
  readonly target: string;
  readonly enabled: boolean;
  /** Connector configs exactly as Java builds them (placeholders not resolved). */
  readonly connectors: Readonly<Record<ConnectorKind, SourcedMap>>;
  /** Connector configs with placeholders resolved, for the runtime. */
  readonly resolvedConnectors: Readonly<Record<ConnectorKind, SourcedMap>>;
  /** Worker config as Java builds it (resolved, as Java resolves it). */
  readonly worker: SourcedMap;
  /** Every client the connectors open, resolved, by label (`source.replication-consumer`, …). */
  readonly clients: ReadonlyMap<string, { use: ClientUse; config: SourcedMap; settings: KafkaClientSettings }>;
  readonly settings: RouteSettings;
}

export interface LoadedConfig {
  readonly file: string | undefined;
  readonly properties: PropertiesFile;
  readonly model: MirrorMakerConfig;
  /** Declared aliases (deduplicated, declaration order). */
  readonly clusters: readonly string[];
  /** The routes this node runs (after `--clusters`), in declaration order. */
  readonly routes: readonly RouteConfig[];
  /** Java `clientConfig(alias)` originals, resolved, per declared cluster. */
  readonly clusterClientConfigs: ReadonlyMap<string, SourcedMap>;
  /** Raw keys whose value came (in part) from a config provider: secret for display. */
  readonly providerKeys: ReadonlySet<string>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface LoadOptions {
  /** `--clusters`: target aliases this node serves; absent or empty: all. */
  clusters?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Return error diagnostics instead of throwing on the first (for `mm2 config lint`). */
  collectErrors?: boolean;
}

/** Loads, validates and derives everything from an mm2.properties file. Throws ConfigError. */
export function loadMirrorMakerConfig(path: string, options: LoadOptions = {}): LoadedConfig {
  return buildConfig(readPropertiesFile(path), resolvePath(path), options);
}

/** Same as loadMirrorMakerConfig, from text (tests, tools). */
export function loadMirrorMakerConfigText(text: string, options: LoadOptions & { file?: string } = {}): LoadedConfig {
  return buildConfig(parseProperties(text, options.file), options.file, options);
}

function buildConfig(properties: PropertiesFile, file: string | undefined, options: LoadOptions): LoadedConfig {
  const raw = properties.values;
  const lineOf = (k: string): number | undefined => properties.lines.get(k);
  const origin: Origin = { lineOf, baseDir: file ? dirname(file) : process.cwd(), ...(file ? { file } : {}) };
  const where = (k: string) => {
    const line = lineOf(k);
    return { key: k, ...(line !== undefined ? { line } : {}), ...(file ? { file } : {}) };
  };

  validateTopLevel(raw, where);
  const model = new MirrorMakerConfig(raw);
  const clusters = model.clusters();

  const providerNames = parseJavaList(raw.get('config.providers') ?? '');
  const providers = createProviders(providerDeclarations(raw, providerNames), options.env);
  const providerKeys = new Set<string>();
  const cache = new Map<string, Map<string, string>>();
  const resolve = (m: SourcedMap): SourcedMap => resolveMap(m, providers, cache, providerKeys, where);

  const selected = selectRoutes(model, clusters, options.clusters ?? []);
  const routes = selected.map((pair) => buildRoute(model, pair, resolve, origin));
  const clusterClientConfigs = new Map(clusters.map((c) => [c, model.clientConfig(c, resolve)]));
  // Resolve every placeholder once so an unreadable provider file fails at start, wherever it sits.
  resolve(new Map([...raw].map(([k, v]) => [k, { value: v, origin: k }])));

  const diagnostics = collectDiagnostics({ properties, model, clusters, routes, file });
  const firstError = diagnostics.find((d) => d.severity === 'error');
  if (firstError && !options.collectErrors) {
    throw new ConfigError(formatDiagnostic(firstError), {
      ...(firstError.key !== undefined ? { key: firstError.key } : {}),
      ...(firstError.line !== undefined ? { line: firstError.line } : {}),
      ...(file ? { file } : {}),
    });
  }
  return { file, properties, model, clusters, routes, clusterClientConfigs, providerKeys, diagnostics };
}

/** MirrorMakerConfig's own ConfigDef: `clusters` required and non-empty, typed top-level keys. */
function validateTopLevel(
  raw: ReadonlyMap<string, string>,
  where: (k: string) => { key: string; line?: number },
): void {
  const clusters = raw.get('clusters');
  if (clusters === undefined) {
    throw new ConfigError('Missing required configuration "clusters": list the cluster aliases, e.g. clusters = A, B', {
      key: 'clusters',
    });
  }
  if (parseJavaList(clusters).filter((c) => c !== '').length === 0) {
    throw new ConfigError(
      `clusters (line ${where('clusters').line}) is empty: list the cluster aliases, e.g. clusters = A, B`,
      {
        ...where('clusters'),
        value: clusters,
      },
    );
  }
  for (const name of MM2_CONFIG_NAMES) {
    const value = raw.get(name);
    const def = KEYS_BY_NAME.get(name);
    if (value === undefined || !def) continue;
    checkTyped(name, value, where(name));
  }
}

function checkTyped(name: string, value: string, at: { key: string; line?: number }): void {
  const def = KEYS_BY_NAME.get(name);
  if (!def) return;
  const parsed = parseValue(def.type, value);
  if (!parsed.ok) throw invalid(at, value, parsed.expected);
  const problem = def.validator?.check(parsed.value);
  if (problem !== undefined) throw invalid(at, value, problem);
}

function selectRoutes(
  model: MirrorMakerConfig,
  clusters: readonly string[],
  wanted: readonly string[],
): SourceAndTarget[] {
  for (const alias of wanted) {
    if (!clusters.includes(alias)) {
      throw new ConfigError(
        `--clusters ${alias}: unknown cluster alias; declared in clusters: ${clusters.join(', ')}`,
        { key: 'clusters', value: alias },
      );
    }
  }
  const targets = new Set(wanted.length > 0 ? wanted : clusters);
  const pairs = model.clusterPairs().filter((p) => targets.has(p.target));
  if (pairs.length === 0) throw new ConfigError('No source->target replication flows.', { key: 'clusters' });
  return pairs;
}

function buildRoute(
  model: MirrorMakerConfig,
  pair: SourceAndTarget,
  resolve: (m: SourcedMap) => SourcedMap,
  origin: Origin,
): RouteConfig {
  const kinds: ConnectorKind[] = ['source', 'checkpoint', 'heartbeat'];
  const connectors = Object.fromEntries(kinds.map((k) => [k, model.connectorBaseConfig(pair, k)])) as Record<
    ConnectorKind,
    SourcedMap
  >;
  const resolvedConnectors = Object.fromEntries(kinds.map((k) => [k, resolve(connectors[k])])) as Record<
    ConnectorKind,
    SourcedMap
  >;
  // Type-check every connector key the route carries (Java checks them when Connect validates).
  for (const kind of kinds) {
    for (const [name, v] of resolvedConnectors[kind]) {
      const def = KEYS_BY_NAME.get(name);
      if (!def || def.scope === 'worker' || def.scope === 'mm2') continue;
      // `S->T.enabled = yes` stays accepted (read as false, as Java's driver does), with a warning.
      if (name === 'enabled') continue;
      const line = origin.lineOf(v.origin);
      checkTyped(name, v.value, { key: v.origin || name, ...(line !== undefined ? { line } : {}) });
    }
  }
  const worker = model.workerConfig(pair, resolve);
  const settings = routeSettings(resolvedConnectors.source, worker, origin);
  const clients = new Map<string, { use: ClientUse; config: SourcedMap; settings: KafkaClientSettings }>();
  for (const use of clientUses(settings.offsetSyncsTopicLocation)) {
    const config = connectorClientConfig(resolvedConnectors[use.connector], use.side, use.client, use.role);
    const { settings: clientSettings } = toKafkaClientSettings(new Map([...config].map(([k, v]) => [k, v.value])));
    clients.set(use.label, { use, config, settings: clientSettings });
  }
  return {
    name: routeName(pair),
    source: pair.source,
    target: pair.target,
    enabled: settings.enabled,
    connectors,
    resolvedConnectors,
    worker,
    clients,
    settings,
  };
}

/** Resolves placeholders in every value; provider failures name the raw key and line. */
function resolveMap(
  m: SourcedMap,
  providers: ReadonlyMap<string, ConfigProvider>,
  cache: Map<string, Map<string, string>>,
  providerKeys: Set<string>,
  where: (k: string) => { key: string; line?: number },
): SourcedMap {
  const out: SourcedMap = new Map();
  for (const [k, v] of m) {
    if (findPlaceholders(v.value).length === 0) {
      out.set(k, v);
      continue;
    }
    try {
      const r = resolvePlaceholders(v.value, providers, cache);
      if (r.fromProvider) providerKeys.add(v.origin || k);
      out.set(k, { value: r.value, origin: v.origin });
    } catch (err) {
      if (err instanceof ConfigError) {
        const at = where(v.origin || k);
        throw new ConfigError(`${at.key}${at.line !== undefined ? ` (line ${at.line})` : ''}: ${err.message}`, {
          ...at,
          value: v.value,
        });
      }
      throw err;
    }
  }
  return out;
}
