import { ConfigError } from '../util/errors.ts';
import { DefaultReplicationPolicy } from './default-replication-policy.ts';
import { IdentityReplicationPolicy } from './identity-replication-policy.ts';
import type { ReplicationPolicy } from './replication-policy.ts';

/** `replication.policy.class`. */
export const REPLICATION_POLICY_CLASS_CONFIG = 'replication.policy.class';
export const DEFAULT_REPLICATION_POLICY_CLASS = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
export const IDENTITY_REPLICATION_POLICY_CLASS = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';

/** Builds a configured policy from a Java-style property map (what Java's `configure` receives). */
export type ReplicationPolicyFactory = (props: Readonly<Record<string, unknown>>) => ReplicationPolicy;

const BUILT_IN: ReadonlyMap<string, ReplicationPolicyFactory> = new Map<string, ReplicationPolicyFactory>([
  [DEFAULT_REPLICATION_POLICY_CLASS, (props) => DefaultReplicationPolicy.fromProps(props)],
  ['DefaultReplicationPolicy', (props) => DefaultReplicationPolicy.fromProps(props)],
  [IDENTITY_REPLICATION_POLICY_CLASS, (props) => IdentityReplicationPolicy.fromProps(props)],
  ['IdentityReplicationPolicy', (props) => IdentityReplicationPolicy.fromProps(props)],
]);

/**
 * The policy named by `replication.policy.class` in `props` (default DefaultReplicationPolicy),
 * configured with `props` as Java would. Java class names of the two built-in policies and their
 * simple names are known; `extra` may add more (e.g. custom policies by name). Throws ConfigError
 * naming the key for an unknown class.
 */
export function loadReplicationPolicy(
  props: Readonly<Record<string, unknown>>,
  extra: ReadonlyMap<string, ReplicationPolicyFactory> = new Map(),
): ReplicationPolicy {
  const raw = props[REPLICATION_POLICY_CLASS_CONFIG];
  const className = raw === undefined || raw === null ? DEFAULT_REPLICATION_POLICY_CLASS : String(raw).trim();
  const factory = extra.get(className) ?? BUILT_IN.get(className);
  if (factory === undefined) {
    throw new ConfigError(
      `Unknown ${REPLICATION_POLICY_CLASS_CONFIG} '${className}': valid values are ` +
        `${DEFAULT_REPLICATION_POLICY_CLASS}, ${IDENTITY_REPLICATION_POLICY_CLASS}` +
        (extra.size > 0 ? ` or one of ${[...extra.keys()].join(', ')}` : ''),
      { key: REPLICATION_POLICY_CLASS_CONFIG, value: className },
    );
  }
  return factory(props);
}
