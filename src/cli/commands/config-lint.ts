import { formatDiagnostic, loadMirrorMakerConfig, type Diagnostic, type LoadedConfig } from '../../config/index.ts';
import { readHttpSettings } from '../../http/index.ts';
import { isMirrorError } from '../../util/errors.ts';
import { httpConfigSource, httpSettingsErrorKey } from '../http-config-source.ts';
import { ArgumentError, EXIT } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { parseConfigCommandArgs } from './config-args.ts';

/** Lint: errors, plus what Java silently ignores (an error here), plus advice (warnings). */
export const configLint: Subcommand = {
  path: ['config', 'lint'],
  usage: 'config lint <file> [--clusters A [B ...]]',
  summary: 'report errors and what Java MM2 would silently ignore',
  async run(argv, io) {
    let args;
    try {
      args = parseConfigCommandArgs(argv, false);
    } catch (err) {
      if (err instanceof ArgumentError) {
        io.err(`mm2 config lint: ${err.message}\nusage: mm2 ${this.usage}`);
        return EXIT.usage;
      }
      throw err;
    }
    let diagnostics: readonly Diagnostic[];
    try {
      const config = loadMirrorMakerConfig(args.file, { clusters: args.clusters, collectErrors: true });
      diagnostics = [...config.diagnostics, ...httpDiagnostics(config)];
    } catch (err) {
      io.out(`ERROR ${isMirrorError(err) ? err.message : String(err)}`);
      io.out('1 error(s), 0 warning(s)');
      return EXIT.lintErrors;
    }
    const isError = (d: Diagnostic): boolean => d.severity === 'error' || d.javaIgnores;
    const errors = diagnostics.filter(isError);
    const warnings = diagnostics.filter((d) => !isError(d));
    const byLine = (a: Diagnostic, b: Diagnostic): number => (a.line ?? 0) - (b.line ?? 0);
    for (const d of [...errors].sort(byLine)) io.out(`ERROR ${formatDiagnostic(d)} [${d.code}]`);
    for (const d of [...warnings].sort(byLine)) io.out(`WARN  ${formatDiagnostic(d)} [${d.code}]`);
    io.out(`${errors.length} error(s), ${warnings.length} warning(s)`);
    return errors.length > 0 ? EXIT.lintErrors : EXIT.ok;
  },
};

/**
 * The operator HTTP server's settings (listeners, TLS, authentication), checked as the run checks
 * them before anything starts (src/cli/run-driver.ts): what would stop the start is an error, a
 * Connect REST key the server does not apply a warning.
 */
function httpDiagnostics(config: LoadedConfig): Diagnostic[] {
  const lineOf = (key: string): { line?: number } => {
    const line = config.properties.lines.get(key);
    return line !== undefined ? { line } : {};
  };
  try {
    return readHttpSettings(httpConfigSource(config)).warnings.map((w) => ({
      severity: 'warning',
      code: 'http-key-not-applied',
      message: w.message,
      key: w.key,
      ...lineOf(w.key),
      javaIgnores: false,
    }));
  } catch (err) {
    const key = httpSettingsErrorKey(err);
    return [
      {
        severity: 'error',
        code: 'http-settings-invalid',
        message: err instanceof Error ? err.message : String(err),
        key,
        ...lineOf(key),
        javaIgnores: false,
      },
    ];
  }
}
