import type { AclEntry, AclFilter, DescribeAclResource } from 'kafkajs';
import type { AclBinding } from '../port.ts';

// Kafka's wire codes for ACL enums (org.apache.kafka.common.acl / resource), used as plain numbers
// so this module does not depend on kafkajs's TypeScript enums at run time.
const RESOURCE_TYPES = ['UNKNOWN', 'ANY', 'TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN'];
const OPERATIONS = [
  'UNKNOWN',
  'ANY',
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
];
const PERMISSIONS = ['UNKNOWN', 'ANY', 'DENY', 'ALLOW'];
const PATTERN_TYPES = ['UNKNOWN', 'ANY', 'MATCH', 'LITERAL', 'PREFIXED'];

function code(table: string[], name: string): number {
  const i = table.indexOf(name);
  if (i < 0) throw new RangeError(`unknown ACL value ${name}`);
  return i;
}

export const aclToKafkajs = {
  describeFilter(resourceType: 'TOPIC' | 'ANY'): AclFilter {
    return {
      resourceType: code(RESOURCE_TYPES, resourceType),
      resourcePatternType: code(PATTERN_TYPES, 'ANY'),
      operation: code(OPERATIONS, 'ANY'),
      permissionType: code(PERMISSIONS, 'ANY'),
    } as unknown as AclFilter;
  },
  binding(b: AclBinding): AclEntry {
    return {
      resourceType: code(RESOURCE_TYPES, b.resourceType),
      resourceName: b.resourceName,
      resourcePatternType: code(PATTERN_TYPES, b.patternType),
      principal: b.principal,
      host: b.host,
      operation: code(OPERATIONS, b.operation),
      permissionType: code(PERMISSIONS, b.permission),
    } as unknown as AclEntry;
  },
};

export function aclsFromKafkajs(resources: DescribeAclResource[]): AclBinding[] {
  const bindings: AclBinding[] = [];
  for (const r of resources) {
    const resourceType = RESOURCE_TYPES[r.resourceType as number];
    const patternType = PATTERN_TYPES[r.resourcePatternType as number];
    if (
      resourceType !== 'TOPIC' &&
      resourceType !== 'GROUP' &&
      resourceType !== 'CLUSTER' &&
      resourceType !== 'TRANSACTIONAL_ID'
    )
      continue;
    if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') continue;
    for (const acl of r.acls) {
      const permission = PERMISSIONS[acl.permissionType as number];
      if (permission !== 'ALLOW' && permission !== 'DENY') continue;
      bindings.push({
        resourceType,
        resourceName: r.resourceName,
        patternType,
        principal: acl.principal,
        host: acl.host,
        operation: OPERATIONS[acl.operation as number] ?? 'UNKNOWN',
        permission,
      });
    }
  }
  return bindings;
}
