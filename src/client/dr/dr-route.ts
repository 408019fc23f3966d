import { loadMirrorMakerConfig, valuesOf, type RouteConfig } from '../../config/index.ts';
import { openKafkaCluster } from '../../kafka/index.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster } from '../../kafka/port.ts';
import { loadReplicationPolicy, type ReplicationPolicy } from '../../policy/index.ts';
import { withTimeout } from '../../util/timeout.ts';
import { DrError } from './errors.ts';

/** How long closing the clients may take before a command goes on without waiting. */
const CLOSE_WAIT_MS = 2_000;

/** The route S->T a disaster-recovery command works on, with clients for both clusters. */
export interface DrRoute {
  readonly file: string;
  readonly source: string;
  readonly target: string;
  readonly route: RouteConfig;
  /** The route's replication policy: how S's topics are named on T. */
  readonly policy: ReplicationPolicy;
  /** Human name of the policy (`replication.policy.class`). */
  readonly policyName: string;
  readonly sourceCluster: KafkaCluster;
  readonly targetCluster: KafkaCluster;
  /** Admin on T (opened on first use, closed by {@link close}). */
  targetAdmin(): Promise<KafkaAdmin>;
  /**
   * Admin on S, or undefined when S does not answer within `timeoutMs` (a lost source: what is
   * known then comes from T alone). Asked once; later calls give the same answer.
   */
  sourceAdmin(timeoutMs: number): Promise<KafkaAdmin | undefined>;
  close(): Promise<void>;
}

export interface OpenDrRouteOptions {
  /** Opens the Kafka port for a settings object (tests pass in-memory clusters). Default kafkajs. */
  readonly openCluster?: (settings: KafkaClientSettings, alias: string) => KafkaCluster;
}

function clientSettings(route: RouteConfig, label: string): KafkaClientSettings {
  const client = route.clients.get(label);
  if (client === undefined) throw new DrError('ERR_DR_ROUTE', `route ${route.name} has no ${label} client`);
  return client.settings;
}

/**
 * Loads `file` and picks the route `from->to`, with the clients the checkpoint connector of that
 * route uses (the same settings and credentials). Throws ConfigError for an invalid file and
 * ERR_DR_ROUTE naming the valid aliases when an alias is unknown or no route joins them.
 */
export function openDrRoute(file: string, from: string, to: string, options: OpenDrRouteOptions = {}): DrRoute {
  const loaded = loadMirrorMakerConfig(file);
  for (const [flag, alias] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!loaded.clusters.includes(alias)) {
      throw new DrError(
        'ERR_DR_ROUTE',
        `${flag} ${alias}: unknown cluster alias; clusters in ${file}: ${loaded.clusters.join(', ')}`,
        { alias, clusters: loaded.clusters },
      );
    }
  }
  const route = loaded.routes.find((r) => r.source === from && r.target === to);
  if (route === undefined || from === to) {
    throw new DrError(
      'ERR_DR_ROUTE',
      `no route ${from}->${to} in ${file}; routes: ${loaded.routes.map((r) => r.name).join(', ')}`,
      { from, to },
    );
  }
  const connector = valuesOf(route.resolvedConnectors.checkpoint);
  const policy = loadReplicationPolicy(connector);
  const open = options.openCluster ?? ((settings: KafkaClientSettings) => openKafkaCluster(settings));
  const sourceCluster = open(clientSettings(route, 'checkpoint.checkpoint-source-admin'), from);
  const targetCluster = open(clientSettings(route, 'checkpoint.checkpoint-target-admin'), to);
  let targetAdmin: Promise<KafkaAdmin> | undefined;
  let sourceAdmin: Promise<KafkaAdmin | undefined> | undefined;
  return {
    file,
    source: from,
    target: to,
    route,
    policy,
    policyName: connector['replication.policy.class'] ?? 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
    sourceCluster,
    targetCluster,
    targetAdmin: () => (targetAdmin ??= targetCluster.admin()),
    sourceAdmin: (timeoutMs) =>
      (sourceAdmin ??= (async () => {
        try {
          const admin = await withTimeout(timeoutMs, sourceCluster.admin());
          // A connection alone does not prove the cluster answers: one metadata round trip does.
          await withTimeout(timeoutMs, admin.listTopics());
          return admin;
        } catch {
          return undefined;
        }
      })()),
    close: async () => {
      const admins = await Promise.allSettled([targetAdmin, sourceAdmin]);
      const closing = [
        ...admins.flatMap((a) => (a.status === 'fulfilled' && a.value !== undefined ? [a.value.close()] : [])),
        sourceCluster.close(),
        targetCluster.close(),
      ];
      // A cluster that never answered keeps retrying its connect inside the Kafka client for a
      // while after close(); a command does not wait for that.
      await withTimeout(CLOSE_WAIT_MS, Promise.allSettled(closing)).catch(() => undefined);
    },
  };
}
