import { isRetriable } from '../kafka/index.ts';
import { MirrorError } from '../util/errors.ts';

/**
 * The one retry helper of the worker layer: exponential backoff with full-range jitter, a cap,
 * and an abort signal (a stop must never wait out a backoff). What counts as retriable is
 * `isRetriable` of the Kafka port (src/kafka/errors.ts) unless the caller narrows it.
 */
export interface BackoffPolicy {
  /** First delay (ms). */
  readonly initialMs: number;
  /** Longest delay (ms). */
  readonly maxMs: number;
  /** Growth per attempt; default 2. */
  readonly multiplier?: number;
  /**
   * Fraction of each delay drawn at random, 0..1 (default 0.2): delay × (1 − jitter × r). Spreads
   * the retries of many units that failed together (a broker restart) instead of a thundering herd.
   */
  readonly jitter?: number;
}

/** Delays for one sequence of attempts; `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;

  constructor(policy: BackoffPolicy, random: () => number = Math.random) {
    this.policy = policy;
    this.random = random;
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The next delay in ms (grows until the cap). */
  next(): number {
    const { initialMs, maxMs, multiplier = 2, jitter = 0.2 } = this.policy;
    const base = Math.min(maxMs, initialMs * multiplier ** this.attempt);
    this.attempt++;
    return Math.max(0, Math.round(base * (1 - jitter * this.random())));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Raised by {@link retry} and {@link pause} callers when the signal ended the wait. */
export class AbortedError extends MirrorError {
  constructor(what: string) {
    super('ERR_ABORTED', `${what}: stopped`);
  }
}

/**
 * Waits `ms`, or less if `signal` aborts; never rejects. Returns false when aborted. Built on the
 * global `setTimeout` (not `timers/promises`) so tests can drive it with fake timers.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: BackoffPolicy;
  /** Ends the retries: the call rejects with {@link AbortedError}. */
  signal?: AbortSignal;
  /** Default: the Kafka port's `isRetriable`. A non-retriable error is thrown at once. */
  retriable?: (err: unknown) => boolean;
  /** Called before each wait (log once per change of cause here, not on every attempt). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stop retrying after this many attempts in all (default: unbounded) and throw the last error. */
  maxAttempts?: number;
}

/** Runs `step` until it succeeds, a non-retriable error is thrown, attempts run out, or `signal` aborts. */
export async function retry<T>(what: string, step: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const backoff = new Backoff(options.policy);
  const retriable = options.retriable ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new AbortedError(what);
    try {
      return await step(attempt);
    } catch (err) {
      if (options.signal?.aborted) throw new AbortedError(what);
      if (!retriable(err)) throw err;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) throw err;
      const delay = backoff.next();
      options.onRetry?.(err, attempt, delay);
      if (!(await pause(delay, options.signal))) throw new AbortedError(what);
    }
  }
}
