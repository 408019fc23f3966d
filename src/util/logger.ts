import { pino, type Logger, type LoggerOptions } from 'pino';

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

export interface LoggerSettings {
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays machine-readable for CLI output. */
  destination?: number;
}

/** The root logger. Components take child loggers carrying route/connector/task context. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[hidden]' },
    base: { pid: process.pid },
  };
  return pino(options, pino.destination({ fd: settings.destination ?? 2, sync: false }));
}

/** A logger that drops everything, for library callers that did not pass one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
