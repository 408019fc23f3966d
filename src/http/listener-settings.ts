import { resolve as resolvePath } from 'node:path';
import { ConfigError } from '../util/errors.ts';
import { createAuthenticator, type BasicUser, type HttpAuthenticator } from './auth.ts';
import { selectListeners, type ListenerSpec } from './listener.ts';
import { HTTPS_PREFIX, httpsServerOptions, type HttpsServerOptions, type JavaStoreLoader } from './tls.ts';

/**
 * Everything the operator HTTP server needs from the configuration file, validated before anything
 * starts: the listeners (with their TLS settings) and the authentication. Any setting the
 * appliance cannot honour exactly is a ConfigError naming the key.
 */

export const AUTH_KEYS = {
  usersFile: 'mm2ts.http.auth.basic.users.file',
  username: 'mm2ts.http.auth.basic.username',
  password: 'mm2ts.http.auth.basic.password',
  bearerToken: 'mm2ts.http.auth.bearer.token',
} as const;

export interface ListenerSettings {
  readonly spec: ListenerSpec;
  /** Set exactly when `spec.protocol` is https. */
  readonly tls?: HttpsServerOptions;
}

export interface HttpSettings {
  /** Empty: no HTTP server. */
  readonly listeners: readonly ListenerSettings[];
  readonly auth?: HttpAuthenticator;
  /** Connect REST keys the file sets that this server does not apply (to log at start). */
  readonly warnings: readonly { key: string; message: string }[];
}

/**
 * Connect REST server keys with no effect here. Harmless to ignore (the server is still as secure
 * as configured), but said at start, so nobody relies on them.
 */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  'rest.advertised.host.name': 'a single node advertises nothing',
  'rest.advertised.port': 'a single node advertises nothing',
  'rest.advertised.listener': 'a single node advertises nothing',
  'admin.listeners': 'the admin endpoints are served on the listener with the others',
  'access.control.allow.origin': 'no CORS headers are sent (browsers on other origins are refused)',
  'access.control.allow.methods': 'no CORS headers are sent (browsers on other origins are refused)',
  'response.http.headers.config': 'responses carry no configured extra headers',
};

/**
 * What the HTTP settings are read from: the configuration file, seen through the config layer
 * (which http/ does not import; the CLI builds this).
 */
export interface HttpConfigSource {
  /** A top-level value with config-provider placeholders resolved; undefined when not set. */
  value(key: string): string | undefined;
  /** The top-level keys the file sets. */
  keys(): Iterable<string>;
  /** Reads a Java properties file (the users file); throws when it cannot. */
  readProperties(path: string): ReadonlyMap<string, string>;
  /** Relative paths are resolved against this (the config file's directory). */
  readonly baseDir: string;
  /** Reads a JKS / PKCS12 key or trust store (absent: only PEM stores are read). */
  readonly loadJavaStore?: JavaStoreLoader;
}

/** Reads and validates the HTTP settings; a ConfigError names the key the appliance cannot honour. */
export function readHttpSettings(source: HttpConfigSource): HttpSettings {
  const value = (key: string): string | undefined => source.value(key);
  const listeners = selectListeners(value).map((spec) =>
    spec.protocol === 'https'
      ? { spec, tls: httpsServerOptions(value, () => source.keys(), source.loadJavaStore) }
      : { spec },
  );
  const auth = readAuth(source);
  if (listeners.length > 0 && value(REST_EXTENSIONS_KEY)?.trim()) {
    // Connect users protect the REST API with an extension (BasicAuthSecurityRestExtension); a
    // Java class cannot run here, and serving the API without the protection it adds is no option.
    throw new ConfigError(
      `${REST_EXTENSIONS_KEY}: Connect REST extensions are Java classes this appliance cannot load; for basic auth set ${AUTH_KEYS.usersFile} (the same user=password file as Connect's basic-auth extension) and remove ${REST_EXTENSIONS_KEY}`,
      { key: REST_EXTENSIONS_KEY },
    );
  }
  const keys = [...source.keys()];
  const warnings =
    listeners.length === 0
      ? []
      : [
          ...Object.entries(NOT_APPLIED)
            .filter(([k]) => keys.includes(k))
            .map(([key, why]) => ({ key, message: `${key} is not applied by this appliance: ${why}` })),
          ...notAppliedTls(keys, listeners),
        ];
  if (auth && listeners.length === 0) {
    throw new ConfigError(
      `${AUTH_KEYS.usersFile} / ${AUTH_KEYS.username} / ${AUTH_KEYS.bearerToken} protect the operator HTTP server, which is off: set mm2ts.http.listener (or listeners) too, or remove them`,
      { key: source.value(AUTH_KEYS.usersFile) !== undefined ? AUTH_KEYS.usersFile : AUTH_KEYS.username },
    );
  }
  return { listeners, ...(auth ? { auth } : {}), warnings };
}

const REST_EXTENSIONS_KEY = 'rest.extension.classes';

/** TLS tuning keys an HTTPS listener reads in Java but Node's TLS has no equivalent for here. */
function notAppliedTls(
  keys: readonly string[],
  listeners: readonly ListenerSettings[],
): { key: string; message: string }[] {
  if (!listeners.some((l) => l.tls)) return [];
  const prefix = keys.some((k) => k.startsWith(HTTPS_PREFIX)) ? HTTPS_PREFIX : '';
  return ['ssl.cipher.suites', 'ssl.protocol', 'ssl.provider', 'ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm']
    .map((k) => `${prefix}${k}`)
    .filter((k) => keys.includes(k))
    .map((key) => ({ key, message: `${key} is not applied to the HTTPS listener: Node's TLS defaults are used` }));
}

function readAuth(source: HttpConfigSource): HttpAuthenticator | undefined {
  const value = (key: string): string | undefined => source.value(key);
  const users: BasicUser[] = [];
  const file = value(AUTH_KEYS.usersFile)?.trim();
  if (file !== undefined && file !== '') users.push(...readUsersFile(source, resolvePath(source.baseDir, file)));
  const username = value(AUTH_KEYS.username)?.trim();
  const password = value(AUTH_KEYS.password);
  if ((username !== undefined && username !== '') !== (password !== undefined && password !== '')) {
    throw new ConfigError(`${AUTH_KEYS.username} and ${AUTH_KEYS.password} must be set together`, {
      key: username ? AUTH_KEYS.password : AUTH_KEYS.username,
    });
  }
  if (username && password) {
    if (username.includes(':')) {
      throw new ConfigError(`${AUTH_KEYS.username}: a basic-auth user name cannot contain ':' (RFC 7617)`, {
        key: AUTH_KEYS.username,
      });
    }
    users.push({ name: username, password });
  }
  const token = value(AUTH_KEYS.bearerToken)?.trim();
  const bearerTokens = token ? [token] : [];
  return createAuthenticator({ basicUsers: users, bearerTokens });
}

/**
 * The users file in Kafka Connect's basic-auth format (PropertyFileLoginModule): a Java properties
 * file of `user=password` (or `user: password`) lines. Unlike Connect, an empty file is an error:
 * Connect then lets every request through, which is never what a file of users means.
 */
function readUsersFile(source: HttpConfigSource, path: string): BasicUser[] {
  let values: ReadonlyMap<string, string>;
  try {
    values = source.readProperties(path);
  } catch {
    throw new ConfigError(`${AUTH_KEYS.usersFile} = ${path}: cannot read the file`, { key: AUTH_KEYS.usersFile });
  }
  const users = [...values].map(([name, password]) => ({ name, password }));
  if (users.length === 0 || users.some((u) => u.name === '' || u.password === '')) {
    throw new ConfigError(
      `${AUTH_KEYS.usersFile} = ${path}: expected one user=password line per user, none empty (an empty file would let every request in)`,
      { key: AUTH_KEYS.usersFile },
    );
  }
  return users;
}
