import { loadMirrorMakerConfig, type RouteConfig } from '../../config/index.ts';
import type { KafkaClientSettings } from '../../kafka/index.ts';
import { kafkaAclsCommand, principalOf } from '../../kafka/acl-grant.ts';

export { kafkaAclsCommand, principalOf };
import type { ReplicationPolicy } from '../../policy/index.ts';
import { buildRoutePlugins } from '../../runtime/route-plugins.ts';
import { isMirrorError } from '../../util/errors.ts';
import { EXIT, usageErrorExit } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { parseConfigCommandArgs } from './config-args.ts';

/**
 * `mm2 acls <file>`: the ACLs the mirror's principal needs on each cluster for the file's routes,
 * feature by feature, as `kafka-acls.sh` commands (docs/security.md, "Least privilege", explains
 * each line). Computed from the configuration alone: nothing connects.
 */

export type AclOperation = 'Read' | 'Write' | 'Create' | 'Describe' | 'Alter' | 'AlterConfigs' | 'DescribeConfigs';

export interface MirrorAcl {
  /** The cluster alias the ACL is created on. */
  readonly cluster: string;
  readonly principal: string;
  readonly resourceType: 'topic' | 'group' | 'cluster';
  readonly patternType: 'literal' | 'prefixed';
  /** Resource name (`kafka-cluster` for the cluster, `*` for every topic or group). */
  readonly name: string;
  readonly operations: readonly AclOperation[];
  /** The route and feature that needs it, e.g. `A->B topic data`. */
  readonly reason: string;
  /** Why the grant is wider than the configuration (a regex no ACL pattern can express). */
  readonly note?: string;
}

interface Resource {
  patternType: 'literal' | 'prefixed';
  name: string;
  note?: string;
}

/**
 * ACL resources covering a MM2 pattern list (`topics`, `groups`): a plain name is literal, a
 * name followed by `.*` a prefix, `.*` itself every name; any other regex cannot be expressed as an
 * ACL pattern and is granted on every name, with a note to narrow it by hand. Exclusions are not
 * needed: ACLs only allow.
 */
export function resourcesOf(javaPattern: string | null): Resource[] {
  if (javaPattern === null) return [];
  const out: Resource[] = [];
  for (const element of javaPattern.split('|').map((e) => e.trim())) {
    if (element === '') continue;
    if (element === '.*') {
      out.push({ patternType: 'literal', name: '*' });
      continue;
    }
    const prefix = /^((?:[\w-]|\\\.|\.(?!\*$))*)\.\*$/.exec(element);
    if (prefix) {
      out.push({ patternType: 'prefixed', name: (prefix[1] ?? '').replace(/\\\./g, '.') });
      continue;
    }
    if (/^(?:[\w-]|\\\.|\.)+$/.test(element)) {
      out.push({ patternType: 'literal', name: element.replace(/\\\./g, '.') });
      continue;
    }
    out.push({ patternType: 'literal', name: '*', note: `'${element}' is not a name or a prefix` });
  }
  return out;
}

function clientOf(route: RouteConfig, side: 'source' | 'target'): KafkaClientSettings | undefined {
  for (const { use, settings } of route.clients.values()) if (use.side === side) return settings;
  return undefined;
}

/** The ACLs one route needs, given its replication policy. */
export function routeAcls(route: RouteConfig, policy: ReplicationPolicy): MirrorAcl[] {
  const s = route.settings;
  const { source, target } = route;
  const sourcePrincipal = principalOf(clientOf(route, 'source'));
  const targetPrincipal = principalOf(clientOf(route, 'target'));
  const acls: MirrorAcl[] = [];
  const add = (
    side: 'source' | 'target',
    feature: string,
    resourceType: MirrorAcl['resourceType'],
    resource: Resource,
    operations: AclOperation[],
  ): void => {
    acls.push({
      cluster: side === 'source' ? source : target,
      principal: side === 'source' ? sourcePrincipal : targetPrincipal,
      resourceType,
      patternType: resource.patternType,
      name: resource.name,
      operations,
      reason: `${route.name} ${feature}`,
      ...(resource.note ? { note: resource.note } : {}),
    });
  };
  const literal = (name: string): Resource => ({ patternType: 'literal', name });
  const cluster = literal('kafka-cluster');

  if (s.emitHeartbeats.enabled) {
    add('target', 'heartbeats', 'topic', literal(policy.heartbeatsTopic()), ['Create', 'Describe', 'Write']);
  }
  if (!s.enabled) return acls;

  const topics = resourcesOf(s.topics.javaPattern);
  if (s.heartbeatsReplicationEnabled && !topics.some((t) => t.name === '*')) {
    topics.push(literal(policy.heartbeatsTopic()));
  }
  // Remote names on the target: the policy's prefix before each source resource (identity: none).
  const remotePrefix = policy.formatRemoteTopic(source, '');
  const remote = topics.map((t): Resource => {
    if (t.name === '*') return remotePrefix === '' ? t : { patternType: 'prefixed', name: remotePrefix };
    // A literal name through the policy itself: Identity keeps `heartbeats` remote-named (`S.heartbeats`).
    if (t.patternType === 'literal') return { ...t, name: policy.formatRemoteTopic(source, t.name) };
    return { ...t, name: `${remotePrefix}${t.name}` };
  });
  // DescribeConfigs: a remote topic is created with the source topic's configs (Java's
  // createNewTopics describes them whether or not config sync is on).
  for (const t of topics) add('source', 'topic data', 'topic', t, ['Read', 'Describe', 'DescribeConfigs']);
  const targetTopicOps: AclOperation[] = ['Create', 'Describe', 'Write', 'Alter'];
  if (s.syncGroupOffsets.enabled) targetTopicOps.push('Read');
  for (const t of remote) add('target', 'topic data', 'topic', t, targetTopicOps);
  if (s.syncTopicConfigs.enabled) {
    for (const t of remote) add('target', 'topic config sync', 'topic', t, ['DescribeConfigs', 'AlterConfigs']);
  }
  if (s.syncTopicAcls.enabled) {
    add('source', 'ACL sync', 'cluster', cluster, ['Describe']);
    add('target', 'ACL sync', 'cluster', cluster, ['Alter']);
  }
  if (s.emitOffsetSyncsEnabled) {
    add(s.offsetSyncsTopicLocation, 'offset syncs', 'topic', literal(policy.offsetSyncsTopic(target)), [
      'Create',
      'Describe',
      'Write',
      'Read',
    ]);
  }
  if (s.emitCheckpoints.enabled) {
    for (const g of resourcesOf(s.groups.javaPattern)) add('source', 'checkpoints', 'group', g, ['Describe']);
    add('target', 'checkpoints', 'topic', literal(policy.checkpointsTopic(source)), [
      'Create',
      'Describe',
      'Write',
      'Read',
    ]);
  }
  if (s.syncGroupOffsets.enabled) {
    for (const g of resourcesOf(s.groups.javaPattern))
      add('target', 'group offset sync', 'group', g, ['Read', 'Describe']);
  }
  const w = s.worker;
  for (const topic of [w.offsetStorageTopic, w.statusStorageTopic, w.configStorageTopic]) {
    add('target', 'internal topics', 'topic', literal(topic), [
      'Create',
      'Describe',
      'DescribeConfigs',
      'Read',
      'Write',
    ]);
  }
  return acls;
}

const USAGE = 'acls <file> [--clusters A [B ...]] [--json]';

export const acls: Subcommand = {
  path: ['acls'],
  usage: USAGE,
  summary: "print the ACLs the mirror's principals need on each cluster (kafka-acls commands)",
  async run(argv, io) {
    let args;
    try {
      args = parseConfigCommandArgs(argv, true);
    } catch (err) {
      return usageErrorExit(err, 'acls', USAGE, io);
    }
    let all: MirrorAcl[];
    let bootstraps: Map<string, string>;
    try {
      const config = loadMirrorMakerConfig(args.file, { clusters: args.clusters });
      all = [];
      for (const route of config.routes) {
        const { policy } = await buildRoutePlugins(route);
        all.push(...routeAcls(route, policy));
      }
      bootstraps = new Map(
        [...config.clusterClientConfigs].map(([alias, c]) => [
          alias,
          c.get('bootstrap.servers')?.value ?? '<bootstrap>',
        ]),
      );
    } catch (err) {
      io.err(`mm2 acls: ${isMirrorError(err) ? err.message : String(err)}`);
      return EXIT.fatal;
    }
    if (args.json) {
      io.out(JSON.stringify(all, null, 2));
      return EXIT.ok;
    }
    for (const alias of [...new Set(all.map((a) => a.cluster))]) {
      const bootstrap = bootstraps.get(alias) ?? '<bootstrap>';
      io.out(`# cluster ${alias} (${bootstrap})`);
      const seen = new Set<string>();
      for (const acl of all.filter((a) => a.cluster === alias)) {
        const command = kafkaAclsCommand(acl, bootstrap);
        if (seen.has(command)) continue;
        seen.add(command);
        io.out(`# ${acl.reason}${acl.note ? ` (${acl.note}: granted on every name, narrow it by hand)` : ''}`);
        io.out(command);
      }
      io.out('');
    }
    return EXIT.ok;
  },
};
