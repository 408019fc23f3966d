import { connect as tlsConnect } from 'node:tls';
import { loadMirrorMakerConfig, type LoadedConfig } from '../../config/index.ts';
import {
  kafkaErrorName,
  openKafkaCluster,
  type KafkaAdmin,
  type KafkaClientSettings,
  type KafkaCluster,
} from '../../kafka/index.ts';
import { buildRoutePlugins } from '../../runtime/route-plugins.ts';
import { isMirrorError } from '../../util/errors.ts';
import { withTimeout } from '../../util/timeout.ts';
import { EXIT, usageErrorExit } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { kafkaAclsCommand, principalOf, routeAcls, type AclOperation, type MirrorAcl } from './acls.ts';
import { parseConfigCommandArgs } from './config-args.ts';

/**
 * `mm2 config check <file>`: logs in to every cluster the file's routes use, with each distinct
 * client identity the routes' roles configure, and reports in Kafka's terms: reachable,
 * TLS/authentication, and whether the operations MM2 needs (the ACLs `mm2 acls` prints) are
 * authorized, tried with requests that change nothing (Metadata, DescribeConfigs, DescribeGroups,
 * DescribeAcls). Create, Write, Read, Alter and AlterConfigs have no harmless request and are
 * listed as not tried.
 */

export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** The configuration key to fix, `<alias>.<key>`, when one is known. */
  readonly key?: string;
}

export interface IdentityReport {
  readonly cluster: string;
  readonly bootstrap: string;
  readonly principal: string;
  /** The client roles (as in client.id) using these settings. */
  readonly roles: readonly string[];
  readonly checks: readonly CheckResult[];
}

const TIMEOUT_MS = 15_000;
/** A name no topic or group is expected to have: a Describe of it is authorized or not, and changes nothing. */
const PROBE = 'mm2-config-check-probe';

interface Identity {
  cluster: string;
  settings: KafkaClientSettings;
  roles: string[];
}

/** The distinct client settings per cluster alias, with the roles that use them. */
function identitiesOf(config: LoadedConfig): Identity[] {
  const byKey = new Map<string, Identity>();
  for (const route of config.routes) {
    for (const { use, settings } of route.clients.values()) {
      const cluster = use.side === 'source' ? route.source : route.target;
      // client.id differs per role and does not change who the client is.
      const id = `${cluster}\u0000${JSON.stringify({ ...settings, clientId: '' })}`;
      const seen = byKey.get(id);
      if (seen) {
        if (!seen.roles.includes(use.role)) seen.roles.push(use.role);
      } else byKey.set(id, { cluster, settings, roles: [use.role] });
    }
  }
  return [...byKey.values()];
}

/** What each harmless request proves, by resource type and operation. */
type Probe = (admin: KafkaAdmin, name: string) => Promise<unknown>;
const PROBES: Partial<Record<MirrorAcl['resourceType'], Partial<Record<AclOperation, Probe>>>> = {
  topic: {
    Describe: (admin, name) => admin.describeTopics([name]),
    DescribeConfigs: (admin, name) => admin.describeTopicConfigs([name]),
  },
  group: { Describe: (admin, name) => admin.describeGroupStates([name]) },
  cluster: { Describe: (admin) => admin.describeAcls({ resourceType: 'ANY' }) },
};

/** A concrete name inside an ACL resource: the literal name, or a made-up one under the prefix or wildcard. */
function probeName(acl: MirrorAcl): string {
  if (acl.resourceType === 'cluster') return 'kafka-cluster';
  if (acl.name === '*') return PROBE;
  return acl.patternType === 'prefixed' ? `${acl.name}${PROBE}` : acl.name;
}

function describeResource(acl: MirrorAcl): string {
  if (acl.resourceType === 'cluster') return 'the cluster';
  return `${acl.resourceType} ${acl.patternType === 'prefixed' ? `prefixed '${acl.name}'` : `'${acl.name}'`}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The key to fix for a failed login, by the kind of failure and the identity's settings. */
function loginKey(alias: string, settings: KafkaClientSettings, code: string | undefined): string | undefined {
  if (code === 'ERR_KAFKA_AUTHENTICATION')
    return `${alias}.${settings.sasl ? 'sasl.jaas.config' : 'ssl.keystore.location'}`;
  if (code === 'ERR_KAFKA_TLS') return `${alias}.ssl.truststore.location`;
  return `${alias}.bootstrap.servers`;
}

/**
 * The subject of the certificate the first bootstrap broker presents, with the identity's own TLS
 * settings: one extra handshake, no Kafka request. Undefined when it cannot be read (the Kafka
 * client already proved the handshake works; this only adds the name for the report).
 */
function peerSubject(settings: KafkaClientSettings): Promise<string | undefined> {
  const tls = settings.tls;
  const first = settings.bootstrapServers[0];
  if (!tls || !first) return Promise.resolve(undefined);
  const at = first.lastIndexOf(':');
  const host = first.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(first.slice(at + 1));
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
      ...(tls.checkServerIdentity ? {} : { checkServerIdentity: () => undefined }),
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      timeout: 5_000,
    });
    const done = (subject: string | undefined): void => {
      socket.destroy();
      resolve(subject);
    };
    socket.once('secureConnect', () => {
      const subject = socket.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
      done(
        subject
          ? Object.entries(subject)
              .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
              .join(',')
          : undefined,
      );
    });
    socket.once('error', () => done(undefined));
    socket.once('timeout', () => done(undefined));
  });
}

async function checkIdentity(
  identity: Identity,
  acls: readonly MirrorAcl[],
  open: (s: KafkaClientSettings) => KafkaCluster,
): Promise<IdentityReport> {
  const { cluster: alias, settings } = identity;
  const principal = principalOf(settings);
  const checks: CheckResult[] = [];
  const report = (): IdentityReport => ({
    cluster: alias,
    bootstrap: settings.bootstrapServers.join(','),
    principal,
    roles: identity.roles,
    checks,
  });
  const cluster = open({ ...settings, clientId: 'mm2-config-check', clusterAlias: alias });
  try {
    let admin: KafkaAdmin;
    try {
      admin = await withTimeout(TIMEOUT_MS, cluster.admin());
      const id = await withTimeout(TIMEOUT_MS, admin.clusterId());
      checks.push({ check: 'reachable', status: 'ok', message: `cluster id ${id}` });
    } catch (err) {
      const code = isMirrorError(err) ? err.code : undefined;
      const check =
        code === 'ERR_KAFKA_AUTHENTICATION' ? 'authenticated' : code === 'ERR_KAFKA_TLS' ? 'TLS' : 'reachable';
      const key = loginKey(alias, settings, code);
      checks.push({
        check,
        status: 'failed',
        message: `cluster ${alias}: ${check === 'authenticated' ? 'authentication failed' : check === 'TLS' ? 'TLS handshake failed' : 'not reachable'}: ${errorText(err)}`,
        ...(key ? { key } : {}),
      });
      return report();
    }
    const protocol = settings.securityProtocol;
    if (settings.tls) {
      const subject = await peerSubject(settings);
      checks.push({
        check: 'TLS',
        status: 'ok',
        message: `${protocol}: the broker certificate${subject ? ` (subject ${subject})` : ''} is trusted`,
      });
    }
    checks.push({
      check: 'authenticated',
      status: 'ok',
      message: settings.sasl
        ? `SASL ${settings.sasl.mechanism} as ${principal}`
        : settings.tls?.cert
          ? `client certificate, as ${principal}`
          : `${protocol}, as ${principal}`,
    });
    const tried = new Set<string>();
    for (const acl of acls) {
      const skipped: AclOperation[] = [];
      for (const op of acl.operations) {
        const probe = PROBES[acl.resourceType]?.[op];
        if (!probe) {
          skipped.push(op);
          continue;
        }
        const name = probeName(acl);
        const what = `${op} on ${describeResource(acl)}`;
        if (tried.has(what)) continue;
        tried.add(what);
        try {
          await withTimeout(TIMEOUT_MS, probe(admin, name));
          checks.push({ check: 'authorized', status: 'ok', message: `${what} (${acl.reason})` });
        } catch (err) {
          const kafka = kafkaErrorName(err);
          if (kafka === 'UNKNOWN_TOPIC_OR_PARTITION' || kafka === 'GROUP_ID_NOT_FOUND') {
            // Authorization comes first in the broker: "does not exist" means it was allowed.
            checks.push({ check: 'authorized', status: 'ok', message: `${what} (${acl.reason}; not created yet)` });
            continue;
          }
          // A group request starts with FindCoordinator, which Kafka answers GROUP_AUTHORIZATION_FAILED
          // without Describe on the group; kafkajs reports that only as "no coordinator" (its
          // Cluster.findGroupCoordinatorMetadata drops the broker's error). The cluster answered
          // everything else, so the coordinator is there: it refused this principal.
          const coordinatorRefused =
            acl.resourceType === 'group' && isMirrorError(err) && err.code === 'ERR_KAFKA_METADATA';
          const denied = kafka?.endsWith('AUTHORIZATION_FAILED') === true || coordinatorRefused;
          checks.push({
            check: 'authorized',
            status: 'failed',
            message: denied
              ? `cluster ${alias}: ${principal} is not authorized for ${what}, needed for ${acl.reason} (${kafka ?? 'FindCoordinator refused: GROUP_AUTHORIZATION_FAILED'}); grant it: ${kafkaAclsCommand({ ...acl, operations: [op] }, settings.bootstrapServers.join(','))}`
              : `cluster ${alias}: ${what} could not be checked: ${errorText(err)}`,
            key: `${alias}.bootstrap.servers`,
          });
        }
      }
      if (skipped.length > 0) {
        const what = `${skipped.join(', ')} on ${describeResource(acl)}`;
        if (!tried.has(what)) {
          tried.add(what);
          checks.push({
            check: 'authorized',
            status: 'skipped',
            message: `${what} (${acl.reason}): not tried, no request checks it without changing the cluster`,
          });
        }
      }
    }
    return report();
  } finally {
    await cluster.close().catch(() => undefined);
  }
}

/** Checks every identity of `config` against the ACLs its routes need on its cluster. */
export async function checkClusters(
  config: LoadedConfig,
  open: (s: KafkaClientSettings) => KafkaCluster = (s) => openKafkaCluster(s),
): Promise<IdentityReport[]> {
  const acls: MirrorAcl[] = [];
  for (const route of config.routes) {
    const { policy } = await buildRoutePlugins(route);
    acls.push(...routeAcls(route, policy));
  }
  return Promise.all(
    identitiesOf(config).map((identity) =>
      checkIdentity(
        identity,
        acls.filter((a) => a.cluster === identity.cluster),
        open,
      ),
    ),
  );
}

const USAGE = 'config check <file> [--clusters A [B ...]] [--json]';

export const configCheck: Subcommand = {
  path: ['config', 'check'],
  usage: USAGE,
  summary: "log in to each cluster with each role's settings: reachable, TLS, authenticated, authorized",
  async run(argv, io) {
    let args;
    try {
      args = parseConfigCommandArgs(argv, true);
    } catch (err) {
      return usageErrorExit(err, 'config check', USAGE, io);
    }
    let reports: IdentityReport[];
    try {
      const config = loadMirrorMakerConfig(args.file, { clusters: args.clusters });
      reports = await checkClusters(config);
    } catch (err) {
      io.err(`mm2 config check: ${isMirrorError(err) ? err.message : String(err)}`);
      return EXIT.fatal;
    }
    const ok = reports.every((r) => r.checks.every((c) => c.status !== 'failed'));
    if (args.json) {
      io.out(JSON.stringify({ ok, clusters: reports }, null, 2));
    } else {
      for (const r of reports) {
        io.out(`cluster ${r.cluster} (${r.bootstrap}) as ${r.principal}, roles: ${r.roles.join(', ')}`);
        for (const c of r.checks) {
          const mark = c.status === 'ok' ? 'ok  ' : c.status === 'failed' ? 'FAIL' : 'skip';
          io.out(`  ${mark} ${c.check}: ${c.message}${c.key && c.status === 'failed' ? ` [${c.key}]` : ''}`);
        }
        io.out('');
      }
      io.out(ok ? 'all checks passed' : 'some checks failed');
    }
    return ok ? EXIT.ok : EXIT.lintErrors;
  },
};
