import { CLIENT_SECURITY_KEY_NAMES } from './keys/client-security-keys.ts';
import type { ConnectorKind } from './keys/key-table.ts';
import type { SourcedMap, SourcedValue } from './mirror-maker-config.ts';

/**
 * The Kafka client configs each connector builds from its connector config (Java
 * `MirrorConnectorConfig.{source,target}{Consumer,Producer,Admin}Config`, facts §5.5):
 * `{side}.cluster.*` security keys, then `{client}.*`, then `{side}.{client}.*`; consumers get
 * `enable.auto.commit=false` and `auto.offset.reset` defaulting to `earliest`; `client.id` is
 * `[user|]S->T|<connector>|<role>`.
 */

export type ClusterSide = 'source' | 'target';
export type ClientKind = 'consumer' | 'producer' | 'admin';

export interface ClientUse {
  /** Label as the cross-check names it: `<connector>.<role>`. */
  readonly label: string;
  readonly connector: ConnectorKind;
  readonly side: ClusterSide;
  readonly client: ClientKind;
  /** The Java role string in client.id. */
  readonly role: string;
}

function stripped(conn: ReadonlyMap<string, SourcedValue>, prefix: string): SourcedMap {
  const out: SourcedMap = new Map();
  for (const [k, v] of conn) if (k.startsWith(prefix) && k.length > prefix.length) out.set(k.slice(prefix.length), v);
  return out;
}

export function connectorClientConfig(
  conn: ReadonlyMap<string, SourcedValue>,
  side: ClusterSide,
  client: ClientKind,
  role: string,
): SourcedMap {
  const props = stripped(conn, `${side}.cluster.`);
  for (const k of [...props.keys()]) if (!CLIENT_SECURITY_KEY_NAMES.has(k)) props.delete(k);
  for (const [k, v] of stripped(conn, `${client}.`)) props.set(k, v);
  for (const [k, v] of stripped(conn, `${side}.${client}.`)) props.set(k, v);
  if (client === 'consumer') {
    props.set('enable.auto.commit', { value: 'false', origin: '' });
    if (!props.has('auto.offset.reset')) props.set('auto.offset.reset', { value: 'earliest', origin: '' });
  }
  const label = `${conn.get('source.cluster.alias')?.value ?? 'source'}->${conn.get('target.cluster.alias')?.value ?? 'target'}|${conn.get('name')?.value ?? ''}|${role}`;
  const user = props.get('client.id');
  props.set('client.id', { value: user ? `${user.value}|${label}` : label, origin: user?.origin ?? '' });
  return props;
}

/** Every client a route's connectors open, given where the offset-syncs topic lives. */
export function clientUses(offsetSyncsLocation: ClusterSide): ClientUse[] {
  const o = offsetSyncsLocation;
  return [
    {
      label: 'source.replication-consumer',
      connector: 'source',
      side: 'source',
      client: 'consumer',
      role: 'replication-consumer',
    },
    {
      label: 'source.replication-source-admin',
      connector: 'source',
      side: 'source',
      client: 'admin',
      role: 'replication-source-admin',
    },
    {
      label: 'source.replication-target-admin',
      connector: 'source',
      side: 'target',
      client: 'admin',
      role: 'replication-target-admin',
    },
    {
      label: 'source.offset-syncs-producer',
      connector: 'source',
      side: o,
      client: 'producer',
      role: `offset-syncs-${o}-producer`,
    },
    {
      label: 'source.offset-syncs-admin',
      connector: 'source',
      side: o,
      client: 'admin',
      role: `offset-syncs-${o}-admin`,
    },
    {
      label: 'checkpoint.checkpoint-source-admin',
      connector: 'checkpoint',
      side: 'source',
      client: 'admin',
      role: 'checkpoint-source-admin',
    },
    {
      label: 'checkpoint.checkpoint-target-admin',
      connector: 'checkpoint',
      side: 'target',
      client: 'admin',
      role: 'checkpoint-target-admin',
    },
    {
      label: 'checkpoint.checkpoints-target-consumer',
      connector: 'checkpoint',
      side: 'target',
      client: 'consumer',
      role: 'checkpoints-target-consumer',
    },
    {
      label: 'checkpoint.offset-syncs-consumer',
      connector: 'checkpoint',
      side: o,
      client: 'consumer',
      role: `offset-syncs-${o}-consumer`,
    },
    {
      label: 'checkpoint.offset-syncs-admin',
      connector: 'checkpoint',
      side: o,
      client: 'admin',
      role: `offset-syncs-${o}-admin`,
    },
    {
      label: 'heartbeat.heartbeats-target-admin',
      connector: 'heartbeat',
      side: 'target',
      client: 'admin',
      role: 'heartbeats-target-admin',
    },
  ];
}
