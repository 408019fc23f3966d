import { WORKER_TOP_LEVEL_PREFIXES } from './mirror-maker-config.ts';
import { toKafkaClientSettings } from './client-settings.ts';
import { compilePatternList } from './java-regex.ts';
import { CLIENT_SECURITY_KEY_NAMES } from './keys/client-security-keys.ts';
import { CONNECTOR_CONFIG_NAMES, KEY_TABLE, KEYS_BY_NAME } from './keys/key-table.ts';
import { closestKnownKey, suggestClusterClientKey, suggestRouteKey } from './key-suggestions.ts';
import { parseJavaList } from './keys/key-types.ts';
import type { RouteConfig } from './load.ts';
import type { MirrorMakerConfig } from './mirror-maker-config.ts';
import type { PropertiesFile } from './properties-reader.ts';

/**
 * Findings about a config that loads. `javaIgnores` marks what Java MM2 silently ignores: a
 * warning at start (existing files keep working) and an error in `mm2 config lint`.
 */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly key?: string;
  readonly line?: number;
  readonly javaIgnores: boolean;
}

export interface DiagnosticsInput {
  properties: PropertiesFile;
  model: MirrorMakerConfig;
  clusters: readonly string[];
  routes: readonly RouteConfig[];
  file: string | undefined;
}

const ROUTE_KEY = /^(.+?)->(.+?)\.(.+)$/;
const WORKER_PREFIXES = WORKER_TOP_LEVEL_PREFIXES;
const DEFAULT_GROUPS_EXCLUDE = KEYS_BY_NAME.get('groups.exclude')?.default ?? '';

export function formatDiagnostic(d: Diagnostic): string {
  const at = d.key !== undefined ? `${d.key}${d.line !== undefined ? ` (line ${d.line})` : ''}: ` : '';
  return `${at}${d.message}`;
}

export function collectDiagnostics(input: DiagnosticsInput): Diagnostic[] {
  const { properties, clusters, routes } = input;
  const out: Diagnostic[] = [];
  const lineOf = (k: string): number | undefined => properties.lines.get(k);
  const add = (d: Omit<Diagnostic, 'line'> & { key?: string }): void => {
    const line = d.key !== undefined ? lineOf(d.key) : undefined;
    out.push({ ...d, ...(line !== undefined ? { line } : {}) });
  };
  const declared = new Set(clusters);

  // Aliases listed twice.
  const listed = parseJavaList(properties.values.get('clusters') ?? '');
  const seen = new Set<string>();
  for (const alias of listed) {
    if (alias === '') {
      add({
        severity: 'warning',
        code: 'alias-empty',
        key: 'clusters',
        message: 'an empty alias in clusters is ignored',
        javaIgnores: true,
      });
    } else if (seen.has(alias)) {
      add({
        severity: 'warning',
        code: 'alias-duplicate',
        key: 'clusters',
        message: `alias '${alias}' is listed twice; Java keeps one`,
        javaIgnores: true,
      });
    }
    seen.add(alias);
  }

  for (const [key, at] of properties.duplicates) {
    add({
      severity: 'warning',
      code: 'duplicate-key',
      key,
      message: `defined ${at.length} times (lines ${at.join(', ')}); the last one wins`,
      javaIgnores: true,
    });
  }

  for (const [key, value] of properties.values) {
    const route = ROUTE_KEY.exec(key);
    if (route) {
      const [, source = '', target = '', rest = ''] = route;
      if (!declared.has(source) || !declared.has(target)) {
        const missing = [source, target].filter((a) => !declared.has(a)).join(', ');
        add({
          severity: 'warning',
          code: 'route-undeclared-alias',
          key,
          message: `route to/from undeclared alias ${missing}; Java ignores it`,
          javaIgnores: true,
        });
        continue;
      }
      if (source === target) {
        add({
          severity: 'warning',
          code: 'route-to-self',
          key,
          message: 'a route from a cluster to itself; Java ignores it',
          javaIgnores: true,
        });
        continue;
      }
      if (rest === 'enabled')
        routeEnabledValue(
          key,
          value,
          input.model.clusterPairs().some((p) => p.source === source && p.target === target),
          add,
        );
      const routeTypo = suggestRouteKey(rest);
      if (routeTypo) {
        add({
          severity: 'warning',
          code: 'route-key-unknown',
          key,
          message: `unknown key under route ${source}->${target}; did you mean ${source}->${target}.${routeTypo.suggestion}?`,
          javaIgnores: false,
        });
      }
      if (rest.startsWith('producer.') && !rest.startsWith('producer.override.')) {
        add({
          severity: 'warning',
          code: 'route-producer-not-data-producer',
          key,
          message: `only configures the offset-syncs producer; the producer writing replicated records takes ${target}.producer.${rest.slice(9)} or ${source}->${target}.producer.override.${rest.slice(9)}`,
          javaIgnores: false,
        });
      }
      continue;
    }
    const dot = key.indexOf('.');
    const alias = dot > 0 ? key.slice(0, dot) : '';
    if (declared.has(alias)) {
      const rest = key.slice(dot + 1);
      if (
        CONNECTOR_CONFIG_NAMES.has(rest) &&
        !CLIENT_SECURITY_KEY_NAMES.has(rest) &&
        !rest.startsWith('replication.policy')
      ) {
        add({
          severity: 'warning',
          code: 'dropped-cluster-connector-key',
          key,
          message: `connector settings are not read per cluster; Java ignores it. Use a route key such as ${alias}->X.${rest} or a top-level ${rest}`,
          javaIgnores: true,
        });
      }
      const clientTypo = suggestClusterClientKey(rest);
      if (clientTypo) {
        add({
          severity: 'warning',
          code: 'client-key-unknown',
          key,
          message: `unknown ${rest.slice(0, rest.indexOf('.'))} key for cluster ${alias}; did you mean ${alias}.${clientTypo.suggestion}?`,
          javaIgnores: false,
        });
      }
      continue;
    }
    topLevelKey(key, add);
  }

  // Policies that must agree: every route shares topic naming with its reverse and neighbours.
  const policies = new Map<string, string[]>();
  for (const r of routes) {
    const p =
      r.resolvedConnectors.source.get('replication.policy.class')?.value ??
      'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
    const sep = r.resolvedConnectors.source.get('replication.policy.separator')?.value ?? '.';
    const id = `${p.trim()} (separator '${sep}')`;
    policies.set(id, [...(policies.get(id) ?? []), r.name]);
  }
  if (policies.size > 1) {
    add({
      severity: 'warning',
      code: 'policy-mismatch',
      message: `routes use different replication policies: ${[...policies].map(([p, rs]) => `${rs.join(', ')}: ${p}`).join('; ')}. Remote topic names and cycle detection need one policy across the topology`,
      javaIgnores: false,
    });
  }
  for (const r of routes) {
    if (
      !r.enabled ||
      r.settings.replicationPolicy.kind !== 'builtin' ||
      r.settings.replicationPolicy.name !== 'IdentityReplicationPolicy'
    )
      continue;
    if (input.model.routeEnabled({ source: r.target, target: r.source })) {
      add({
        severity: 'warning',
        code: 'identity-bidirectional',
        message: `IdentityReplicationPolicy on ${r.name} while ${r.target}->${r.source} is enabled too: topics would loop between the clusters (identity naming cannot detect cycles)`,
        javaIgnores: false,
      });
    }
  }
  for (const r of routes) {
    if (!r.enabled) continue;
    const groupsKey = r.resolvedConnectors.checkpoint.get('groups');
    const excl = r.resolvedConnectors.checkpoint.get('groups.exclude');
    if (!groupsKey || excl) continue;
    const defaultExclude = compilePatternList(DEFAULT_GROUPS_EXCLUDE, { key: 'groups.exclude' });
    for (const g of parseJavaList(groupsKey.value)) {
      if (/^[\w.-]+$/.test(g) && defaultExclude.matches(g)) {
        add({
          severity: 'warning',
          code: 'groups-hidden-by-default-excludes',
          key: groupsKey.origin,
          message: `group '${g}' (route ${r.name}) is excluded by the default groups.exclude (${DEFAULT_GROUPS_EXCLUDE}); set groups.exclude to replicate it`,
          javaIgnores: false,
        });
      }
    }
  }
  for (const r of routes) {
    const c = r.resolvedConnectors.source;
    if (c.get('emit.offset-syncs.enabled')?.value.trim().toLowerCase() === 'false') {
      for (const [k, v] of c) {
        if (k.startsWith('offset-syncs.topic.') || k.startsWith('offset-syncs-')) {
          add({
            severity: 'error',
            code: 'offset-syncs-disabled-with-settings',
            key: v.origin || k,
            message: `emit.offset-syncs.enabled is false on ${r.name}, so Java rejects the source connector while ${k} is set`,
            javaIgnores: false,
          });
        }
      }
    }
  }
  if (routes.length > 1) {
    for (const k of ['config.storage.topic', 'offset.storage.topic', 'status.storage.topic']) {
      if (properties.values.has(k)) {
        add({
          severity: 'warning',
          code: 'shared-storage-topic',
          key: k,
          message: `a top-level ${k} applies to every route (${routes.map((r) => r.name).join(', ')}), which then share one topic; set it per target cluster instead`,
          javaIgnores: false,
        });
      }
    }
  }
  clientProblems(routes, add);
  return out;
}

function topLevelKey(key: string, add: (d: Omit<Diagnostic, 'line'> & { key?: string }) => void): void {
  const def = KEYS_BY_NAME.get(key);
  if (key === 'use.defaults.from') {
    add({
      severity: 'warning',
      code: 'top-level-use-defaults-from',
      key,
      message: 'Java ignores a top-level use.defaults.from; set it per route: S->T.use.defaults.from',
      javaIgnores: true,
    });
    return;
  }
  if (key === 'enabled') {
    add({
      severity: 'warning',
      code: 'top-level-enabled',
      key,
      message: 'a top-level enabled reaches every connector, including the heartbeat-only routes; use S->T.enabled',
      javaIgnores: false,
    });
    return;
  }
  if (key === 'name' || key === 'connector.class') {
    add({
      severity: 'error',
      code: 'top-level-connector-identity',
      key,
      message: `a top-level ${key} would give all connectors the same ${key}; remove it`,
      javaIgnores: false,
    });
    return;
  }
  if (def && (def.scope === 'mm2' || def.scope === 'connector' || def.scope === 'client')) return;
  if (key.startsWith('config.providers.') || WORKER_PREFIXES.some((p) => key.startsWith(p))) return;
  if (def && def.scope === 'worker') {
    add({
      severity: 'warning',
      code: 'dropped-worker-key',
      key,
      message: `Java ignores a top-level ${key}; set it per target cluster: <alias>.${key}`,
      javaIgnores: true,
    });
    return;
  }
  if (def && def.scope === 'route-only') {
    add({
      severity: 'warning',
      code: 'dropped-route-key',
      key,
      message: `Java ignores a top-level ${key}; set it per route: S->T.${key}`,
      javaIgnores: true,
    });
    return;
  }
  if (/^(consumer|producer|admin)\./.test(key)) {
    add({
      severity: 'warning',
      code: 'dropped-client-key',
      key,
      message: `Java ignores a top-level ${key}; set it per cluster (<alias>.${key}) or per route (S->T.${key})`,
      javaIgnores: true,
    });
    return;
  }
  const near = closestKnownKey(
    key,
    KEY_TABLE.map((k) => k.name),
  );
  add({
    severity: 'warning',
    code: 'unknown-key',
    key,
    message: `unknown key; Java ignores it${near !== undefined ? `. Did you mean ${near}?` : ''}`,
    javaIgnores: true,
  });
}

/**
 * `S->T.enabled` with a value that is not exactly true/false. Java reads it twice: MirrorMakerConfig
 * (`clusterPairs()`) with `Boolean.parseBoolean` on the raw text, which does not trim, to decide
 * whether the route gets a herder; then each connector through its ConfigDef BOOLEAN, which trims
 * and rejects anything but true/false (checked against Kafka 4.1.2's MirrorMakerConfig and
 * ConfigDef.parseType). So `true   ` counts as false for the herder but true for the connectors.
 */
function routeEnabledValue(
  key: string,
  value: string,
  routeRuns: boolean,
  add: (d: Omit<Diagnostic, 'line'> & { key?: string }) => void,
): void {
  const word = value.trim().toLowerCase();
  if (value === value.trim() && (word === 'true' || word === 'false')) return;
  if (word === 'false') {
    add({
      severity: 'warning',
      code: 'route-enabled-whitespace',
      key,
      message: `'${value}' has surrounding blanks; Java reads it as false either way`,
      javaIgnores: false,
    });
    return;
  }
  if (word === 'true') {
    add({
      severity: 'warning',
      code: 'route-enabled-whitespace',
      key,
      message: routeRuns
        ? `'${value}' has surrounding blanks: Java's MirrorMakerConfig reads it with Boolean.parseBoolean (no trimming) as false, but the route still gets a herder because it emits heartbeats, and its connectors read enabled through ConfigDef, which trims, as true: replication runs. Remove the blanks so both readings agree`
        : `'${value}' has surrounding blanks: Java's MirrorMakerConfig reads it with Boolean.parseBoolean (no trimming) as false and, with heartbeats off for this route, creates no herder: the route does not run at all. Remove the blanks to enable it`,
      javaIgnores: !routeRuns,
    });
    return;
  }
  add({
    severity: 'warning',
    code: 'route-enabled-not-boolean',
    key,
    message: `'${value}' is read as false (Java accepts only true/false)`,
    javaIgnores: true,
  });
}

function clientProblems(
  routes: readonly RouteConfig[],
  add: (d: Omit<Diagnostic, 'line'> & { key?: string }) => void,
): void {
  const reported = new Set<string>();
  for (const r of routes) {
    for (const { use, config } of r.clients.values()) {
      const { problems } = toKafkaClientSettings(new Map([...config].map(([k, v]) => [k, v.value])));
      for (const p of problems) {
        const origin = config.get(p.key)?.origin || `${use.side === 'source' ? r.source : r.target}.${p.key}`;
        const id = `${origin}\u0000${p.message}`;
        if (reported.has(id)) continue;
        reported.add(id);
        add({ severity: p.severity, code: 'client-setting', key: origin, message: p.message, javaIgnores: false });
      }
    }
  }
}

/**
 * Checks that need a live cluster: replication factors against the target's broker count and
 * `min.insync.replicas`. `describeCluster` is supplied by the caller (nothing here connects).
 */
export async function checkReplicationFactors(
  routes: readonly RouteConfig[],
  describeCluster: (alias: string) => Promise<{ brokers: number; minInsyncReplicas?: number }>,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const r of routes) {
    const info = await describeCluster(r.target);
    const s = r.settings;
    const factors: [string, number][] = [
      ['replication.factor', s.replicationFactor],
      ['checkpoints.topic.replication.factor', s.checkpointsTopicReplicationFactor],
      ['heartbeats.topic.replication.factor', s.heartbeatsTopicReplicationFactor],
      ['offset-syncs.topic.replication.factor', s.offsetSyncsTopicReplicationFactor],
    ];
    for (const [key, rf] of factors) {
      if (rf > info.brokers) {
        out.push({
          severity: 'warning',
          code: 'replication-factor-above-brokers',
          key,
          message: `${key} = ${rf} on ${r.name}, but ${r.target} has ${info.brokers} broker(s)`,
          javaIgnores: false,
        });
      } else if (rf > 0 && info.minInsyncReplicas !== undefined && rf < info.minInsyncReplicas) {
        out.push({
          severity: 'warning',
          code: 'replication-factor-below-min-isr',
          key,
          message: `${key} = ${rf} on ${r.name} is below ${r.target}'s min.insync.replicas = ${info.minInsyncReplicas}: acks=all writes would fail`,
          javaIgnores: false,
        });
      }
    }
  }
  return out;
}
