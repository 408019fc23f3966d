import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, normalize, resolve as resolvePath, sep } from 'node:path';
import { ConfigError } from '../util/errors.ts';
import { translateJavaRegex } from './java-regex.ts';
import { readPropertiesFile } from './properties-reader.ts';

/**
 * Config providers (KIP-297) as Java's `ConfigTransformer` applies them: `${name:path:key}` or
 * `${name:key}`; a placeholder whose provider is not configured, or whose key the provider does not
 * have, stays as written; a provider that fails (unreadable file) is an error.
 */

/** Java's `ConfigTransformer.DEFAULT_PATTERN`, unchanged (its lazy groups behave the same in JS). */
const PLACEHOLDER = /\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}/g;

export interface ConfigProvider {
  /** Values for `keys` under `path`; keys the provider does not have are simply absent. */
  get(path: string, keys: ReadonlySet<string>): Map<string, string>;
}

export const FILE_PROVIDER_CLASS = 'org.apache.kafka.common.config.provider.FileConfigProvider';
export const DIRECTORY_PROVIDER_CLASS = 'org.apache.kafka.common.config.provider.DirectoryConfigProvider';
export const ENV_PROVIDER_CLASS = 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';

/** Java's AllowedPaths: `allowed.paths` restricts which files a provider may read. */
function allowedPathsCheck(param: string | undefined): (path: string) => string | undefined {
  if (param === undefined || param === '') return (p) => p;
  const roots = param.split(',').map((p) => {
    const n = normalize(p);
    if (!isAbsolute(n)) throw new ConfigError(`allowed.paths: path ${n} is not absolute`, { value: p });
    try {
      statSync(n);
    } catch {
      throw new ConfigError(`allowed.paths: path ${n} does not exist`, { value: p });
    }
    return n;
  });
  return (p) => {
    const n = normalize(p);
    const inside = roots.some((r) => n === r || n.startsWith(r.endsWith(sep) ? r : r + sep));
    return inside ? n : undefined;
  };
}

class FileConfigProvider implements ConfigProvider {
  readonly #allowed: (path: string) => string | undefined;
  constructor(params: ReadonlyMap<string, string>) {
    this.#allowed = allowedPathsCheck(params.get('allowed.paths'));
  }
  get(path: string, keys: ReadonlySet<string>): Map<string, string> {
    const out = new Map<string, string>();
    if (path === '') return out;
    const file = this.#allowed(path);
    if (file === undefined) return out;
    let values: ReadonlyMap<string, string>;
    try {
      values = readPropertiesFile(file, 'utf8').values;
    } catch {
      throw new ConfigError(`Could not read properties from file ${path}`, { file: path });
    }
    for (const k of keys) {
      const v = values.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }
}

class DirectoryConfigProvider implements ConfigProvider {
  readonly #allowed: (path: string) => string | undefined;
  constructor(params: ReadonlyMap<string, string>) {
    this.#allowed = allowedPathsCheck(params.get('allowed.paths'));
  }
  get(path: string, keys: ReadonlySet<string>): Map<string, string> {
    const out = new Map<string, string>();
    if (path === '') return out;
    const dir = this.#allowed(path);
    if (dir === undefined) return out;
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) return out; // Java logs a warning and returns nothing
      names = readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw new ConfigError(`Could not list directory ${dir}`, { file: dir });
    }
    for (const name of names) {
      if (!keys.has(name)) continue;
      const file = resolvePath(dir, name);
      try {
        if (!statSync(file).isFile()) continue;
        out.set(name, readFileSync(file, 'utf8'));
      } catch {
        throw new ConfigError(`Could not read file ${file} for property ${name}`, { file });
      }
    }
    return out;
  }
}

class EnvVarConfigProvider implements ConfigProvider {
  readonly #env: ReadonlyMap<string, string>;
  constructor(params: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv) {
    const pattern = params.get('allowlist.pattern');
    const allow = pattern === undefined ? () => true : compileAllowlist(pattern);
    this.#env = new Map(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && allow(e[0])));
  }
  get(path: string, keys: ReadonlySet<string>): Map<string, string> {
    if (path !== '') {
      throw new ConfigError(`Path is not supported for EnvVarConfigProvider, invalid value '${path}'`, { value: path });
    }
    const out = new Map<string, string>();
    for (const k of keys) {
      const v = this.#env.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }
}

function compileAllowlist(pattern: string): (name: string) => boolean {
  const translated = translateJavaRegex(pattern);
  if (!translated.ok) throw new ConfigError(`allowlist.pattern: ${translated.reason}`, { value: pattern });
  const re = new RegExp(`^(?:${translated.source})$`, translated.flags);
  return (name) => re.test(name);
}

export interface ProviderDeclaration {
  name: string;
  className: string;
  params: ReadonlyMap<string, string>;
}

/** Reads `config.providers`, `config.providers.<n>.class` and `config.providers.<n>.param.*`. */
export function providerDeclarations(
  raw: ReadonlyMap<string, string>,
  names: readonly string[],
): ProviderDeclaration[] {
  return names.map((name) => {
    const prefix = `config.providers.${name}.`;
    const className = raw.get(`${prefix}class`)?.trim();
    if (!className) {
      throw new ConfigError(`Config provider '${name}' has no class: set ${prefix}class`, {
        key: `${prefix}class`,
      });
    }
    const params = new Map<string, string>();
    for (const [k, v] of raw) if (k.startsWith(`${prefix}param.`)) params.set(k.slice(`${prefix}param.`.length), v);
    return { name, className, params };
  });
}

/** Instantiates the built-in providers; a Java class this appliance does not have is an error. */
export function createProviders(
  declarations: readonly ProviderDeclaration[],
  env: NodeJS.ProcessEnv = process.env,
): Map<string, ConfigProvider> {
  const providers = new Map<string, ConfigProvider>();
  for (const d of declarations) {
    const key = `config.providers.${d.name}.class`;
    switch (d.className) {
      case FILE_PROVIDER_CLASS:
        providers.set(d.name, new FileConfigProvider(d.params));
        break;
      case DIRECTORY_PROVIDER_CLASS:
        providers.set(d.name, new DirectoryConfigProvider(d.params));
        break;
      case ENV_PROVIDER_CLASS:
        providers.set(d.name, new EnvVarConfigProvider(d.params, env));
        break;
      default:
        throw new ConfigError(
          `Config provider class ${d.className} is not available: use ${FILE_PROVIDER_CLASS}, ${DIRECTORY_PROVIDER_CLASS} or ${ENV_PROVIDER_CLASS}`,
          { key, value: d.className },
        );
    }
  }
  return providers;
}

export interface Placeholder {
  provider: string;
  path: string;
  key: string;
  text: string;
}

export function findPlaceholders(value: string): Placeholder[] {
  return [...value.matchAll(PLACEHOLDER)].map((m) => ({
    provider: m[1] ?? '',
    path: m[3] ?? '',
    key: m[4] ?? '',
    text: m[0],
  }));
}

export interface ResolvedValue {
  value: string;
  /** At least one placeholder was replaced: the value came (partly) from a provider and is secret. */
  fromProvider: boolean;
}

/**
 * Replaces placeholders in one value. `onFailure` decorates provider errors with the key and line
 * the placeholder sits on.
 */
export function resolvePlaceholders(
  value: string,
  providers: ReadonlyMap<string, ConfigProvider>,
  cache: Map<string, Map<string, string>> = new Map(),
): ResolvedValue {
  let fromProvider = false;
  const resolved = value.replace(
    PLACEHOLDER,
    (text: string, provider: string, _g2, path: string | undefined, key: string) => {
      const p = providers.get(provider);
      if (!p) return text;
      const cacheKey = `${provider}\u0000${path ?? ''}\u0000${key}`;
      let data = cache.get(cacheKey);
      if (!data) {
        data = p.get(path ?? '', new Set([key]));
        cache.set(cacheKey, data);
      }
      const replacement = data.get(key);
      if (replacement === undefined) return text;
      fromProvider = true;
      return replacement;
    },
  );
  return { value: resolved, fromProvider };
}
