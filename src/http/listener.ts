import { ConfigError } from '../util/errors.ts';

/**
 * Where the operator HTTP server listens, from one of two keys:
 * - `mm2ts.http.listener`: one listener, `host:port`, `http://host:port` or `https://host:port`;
 * - `listeners`: Kafka Connect's key (RestServerConfig), a comma-separated list of
 *   `http://host:port` / `https://host:port` URLs, parsed with Connect's RestServer
 *   `LISTENER_PATTERN` (an empty host binds every interface).
 * Anything the appliance cannot serve exactly as written is a ConfigError naming the key and what
 * would be valid: a listener is never downgraded (an `https://` one never serves plain HTTP).
 */

export type ListenerProtocol = 'http' | 'https';

export interface ListenerSpec {
  readonly protocol: ListenerProtocol;
  /** Address to bind; `0.0.0.0` when the listener leaves the host empty (every interface). */
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The key the listener was written under, for messages. */
  readonly key: 'mm2ts.http.listener' | 'listeners';
}

export const LISTENER_KEY = 'mm2ts.http.listener';
export const CONNECT_LISTENERS_KEY = 'listeners';

// Connect's RestServer.LISTENER_PATTERN: `protocol://[host]:port`, IPv6 hosts in brackets.
const WITH_PROTOCOL = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;
// Our shorthand without a protocol (plain HTTP): `host:port`, `[v6]:port` or `:port`.
const WITHOUT_PROTOCOL = /^\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)$/;

const EXAMPLES = {
  [LISTENER_KEY]: 'host:port, http://host:port or https://host:port (e.g. 0.0.0.0:8083 or https://0.0.0.0:8443)',
  [CONNECT_LISTENERS_KEY]: 'comma-separated http://host:port or https://host:port URLs (e.g. https://0.0.0.0:8443)',
} as const;

function invalid(key: ListenerSpec['key'], entry: string, what: string): ConfigError {
  return new ConfigError(`${key} = ${entry}: ${what}; expected ${EXAMPLES[key]}`, { key, value: entry });
}

/** One listener entry under `key`; throws a ConfigError naming the key and the valid forms. */
export function parseListener(entry: string, key: ListenerSpec['key']): ListenerSpec {
  const text = entry.trim();
  if (text === '') {
    throw new ConfigError(`${key} has an empty entry; expected ${EXAMPLES[key]}`, { key });
  }
  const withProtocol = WITH_PROTOCOL.exec(text);
  let protocol: string;
  let host: string;
  let port: string;
  if (withProtocol) {
    protocol = (withProtocol[1] ?? '').toLowerCase();
    host = withProtocol[2] ?? '';
    port = withProtocol[3] ?? '';
  } else {
    if (text.includes('://')) throw invalid(key, entry, 'not protocol://host:port');
    const bare = key === LISTENER_KEY ? WITHOUT_PROTOCOL.exec(text) : null;
    if (!bare) throw invalid(key, entry, key === LISTENER_KEY ? 'not host:port' : 'no protocol');
    protocol = 'http';
    host = bare[1] ?? '';
    port = bare[2] ?? '';
  }
  if (protocol !== 'http' && protocol !== 'https') {
    throw invalid(key, entry, `protocol ${protocol} is not served (only http and https are)`);
  }
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    throw invalid(key, entry, `port ${port} is not between 0 and 65535`);
  }
  return { protocol, host: host === '' ? '0.0.0.0' : host, port: portNumber, key };
}

/**
 * The listeners the appliance serves. `value(key)` is the key's value as written in the file
 * (undefined when absent). `mm2ts.http.listener` and `listeners` are alternatives: both set is an
 * error (which one the operator meant is unclear); neither set means no HTTP server, as before.
 * `listeners` is read only when the file sets it: Java's default (`http://:8083`) opens no port
 * here, as Java MM2 opens none unless its internal REST server is on.
 */
export function selectListeners(value: (key: string) => string | undefined): ListenerSpec[] {
  const ours = value(LISTENER_KEY)?.trim() ?? '';
  const connect = value(CONNECT_LISTENERS_KEY);
  if (ours !== '' && connect !== undefined) {
    throw new ConfigError(
      `both ${LISTENER_KEY} and ${CONNECT_LISTENERS_KEY} are set: set one of them (${LISTENER_KEY} = ${EXAMPLES[LISTENER_KEY]}, or ${CONNECT_LISTENERS_KEY} = ${EXAMPLES[CONNECT_LISTENERS_KEY]})`,
      { key: CONNECT_LISTENERS_KEY },
    );
  }
  if (ours !== '') return [parseListener(ours, LISTENER_KEY)];
  if (connect === undefined) return [];
  // Java's LIST parsing (trim, split on commas with surrounding blanks); Connect's
  // ListenersValidator rejects an empty list and empty entries.
  const entries = connect.trim() === '' ? [] : connect.trim().split(/\s*,\s*/);
  if (entries.length === 0) {
    throw new ConfigError(`${CONNECT_LISTENERS_KEY} is empty; expected ${EXAMPLES[CONNECT_LISTENERS_KEY]}`, {
      key: CONNECT_LISTENERS_KEY,
    });
  }
  const specs = entries.map((e) => parseListener(e, CONNECT_LISTENERS_KEY));
  const seen = new Set<string>();
  for (const s of specs) {
    const at = `${s.host}:${s.port}`;
    if (s.port !== 0 && seen.has(at)) {
      throw new ConfigError(`${CONNECT_LISTENERS_KEY}: ${at} is listed twice; list each address once`, {
        key: CONNECT_LISTENERS_KEY,
      });
    }
    seen.add(at);
  }
  return specs;
}
