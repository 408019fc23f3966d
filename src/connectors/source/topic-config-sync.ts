import type { AlterConfigOp, ConfigEntry } from '../../kafka/port.ts';
import type { ConfigPropertyFilter } from '../../policy/filters.ts';

// Java's ConfigEntry.isDefault() is exactly "source == DEFAULT_CONFIG": a value inherited from a
// dynamic broker default is *not* a default here and gets copied as a topic override (Java quirk).
function isDefault(entry: ConfigEntry): boolean {
  return entry.source === 'DEFAULT_CONFIG';
}

/**
 * Java's `MirrorSourceConnector.targetConfig`: the source topic config entries worth copying —
 * not read-only, not sensitive, not from the static broker config, not excluded by the filter.
 * With `incremental` false (topic creation) default-valued entries are kept only if the filter
 * wants source defaults; with `incremental` true they are kept so they can be reset (DELETE).
 */
export function targetConfigEntries(
  entries: readonly ConfigEntry[],
  filter: ConfigPropertyFilter,
  incremental: boolean,
): ConfigEntry[] {
  return entries
    .filter((e) => incremental || !isDefault(e) || filter.shouldReplicateSourceDefault(e.name))
    .filter((e) => !e.isReadOnly && !e.isSensitive)
    .filter((e) => e.source !== 'STATIC_BROKER_CONFIG')
    .filter((e) => filter.shouldReplicateConfigProperty(e.name));
}

/**
 * The configs of a new remote topic (Java `createNewTopics`): {@link targetConfigEntries} without
 * defaults, as a name → value map. Entries without a value are left out (Java would fail the
 * whole batch on them).
 */
export function newTopicConfigs(entries: readonly ConfigEntry[], filter: ConfigPropertyFilter): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const entry of targetConfigEntries(entries, filter, false)) {
    if (entry.value !== null) configs[entry.name] = entry.value;
  }
  return configs;
}

/**
 * The incremental-alter operations for one remote topic (Java `syncTopicConfigs` +
 * `incrementalAlterConfigs`): for each copied entry, DELETE (reset to the target default) if it is
 * a source default that the filter does not want copied, else SET to the source value.
 * Entries whose SET would carry no value are left out.
 */
export function incrementalConfigOps(entries: readonly ConfigEntry[], filter: ConfigPropertyFilter): AlterConfigOp[] {
  const ops: AlterConfigOp[] = [];
  for (const entry of targetConfigEntries(entries, filter, true)) {
    if (isDefault(entry) && !filter.shouldReplicateSourceDefault(entry.name)) {
      ops.push({ op: 'DELETE', name: entry.name });
    } else if (entry.value !== null) {
      ops.push({ op: 'SET', name: entry.name, value: entry.value });
    }
  }
  return ops;
}
