import { parseArgs } from 'node:util';
import { MirrorClient } from '../../client/index.ts';
import {
  checkpointTopicsOf,
  heartbeatTopicsOf,
  remoteTopicsOf,
  replicationHopsOf,
  upstreamClustersOf,
  type ReplicationPolicy,
} from '../../policy/index.ts';
import { EXIT, usageErrorExit } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import {
  CLUSTER_OPTIONS,
  POLICY_OPTIONS,
  clientProperties,
  parseOrUsageError,
  timeoutArg,
  toJson,
} from './cluster-args.ts';

const USAGE =
  'topology --bootstrap HOST:PORT [--policy default|identity|CLASS] [--separator S] [--json] ' +
  '[--timeout-ms N] [--command-config client.properties]';

/** What `mm2 topology` reports: MirrorClient's topology calls on one cluster. */
export interface TopologyView {
  readonly bootstrap: string;
  readonly replicationPolicy: string;
  /** Every upstream alias with its fewest hops, sorted by alias. */
  readonly upstreamClusters: readonly { readonly alias: string; readonly hops: number }[];
  readonly heartbeatTopics: readonly string[];
  readonly checkpointTopics: readonly string[];
  /** Remote topics by the alias they were replicated from directly. */
  readonly remoteTopics: Readonly<Record<string, readonly string[]>>;
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** The topology of a topic listing, as MirrorClient would compute it call by call (pure). */
export function topologyOf(
  policy: ReplicationPolicy,
  topics: readonly string[],
  bootstrap: string,
  policyName: string,
): TopologyView {
  const remoteTopics: Record<string, string[]> = {};
  for (const topic of sorted(remoteTopicsOf(policy, topics))) {
    const source = policy.topicSource(topic) ?? '';
    (remoteTopics[source] ??= []).push(topic);
  }
  return {
    bootstrap,
    replicationPolicy: policyName,
    upstreamClusters: sorted(upstreamClustersOf(policy, topics)).map((alias) => ({
      alias,
      hops: replicationHopsOf(policy, topics, alias),
    })),
    heartbeatTopics: sorted(heartbeatTopicsOf(policy, topics)),
    checkpointTopics: sorted(checkpointTopicsOf(policy, topics)),
    remoteTopics,
  };
}

/** The text form of a TopologyView. */
export function formatTopology(view: TopologyView): string[] {
  const list = (values: readonly string[]): string => (values.length === 0 ? '(none)' : values.join(', '));
  const lines = [`cluster             ${view.bootstrap}`, `replication policy  ${view.replicationPolicy}`];
  lines.push(`upstream clusters   ${view.upstreamClusters.length === 0 ? '(none)' : ''}`.trimEnd());
  for (const { alias, hops } of view.upstreamClusters) {
    lines.push(`  ${alias.padEnd(18)}${hops === -1 ? 'unreachable' : `${hops} hop${hops === 1 ? '' : 's'}`}`);
  }
  lines.push(`heartbeat topics    ${list(view.heartbeatTopics)}`);
  lines.push(`checkpoint topics   ${list(view.checkpointTopics)}`);
  const sources = Object.keys(view.remoteTopics).sort();
  lines.push(`remote topics       ${sources.length === 0 ? '(none)' : ''}`.trimEnd());
  for (const source of sources) {
    const topics = view.remoteTopics[source] ?? [];
    lines.push(`  ${`from ${source}`.padEnd(18)}${topics.length}: ${topics.join(', ')}`);
  }
  return lines;
}

/**
 * `mm2 topology`: upstream clusters with their hops, heartbeats and checkpoints topics and remote
 * topics of the cluster at --bootstrap, from one topic listing.
 */
export const topology: Subcommand = {
  path: ['topology'],
  usage: USAGE,
  summary: 'upstream clusters, hops, heartbeats/checkpoints and remote topics of a cluster',
  async run(argv, io) {
    let client: MirrorClient;
    let json: boolean;
    let timeoutMs: number;
    try {
      const values = parseOrUsageError(
        () =>
          parseArgs({
            args: [...argv],
            options: { ...CLUSTER_OPTIONS, ...POLICY_OPTIONS },
            strict: true,
            allowPositionals: false,
          }).values,
      );
      client = new MirrorClient(clientProperties(values));
      json = values.json === true;
      timeoutMs = timeoutArg(values['timeout-ms'], 60_000);
    } catch (err) {
      return usageErrorExit(err, 'topology', USAGE, io);
    }
    try {
      for (const w of client.configWarnings) io.err(`WARN ${w}`);
      const topics = await client.listTopics({ timeoutMs });
      const view = topologyOf(
        client.replicationPolicy(),
        topics,
        client.bootstrapServers.join(','),
        client.replicationPolicyName,
      );
      if (json) io.out(toJson(view, 2));
      else for (const line of formatTopology(view)) io.out(line);
      return EXIT.ok;
    } catch (err) {
      io.err(`ERROR ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.fatal;
    } finally {
      await client.close();
    }
  },
};
