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

/**
 * Connect's `/admin/loggers` (KIP-495) over the appliance's pino logger. There is one logger,
 * `root`: every component logs through a child of it, and children follow its level, so
 * changing `root` changes every line the process writes. Levels take Connect's names (`DEBUG`)
 * or pino's (`debug`), in any case; a change lasts until the process ends, as in Connect.
 */
export function loggersPort(root: Logger): LoggersPort {
  let lastModified: number | null = null;
  return {
    levels: (): Record<string, LoggerLevel> => ({
      root: { level: FROM_PINO[root.level] ?? root.level.toUpperCase(), last_modified: lastModified },
    }),
    setLevel: (name, level) => {
      if (name !== 'root') {
        throw new HttpError(
          404,
          'ERR_UNKNOWN_LOGGER',
          `Logger ${name} not found: the appliance has one logger, root (every component logs through it)`,
          { logger: name },
        );
      }
      const upper = level.trim().toUpperCase();
      const pinoLevel = TO_PINO[upper];
      if (pinoLevel === undefined) {
        throw new HttpError(
          400,
          'ERR_BAD_REQUEST',
          `Invalid log level '${level}'; valid levels: ${Object.keys(TO_PINO).join(', ')}`,
          { level },
        );
      }
      // Logged before the change, so a change to a quieter level is still on record.
      root.info({ logger: name, from: root.level, to: pinoLevel }, 'log level changed through the API');
      root.level = pinoLevel;
      lastModified = Date.now();
      return [name];
    },
  };
}
