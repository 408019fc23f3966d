import { toKafkaClientSettings } from '../config/client-settings.ts';
import type { KafkaClientSettings } from '../kafka/port.ts';
import {
  DEFAULT_REPLICATION_POLICY_CLASS,
  DefaultReplicationPolicy,
  REPLICATION_POLICY_CLASS_CONFIG,
  loadReplicationPolicy,
  type ReplicationPolicy,
  type ReplicationPolicyFactory,
} from '../policy/index.ts';
import { ConfigError } from '../util/errors.ts';

/*
 * Java's MirrorClientConfig: what a MirrorClient is built from. Two inputs are accepted — the
 * Java-style property map (so a `RemoteClusterUtils` caller's map or `mm2.properties`'s
 * `clientConfig(alias)` works unchanged) and a typed options object for TypeScript callers.
 */

/** The client id our admin and fetch connections announce (Java's are generated, `adminclient-N`). */
export const MIRROR_CLIENT_ID = 'mirrormaker-ts-client';

/** Java's default `default.api.timeout.ms`: the bound on topic listings when no timeout is given. */
export const DEFAULT_API_TIMEOUT_MS = 60_000;

/**
 * Java-style client properties, as `RemoteClusterUtils` takes them: `bootstrap.servers`,
 * `replication.policy.class`, `replication.policy.separator`,
 * `replication.policy.internal.topic.separator.enabled`, `security.protocol`, `ssl.*`, `sasl.*`, and
 * the same keys prefixed `admin.` or `consumer.` to override them for one of the two clients.
 * Values may be strings, numbers or booleans (Java's `Map<String, Object>`).
 */
export type MirrorClientProperties =
  ReadonlyMap<string, string> | Readonly<Record<string, string | number | boolean | undefined>>;

/** The typed alternative to {@link MirrorClientProperties}. */
export interface MirrorClientOptions {
  /** The cluster to talk to (the "local" one, where checkpoints and heartbeats arrived): `host:port`. */
  readonly bootstrapServers: string | readonly string[];
  /** How topic names are read. Default: DefaultReplicationPolicy with {@link separator}. */
  readonly replicationPolicy?: ReplicationPolicy;
  /** Separator of the default policy (Java `replication.policy.separator`); ignored with `replicationPolicy`. */
  readonly separator?: string;
  /** Security, SASL, TLS and timeouts, as the Kafka port takes them; `bootstrapServers` above wins. */
  readonly connection?: Partial<Omit<KafkaClientSettings, 'bootstrapServers'>>;
}

/** What a MirrorClient is built from, whichever input form was used. */
export interface ResolvedMirrorClientConfig {
  readonly policy: ReplicationPolicy;
  /** `replication.policy.class` as given, or a description of a policy object. */
  readonly policyName: string;
  readonly adminSettings: KafkaClientSettings;
  readonly consumerSettings: KafkaClientSettings;
  /** Settings that Node cannot honour but that do not stop the client from working. */
  readonly warnings: readonly string[];
}

/** True when `input` is the typed options form rather than Java-style properties. */
export function isMirrorClientOptions(
  input: MirrorClientProperties | MirrorClientOptions,
): input is MirrorClientOptions {
  return !(input instanceof Map) && Object.hasOwn(input, 'bootstrapServers');
}

/**
 * Java's `MirrorClientConfig` restricts the admin/consumer configs to these keys (client
 * bootstrap, security, SSL, SASL). Java quirk kept: anything else, e.g. `client.id` or
 * `request.timeout.ms`, is silently ignored by Java, so it is ignored here too.
 */
function isClientKey(key: string): boolean {
  return (
    key === 'bootstrap.servers' || key === 'security.protocol' || key.startsWith('ssl.') || key.startsWith('sasl.')
  );
}

function propertiesToRecord(props: MirrorClientProperties): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, unknown]> = props instanceof Map ? props : Object.entries(props);
  for (const [k, v] of entries) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

/** Top-level client keys overridden by `<prefix>`-prefixed ones (Java `clientConfig(prefix)`). */
function clientView(props: Readonly<Record<string, string>>, prefix: 'admin.' | 'consumer.'): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(props)) if (isClientKey(k)) out.set(k, v);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith(prefix) && isClientKey(k.slice(prefix.length))) out.set(k.slice(prefix.length), v);
  }
  return out;
}

function settingsFor(view: Map<string, string>, which: string, warnings: string[]): KafkaClientSettings {
  const { settings, problems } = toKafkaClientSettings(view);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(`MirrorClient ${which} config: ${errors.map((p) => p.message).join('; ')}`, {
      key: errors[0]!.key,
    });
  }
  for (const p of problems) warnings.push(`${which}: ${p.message}`);
  return { ...settings, clientId: MIRROR_CLIENT_ID };
}

/**
 * Resolves either input form. Throws ConfigError naming the key when the properties cannot work
 * (no `bootstrap.servers`, an unknown policy class, a JKS store, an unsupported SASL mechanism).
 * `policies` adds custom `replication.policy.class` names. Pure: opens no connection.
 */
export function resolveMirrorClientConfig(
  input: MirrorClientProperties | MirrorClientOptions,
  policies: ReadonlyMap<string, ReplicationPolicyFactory> = new Map(),
): ResolvedMirrorClientConfig {
  if (isMirrorClientOptions(input)) return resolveOptions(input);
  const props = propertiesToRecord(input);
  const warnings: string[] = [];
  const adminSettings = settingsFor(clientView(props, 'admin.'), 'admin', warnings);
  const consumerSettings = settingsFor(clientView(props, 'consumer.'), 'consumer', warnings);
  return {
    policy: loadReplicationPolicy(props, policies),
    policyName: props[REPLICATION_POLICY_CLASS_CONFIG]?.trim() ?? DEFAULT_REPLICATION_POLICY_CLASS,
    adminSettings,
    consumerSettings,
    warnings,
  };
}

function resolveOptions(options: MirrorClientOptions): ResolvedMirrorClientConfig {
  const servers = (
    typeof options.bootstrapServers === 'string' ? options.bootstrapServers.split(',') : [...options.bootstrapServers]
  )
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) {
    throw new ConfigError('MirrorClient: bootstrapServers is empty; expected host:port of the local cluster', {
      key: 'bootstrapServers',
    });
  }
  if (options.separator !== undefined && options.separator === '') {
    throw new ConfigError('MirrorClient: separator must not be empty', { key: 'separator' });
  }
  const settings: KafkaClientSettings = {
    securityProtocol: 'PLAINTEXT',
    ...options.connection,
    clientId: options.connection?.clientId ?? MIRROR_CLIENT_ID,
    bootstrapServers: servers,
  };
  const policy =
    options.replicationPolicy ??
    new DefaultReplicationPolicy(options.separator === undefined ? {} : { separator: options.separator });
  const policyName =
    options.replicationPolicy === undefined
      ? DEFAULT_REPLICATION_POLICY_CLASS
      : (options.replicationPolicy.constructor.name ?? 'custom ReplicationPolicy');
  return { policy, policyName, adminSettings: settings, consumerSettings: settings, warnings: [] };
}
