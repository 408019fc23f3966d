import { compileNameMatcher, type NameMatcher } from './name-matcher.ts';

/** Which topics a route replicates (Java `TopicFilter`); also used to pick checkpointed topics. */
export interface TopicFilter {
  shouldReplicateTopic(topic: string): boolean;
}

/** Which consumer groups a route checkpoints (Java `GroupFilter`). */
export interface GroupFilter {
  shouldReplicateGroup(group: string): boolean;
}

/** Which topic config properties a route copies, and whose defaults apply (Java `ConfigPropertyFilter`). */
export interface ConfigPropertyFilter {
  /** False: never copy this property (it keeps the target's value). */
  shouldReplicateConfigProperty(prop: string): boolean;
  /**
   * For a property that is at its default on the source: true copies the source default, false
   * resets it to the target's default. Only asked for properties the filter replicates.
   */
  shouldReplicateSourceDefault(prop: string): boolean;
}

/** Java's default of `topics`: every topic. */
export const TOPICS_INCLUDE_DEFAULT: readonly string[] = ['.*'];
/** Java's default of `topics.exclude`: Connect/MM2 internals, `.replica` topics, `__` topics. */
export const TOPICS_EXCLUDE_DEFAULT: readonly string[] = ['.*[\\-\\.]internal', '.*\\.replica', '__.*'];
/** Java's default of `groups`: every group. */
export const GROUPS_INCLUDE_DEFAULT: readonly string[] = ['.*'];
/** Java's default of `groups.exclude`: console consumers, Connect workers, `__` groups. */
export const GROUPS_EXCLUDE_DEFAULT: readonly string[] = ['console-consumer-.*', 'connect-.*', '__.*'];
/** Java's default of `config.properties.exclude`: properties that must stay cluster-specific. */
export const CONFIG_PROPERTIES_EXCLUDE_DEFAULT: readonly string[] = [
  'follower\\.replication\\.throttled\\.replicas',
  'leader\\.replication\\.throttled\\.replicas',
  'message\\.timestamp\\.difference\\.max\\.ms',
  'message\\.timestamp\\.type',
  'unclean\\.leader\\.election\\.enable',
  'min\\.insync\\.replicas',
];
/** Java's default of `use.defaults.from`. */
export const USE_DEFAULTS_FROM_DEFAULT = 'target';

/** Java's DefaultTopicFilter: included by `topics` and not excluded by `topics.exclude`. */
export class DefaultTopicFilter implements TopicFilter {
  readonly include: NameMatcher;
  readonly exclude: NameMatcher;

  constructor(options: { include?: NameMatcher; exclude?: NameMatcher } = {}) {
    this.include = options.include ?? compileNameMatcher(TOPICS_INCLUDE_DEFAULT);
    this.exclude = options.exclude ?? compileNameMatcher(TOPICS_EXCLUDE_DEFAULT);
  }

  shouldReplicateTopic(topic: string): boolean {
    return this.include.matches(topic) && !this.exclude.matches(topic);
  }
}

/** Java's DefaultGroupFilter: included by `groups` and not excluded by `groups.exclude`. */
export class DefaultGroupFilter implements GroupFilter {
  readonly include: NameMatcher;
  readonly exclude: NameMatcher;

  constructor(options: { include?: NameMatcher; exclude?: NameMatcher } = {}) {
    this.include = options.include ?? compileNameMatcher(GROUPS_INCLUDE_DEFAULT);
    this.exclude = options.exclude ?? compileNameMatcher(GROUPS_EXCLUDE_DEFAULT);
  }

  shouldReplicateGroup(group: string): boolean {
    return this.include.matches(group) && !this.exclude.matches(group);
  }
}

/**
 * Java's DefaultConfigPropertyFilter: copies every property not excluded by
 * `config.properties.exclude`; source defaults are copied only when `use.defaults.from` is
 * exactly `source` (any other value, including the default `target`, means target defaults).
 */
export class DefaultConfigPropertyFilter implements ConfigPropertyFilter {
  readonly exclude: NameMatcher;
  readonly useDefaultsFrom: string;

  constructor(options: { exclude?: NameMatcher; useDefaultsFrom?: string } = {}) {
    this.exclude = options.exclude ?? compileNameMatcher(CONFIG_PROPERTIES_EXCLUDE_DEFAULT);
    this.useDefaultsFrom = options.useDefaultsFrom ?? USE_DEFAULTS_FROM_DEFAULT;
  }

  shouldReplicateConfigProperty(prop: string): boolean {
    return !this.exclude.matches(prop);
  }

  shouldReplicateSourceDefault(_prop: string): boolean {
    return this.useDefaultsFrom === 'source';
  }
}
