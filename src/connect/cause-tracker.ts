/**
 * Remembers, per operation, the cause of its latest failure and since when it fails: the one
 * place behind "log a retried failure once per change of cause, then once when it recovers" (a
 * broker down for an hour is one line, not thousands) and behind "failing for how long".
 */
export class CauseTracker {
  private readonly failing = new Map<string, { cause: string; since: number }>();
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  /** Records a failure of `key`; true when its cause differs from the previous one (log it). */
  failed(key: string, cause: string): boolean {
    const previous = this.failing.get(key);
    this.failing.set(key, { cause, since: previous?.since ?? this.clock() });
    return previous?.cause !== cause;
  }

  /** Records a success of `key`; true when it was failing (log the recovery). */
  succeeded(key: string): boolean {
    return this.failing.delete(key);
  }

  /** The operation failing longest, if any: since when and its latest cause. */
  oldest(): { since: number; cause: string } | undefined {
    let oldest: { since: number; cause: string } | undefined;
    for (const f of this.failing.values()) if (oldest === undefined || f.since < oldest.since) oldest = { ...f };
    return oldest;
  }
}
