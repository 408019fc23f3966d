/**
 * Every error the appliance raises on purpose is a MirrorError with a stable code, so callers,
 * the CLI and the HTTP API can react to the kind of failure without parsing messages.
 * Messages name what is wrong and what would be valid; they never carry secret values.
 */
export class MirrorError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A configuration file or value is invalid. Raised before anything connects. */
export class ConfigError extends MirrorError {
  constructor(message: string, details: { key?: string; line?: number; value?: string; file?: string } = {}) {
    super('ERR_CONFIG', message, details);
  }
}

/** A call to Kafka failed in a way the caller should know the kind of. */
export class KafkaPortError extends MirrorError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

/** A record on an MM2 internal topic could not be decoded. */
export class RecordFormatError extends MirrorError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_RECORD_FORMAT', message, details);
  }
}

export function isMirrorError(err: unknown): err is MirrorError {
  return err instanceof MirrorError;
}

/** `Name: message` of an error, for log fields; `String(err)` for anything thrown that is not an Error. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
