import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { ConfigError } from './errors.ts';
import { prettyLogLine, withUniqueKeys } from './log-line.ts';

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
  /** One readable line per entry instead of JSON; default: when the destination is a terminal's stderr. */
  pretty?: boolean;
}

/**
 * The root logger. Components take child loggers carrying route/connector/task context.
 * Throws a ConfigError for an unknown level.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const destination = settings.destination ?? 2;
  // A person at a terminal reads lines; anything else (a file, a pipe, a log shipper) gets JSON.
  const pretty = settings.pretty ?? (destination === 2 && process.stderr.isTTY === true);
  const options: LoggerOptions = {
    level:
      settings.level !== undefined
        ? parseLogLevel(settings.level, 'level')
        : parseLogLevel(process.env['LOG_LEVEL'] ?? 'info', 'LOG_LEVEL'),
    redact: { paths: REDACT_PATHS, censor: '[hidden]' },
    base: { pid: process.pid },
    hooks: { streamWrite: pretty ? (line) => prettyLogLine(withUniqueKeys(line)) : withUniqueKeys },
  };
  return pino(
    options,
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination,
  );
}

/** A logger that drops everything, for library callers that did not pass one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
