/**
 * The one table of every configuration key mirrormaker-ts knows: MirrorMakerConfig, the three
 * connector ConfigDefs (with Connect's ConnectorConfig keys), the client security keys, the worker
 * keys the appliance honours, and the route-only keys Java reads outside any ConfigDef.
 * Defaults are Apache Kafka 4.1.2's (the Java cross-check test compares them with Java's ConfigDefs).
 * docs/configuration.md is generated from this table (scripts/gen-config-docs.ts).
 */
import { CLIENT_SECURITY_KEYS, OAUTHBEARER_CLIENT_KEYS } from './client-security-keys.ts';
import { atLeast, between, oneOf, type KeyType, type Validator } from './key-types.ts';

export type ConnectorKind = 'source' | 'checkpoint' | 'heartbeat';

/**
 * Where a key lives: `mm2` = MirrorMakerConfig itself; `connector` = a connector ConfigDef key;
 * `client` = a client security key (also in every connector ConfigDef); `worker` = a Connect worker
 * key; `route-only` = read by Java only when given per route (outside every ConfigDef).
 */
export type KeyScope = 'mm2' | 'connector' | 'client' | 'worker' | 'route-only';

/** Whether Java MM2 in dedicated mode takes the key into account where it is written. */
export interface JavaDedicatedSupport {
  /** Unprefixed, e.g. `offset.lag.max = 10`. */
  readonly topLevel: boolean;
  /** Cluster-prefixed, e.g. `B.offset.flush.interval.ms = 10000`. */
  readonly cluster: boolean;
  /** Route-prefixed, e.g. `A->B.offset.lag.max = 10`. */
  readonly route: boolean;
}

/** What this appliance does with the key. */
export type ApplianceSupport = 'honoured' | 'accepted' | 'unsupported';

export interface KeyDefinition {
  readonly name: string;
  readonly type: KeyType;
  /** Java's default in its string form; null: no default (unset). */
  readonly default: string | null;
  readonly required?: boolean;
  readonly validator?: Validator;
  readonly documentation: string;
  readonly scope: KeyScope;
  /** Connectors whose config reads the key (connector and client keys). */
  readonly connectors: readonly ConnectorKind[];
  readonly java: JavaDedicatedSupport;
  readonly appliance: ApplianceSupport;
  /** Value is a secret: never displayed or logged. */
  readonly secret?: boolean;
}

const ALL: readonly ConnectorKind[] = ['source', 'checkpoint', 'heartbeat'];
const SOURCE: readonly ConnectorKind[] = ['source'];
const CHECKPOINT: readonly ConnectorKind[] = ['checkpoint'];
const HEARTBEAT: readonly ConnectorKind[] = ['heartbeat'];
const SOURCE_AND_CHECKPOINT: readonly ConnectorKind[] = ['source', 'checkpoint'];

const CONNECTOR_KEY: JavaDedicatedSupport = { topLevel: true, cluster: false, route: true };
const MM2_KEY: JavaDedicatedSupport = { topLevel: true, cluster: false, route: false };
const CLUSTER_WORKER_KEY: JavaDedicatedSupport = { topLevel: false, cluster: true, route: false };
// Worker keys matching the top-level prefix rule of workerConfig (offset.storage*, task*, ...).
const PREFIX_WORKER_KEY: JavaDedicatedSupport = { topLevel: true, cluster: true, route: false };
/** A mirrormaker-ts key: top level only, ignored by Java MM2, honoured here. */
const OURS = {
  scope: 'mm2',
  connectors: [],
  java: { topLevel: false, cluster: false, route: false },
  appliance: 'honoured',
} as const;
const ROUTE_ONLY: JavaDedicatedSupport = { topLevel: false, cluster: false, route: true };
const CLIENT_KEY: JavaDedicatedSupport = { topLevel: true, cluster: true, route: false };

type Spec = Omit<KeyDefinition, 'name' | 'type' | 'default' | 'documentation'>;

function key(name: string, type: KeyType, dflt: string | null, documentation: string, spec: Spec): KeyDefinition {
  return { name, type, default: dflt, documentation, ...spec };
}

const connector = (connectors: readonly ConnectorKind[], extra: Partial<Spec> = {}): Spec => ({
  scope: 'connector',
  connectors,
  java: CONNECTOR_KEY,
  appliance: 'honoured',
  ...extra,
});

/**
 * Connect's `listeners.https.`-prefixed TLS keys (SSLUtils.createServerSideSslContextFactory): when
 * any is set, an HTTPS listener reads only these; otherwise the top-level `ssl.*` keys.
 */
function httpsListenerKeys(): KeyDefinition[] {
  const listenerKey = (name: string, type: KeyType, documentation: string, honoured = true): KeyDefinition =>
    key(`listeners.https.${name}`, type, null, documentation, {
      scope: 'mm2',
      connectors: [],
      java: MM2_KEY,
      appliance: honoured ? 'honoured' : 'accepted',
      ...(type === 'password' ? { secret: true } : {}),
    });
  return [
    listenerKey(
      'ssl.keystore.type',
      'string',
      'Key store type of an HTTPS listener: PEM here (JKS and PKCS12 are a start-up error).',
    ),
    listenerKey('ssl.keystore.location', 'string', 'PEM file holding the HTTPS certificate chain and its private key.'),
    listenerKey(
      'ssl.keystore.password',
      'password',
      'Passphrase of the PEM private key when ssl.key.password is not set.',
    ),
    listenerKey('ssl.keystore.certificate.chain', 'password', 'HTTPS certificate chain in PEM, inline.'),
    listenerKey('ssl.keystore.key', 'password', 'HTTPS private key in PEM, inline.'),
    listenerKey('ssl.key.password', 'password', 'Passphrase of an encrypted PEM private key.'),
    listenerKey('ssl.truststore.type', 'string', 'Trust store type for client certificates: PEM here.'),
    listenerKey(
      'ssl.truststore.location',
      'string',
      'PEM file of the CA certificates client certificates are checked against.',
    ),
    listenerKey(
      'ssl.truststore.password',
      'password',
      'Java trust store password (a PEM trust store has none).',
      false,
    ),
    listenerKey('ssl.truststore.certificates', 'password', 'CA certificates for client certificates in PEM, inline.'),
    listenerKey('ssl.client.auth', 'string', 'required, requested or none (see ssl.client.auth).'),
    listenerKey('ssl.enabled.protocols', 'list', 'TLS versions offered: TLSv1.2 and/or TLSv1.3.'),
  ];
}

const MM2_KEYS: KeyDefinition[] = [
  key('clusters', 'list', null, 'Cluster aliases. Every ordered pair of aliases is a possible route `S->T`.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'honoured',
    required: true,
  }),
  key(
    'dedicated.mode.enable.internal.rest',
    'boolean',
    'false',
    'Java: start the internal REST server nodes use to forward task configs to the leader (KIP-710).',
    { scope: 'mm2', connectors: [], java: MM2_KEY, appliance: 'accepted' },
  ),
  key(
    'mm2ts.http.listener',
    'string',
    '',
    'mirrormaker-ts only: the operator HTTP server (`/metrics` for Prometheus, `/health` liveness, `/ready` readiness, `/status`): `host:port` or `http://host:port` (plain HTTP), `https://host:port` (TLS with the `listeners.https.ssl.*` keys, else the top-level `ssl.*` keys, as Connect); empty: no server. Set it or `listeners`, not both. Java MM2 ignores the key. See docs/security.md.',
    OURS,
  ),
  key(
    'mm2ts.task.auto.restart.enabled',
    'boolean',
    'false',
    "mirrormaker-ts only: restart FAILED tasks by themselves after a backoff (as Strimzi's auto-restart); off, as in Java, where a FAILED task waits for an operator. Java MM2 ignores the key.",
    OURS,
  ),
  key(
    'mm2ts.task.auto.restart.backoff.ms',
    'long',
    '10000',
    'mirrormaker-ts only: first delay before a FAILED task is restarted (with auto-restart on); each further restart of the same task waits twice as long, up to `mm2ts.task.auto.restart.backoff.max.ms`, and a task that ran for a minute starts again from this delay.',
    { ...OURS, validator: atLeast(0) },
  ),
  key(
    'mm2ts.task.auto.restart.backoff.max.ms',
    'long',
    '600000',
    'mirrormaker-ts only: longest delay between restarts of a FAILED task (with auto-restart on).',
    { ...OURS, validator: atLeast(0) },
  ),
  key(
    'mm2ts.log.progress.interval.ms',
    'long',
    '60000',
    'mirrormaker-ts only: how often each replicating route logs an INFO progress line (records/s, lag, recovery point age, tasks not running); 0: never.',
    { ...OURS, validator: atLeast(0) },
  ),
  key('config.providers', 'list', '', 'Names of config providers; each needs `config.providers.<name>.class`.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'honoured',
  }),
  key(
    'listeners',
    'list',
    'http://:8083',
    'Listeners of the REST server: Java runs its internal REST server there (with internal REST on); this appliance serves its operator HTTP server on every `http://` / `https://` URL listed, when the file sets the key (the default opens no port). Set it or `mm2ts.http.listener`, not both.',
    { scope: 'mm2', connectors: [], java: MM2_KEY, appliance: 'honoured' },
  ),
  key('rest.advertised.host.name', 'string', null, 'Host name advertised to other nodes by the internal REST server.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key('rest.advertised.port', 'int', null, 'Port advertised to other nodes by the internal REST server.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key('rest.advertised.listener', 'string', null, 'Listener (http/https) advertised by the internal REST server.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key('access.control.allow.origin', 'string', '', 'CORS allowed origin of the REST server.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key('access.control.allow.methods', 'string', '', 'CORS allowed methods of the REST server.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key('response.http.headers.config', 'string', '', 'Header rules applied to REST responses.', {
    scope: 'mm2',
    connectors: [],
    java: MM2_KEY,
    appliance: 'accepted',
  }),
  key(
    'ssl.client.auth',
    'string',
    'none',
    'Client certificate requirement of an HTTPS REST listener (`listeners.https.ssl.client.auth` when any `listeners.https.*` key is set): required, requested (a certificate, if sent, must be trusted) or none; checked against the trust store.',
    {
      scope: 'mm2',
      connectors: [],
      java: MM2_KEY,
      appliance: 'honoured',
      validator: oneOf(['required', 'requested', 'none']),
    },
  ),
  // The operator HTTP server's TLS and authentication (src/http/tls.ts, src/http/listener-settings.ts).
  ...httpsListenerKeys(),
  key(
    'mm2ts.http.auth.basic.users.file',
    'string',
    null,
    "mirrormaker-ts only: HTTP basic auth for every endpoint but `/health`: a file of `user=password` lines (Kafka Connect's basic-auth extension format), relative to the config file's directory. Java MM2 ignores the key.",
    OURS,
  ),
  key(
    'mm2ts.http.auth.basic.username',
    'string',
    null,
    'mirrormaker-ts only: a basic-auth user (with `mm2ts.http.auth.basic.password`), in addition to the users file.',
    OURS,
  ),
  key(
    'mm2ts.http.auth.basic.password',
    'password',
    null,
    'mirrormaker-ts only: the password of `mm2ts.http.auth.basic.username`; best from a config provider (`${file:/path:key}`).',
    { ...OURS, secret: true },
  ),
  key(
    'mm2ts.http.auth.bearer.token',
    'password',
    null,
    'mirrormaker-ts only: accept `Authorization: Bearer <token>` for every endpoint but `/health`; best from a config provider.',
    { ...OURS, secret: true },
  ),
  key(
    'mm2ts.config.watch',
    'boolean',
    'false',
    'mirrormaker-ts only: reload the configuration file when it changes (as on SIGHUP or `POST /reload`): routes whose resolved settings changed are restarted, the others keep running. Java MM2 ignores the key.',
    OURS,
  ),
  key(
    'mm2ts.config.watch.interval.ms',
    'long',
    '2000',
    'mirrormaker-ts only: how often the watched configuration file is checked; a change is reloaded once the file stayed unchanged for two intervals.',
    { ...OURS, validator: atLeast(100) },
  ),
  // Scale-out: several processes on the same file share its routes through a group on Kafka's
  // group coordinator (docs/scale-out.md).
  key(
    'mm2ts.cluster.enabled',
    'boolean',
    'false',
    'mirrormaker-ts only: share the routes of this file with every other process started on it, through a group on the group cluster (`mm2ts.group.cluster`): each route runs on exactly one member, and moves to another when its member leaves or stops heartbeating (docs/scale-out.md). Off: this process runs every selected route, alone. Java MM2 ignores the key.',
    OURS,
  ),
  key(
    'mm2ts.group.id',
    'string',
    null,
    'mirrormaker-ts only: the group the processes form (protocol type `mm2ts`, never a Connect group). Default: `mm2ts-` and the `clusters` aliases joined by `-`.',
    OURS,
  ),
  key(
    'mm2ts.group.cluster',
    'string',
    null,
    'mirrormaker-ts only: the alias of the cluster whose group coordinator holds the group. Default: the target of the first selected route.',
    OURS,
  ),
  key(
    'mm2ts.group.instance.id',
    'string',
    null,
    "mirrormaker-ts only: static membership (Kafka's `group.instance.id`, KIP-345): a member that restarts within the session timeout keeps its place and a stop does not leave the group. Must differ between processes. Default: none (a dynamic member that leaves the group when it stops).",
    OURS,
  ),
  key(
    'mm2ts.group.session.timeout.ms',
    'int',
    '10000',
    "mirrormaker-ts only: a member not heard from for this long is removed and its routes move to the others; a member that could not heartbeat for 60 % of it stops its routes by itself first. The brokers' `group.min.session.timeout.ms` (6000) and `group.max.session.timeout.ms` bound it.",
    { ...OURS, validator: atLeast(1000) },
  ),
  key(
    'mm2ts.group.heartbeat.interval.ms',
    'int',
    '2000',
    'mirrormaker-ts only: how often a member heartbeats; a rebalance is noticed within one interval. Well under the session timeout.',
    { ...OURS, validator: atLeast(100) },
  ),
  key(
    'mm2ts.group.capacity',
    'int',
    '1',
    'mirrormaker-ts only: the share of routes this member takes relative to the others (a member of capacity 2 gets about twice as many); 0 takes none (a standby).',
    { ...OURS, validator: atLeast(0) },
  ),
  key(
    'mm2ts.metrics.level',
    'string',
    'topic',
    'mirrormaker-ts only: one series per `partition` (Java MirrorSourceMetrics/MirrorCheckpointMetrics), per remote `topic`, or per `route` for the per-partition families of `/metrics` (docs/metrics.md, "Aggregation level"). The default keeps a scrape small with thousands of partitions; applied at start-up (a reload does not change it).',
    { ...OURS, validator: oneOf(['partition', 'topic', 'route']) },
  ),
  // Scale-out: the leader's periodic look at the balance (docs/scale-out.md).
  key(
    'mm2ts.cluster.rebalance.check.interval.ms',
    'long',
    '30000',
    "mirrormaker-ts only: how often the group's leader compares the members' loads (records/s at the source); two checks in a row more than 20 % out of balance start a rebalance that moves partitions. 0: only other rebalances re-balance load. Java MM2 has nothing like it (Connect balances tasks by count, when members come or go).",
    { ...OURS, validator: atLeast(0) },
  ),
];

const REPLICATION_POLICY_DEFAULT = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';

const CONNECTOR_KEYS: KeyDefinition[] = [
  // Connect's ConnectorConfig keys (every connector).
  key('name', 'string', null, 'Connector name; dedicated mode sets the simple class name.', connector(ALL)),
  key('connector.class', 'string', null, 'Connector class; dedicated mode sets the FQCN.', connector(ALL)),
  key(
    'connector.plugin.version',
    'string',
    null,
    'Connect plugin version (Java only).',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'tasks.max',
    'int',
    '1',
    'Upper bound on tasks: the source connector splits partitions, the checkpoint connector groups.',
    connector(ALL, { validator: atLeast(1) }),
  ),
  key(
    'tasks.max.enforce',
    'boolean',
    'true',
    'Deprecated Connect flag: fail a connector with too many tasks.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'key.converter',
    'class',
    null,
    'Connect key converter; MM2 moves bytes, the worker default is ByteArrayConverter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'key.converter.plugin.version',
    'string',
    null,
    'Connect plugin version of the key converter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'value.converter',
    'class',
    null,
    'Connect value converter; see key.converter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'value.converter.plugin.version',
    'string',
    null,
    'Connect plugin version of the value converter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'header.converter',
    'class',
    null,
    'Connect header converter; see key.converter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'header.converter.plugin.version',
    'string',
    null,
    'Connect plugin version of the header converter.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'transforms',
    'list',
    '',
    'Connect single message transforms: not supported by this appliance.',
    connector(ALL, { appliance: 'unsupported' }),
  ),
  key(
    'predicates',
    'list',
    '',
    'Connect transform predicates: not supported by this appliance.',
    connector(ALL, { appliance: 'unsupported' }),
  ),
  key(
    'config.action.reload',
    'string',
    'restart',
    'What to do when a config provider value changes: restart the connector or nothing.',
    connector(ALL, { appliance: 'accepted', validator: oneOf(['none', 'restart']) }),
  ),
  key(
    'errors.retry.timeout',
    'long',
    '0',
    'Connect error-handling retry budget (converter/transform errors).',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'errors.retry.delay.max.ms',
    'long',
    '60000',
    'Connect error-handling maximum retry delay.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'errors.tolerance',
    'string',
    'none',
    'Connect error tolerance.',
    connector(ALL, { appliance: 'accepted', validator: oneOf(['none', 'all']) }),
  ),
  key(
    'errors.log.enable',
    'boolean',
    'false',
    'Connect: log tolerated errors.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  key(
    'errors.log.include.messages',
    'boolean',
    'false',
    'Connect: include records in error logs.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  // MirrorConnectorConfig (all three).
  key(
    'enabled',
    'boolean',
    'true',
    'Whether the route replicates. Dedicated mode injects false unless `S->T.enabled = true`; the heartbeat connector ignores it.',
    connector(ALL),
  ),
  key(
    'source.cluster.alias',
    'string',
    null,
    'Alias of the source cluster (set by dedicated mode).',
    connector(ALL, { required: true }),
  ),
  key(
    'target.cluster.alias',
    'string',
    'target',
    'Alias of the target cluster (set by dedicated mode).',
    connector(ALL),
  ),
  key(
    'admin.timeout.ms',
    'long',
    '60000',
    'Timeout of each admin step (topic listing, config sync, ...).',
    connector(ALL),
  ),
  key(
    'replication.policy.class',
    'class',
    REPLICATION_POLICY_DEFAULT,
    'Replication policy: how remote topics are named.',
    connector(ALL),
  ),
  key(
    'replication.policy.separator',
    'string',
    '.',
    'Separator of the default policy between alias and topic.',
    connector(ALL),
  ),
  key(
    'replication.policy.internal.topic.separator.enabled',
    'boolean',
    'true',
    'Use the custom separator in offset-syncs and checkpoints topic names too (false: names of MM2 before 3.1).',
    connector(ALL),
  ),
  key(
    'forwarding.admin.class',
    'class',
    'org.apache.kafka.clients.admin.ForwardingAdmin',
    'Admin implementation all MM2 admin calls go through (KIP-787).',
    connector(ALL),
  ),
  key(
    'metric.reporters',
    'list',
    'org.apache.kafka.common.metrics.JmxReporter',
    'Java metrics reporters of the MM2 metrics; this appliance exports Prometheus metrics instead.',
    connector(ALL, { appliance: 'accepted' }),
  ),
  // MirrorSourceConfig.
  key(
    'topics',
    'list',
    '.*',
    'Topics to replicate: names or Java regexes, comma-separated, each a full match.',
    connector(SOURCE_AND_CHECKPOINT),
  ),
  key(
    'topics.exclude',
    'list',
    'mm2.*\\.internal,.*\\.replica,__.*',
    'Topics never replicated (names or Java regexes).',
    connector(SOURCE_AND_CHECKPOINT),
  ),
  key(
    'config.properties.exclude',
    'list',
    'follower\\.replication\\.throttled\\.replicas,leader\\.replication\\.throttled\\.replicas,message\\.timestamp\\.difference\\.max\\.ms,message\\.timestamp\\.type,unclean\\.leader\\.election\\.enable,min\\.insync\\.replicas',
    'Topic config properties never synced (names or Java regexes).',
    connector(SOURCE),
  ),
  key(
    'topic.filter.class',
    'class',
    'org.apache.kafka.connect.mirror.DefaultTopicFilter',
    'Topic filter: selects topics to replicate.',
    connector(SOURCE_AND_CHECKPOINT),
  ),
  key(
    'config.property.filter.class',
    'class',
    'org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter',
    'Config property filter: selects topic configs to sync.',
    connector(SOURCE),
  ),
  key(
    'consumer.poll.timeout.ms',
    'long',
    '1000',
    'Poll timeout of the source consumer.',
    connector(SOURCE_AND_CHECKPOINT),
  ),
  key(
    'refresh.topics.enabled',
    'boolean',
    'true',
    'Periodically look for new topics and partitions.',
    connector(SOURCE),
  ),
  key('refresh.topics.interval.seconds', 'long', '600', 'Period of the topic refresh.', connector(SOURCE)),
  key(
    'sync.topic.configs.enabled',
    'boolean',
    'true',
    'Periodically sync topic configs to remote topics.',
    connector(SOURCE),
  ),
  key('sync.topic.configs.interval.seconds', 'long', '600', 'Period of the topic config sync.', connector(SOURCE)),
  key(
    'sync.topic.acls.enabled',
    'boolean',
    'true',
    'Periodically sync topic ACLs (ALLOW ALL becomes ALLOW READ).',
    connector(SOURCE),
  ),
  key('sync.topic.acls.interval.seconds', 'long', '600', 'Period of the ACL sync.', connector(SOURCE)),
  key(
    'replication.factor',
    'int',
    '2',
    'Replication factor of new remote topics (-1: broker default).',
    connector(SOURCE),
  ),
  key(
    'offset-syncs.topic.replication.factor',
    'short',
    '3',
    'Replication factor of the offset-syncs topic.',
    connector(SOURCE),
  ),
  key(
    'offset-syncs.topic.location',
    'string',
    'source',
    'Cluster that holds the offset-syncs topic: source or target.',
    connector(SOURCE_AND_CHECKPOINT, { validator: oneOf(['source', 'target']) }),
  ),
  key(
    'offset.lag.max',
    'long',
    '100',
    'How far a partition may drift before a new offset sync is written.',
    connector(SOURCE),
  ),
  key(
    'mm2ts.offset-syncs.idle.ms',
    'long',
    '1000',
    "mirrormaker-ts only: when a partition has copied everything it fetched and nothing new was acknowledged for this long, the offset sync of its last record is written at once (instead of at the next position flush), so a group that just caught up translates exactly; at most one extra sync per partition per idle period, and at most 100 a second per source task (more partitions going idle at once get theirs oldest first, or at the next position flush). A negative value keeps Java's behaviour (the held-back sync waits for the flush). Java MM2 ignores the key.",
    { ...OURS, scope: 'connector', connectors: SOURCE },
  ),
  key(
    'emit.offset-syncs.enabled',
    'boolean',
    'true',
    'Write offset syncs at all (KIP-1031).',
    connector(SOURCE_AND_CHECKPOINT),
  ),
  key(
    'heartbeats.replication.enabled',
    'boolean',
    'true',
    'Replicate heartbeats topics even when the topic filter rejects them.',
    connector(SOURCE),
  ),
  // MirrorCheckpointConfig.
  key('groups', 'list', '.*', 'Consumer groups to checkpoint: ids or Java regexes.', connector(CHECKPOINT)),
  key(
    'groups.exclude',
    'list',
    'console-consumer-.*,connect-.*,__.*',
    'Consumer groups never checkpointed.',
    connector(CHECKPOINT),
  ),
  key(
    'group.filter.class',
    'class',
    'org.apache.kafka.connect.mirror.DefaultGroupFilter',
    'Group filter: selects groups.',
    connector(CHECKPOINT),
  ),
  key('refresh.groups.enabled', 'boolean', 'true', 'Periodically look for new consumer groups.', connector(CHECKPOINT)),
  key('refresh.groups.interval.seconds', 'long', '600', 'Period of the group refresh.', connector(CHECKPOINT)),
  key(
    'emit.checkpoints.enabled',
    'boolean',
    'true',
    'Emit checkpoints (translated group offsets) to the target.',
    connector(CHECKPOINT),
  ),
  key('emit.checkpoints.interval.seconds', 'long', '60', 'Period of checkpoint emission.', connector(CHECKPOINT)),
  key(
    'sync.group.offsets.enabled',
    'boolean',
    'false',
    'Commit translated offsets for groups with no active member on the target.',
    connector(CHECKPOINT),
  ),
  key('sync.group.offsets.interval.seconds', 'long', '60', 'Period of the group offset sync.', connector(CHECKPOINT)),
  key(
    'checkpoints.topic.replication.factor',
    'short',
    '3',
    'Replication factor of the checkpoints topic.',
    connector(CHECKPOINT),
  ),
  // MirrorHeartbeatConfig.
  key(
    'emit.heartbeats.enabled',
    'boolean',
    'true',
    'Emit heartbeats. Also decides, per pair, whether a heartbeat-only route exists.',
    connector(HEARTBEAT),
  ),
  key('emit.heartbeats.interval.seconds', 'long', '1', 'Period of heartbeats.', connector(HEARTBEAT)),
  key(
    'heartbeats.topic.replication.factor',
    'short',
    '3',
    'Replication factor of the heartbeats topic.',
    connector(HEARTBEAT),
  ),
  // Batch pass-through (shallow mirroring, the idea of KIP-712).
  key(
    'mm2ts.shallow.mirroring',
    'string',
    'auto',
    "mirrormaker-ts only: `auto` sends a fetched record batch to the target as it is (records section untouched, still compressed; only offset, producer fields, leader epoch and CRC rewritten) when the replication producer's `compression.type` is the batch's codec and the batch is plain data (not a transaction marker, not transactional, CreateTime with timestamps, no compaction gaps, not starting before the position, at most 900,000 bytes, at least `mm2ts.shallow.mirroring.min.batch.bytes`); other batches are decoded and re-encoded. The records on the target are the same either way; target batches then follow the source's batching. `off` re-encodes every record, as Java does. Java MM2 ignores the key.",
    { ...OURS, scope: 'connector', connectors: SOURCE, validator: oneOf(['auto', 'off']) },
  ),
  key(
    'mm2ts.shallow.mirroring.min.batch.bytes',
    'int',
    '65536',
    'mirrormaker-ts only: with `mm2ts.shallow.mirroring = auto`, smaller batches are decoded and re-encoded even when they could pass through. Kafka takes one batch per partition per produce request, so each batch passed through costs a produce round of its own while re-encoded records go out in batches of up to 900,000 bytes; small source batches (the producer default `batch.size` is 16 KB) are cheaper to re-encode (docs/benchmarks/2026-11-30-shallow.md). 0 passes every eligible batch through.',
    { ...OURS, scope: 'connector', connectors: SOURCE, validator: atLeast(0) },
  ),
  key(
    'mm2ts.produce.connections.per.broker',
    'int',
    '2',
    "mirrormaker-ts only: connections from each source task's replication producer to each target broker, produce requests spread over them by partition (a partition always on the same one, so order holds). A broker reads a connection's next request only after answering the one before: with one connection, as Java's producer has, the target broker validates and appends the task's records on one request handler thread at a time, which limited the 1 KB lz4 drain on this project's test bed (docs/benchmarks/2026-12-02-produce-lanes.md). At steady rates it is the other way round: every round's small request is split in two and waits for the slower answer; at 50,000 records/s of 100 B, 1 gave the lower p99 in four of four alternated pairs (98–236 against 268–716 ms, docs/benchmarks/2026-12-02-steady-50k.md), so 1 suits a latency-bound route that never runs a backlog. 1 is Java's behaviour. Java MM2 ignores the key.",
    { ...OURS, scope: 'connector', connectors: SOURCE, validator: between(1, 16) },
  ),
];

const SASL_MECHANISMS_HONOURED = new Set([
  'sasl.mechanism',
  'sasl.jaas.config',
  // OAUTHBEARER by OIDC client credentials (src/config/client-settings.ts, src/kafka/oauth-token.ts).
  ...OAUTHBEARER_CLIENT_KEYS,
]);
const SSL_KEYS_HONOURED = new Set([
  'ssl.truststore.certificates',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.endpoint.identification.algorithm',
  'ssl.enabled.protocols',
  'ssl.cipher.suites',
]);

function clientKeyDoc(name: string): string {
  if (name === 'bootstrap.servers') return 'Brokers to bootstrap from (`<alias>.bootstrap.servers`).';
  if (name === 'security.protocol') return 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (case insensitive).';
  if (name === 'sasl.mechanism')
    return 'SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER here (Java also GSSAPI).';
  if (name === 'sasl.jaas.config')
    return 'JAAS login line: username and password, or OAUTHBEARER clientId, clientSecret and scope.';
  if (name === 'sasl.login.callback.handler.class')
    return "OAUTHBEARER: Java's OAuthBearerLoginCallbackHandler (OIDC client credentials) only.";
  if (SASL_MECHANISMS_HONOURED.has(name)) return 'OAUTHBEARER client credentials and token refresh, as in Java.';
  if (name === 'ssl.truststore.certificates')
    return 'Trusted CA certificates in PEM (with `ssl.truststore.type = PEM`).';
  if (name === 'ssl.truststore.location') return 'Trust store file: JKS, PKCS12 or PEM (docs/security.md).';
  if (name === 'ssl.truststore.type') return 'JKS (default), PKCS12 or PEM.';
  if (name === 'ssl.keystore.type') return 'JKS (default), PKCS12 or PEM.';
  if (name === 'ssl.keystore.password') return 'Password of a JKS or PKCS12 key store.';
  if (name === 'ssl.truststore.password') return 'Password of a JKS or PKCS12 trust store (optional for JKS).';
  if (name === 'ssl.enabled.protocols') return 'TLSv1.2 and/or TLSv1.3 (older versions are dropped with a warning).';
  if (name === 'ssl.cipher.suites') return 'TLS 1.3 suites honoured; Java names of TLS 1.2 suites: a warning.';
  if (name === 'ssl.keystore.certificate.chain')
    return 'Client certificate chain in PEM (with `ssl.keystore.type = PEM`).';
  if (name === 'ssl.keystore.key') return 'Client private key in PEM (with `ssl.keystore.type = PEM`).';
  if (name === 'ssl.keystore.location') return 'Key store file: JKS, PKCS12 or PEM (docs/security.md).';
  if (name === 'ssl.key.password')
    return 'Password of the private key (JKS key entry, encrypted PEM); default: the key store password.';
  if (name === 'ssl.endpoint.identification.algorithm') return 'https: check broker host names; empty: do not.';
  if (name.startsWith('ssl.')) return 'Java client TLS setting; Node uses its own TLS defaults.';
  return 'Java client SASL setting (Kerberos/OAuth/login tuning); not available in this appliance.';
}

function clientKeySupport(name: string): ApplianceSupport {
  if (name === 'bootstrap.servers' || name === 'security.protocol') return 'honoured';
  if (SASL_MECHANISMS_HONOURED.has(name) || SSL_KEYS_HONOURED.has(name)) return 'honoured';
  if (name.startsWith('sasl.')) return 'unsupported';
  return 'accepted';
}

const CLIENT_KEYS: KeyDefinition[] = CLIENT_SECURITY_KEYS.map(([name, type, dflt]) =>
  key(name, type, dflt, clientKeyDoc(name), {
    scope: 'client',
    connectors: name === 'bootstrap.servers' ? [] : ALL,
    java: CLIENT_KEY,
    appliance: clientKeySupport(name),
    ...(type === 'password' ? { secret: true } : {}),
    ...(name === 'security.protocol'
      ? { validator: oneOf(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], true) }
      : {}),
  }),
);

const worker = (java: JavaDedicatedSupport, appliance: ApplianceSupport = 'honoured'): Spec => ({
  scope: 'worker',
  connectors: [],
  java,
  appliance,
});

const WORKER_KEYS: KeyDefinition[] = [
  key(
    'group.id',
    'string',
    '<source>-mm2',
    'Connect group of the route runtime (default `S-mm2`).',
    worker(CLUSTER_WORKER_KEY),
  ),
  key(
    'client.id',
    'string',
    '<source>-><target>',
    'Client id base of the route runtime (default `S->T`).',
    worker(CLUSTER_WORKER_KEY),
  ),
  key(
    'offset.storage.topic',
    'string',
    'mm2-offsets.<source>.internal',
    'Topic on the target holding source positions (Connect format).',
    worker(PREFIX_WORKER_KEY),
  ),
  key(
    'offset.storage.replication.factor',
    'short',
    '3',
    'Replication factor of the offsets topic.',
    worker(PREFIX_WORKER_KEY),
  ),
  key('offset.storage.partitions', 'int', '25', 'Partitions of the offsets topic.', worker(PREFIX_WORKER_KEY)),
  key(
    'config.storage.topic',
    'string',
    'mm2-configs.<source>.internal',
    'Connect config topic of the route.',
    worker(PREFIX_WORKER_KEY),
  ),
  key(
    'config.storage.replication.factor',
    'short',
    '3',
    'Replication factor of the config topic.',
    worker(PREFIX_WORKER_KEY),
  ),
  key(
    'status.storage.topic',
    'string',
    'mm2-status.<source>.internal',
    'Connect status topic of the route.',
    worker(PREFIX_WORKER_KEY),
  ),
  key(
    'status.storage.replication.factor',
    'short',
    '3',
    'Replication factor of the status topic.',
    worker(PREFIX_WORKER_KEY),
  ),
  key('status.storage.partitions', 'int', '5', 'Partitions of the status topic.', worker(PREFIX_WORKER_KEY)),
  key(
    'offset.flush.interval.ms',
    'long',
    '60000',
    'How often source positions are committed.',
    worker(CLUSTER_WORKER_KEY),
  ),
  key(
    'offset.flush.timeout.ms',
    'long',
    '5000',
    'How long a position commit may wait for records to be acknowledged.',
    worker(CLUSTER_WORKER_KEY),
  ),
  key(
    'task.shutdown.graceful.timeout.ms',
    'long',
    '5000',
    'How long a task may take to stop and flush.',
    worker(PREFIX_WORKER_KEY),
  ),
  key(
    'exactly.once.source.support',
    'string',
    'disabled',
    'Worker exactly-once source support: disabled, preparing or enabled.',
    { ...worker(CLUSTER_WORKER_KEY), validator: oneOf(['disabled', 'preparing', 'enabled'], true) },
  ),
];

const ROUTE_ONLY_KEYS: KeyDefinition[] = [
  key(
    'use.defaults.from',
    'string',
    'target',
    'DefaultConfigPropertyFilter: sync source default values (source) or leave target defaults (target). Java honours it only per route.',
    {
      scope: 'route-only',
      connectors: SOURCE,
      java: ROUTE_ONLY,
      appliance: 'honoured',
      validator: oneOf(['source', 'target']),
    },
  ),
  key(
    'exactly.once.support',
    'string',
    'requested',
    'Connect source exactly-once: requested or required (required needs a read_committed source consumer).',
    {
      scope: 'route-only',
      connectors: SOURCE,
      java: ROUTE_ONLY,
      appliance: 'honoured',
      validator: oneOf(['requested', 'required'], true),
    },
  ),
  key('transaction.boundary', 'string', 'poll', 'Connect exactly-once transaction boundary.', {
    scope: 'route-only',
    connectors: SOURCE,
    java: ROUTE_ONLY,
    appliance: 'accepted',
    validator: oneOf(['poll', 'interval', 'connector'], true),
  }),
  key('transaction.boundary.interval.ms', 'long', null, 'Connect exactly-once commit interval (boundary interval).', {
    scope: 'route-only',
    connectors: SOURCE,
    java: ROUTE_ONLY,
    appliance: 'accepted',
  }),
  key('offsets.storage.topic', 'string', null, 'Connector-specific offsets topic (Connect, exactly-once).', {
    scope: 'route-only',
    connectors: SOURCE,
    java: ROUTE_ONLY,
    appliance: 'accepted',
  }),
];

/** Every key, in documentation order. */
export const KEY_TABLE: readonly KeyDefinition[] = [
  ...MM2_KEYS,
  ...CONNECTOR_KEYS,
  ...ROUTE_ONLY_KEYS,
  ...WORKER_KEYS,
  ...CLIENT_KEYS,
];

export const KEYS_BY_NAME: ReadonlyMap<string, KeyDefinition> = new Map(KEY_TABLE.map((k) => [k.name, k]));

/**
 * Names Java keeps from the top level in connector configs: the union of the three connector
 * ConfigDefs (`MirrorMakerConfig.allConfigNames()`), which includes the client security keys
 * except `bootstrap.servers`.
 */
export const CONNECTOR_CONFIG_NAMES: ReadonlySet<string> = new Set(
  KEY_TABLE.filter((k) => k.scope === 'connector' || (k.scope === 'client' && k.name !== 'bootstrap.servers')).map(
    (k) => k.name,
  ),
);

/** The keys of one connector's ConfigDef. */
export function connectorKeys(kind: ConnectorKind): KeyDefinition[] {
  return KEY_TABLE.filter(
    (k) =>
      (k.scope === 'connector' || (k.scope === 'client' && k.name !== 'bootstrap.servers')) &&
      k.connectors.includes(kind),
  );
}

/** The keys MirrorMakerConfig's own ConfigDef validates at top level. */
export const MM2_CONFIG_NAMES: ReadonlySet<string> = new Set(
  KEY_TABLE.filter((k) => k.scope === 'mm2' || (k.scope === 'client' && k.name !== 'bootstrap.servers')).map(
    (k) => k.name,
  ),
);

const SECRET_NAME =
  /password|secret|jaas|ssl\.keystore\.key|ssl\.keystore\.certificate\.chain|ssl\.truststore\.certificates|credentials/i;

/** Whether a (possibly prefixed) key holds a secret: typed PASSWORD in Java, or named like one. */
export function isSecretKey(name: string): boolean {
  if (SECRET_NAME.test(name)) return true;
  for (const def of KEY_TABLE) {
    if (def.secret && (name === def.name || name.endsWith(`.${def.name}`))) return true;
  }
  return false;
}
