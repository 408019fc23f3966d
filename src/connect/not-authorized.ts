import { kafkaErrorName, type KafkaAdmin, type KafkaClientSettings } from '../kafka/index.ts';
import { kafkaAclsCommand, principalOf } from '../kafka/acl-grant.ts';
import { describeError, KafkaPortError, MirrorError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { ensureCompactedTopic, type CompactedTopicSpec, type EnsureTopicOutcome } from './internal-topics.ts';

/**
 * A Kafka refusal for want of an ACL, told in the operator's terms: which feature of which route
 * could not do what, on which resource of which cluster, as which principal, and the
 * `kafka-acls.sh` line that grants it (the same wording as `mm2 config check`). Connectors use
 * it where a missing ACL would otherwise show as a bare Kafka error, a retried "unknown topic" or
 * nothing at all (docs/security.md lists what each feature shows).
 */

/** Who needs the access: the feature and the client that was refused. */
export interface AccessContext {
  /** The route and feature, as `mm2 acls` names it: `A->B checkpoints`. */
  readonly feature: string;
  /** The refused client's settings: cluster alias, bootstrap servers and principal come from them. */
  readonly client?: KafkaClientSettings;
  /** The cluster alias when there is no `client` (or it carries none). */
  readonly cluster?: string;
}

/** The operation and resource refused; any left out are read from the Kafka error. */
export interface AccessRefused {
  readonly operation?: string;
  readonly resourceType?: 'topic' | 'group' | 'cluster';
  readonly resource?: string;
}

/** True when `err` (or a MirrorError's cause) is one of Kafka's `*_AUTHORIZATION_FAILED`. */
export function isAuthorizationError(err: unknown): boolean {
  if (err instanceof NotAuthorizedError) return true;
  return kafkaErrorName(err)?.endsWith('_AUTHORIZATION_FAILED') === true;
}

/**
 * A refused operation named for the operator (code `ERR_NOT_AUTHORIZED`, never retriable: only
 * an ACL change helps). `details`: feature, cluster, principal, operation, resourceType, resource,
 * kafkaError, and `grant` (the kafka-acls.sh command).
 */
export class NotAuthorizedError extends MirrorError {
  constructor(message: string, details: Record<string, unknown>, cause: unknown) {
    super('ERR_NOT_AUTHORIZED', message, details, { cause });
  }
}

// The port method (`details.op` of a KafkaPortError) → the ACL operation Kafka checks for it,
// per resource type (Kafka's "Operations and resources" table, docs/security.md of Kafka).
const OPERATIONS: Record<'topic' | 'group' | 'cluster', Record<string, string>> = {
  topic: {
    produce: 'Write',
    fetch: 'Read',
    listOffsets: 'Describe',
    describeTopics: 'Describe',
    createTopics: 'Create',
    createPartitions: 'Alter',
    describeConfigs: 'DescribeConfigs',
    incrementalAlterConfigs: 'AlterConfigs',
    offsetCommit: 'Read',
    fetchOffsets: 'Describe',
  },
  group: {
    offsetCommit: 'Read',
    fetchOffsets: 'Describe',
    describeGroups: 'Describe',
    groupCoordinator: 'Describe',
    listGroups: 'Describe',
    deleteGroups: 'Delete',
  },
  cluster: {
    describeAcls: 'Describe',
    createAcls: 'Alter',
    createTopics: 'Create',
    describeCluster: 'Describe',
  },
};

function portDetail(err: unknown, key: string): string | undefined {
  for (let e = err, depth = 0; depth < 8 && e instanceof MirrorError; depth++, e = e.cause) {
    const value = e.details[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * `cause` (an authorization error) as a {@link NotAuthorizedError} for `context`:
 * `cluster B: User:CN=mm2 is not authorized for Write on topic 'A.checkpoints.internal', needed
 * for A->B checkpoints (TOPIC_AUTHORIZATION_FAILED); grant it: kafka-acls.sh …`. What `refused`
 * leaves out is read from the error (its Kafka name says the resource type, the failed call the
 * operation, `details.topic`/`group` the resource).
 */
export function notAuthorized(context: AccessContext, refused: AccessRefused, cause: unknown): NotAuthorizedError {
  if (cause instanceof NotAuthorizedError) return cause;
  const kafkaError = kafkaErrorName(cause) ?? 'AUTHORIZATION_FAILED';
  const typeFromError = /^(TOPIC|GROUP|CLUSTER)_/.exec(kafkaError)?.[1]?.toLowerCase() as
    'topic' | 'group' | 'cluster' | undefined;
  const resourceType = refused.resourceType ?? typeFromError ?? 'topic';
  const op = portDetail(cause, 'op');
  const operation =
    refused.operation ?? (op !== undefined ? OPERATIONS[resourceType][op] : undefined) ?? 'the operation';
  const resource =
    resourceType === 'cluster'
      ? 'kafka-cluster'
      : (refused.resource ?? portDetail(cause, resourceType) ?? `<the ${resourceType}>`);
  const cluster = context.client?.clusterAlias ?? context.cluster ?? portDetail(cause, 'cluster') ?? '?';
  // Without the client's settings the principal is unknown here (principalOf would guess ANONYMOUS).
  const principal = context.client ? principalOf(context.client) : `User:<the principal of ${cluster}'s client>`;
  const bootstrap = context.client?.bootstrapServers.join(',') ?? `<${cluster}'s bootstrap servers>`;
  const grant = kafkaAclsCommand(
    { principal, resourceType, patternType: 'literal', name: resource, operations: [operation] },
    bootstrap,
  );
  const what = resourceType === 'cluster' ? 'the cluster' : `${resourceType} '${resource}'`;
  return new NotAuthorizedError(
    `cluster ${cluster}: ${principal} is not authorized for ${operation} on ${what}, needed for ${context.feature} (${kafkaError}); grant it: ${grant}`,
    { feature: context.feature, cluster, principal, operation, resourceType, resource, kafkaError, grant },
    cause,
  );
}

/**
 * An internal topic the feature cannot work without (offset syncs, checkpoints, heartbeats):
 * Java's `createCompactedTopic` (src/connect/internal-topics.ts), which takes a refused
 * CreateTopics as "assume it exists". Here that assumption is checked: a topic that is refused
 * and not there (or that the principal may not even see) is a {@link NotAuthorizedError} naming
 * the topic, `Create` and the grant, instead of sends that fail later as an unknown topic. A
 * refusal of an existing topic stays what Java makes it (Create is not needed for a topic made
 * beforehand). Other non-retriable port errors are named too; retriable ones are thrown as they are.
 */
export async function ensureRequiredTopic(
  admin: KafkaAdmin,
  spec: CompactedTopicSpec,
  context: AccessContext,
  logger: Logger,
): Promise<EnsureTopicOutcome> {
  const outcome = await ensureCompactedTopic(admin, spec, logger);
  if (outcome !== 'assumed') return outcome;
  // Metadata lists only the topics the principal may Describe: absent here is absent, or hidden.
  let present: boolean;
  try {
    present = (await admin.listTopics()).includes(spec.name);
  } catch (err) {
    if (isAuthorizationError(err)) throw notAuthorized(context, { operation: 'Describe', resource: spec.name }, err);
    throw err;
  }
  if (present) return 'exists';
  const refusal = new KafkaPortError(
    'KAFKA_TOPIC_AUTHORIZATION_FAILED',
    `CreateTopics refused for ${spec.name}, and it does not exist (or the principal may not Describe it)`,
    { op: 'createTopics', topic: spec.name, retriable: false },
  );
  throw notAuthorized(context, { operation: 'Create', resourceType: 'topic', resource: spec.name }, refusal);
}

/** `describeError` of a refusal, for a log line's `err` (the message already says everything). */
export function refusalText(err: unknown): string {
  return err instanceof NotAuthorizedError ? err.message : describeError(err);
}
