import { resolve as resolvePath } from 'node:path';
import { ConfigError } from '../util/errors.ts';
import { createAuthenticator, type BasicUser, type HttpAuthenticator } from './auth.ts';
import { selectListeners, type ListenerSpec } from './listener.ts';
import { httpsServerOptions, type HttpsServerOptions } from './tls.ts';

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
}

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
}

/** Reads and validates the HTTP settings; a ConfigError names the key the appliance cannot honour. */
export function readHttpSettings(source: HttpConfigSource): HttpSettings {
  const value = (key: string): string | undefined => source.value(key);
  const listeners = selectListeners(value).map((spec) =>
    spec.protocol === 'https' ? { spec, tls: httpsServerOptions(value, () => source.keys()) } : { spec },
  );
  const auth = readAuth(source);
  if (auth && listeners.length === 0) {
    throw new ConfigError(
      `${AUTH_KEYS.usersFile} / ${AUTH_KEYS.username} / ${AUTH_KEYS.bearerToken} protect the operator HTTP server, which is off: set mm2ts.http.listener (or listeners) too, or remove them`,
      { key: source.value(AUTH_KEYS.usersFile) !== undefined ? AUTH_KEYS.usersFile : AUTH_KEYS.username },
    );
  }
  return { listeners, ...(auth ? { auth } : {}) };
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
