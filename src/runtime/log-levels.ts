import type { LoggerLevel, LoggersPort } from '../http/connectors-port.ts';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../util/logger.ts';

/** Connect's (log4j's) level names and pino's: log4j ALL is pino's lowest level, OFF its `silent`. */
const TO_PINO: Readonly<Record<string, string>> = {
  OFF: 'silent',
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
  ALL: 'trace',
};
const FROM_PINO: Readonly<Record<string, string>> = {
  silent: 'OFF',
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
};
/** pino's level values, most verbose lowest (for "the most verbose of several"). */
const PINO_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Loggers that exist whether or not a client or request created one yet. */
const KAFKA = 'kafka';
const HTTP = 'http';
const ROOT = 'root';

const CONNECTORS = ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector'];
const MIRROR_PACKAGE = 'org.apache.kafka.connect.mirror';

/**
 * Connect's log4j names (as in a Connect or Java MM2 log4j config) and the loggers here they
 * stand for: `route` is every route logger, `connector:X` every route's X logger.
 */
const JAVA_NAMES: Readonly<Record<string, readonly string[]>> = {
  [MIRROR_PACKAGE]: ['route'],
  ...Object.fromEntries(
    CONNECTORS.flatMap((c) => [
      [`${MIRROR_PACKAGE}.${c}`, [`connector:${c}`]],
      // A task logs through its connector's logger (with `task` in the line).
      [`${MIRROR_PACKAGE}.${c.replace(/Connector$/, 'Task')}`, [`connector:${c}`]],
    ]),
  ),
  'org.apache.kafka.clients': [KAFKA],
  'org.apache.kafka.connect.runtime.rest': [HTTP],
};

/**
 * The logger name of a child from its bindings (its own and its ancestors'): the Kafka port's
 * clients carry `cluster`/`clientId`, the HTTP server `component: http`, a route's components
 * `route` and `connector` (src/runtime/route-runtime.ts). Undefined: it logs as its parent does.
 */
function nameOf(bindings: Record<string, unknown>): string | undefined {
  if (bindings['cluster'] !== undefined || bindings['clientId'] !== undefined) return KAFKA;
  if (bindings['component'] === HTTP) return HTTP;
  const route = bindings['route'];
  if (typeof route !== 'string') return undefined;
  const connector = bindings['connector'];
  return typeof connector === 'string' ? `${route}.${connector}` : route;
}

interface Explicit {
  /** pino's level name. */
  readonly level: string;
  readonly at: number;
}

/**
 * Connect's `/admin/loggers` (KIP-495) over pino child loggers. Named loggers: `root`; per route
 * `S->T`; per connector `S->T.<Connector>` (the connector's REST name, its tasks included);
 * `kafka` (the Kafka clients); `http` (the operator HTTP server and its request log). pino
 * children follow their parent's level until given their own, so a logger without a set level
 * logs as the one it was created from (a connector as its route, a Kafka client as the connector
 * it serves, everything as `root`). As in Connect, setting a logger also sets the loggers under
 * it (`root`: every logger; `A->B`: its connectors), and a change lasts until the process ends;
 * a logger created later (a route restarted by a reload) gets the level set for its name.
 * Connect's log4j names are accepted too (`org.apache.kafka.connect.mirror.MirrorSourceConnector`:
 * every route's source connector). Levels take Connect's names (`DEBUG`) or pino's, in any case.
 *
 * Installs itself on `root` (pino's `onChild`): children created before the call are not named.
 */
export function loggersPort(root: Logger, now: () => number = Date.now): LoggersPort {
  /** Live loggers per name; weak, as a stopped route's loggers go away with it. */
  const live = new Map<string, Set<WeakRef<Logger>>>();
  const explicit = new Map<string, Explicit>();
  const javaSet = new Map<string, Explicit>();
  const names = new WeakMap<object, string>([[root, ROOT]]);

  const nameOfLogger = (logger: Logger): string => {
    const known = names.get(logger);
    if (known !== undefined) return known;
    return nameOf(logger.bindings()) ?? ROOT;
  };
  const liveLoggers = (name: string): Logger[] => {
    const refs = live.get(name);
    if (!refs) return [];
    const out: Logger[] = [];
    for (const ref of refs) {
      const logger = ref.deref();
      if (logger) out.push(logger);
      else refs.delete(ref);
    }
    if (refs.size === 0) live.delete(name);
    return out;
  };

  root.onChild = (child: Logger): void => {
    const parent = Object.getPrototypeOf(child) as Logger;
    const parentName = nameOfLogger(parent);
    const name = nameOf(child.bindings()) ?? parentName;
    names.set(child, name);
    if (name === parentName) return;
    let refs = live.get(name);
    if (!refs) live.set(name, (refs = new Set()));
    refs.add(new WeakRef(child));
    // Clients come and go (restarts, retries): drop the collected ones now and then.
    if (refs.size % 64 === 0) liveLoggers(name);
    const set = explicit.get(name);
    if (set) child.level = set.level;
  };

  const knownNames = (): string[] => {
    const all = new Set([KAFKA, HTTP, ...explicit.keys()]);
    for (const name of [...live.keys()]) if (liveLoggers(name).length > 0) all.add(name);
    // A name set earlier whose loggers are gone (a route removed by a reload) is not listed.
    for (const name of explicit.keys()) if (name !== KAFKA && name !== HTTP && !live.has(name)) all.delete(name);
    return [...all].sort();
  };
  /** The logger and the named loggers under it (`A->B` → `A->B.MirrorSourceConnector`). */
  const withDescendants = (name: string, known: readonly string[]): string[] =>
    name === ROOT ? [ROOT, ...known] : [name, ...known.filter((n) => n.startsWith(`${name}.`))];
  const effective = (name: string): string => {
    if (name === ROOT) return root.level;
    const set = explicit.get(name);
    if (set) return set.level;
    return liveLoggers(name)[0]?.level ?? root.level;
  };
  const view = (pinoLevel: string, at: number | null): LoggerLevel => ({
    level: FROM_PINO[pinoLevel] ?? pinoLevel.toUpperCase(),
    last_modified: at,
  });
  const javaTargets = (javaName: string, known: readonly string[]): string[] =>
    (JAVA_NAMES[javaName] ?? []).flatMap((t) => {
      if (t === 'route') return known.filter((n) => n.includes('->') && !n.includes('.'));
      if (t.startsWith('connector:')) return known.filter((n) => n.endsWith(`.${t.slice('connector:'.length)}`));
      return [t];
    });

  return {
    levels: (): Record<string, LoggerLevel> => {
      const out: Record<string, LoggerLevel> = { [ROOT]: view(root.level, explicit.get(ROOT)?.at ?? null) };
      for (const name of knownNames()) out[name] = view(effective(name), explicit.get(name)?.at ?? null);
      // Connect's names that were set: their targets' most verbose level.
      const known = knownNames();
      for (const [javaName, set] of javaSet) {
        const levels = javaTargets(javaName, known).map(effective);
        const level = levels.sort((a, b) => PINO_ORDER.indexOf(a) - PINO_ORDER.indexOf(b))[0] ?? set.level;
        out[javaName] = view(level, set.at);
      }
      return out;
    },
    setLevel: (name, level) => {
      const pinoLevel = TO_PINO[level.trim().toUpperCase()];
      if (pinoLevel === undefined) {
        throw new HttpError(
          400,
          'ERR_BAD_REQUEST',
          `Invalid log level '${level}'; valid levels: ${Object.keys(TO_PINO).join(', ')}`,
          { level },
        );
      }
      const known = knownNames();
      const isJava = JAVA_NAMES[name] !== undefined;
      const targets = isJava ? javaTargets(name, known) : name === ROOT || known.includes(name) ? [name] : [];
      if (targets.length === 0) {
        throw new HttpError(
          404,
          'ERR_UNKNOWN_LOGGER',
          `Logger ${name} not found; loggers: ${[ROOT, ...known].join(', ')}, and Connect's names ${Object.keys(JAVA_NAMES).join(', ')}`,
          { logger: name },
        );
      }
      const changed = [...new Set(targets.flatMap((t) => withDescendants(t, known)))];
      const at = now();
      // Logged before the change, so a change to a quieter level is still on record.
      root.info({ logger: name, loggers: changed, to: pinoLevel }, 'log level changed through the API');
      for (const target of changed) {
        explicit.set(target, { level: pinoLevel, at });
        if (target === ROOT) root.level = pinoLevel;
        else for (const logger of liveLoggers(target)) logger.level = pinoLevel;
      }
      if (isJava) javaSet.set(name, { level: pinoLevel, at });
      return changed;
    },
  };
}
