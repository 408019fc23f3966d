import { isRetriable } from '../kafka/index.ts';
import { ConfigError, describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { CauseTracker } from './cause-tracker.ts';
import { Backoff, pause, type BackoffPolicy } from './retry.ts';

/** How start-up attempts are spaced: fast while the cause may pass (a broker down), slow when retrying cannot fix it alone. */
export interface StartRetryPolicy {
  /** After a retriable failure (network, broker not available, timeout). */
  readonly retriable: BackoffPolicy;
  /** After a failure retrying cannot fix by itself (authentication, authorization, TLS trust): someone must act. */
  readonly nonRetriable: BackoffPolicy;
}

export const DEFAULT_START_RETRY: StartRetryPolicy = {
  retriable: { initialMs: 1_000, maxMs: 30_000 },
  nonRetriable: { initialMs: 15_000, maxMs: 300_000 },
};

export type StartOutcome = 'started' | 'aborted' | 'fatal';

export interface KeepStartingOptions {
  readonly signal: AbortSignal;
  readonly policy?: StartRetryPolicy;
  readonly logger: Logger;
  /** Every failed attempt, with the delay before the next one (undefined: fatal, no next attempt). */
  onFailure(err: unknown, nextAttemptInMs: number | undefined): void;
}

/**
 * Runs `attempt` until it succeeds or `signal` aborts: Kafka Connect retries a connector that
 * failed to start only when someone restarts it; an appliance left alone on call must recover by
 * itself once the cluster is back. An attempt must clean up after itself when it throws. A
 * configuration error is fatal (no retry can fix the file). The cause is logged once per change,
 * not on every attempt: a cluster down for an hour gives one ERROR line, then DEBUG.
 */
export async function keepStarting(
  what: string,
  attempt: (signal: AbortSignal) => Promise<void>,
  options: KeepStartingOptions,
): Promise<StartOutcome> {
  const policy = options.policy ?? DEFAULT_START_RETRY;
  const fast = new Backoff(policy.retriable);
  const slow = new Backoff(policy.nonRetriable);
  const causes = new CauseTracker();
  let attempts = 0;
  while (!options.signal.aborted) {
    attempts++;
    try {
      await untilAborted(attempt(options.signal), options.signal);
      if (options.signal.aborted) return 'aborted';
      if (causes.succeeded(what)) options.logger.info({ attempts }, `${what}: started after ${attempts} attempts`);
      return 'started';
    } catch (err) {
      if (options.signal.aborted) return 'aborted';
      const cause = describeError(err);
      if (err instanceof ConfigError) {
        options.onFailure(err, undefined);
        options.logger.error({ err: cause }, `${what} failed: configuration error; not retried`);
        return 'fatal';
      }
      const retriable = isRetriable(err);
      const delay = (retriable ? fast : slow).next();
      options.onFailure(err, delay);
      const fields = { err: cause, attempts, retriable, nextAttemptInMs: delay };
      if (causes.failed(what, cause)) options.logger.error(fields, `${what} failed; retrying`);
      else options.logger.debug(fields, `${what} failed again; retrying`);
      if (!(await pause(delay, options.signal))) return 'aborted';
    }
  }
  return 'aborted';
}

/** `work`, or an early return when `signal` aborts (the work goes on in the background; its rejection is observed). */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    work.catch(() => {});
    return undefined;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    work.catch(() => {});
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
