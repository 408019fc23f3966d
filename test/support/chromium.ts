import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's `chromium` package (`.ci/run` installs it); CHROMIUM overrides the path. */
export const CHROMIUM = process.env['CHROMIUM'] ?? 'chromium';

export interface PageLoad {
  /** Milliseconds of page time before the DOM is taken: scripts, fetches and timers run in it. */
  budgetMs?: number;
  /** Also write a PNG of the page here. */
  screenshot?: string;
  windowSize?: [number, number];
}

/**
 * Loads `url` in headless Chromium through its command line and returns the DOM as it stands after
 * the budget (`--dump-dom` with `--virtual-time-budget`, so the page's polls have run). The CLI
 * rather than puppeteer: no browser download, no extra dependency, and one process per load
 * that exits by itself. A missing binary throws (ENOENT): the test fails, it is never skipped.
 */
export async function loadPage(url: string, options: PageLoad = {}): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'mm2ts-chromium-'));
  const [width, height] = options.windowSize ?? [1280, 1000];
  const common = [
    '--headless',
    // Root in containers and CI has no user namespace for the sandbox.
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
    `--virtual-time-budget=${options.budgetMs ?? 4000}`,
  ];
  try {
    // A page, even an empty one, dumps at least `<html><head></head><body></body></html>`; no
    // output at all means this Chromium process never rendered it (seen once on a loaded CI
    // machine, exit code 0, the page served fine): that load is tried again, twice at most.
    let stdout = '';
    let stderr = '';
    for (let attempt = 0; attempt < 3 && stdout.trim() === ''; attempt++) {
      ({ stdout, stderr } = await run(CHROMIUM, [...common, '--dump-dom', url], {
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
      }));
    }
    if (stdout.trim() === '') throw new Error(`${CHROMIUM} dumped no DOM for ${url} in 3 tries; its stderr: ${stderr}`);
    if (options.screenshot) {
      await run(CHROMIUM, [...common, `--screenshot=${options.screenshot}`, url], { timeout: 30_000 });
    }
    return stdout;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') {
      throw new Error(`${CHROMIUM} not found: install Debian's chromium package (.ci/run does) or set CHROMIUM`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
