import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { isSecretKey, toKafkaClientSettings, type LoadedConfig } from '../config/index.ts';
import type { KafkaClientSettings } from '../kafka/index.ts';
import { ConfigError } from '../util/errors.ts';

/** The scale-out settings of a file (docs/scale-out.md). */
export interface MembershipSettings {
  groupId: string;
  /** The alias of the cluster whose coordinator holds the group. */
  groupCluster: string;
  client: KafkaClientSettings;
  groupInstanceId: string | undefined;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  capacity: number;
  /** How often the leader re-checks the balance by load (0: never, only at other rebalances). */
  rebalanceCheckIntervalMs: number;
}

/**
 * Keys that may differ between members of one group: who the member is, how it is reached and
 * logs, and the membership knobs that are per member by nature.
 */
const PER_MEMBER_KEY =
  /^(mm2ts\.group\.instance\.id|mm2ts\.group\.capacity|mm2ts\.http\..*|mm2ts\.log\..*|mm2ts\.config\.watch.*)$/;

/** Null when membership is off (the default: one process runs every selected route). */
export function membershipSettings(config: LoadedConfig): MembershipSettings | null {
  const values = config.properties.values;
  const get = (key: string): string | undefined => {
    const v = values.get(key)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  if (get('mm2ts.cluster.enabled')?.toLowerCase() !== 'true') return null;
  const groupCluster = get('mm2ts.group.cluster') ?? config.routes[0]?.target;
  if (groupCluster === undefined)
    throw new ConfigError(
      'mm2ts.cluster.enabled = true but no route is selected: name the group cluster in mm2ts.group.cluster',
      {
        key: 'mm2ts.group.cluster',
      },
    );
  const clientConfig = config.clusterClientConfigs.get(groupCluster);
  if (clientConfig === undefined)
    throw new ConfigError(
      `mm2ts.group.cluster = ${groupCluster} is not a declared cluster: valid values are ${config.clusters.join(', ')}`,
      { key: 'mm2ts.group.cluster', value: groupCluster },
    );
  const { settings, problems } = toKafkaClientSettings(new Map([...clientConfig].map(([k, v]) => [k, v.value])));
  const error = problems.find((p) => p.severity === 'error');
  if (error) throw new ConfigError(`the group cluster ${groupCluster}: ${error.message}`, { key: error.key });
  const sessionTimeoutMs = Number(get('mm2ts.group.session.timeout.ms') ?? 10_000);
  return {
    groupId: get('mm2ts.group.id') ?? `mm2ts-${config.clusters.join('-')}`,
    groupCluster,
    client: { ...settings, clusterAlias: groupCluster, clientId: `mm2ts-member-${groupCluster}` },
    groupInstanceId: get('mm2ts.group.instance.id'),
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.min(Number(get('mm2ts.group.heartbeat.interval.ms') ?? 2_000), sessionTimeoutMs / 3),
    capacity: Number(get('mm2ts.group.capacity') ?? 1),
    rebalanceCheckIntervalMs: Number(get('mm2ts.cluster.rebalance.check.interval.ms') ?? 30_000),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The member's configuration as the group compares it: every key of the file as written
 * (placeholders unresolved, so hosts may read different secrets from their providers), except the
 * per-member keys, and the routes it selects. `keyHashes` lets the leader name the keys that
 * differ; secret keys are folded into one entry so no secret's hash leaves the process.
 */
export function configFingerprint(config: LoadedConfig): { configHash: string; keyHashes: Record<string, string> } {
  const keyHashes: Record<string, string> = {};
  const secrets: string[] = [];
  const keys = [...config.properties.values.keys()].filter((k) => !PER_MEMBER_KEY.test(k)).sort();
  for (const k of keys) {
    const v = config.properties.values.get(k)!.trim();
    if (isSecretKey(k)) secrets.push(`${k}=${v}`);
    else keyHashes[k] = sha256(v).slice(0, 12);
  }
  if (secrets.length > 0) keyHashes['(secret keys)'] = sha256(secrets.join('\n')).slice(0, 12);
  keyHashes['(selected routes)'] = sha256(config.routes.map((r) => r.name).join(',')).slice(0, 12);
  const configHash = sha256(
    Object.entries(keyHashes)
      .map(([k, h]) => `${k}=${h}`)
      .join('\n'),
  ).slice(0, 16);
  return { configHash, keyHashes };
}

/** For people: the instance id, or host name and process id. */
export function instanceName(settings: MembershipSettings): string {
  return settings.groupInstanceId ?? `${hostname()}/${process.pid}`;
}
