import { execFile } from 'node:child_process';

/**
 * Runs Prometheus' `promtool` (Debian package `prometheus`, /usr/bin/promtool; `PROMTOOL` overrides
 * the path). A missing promtool is a failure with the install command, never a skip: the alert
 * rules and the /metrics exposition are only proven when it runs.
 */
export const PROMTOOL = process.env['PROMTOOL'] ?? 'promtool';

export interface PromtoolResult {
  /** Exit code: 0 success, 1 error (invalid input), 3 `check metrics` lint problems only. */
  code: number;
  stdout: string;
  stderr: string;
}

export function promtool(
  args: readonly string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PROMTOOL,
      [...args],
      { cwd: options.cwd, timeout: 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new Error(
              `promtool not found (${PROMTOOL}): install Debian's prometheus package (apt-get install prometheus), or set PROMTOOL to its path`,
            ),
          );
          return;
        }
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    // promtool stops reading at the first parse error; the exit code reports it, not EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}
