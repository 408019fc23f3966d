import { MirrorClientError } from './errors.ts';

/**
 * Resolves with `work` unless `deadline` (epoch ms) passes first, then rejects with
 * ERR_CLIENT_TIMEOUT naming `what`. The abandoned call keeps running until its own client
 * timeout; closing the client ends it.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  const remaining = deadline - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MirrorClientError(
            'ERR_CLIENT_TIMEOUT',
            `${what} did not finish within ${Math.max(0, remaining)} ms (is the cluster reachable with these settings?)`,
            { partial: false },
          ),
        ),
      Math.max(0, remaining),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks a caller's timeout: a finite number of milliseconds ≥ 0. */
export function checkTimeout(timeoutMs: number, name = 'timeoutMs'): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`${name} must be a finite number of milliseconds >= 0, got ${timeoutMs}`);
  }
  return timeoutMs;
}
