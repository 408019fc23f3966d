/**
 * `connect-mirror-maker mm2.properties [--clusters A [B ...]]`, Java's dedicated-mode driver, with
 * Java's exit codes. {@link main} parses, loads and hands a valid config to a run hook (by default
 * it only prints the routes: tests and dry checks); {@link runConnectMirrorMaker} is the program
 * the bin (`connect-mirror-maker.ts`) runs: the appliance, logging JSON lines.
 */
import { accessSync, constants } from 'node:fs';
import { formatDiagnostic, loadMirrorMakerConfig, type Diagnostic, type LoadedConfig } from '../config/index.ts';
import { ConfigError, isMirrorError } from '../util/errors.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import { packageVersion } from '../util/version.ts';
import { parseConnectMirrorMakerArgs, USAGE, type ConnectMirrorMakerArgs } from './connect-mirror-maker-args.ts';
import { ArgumentError, EXIT, processIo, type CliIo } from './io.ts';

/**
 * What runs once the config is valid, with the `--clusters` selection (a reload reads the file
 * again with it). Throwing means a start failure (exit 3).
 */
export type RunHook = (config: LoadedConfig, io: CliIo, selection: { clusters: readonly string[] }) => Promise<void>;

/**
 * Where {@link main} reports what happens between a valid command line and a running appliance:
 * plain text for tests and dry checks, JSON log lines for the running appliance.
 */
export interface LoadReporter {
  warning(diagnostic: Diagnostic, file: string): void;
  /** The file could not be loaded (exit 2). */
  configError(err: unknown, file?: string): void;
  /** The run hook threw (exit 3). */
  startFailure(err: unknown): void;
}

const describe = (err: unknown): string => (isMirrorError(err) ? err.message : String(err));

/** Java's log texts (`Stopping due to error`, `Failed to start MirrorMaker`) as plain lines on `io.err`. */
export function textReporter(io: CliIo): LoadReporter {
  return {
    warning: (d) => io.err(`WARN ${formatDiagnostic(d)}`),
    configError: (err) => io.err(`ERROR Stopping due to error: ${describe(err)}`),
    startFailure: (err) => io.err(`ERROR Failed to start MirrorMaker: ${describe(err)}`),
  };
}

/** The same events as JSON log lines carrying the key, line and file (and the error's code). */
export function logReporter(logger: Logger): LoadReporter {
  const fields = (err: unknown, file?: string): Record<string, unknown> => ({
    ...(isMirrorError(err) ? { code: err.code, ...err.details } : { err }),
    ...(file !== undefined ? { file } : {}),
  });
  return {
    warning: (d, file) =>
      logger.warn(
        {
          code: d.code,
          ...(d.key !== undefined ? { key: d.key } : {}),
          ...(d.line !== undefined ? { line: d.line } : {}),
          file,
        },
        d.message,
      ),
    configError: (err, file) => logger.fatal(fields(err, file), `Stopping due to error: ${describe(err)}`),
    startFailure: (err) => logger.fatal(fields(err), `Failed to start MirrorMaker: ${describe(err)}`),
  };
}

/** The placeholder run: print the routes this node would run. */
export const printRoutes: RunHook = async (config, io) => {
  io.out(`Targeting clusters ${[...new Set(config.routes.map((r) => r.target))].join(', ')}`);
  for (const r of config.routes) {
    io.out(
      `${r.name}: ${r.enabled ? 'replication enabled' : 'heartbeats only'} (MirrorSourceConnector, MirrorCheckpointConnector, MirrorHeartbeatConnector)`,
    );
  }
};

export async function main(
  argv: readonly string[],
  io: CliIo = processIo,
  run: RunHook = printRoutes,
  report: LoadReporter = textReporter(io),
): Promise<number> {
  let args: ConnectMirrorMakerArgs;
  try {
    const parsed = parseConnectMirrorMakerArgs(argv);
    if (parsed.kind === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      io.out(packageVersion());
      return EXIT.ok;
    }
    args = parsed.args;
    try {
      accessSync(args.configFile, constants.R_OK);
    } catch {
      throw new ArgumentError(`argument mm2.properties: Insufficient permissions to read file: '${args.configFile}'`);
    }
  } catch (err) {
    if (err instanceof ArgumentError) {
      io.err(USAGE.split('\n')[0] ?? '');
      io.err(`connect-mirror-maker: error: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
  let config: LoadedConfig;
  try {
    config = loadMirrorMakerConfig(args.configFile, { clusters: args.clusters });
  } catch (err) {
    report.configError(err, args.configFile);
    return EXIT.fatal;
  }
  for (const d of config.diagnostics) report.warning(d, args.configFile);
  try {
    await run(config, io, { clusters: args.clusters });
  } catch (err) {
    // A setting only the run reads (the HTTP listener) is still a config error, as Java's
    // ConfigException from the MirrorMaker constructor (its REST server) is: exit 2.
    if (err instanceof ConfigError) {
      report.configError(err, args.configFile);
      return EXIT.fatal;
    }
    report.startFailure(err);
    return EXIT.startFailure;
  }
  return EXIT.ok;
}

/**
 * The appliance as a program: `main` with the runtime as run hook and every event on stderr as a
 * JSON log line. An invalid `LOG_LEVEL` is a config error (exit 2) before anything else runs.
 */
export async function runConnectMirrorMaker(argv: readonly string[]): Promise<void> {
  let logger: Logger;
  try {
    logger = createLogger();
  } catch (err) {
    // Said at the default level, as JSON like every other line of the appliance.
    logReporter(createLogger({ level: 'info' })).configError(err);
    process.exitCode = EXIT.fatal;
    return;
  }
  const { runDriver } = await import('./run-driver.ts');
  process.exitCode = await main(
    argv,
    processIo,
    (config, io, selection) => runDriver(config, io, logger, selection),
    logReporter(logger),
  );
  logger.flush();
  // Everything is stopped and stored by now: a client library's lingering socket or timer must not
  // keep the process alive (an unref'd timer fires only if something else still holds the loop).
  setTimeout(() => process.exit(), 2_000).unref();
}
