import { isMirrorError } from '../util/errors.ts';

/** Where CLI commands write: injectable so tests capture output instead of spawning processes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Ends a command that follows a topic (`mm2 dump` without --from-beginning); absent: SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Java's exit codes of `connect-mirror-maker` (MirrorMaker.main). */
export const EXIT = {
  ok: 0,
  /** Argument error: Java `Exit.exit(-1)`. */
  usage: 255,
  /** Fatal error while loading (Java: "Stopping due to error"). */
  fatal: 2,
  /** Start failure (Java: "Failed to start MirrorMaker"). */
  startFailure: 3,
  /** `mm2 config lint` found errors. */
  lintErrors: 1,
} as const;

/** A command-line usage error: reported with the usage text, exit 255. */
export class ArgumentError extends Error {}

/**
 * The catch block of a command's argument parsing: a usage error (an {@link ArgumentError}, or a
 * MirrorError such as an invalid client property) is reported as `mm2 <command>: <message>` with
 * the usage line and gives {@link EXIT.usage}; anything else is rethrown.
 */
export function usageErrorExit(err: unknown, command: string, usage: string, io: CliIo): number {
  if (err instanceof ArgumentError || isMirrorError(err)) {
    io.err(`mm2 ${command}: ${err.message}\nusage: mm2 ${usage}`);
    return EXIT.usage;
  }
  throw err;
}
