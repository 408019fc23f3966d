import { kafkaErrorName } from '../../kafka/index.ts';
import type { AclBinding, KafkaAdmin } from '../../kafka/port.ts';
import type { PreflightCheck } from './plan.ts';

/** What a group needs on T, as granted on S: READ on its topics (their remote names) and on the group. */
interface Need {
  readonly principal: string;
  readonly resourceType: 'TOPIC' | 'GROUP';
  readonly sourceName: string;
  readonly targetName: string;
}

async function aclsOf(admin: KafkaAdmin): Promise<AclBinding[] | 'no-authorizer'> {
  try {
    return await admin.describeAcls({ resourceType: 'ANY' });
  } catch (err) {
    if (kafkaErrorName(err) === 'SECURITY_DISABLED') return 'no-authorizer';
    throw err;
  }
}

const grants = (acls: readonly AclBinding[], type: string, name: string, principal: string): boolean =>
  acls.some(
    (a) =>
      a.permission === 'ALLOW' &&
      a.principal === principal &&
      a.resourceType === type &&
      (a.operation === 'READ' || a.operation === 'ALL') &&
      (a.patternType === 'LITERAL'
        ? a.resourceName === name || a.resourceName === '*'
        : name.startsWith(a.resourceName)),
  );

/**
 * Where the route syncs ACLs (`sync.topic.acls.enabled`), the principals that may READ a group's
 * topics and the group itself on S should be able to on T, or the moved consumers fail with an
 * authorization error. MM2 copies topic READ ACLs (on its schedule) but never group ACLs. A
 * missing grant is a warning naming principal and resource: the failover itself needs none.
 */
export async function checkConsumerAcls(
  sourceAdmin: KafkaAdmin,
  targetAdmin: KafkaAdmin,
  groups: readonly { group: string; topics: readonly { source: string; remote: string }[] }[],
  target: string,
): Promise<PreflightCheck[]> {
  const [onSource, onTarget] = await Promise.all([aclsOf(sourceAdmin), aclsOf(targetAdmin)]);
  if (onSource === 'no-authorizer' || onTarget === 'no-authorizer') {
    return [{ check: 'acls', status: 'ok', message: 'no authorizer on one of the clusters: nothing to compare' }];
  }
  const principals = [...new Set(onSource.filter((a) => a.permission === 'ALLOW').map((a) => a.principal))];
  const needs: Need[] = [];
  for (const { group, topics } of groups) {
    for (const principal of principals) {
      if (!grants(onSource, 'GROUP', group, principal)) continue;
      needs.push({ principal, resourceType: 'GROUP', sourceName: group, targetName: group });
      for (const t of topics) {
        if (grants(onSource, 'TOPIC', t.source, principal)) {
          needs.push({ principal, resourceType: 'TOPIC', sourceName: t.source, targetName: t.remote });
        }
      }
    }
  }
  const missing = needs.filter((n) => !grants(onTarget, n.resourceType, n.targetName, n.principal));
  if (missing.length === 0) {
    return [
      {
        check: 'acls',
        status: 'ok',
        message: `the groups' principals have on ${target} the READ grants they have on the source`,
      },
    ];
  }
  return missing.map((n) => ({
    check: 'acls',
    status: 'warn',
    message:
      `${n.principal} may READ ${n.resourceType.toLowerCase()} ${n.sourceName} on the source but not ${n.targetName} on ${target}: ` +
      `its consumers will fail there until it is granted` +
      (n.resourceType === 'GROUP'
        ? ' (MM2 does not copy group ACLs)'
        : ' (MM2 copies topic READ ACLs every sync.topic.acls.interval.seconds)'),
  }));
}
