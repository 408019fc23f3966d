import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Checked before each probe: a reason to give up at once (e.g. the process under test exited). */
  giveUp?: () => string | undefined;
  /** More to say when the wait fails (e.g. the process's status and log tail). */
  context?: () => Promise<string>;
}

/** JSON of a last seen value, with bigints as strings and Maps as objects. */
function shown(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v,
  );
}

/** Polls `probe` until it returns a value that `done` accepts, or fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
  intervalMs = 500,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  let gaveUp: string | undefined;
  while (Date.now() < deadline) {
    gaveUp = options.giveUp?.();
    if (gaveUp !== undefined) break;
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  const why = gaveUp ?? `timed out after ${timeoutMs} ms`;
  const context = options.context ? `\n${await options.context()}` : '';
  throw new Error(
    `${why} waiting for ${what}; last value: ${shown(last)}${lastError ? `; last error: ${String(lastError)}` : ''}${context}`,
  );
}
