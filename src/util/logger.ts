import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { ConfigError } from './errors.ts';

export type { Logger };

/**
 * Paths pino censors in every log line. Config objects are logged only after redaction by the
 * config layer; this is the second line of defence for client settings that reach a log call.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'sasl.password',
  '*.sasl.password',
  'ssl.key',
  '*.ssl.key',
  '*["sasl.jaas.config"]',
  '*["ssl.key.password"]',
  '*["ssl.keystore.password"]',
  '*["ssl.truststore.password"]',
  '*["ssl.keystore.key"]',
];

/** pino's level names, most severe first, and `silent`. */
export const LOG_LEVELS: readonly string[] = [
  ...Object.entries(pino.levels.values)
    .sort(([, a], [, b]) => b - a)
    .map(([name]) => name),
  'silent',
];

/**
 * A level name as pino takes it. Case is ignored (operators coming from log4j write `INFO`);
 * anything else is a ConfigError naming `source` and the valid levels, instead of pino's
 * internal "unknown level" thrown from deep inside the logger's constructor.
 */
export function parseLogLevel(value: string, source = 'LOG_LEVEL'): string {
  const level = value.trim().toLowerCase();
  if (LOG_LEVELS.includes(level)) return level;
  throw new ConfigError(`${source} = '${value}' is not a log level; valid levels: ${LOG_LEVELS.join(', ')}`, {
    key: source,
    value,
  });
}

export interface LoggerSettings {
  /** A level name (see {@link LOG_LEVELS}); default: the `LOG_LEVEL` environment variable, else info. */
  level?: string;
  /**
   * Where lines go: a file descriptor or a stream (tests). Default: stderr, so stdout stays
   * machine-readable for CLI output.
   */
  destination?: number | DestinationStream;
}

/**
 * The root logger. Components take child loggers carrying route/connector/task context.
 * Throws a ConfigError for an unknown level.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level:
      settings.level !== undefined
        ? parseLogLevel(settings.level, 'level')
        : parseLogLevel(process.env['LOG_LEVEL'] ?? 'info', 'LOG_LEVEL'),
    redact: { paths: REDACT_PATHS, censor: '[hidden]' },
    base: { pid: process.pid },
    hooks: { streamWrite: withUniqueKeys },
  };
  const destination = settings.destination ?? 2;
  return pino(
    options,
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination,
  );
}

/** A logger that drops everything, for library callers that did not pass one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Index just past the string literal whose opening quote is at `open`. */
function endOfString(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
  }
}

/**
 * One serialized pino line with each top-level key once, the innermost value kept. pino writes a
 * child's bindings after its parent's, and the log call's own fields after all bindings
 * (lib/tools.js `asJson`), so re-binding `route` in a child, or logging `{ cluster }` on a logger
 * bound to a cluster, repeats the key — which JSON.parse tolerates (last wins) but strict JSON
 * consumers reject. Keeping the last occurrence keeps the innermost value, what JSON.parse would
 * read. A single scan of the top level; the line is rebuilt only when a key repeats. Values are
 * copied as written (no parse and re-serialize, which would round big integers).
 */
export function withUniqueKeys(line: string): string {
  if (line.charCodeAt(0) !== OPEN_BRACE) return line;
  const members: { key: string; start: number; end: number }[] = [];
  let duplicated = false;
  const seen = new Set<string>();
  let i = 1;
  while (i < line.length && line.charCodeAt(i) === QUOTE) {
    const keyEnd = endOfString(line, i);
    const key = line.slice(i, keyEnd);
    // keyEnd is the ':' in pino's compact output; the value runs to the next top-level ',' or '}'.
    let j = keyEnd + 1;
    let depth = 0;
    for (; j < line.length; j++) {
      const c = line.charCodeAt(j);
      if (c === QUOTE) j = endOfString(line, j) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACKET) depth--;
      else if (c === CLOSE_BRACE) {
        if (depth === 0) break;
        depth--;
      } else if (c === COMMA && depth === 0) break;
    }
    members.push({ key, start: i, end: j });
    if (seen.has(key)) duplicated = true;
    else seen.add(key);
    if (line.charCodeAt(j) !== COMMA) {
      i = j;
      break;
    }
    i = j + 1;
  }
  if (!duplicated || line.charCodeAt(i) !== CLOSE_BRACE) return line;
  const last = new Map<string, number>();
  members.forEach((m, index) => last.set(m.key, index));
  const kept = members.filter((m, index) => last.get(m.key) === index).map((m) => line.slice(m.start, m.end));
  return `{${kept.join(',')}${line.slice(i)}`;
}
