import { DefaultReplicationPolicy, type DefaultReplicationPolicyOptions } from './default-replication-policy.ts';

/** `source.cluster.alias`, which IdentityReplicationPolicy reports as the source of every topic. */
export const SOURCE_CLUSTER_ALIAS_CONFIG = 'source.cluster.alias';

/** Settings of {@link IdentityReplicationPolicy}. */
export interface IdentityReplicationPolicyOptions extends DefaultReplicationPolicyOptions {
  /** The alias `topicSource` returns for non-heartbeat topics; without it, null. */
  readonly sourceClusterAlias?: string;
}

/**
 * Java's IdentityReplicationPolicy: remote topics keep their names, so MM2 cannot detect cycles
 * for them (the topology must be acyclic). Heartbeats are still prefixed like the default policy
 * so that hop counting keeps working. Java quirk kept on purpose: *any* topic whose name ends in
 * `heartbeats` (e.g. `myheartbeats`) is handled as a heartbeat topic.
 */
export class IdentityReplicationPolicy extends DefaultReplicationPolicy {
  readonly sourceClusterAlias: string | null;

  constructor(options: IdentityReplicationPolicyOptions = {}) {
    super(options);
    this.sourceClusterAlias = options.sourceClusterAlias ?? null;
  }

  /** A policy configured from a Java-style property map (separator keys and `source.cluster.alias`). */
  static override fromProps(props: Readonly<Record<string, unknown>>): IdentityReplicationPolicy {
    const base = DefaultReplicationPolicy.optionsFromProps(props);
    const alias = props[SOURCE_CLUSTER_ALIAS_CONFIG];
    return new IdentityReplicationPolicy(
      Object.hasOwn(props, SOURCE_CLUSTER_ALIAS_CONFIG) && alias !== null && alias !== undefined
        ? { ...base, sourceClusterAlias: String(alias) }
        : base,
    );
  }

  override formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return this.looksLikeHeartbeat(topic) ? super.formatRemoteTopic(sourceClusterAlias, topic) : topic;
  }

  override topicSource(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.topicSource(topic) : this.sourceClusterAlias;
  }

  override upstreamTopic(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.upstreamTopic(topic) : topic;
  }

  private looksLikeHeartbeat(topic: string): boolean {
    return topic.endsWith(this.heartbeatsTopic());
  }
}
