import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../util/errors.ts';

/**
 * Plugin selection for `replication.policy.class`, `topic.filter.class`, `group.filter.class`,
 * `config.property.filter.class` and `forwarding.admin.class`. Java FQCNs of the built-ins map to
 * built-in names; anything else names a JS module: `./path/to/module.ts#ExportName` (relative to
 * the config file), `/abs/path.js#Export`, or `package-name#Export` (default export without `#`).
 * src/config knows no implementation: the caller resolves built-ins and checks module exports.
 */

export type BuiltinPlugin =
  | 'DefaultReplicationPolicy'
  | 'IdentityReplicationPolicy'
  | 'DefaultTopicFilter'
  | 'DefaultGroupFilter'
  | 'DefaultConfigPropertyFilter'
  | 'ForwardingAdmin';

export type PluginKind =
  'replication-policy' | 'topic-filter' | 'group-filter' | 'config-property-filter' | 'forwarding-admin';

export type PluginReference =
  | { readonly kind: 'builtin'; readonly name: BuiltinPlugin }
  | { readonly kind: 'module'; readonly specifier: string; readonly exportName: string };

export const PLUGIN_KEYS: Readonly<Record<PluginKind, string>> = {
  'replication-policy': 'replication.policy.class',
  'topic-filter': 'topic.filter.class',
  'group-filter': 'group.filter.class',
  'config-property-filter': 'config.property.filter.class',
  'forwarding-admin': 'forwarding.admin.class',
};

const BUILTINS: Readonly<Record<string, { name: BuiltinPlugin; kind: PluginKind }>> = {
  'org.apache.kafka.connect.mirror.DefaultReplicationPolicy': {
    name: 'DefaultReplicationPolicy',
    kind: 'replication-policy',
  },
  'org.apache.kafka.connect.mirror.IdentityReplicationPolicy': {
    name: 'IdentityReplicationPolicy',
    kind: 'replication-policy',
  },
  'org.apache.kafka.connect.mirror.DefaultTopicFilter': { name: 'DefaultTopicFilter', kind: 'topic-filter' },
  'org.apache.kafka.connect.mirror.DefaultGroupFilter': { name: 'DefaultGroupFilter', kind: 'group-filter' },
  'org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter': {
    name: 'DefaultConfigPropertyFilter',
    kind: 'config-property-filter',
  },
  'org.apache.kafka.clients.admin.ForwardingAdmin': { name: 'ForwardingAdmin', kind: 'forwarding-admin' },
};

/** Interprets a class value. `baseDir` anchors relative module paths (the config file's folder). */
export function pluginReference(
  kind: PluginKind,
  value: string,
  baseDir: string,
  where: { line?: number; file?: string; key?: string } = {},
): PluginReference {
  const v = value.trim();
  const key = where.key ?? PLUGIN_KEYS[kind];
  const builtin = BUILTINS[v];
  if (builtin) {
    if (builtin.kind !== kind) {
      throw new ConfigError(`${key}: ${v} is not a ${kind} (line ${where.line ?? '?'})`, {
        key,
        value: v,
        ...(where.line !== undefined ? { line: where.line } : {}),
      });
    }
    return { kind: 'builtin', name: builtin.name };
  }
  const hash = v.lastIndexOf('#');
  const spec = hash >= 0 ? v.slice(0, hash) : v;
  const exportName = hash >= 0 ? v.slice(hash + 1) : 'default';
  if (spec === '' || exportName === '') {
    throw new ConfigError(
      `${key} = ${v}: expected a built-in Java class name or a module as <path-or-package>#<export>`,
      { key, value: v, ...(where.line !== undefined ? { line: where.line } : {}) },
    );
  }
  if (/^[a-z][\w]*(\.[\w$]+)+$/i.test(spec) && hash < 0 && /\.[A-Z]/.test(spec)) {
    // Looks like a Java class name this appliance does not have.
    throw new ConfigError(
      `${key} = ${v}: Java class not available. Built-ins: ${Object.keys(BUILTINS).join(', ')}; ` +
        'or give a module as ./path.ts#Export or package#Export',
      { key, value: v, ...(where.line !== undefined ? { line: where.line } : {}) },
    );
  }
  const relative = spec.startsWith('./') || spec.startsWith('../');
  const specifier = relative
    ? pathToFileURL(resolvePath(baseDir, spec)).href
    : isAbsolute(spec)
      ? pathToFileURL(spec).href
      : spec;
  return { kind: 'module', specifier, exportName };
}

/**
 * Loads a plugin: built-ins through `resolveBuiltin` (supplied by src/policy), modules by dynamic
 * import. `check` says what is wrong with the export, or undefined when it is usable. Any failure
 * is a ConfigError naming the key.
 */
export async function loadPlugin<T>(
  ref: PluginReference,
  options: {
    key: string;
    resolveBuiltin: (name: BuiltinPlugin) => T;
    check?: (candidate: unknown) => string | undefined;
    line?: number;
  },
): Promise<T> {
  if (ref.kind === 'builtin') return options.resolveBuiltin(ref.name);
  const details = {
    key: options.key,
    value: `${ref.specifier}#${ref.exportName}`,
    ...(options.line !== undefined ? { line: options.line } : {}),
  };
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.specifier)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${options.key}: cannot load module ${ref.specifier}: ${(err as Error).message}`, details);
  }
  const candidate = mod[ref.exportName];
  if (candidate === undefined) {
    throw new ConfigError(`${options.key}: module ${ref.specifier} has no export '${ref.exportName}'`, details);
  }
  const problem = options.check?.(candidate);
  if (problem !== undefined)
    throw new ConfigError(`${options.key}: export '${ref.exportName}' of ${ref.specifier} ${problem}`, details);
  return candidate as T;
}
