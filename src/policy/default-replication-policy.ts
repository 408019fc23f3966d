import { javaSplitLiteral } from './java-split.ts';
import { AbstractReplicationPolicy } from './replication-policy.ts';

/** `replication.policy.separator`: the string between alias and topic in remote topic names. */
export const SEPARATOR_CONFIG = 'replication.policy.separator';
export const SEPARATOR_DEFAULT = '.';
/** `replication.policy.internal.topic.separator.enabled` (KIP-949). */
export const INTERNAL_TOPIC_SEPARATOR_ENABLED_CONFIG = 'replication.policy.internal.topic.separator.enabled';

/** Settings of {@link DefaultReplicationPolicy}. */
export interface DefaultReplicationPolicyOptions {
  /** Separator between alias and topic; default `.`. */
  readonly separator?: string;
  /**
   * Whether internal topic names (offset-syncs, checkpoints) use the separator too (default true);
   * false keeps the `.` names of MM2 ≤ 3.0.
   */
  readonly internalTopicSeparatorEnabled?: boolean;
}

/** Java's `Boolean.parseBoolean(String.valueOf(value))`: true only for "true", any case. */
export function javaParseBoolean(value: unknown): boolean {
  return String(value).toLowerCase() === 'true';
}

/**
 * Java's DefaultReplicationPolicy: remote topics are `<alias><sep><topic>`. Parsing a name uses
 * Java's `String.split` semantics, so `a.b.c` comes from `a`, `a.` is not remote and `.b` comes
 * from the empty alias.
 */
export class DefaultReplicationPolicy extends AbstractReplicationPolicy {
  readonly separator: string;
  readonly internalTopicSeparatorEnabled: boolean;

  constructor(options: DefaultReplicationPolicyOptions = {}) {
    super();
    this.separator = options.separator ?? SEPARATOR_DEFAULT;
    this.internalTopicSeparatorEnabled = options.internalTopicSeparatorEnabled ?? true;
  }

  /**
   * Options from a Java-style property map, with Java's `configure` rules: the internal-separator
   * flag is only read when the separator key is present.
   */
  static optionsFromProps(props: Readonly<Record<string, unknown>>): DefaultReplicationPolicyOptions {
    if (!Object.hasOwn(props, SEPARATOR_CONFIG)) return {};
    const separator = String(props[SEPARATOR_CONFIG]);
    if (!Object.hasOwn(props, INTERNAL_TOPIC_SEPARATOR_ENABLED_CONFIG)) return { separator };
    return {
      separator,
      internalTopicSeparatorEnabled: javaParseBoolean(props[INTERNAL_TOPIC_SEPARATOR_ENABLED_CONFIG]),
    };
  }

  /** A policy configured from a Java-style property map (see {@link optionsFromProps}). */
  static fromProps(props: Readonly<Record<string, unknown>>): DefaultReplicationPolicy {
    return new DefaultReplicationPolicy(DefaultReplicationPolicy.optionsFromProps(props));
  }

  formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return sourceClusterAlias + this.separator + topic;
  }

  topicSource(topic: string): string | null {
    const parts = javaSplitLiteral(topic, this.separator);
    return parts.length < 2 ? null : parts[0]!;
  }

  upstreamTopic(topic: string): string | null {
    const source = this.topicSource(topic);
    return source === null ? null : topic.slice(source.length + this.separator.length);
  }

  private get internalSeparator(): string {
    return this.internalTopicSeparatorEnabled ? this.separator : '.';
  }

  override offsetSyncsTopic(clusterAlias: string): string {
    const sep = this.internalSeparator;
    return `mm2-offset-syncs${sep}${clusterAlias}${sep}internal`;
  }

  override checkpointsTopic(clusterAlias: string): string {
    const sep = this.internalSeparator;
    return `${clusterAlias}${sep}checkpoints${sep}internal`;
  }

  override isCheckpointsTopic(topic: string): boolean {
    const sep = this.internalSeparator;
    return topic.endsWith(`${sep}checkpoints${sep}internal`);
  }

  override isMM2InternalTopic(topic: string): boolean {
    return topic.endsWith(`${this.internalSeparator}internal`);
  }
}
