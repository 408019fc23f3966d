import type { AclBinding } from '../../kafka/port.ts';

/**
 * Java's `shouldReplicateAcl`: every ACL except ALLOW WRITE is copied (only MM2 writes to remote
 * topics).
 */
export function shouldReplicateAcl(binding: AclBinding): boolean {
  return !(binding.permission === 'ALLOW' && binding.operation === 'WRITE');
}

/**
 * Java's `targetAclBinding`: the ACL for the remote topic `remoteTopic`, LITERAL; ALLOW ALL
 * becomes ALLOW READ; everything else (principal, host, DENY ALL…) is kept.
 */
export function targetAclBinding(binding: AclBinding, remoteTopic: string): AclBinding {
  const downgrade = binding.permission === 'ALLOW' && binding.operation === 'ALL';
  return {
    ...binding,
    resourceType: 'TOPIC',
    resourceName: remoteTopic,
    patternType: 'LITERAL',
    operation: downgrade ? 'READ' : binding.operation,
  };
}

/** What the ACL sync needs to know about the route. */
export interface AclSyncRule {
  /** `formatRemoteTopic(sourceAlias, topic)` of the route's policy. */
  readonly remoteTopicName: (topic: string) => string;
  /** The route's `shouldReplicateTopic`. */
  readonly shouldReplicateTopic: (topic: string) => boolean;
}

/**
 * Java's `syncTopicAcls` selection: of the source ACLs, keep LITERAL TOPIC ACLs of replicated
 * topics that {@link shouldReplicateAcl}, and map them to the target with {@link targetAclBinding}.
 * PREFIXED and non-topic ACLs are never copied.
 */
export function aclBindingsToSync(sourceBindings: readonly AclBinding[], rule: AclSyncRule): AclBinding[] {
  return sourceBindings
    .filter((b) => b.resourceType === 'TOPIC' && b.patternType === 'LITERAL')
    .filter(shouldReplicateAcl)
    .filter((b) => rule.shouldReplicateTopic(b.resourceName))
    .map((b) => targetAclBinding(b, rule.remoteTopicName(b.resourceName)));
}
