import { loadPlugin, PLUGIN_KEYS, type PluginReference, type RouteConfig } from '../config/index.ts';
import {
  AbstractReplicationPolicy,
  DefaultConfigPropertyFilter,
  DefaultGroupFilter,
  DefaultTopicFilter,
  loadReplicationPolicy,
  type ConfigPropertyFilter,
  type GroupFilter,
  type ReplicationPolicy,
  type TopicFilter,
} from '../policy/index.ts';

/** The pluggable pieces of one route, built from its settings. */
export interface RoutePlugins {
  policy: ReplicationPolicy;
  topicFilter: TopicFilter;
  groupFilter: GroupFilter;
  configPropertyFilter: ConfigPropertyFilter;
}

type Props = Record<string, string>;

/** The route's resolved connector config as Java's `configure(props)` sees it. */
function connectorProps(route: RouteConfig): Props {
  const props: Props = {};
  for (const [k, v] of route.resolvedConnectors.source) props[k] = v.value;
  return props;
}

/**
 * A custom plugin module exports a class; it is constructed with the connector's properties (the
 * map Java passes to `configure`), like a Java plugin with a configuring constructor.
 */
function construct<T>(methods: readonly string[]): {
  check: (candidate: unknown) => string | undefined;
  make: (candidate: unknown, props: Props) => T;
} {
  return {
    check: (candidate) =>
      typeof candidate === 'function' ? undefined : `is not a class (expected one with ${methods.join(', ')})`,
    make: (candidate, props) => {
      const instance = new (candidate as new (p: Props) => Record<string, unknown>)(props);
      const missing = methods.filter((m) => typeof instance[m] !== 'function');
      if (missing.length > 0) throw new TypeError(`plugin instance lacks ${missing.join(', ')}`);
      return instance as T;
    },
  };
}

async function load<T>(
  ref: PluginReference,
  key: string,
  props: Props,
  builtin: () => T,
  methods: readonly string[],
): Promise<T> {
  const { check, make } = construct<T>(methods);
  const loaded = await loadPlugin<unknown>(ref, { key, resolveBuiltin: () => builtin(), check });
  return ref.kind === 'builtin' ? (loaded as T) : make(loaded, props);
}

export async function buildRoutePlugins(route: RouteConfig): Promise<RoutePlugins> {
  const s = route.settings;
  const props = connectorProps(route);
  const policy = await load<ReplicationPolicy>(
    s.replicationPolicy,
    PLUGIN_KEYS['replication-policy'],
    props,
    () => loadReplicationPolicy(props),
    ['formatRemoteTopic', 'topicSource', 'upstreamTopic'],
  );
  // A custom policy that implements only the naming methods gets Java's interface defaults.
  const completePolicy = 'isInternalTopic' in policy ? policy : withDefaults(policy);
  return {
    policy: completePolicy,
    topicFilter: await load<TopicFilter>(
      s.topicFilter,
      PLUGIN_KEYS['topic-filter'],
      props,
      () => new DefaultTopicFilter({ include: s.topics, exclude: s.topicsExclude }),
      ['shouldReplicateTopic'],
    ),
    groupFilter: await load<GroupFilter>(
      s.groupFilter,
      PLUGIN_KEYS['group-filter'],
      props,
      () => new DefaultGroupFilter({ include: s.groups, exclude: s.groupsExclude }),
      ['shouldReplicateGroup'],
    ),
    configPropertyFilter: await load<ConfigPropertyFilter>(
      s.configPropertyFilter,
      PLUGIN_KEYS['config-property-filter'],
      props,
      () => new DefaultConfigPropertyFilter({ exclude: s.configPropertiesExclude, useDefaultsFrom: s.useDefaultsFrom }),
      ['shouldReplicateConfigProperty'],
    ),
  };
}

function withDefaults(
  naming: Pick<ReplicationPolicy, 'formatRemoteTopic' | 'topicSource' | 'upstreamTopic'>,
): ReplicationPolicy {
  return new (class extends AbstractReplicationPolicy {
    formatRemoteTopic(alias: string, topic: string): string {
      return naming.formatRemoteTopic(alias, topic);
    }
    topicSource(topic: string): string | null {
      return naming.topicSource(topic);
    }
    upstreamTopic(topic: string): string | null {
      return naming.upstreamTopic(topic);
    }
  })();
}
