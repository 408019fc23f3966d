import { MirrorError } from '../../util/errors.ts';

/**
 * Default idle offset-sync promotions per second per source task: the {@link IdleSyncBudget}'s
 * refill rate and its burst.
 *
 * What a partition waits: a drain that ends on up to 100 of a task's partitions at once gets every
 * idle sync in its first caught-up round, as without a budget. When more go idle together the
 * oldest-owed go first and the last of P waits about (P − 100) / 100 s (1,000 partitions: 9 s),
 * never longer than the next position flush (`offset.flush.interval.ms`, 60 s by default), whose
 * promotion of every delayed sync (KAFKA-15906) sends it anyway.
 *
 * What it costs: at most 6,000 idle syncs a minute per task on top of Java's rules, whatever the
 * number of partitions, and each checkpoint task's OffsetSyncStore reads them all. Without a
 * budget a sparse load made one idle sync for nearly every record: the scale bench (8,000
 * partitions, 2,000 records/s, a record per partition every ~4 s) wrote 34,079–57,961 syncs per
 * 60,000 records, 1,100–1,900 a second, where Java MM2 wrote 2,758–7,481.
 */
export const IDLE_OFFSET_SYNCS_PER_SECOND = 100;

/**
 * A token bucket for idle offset-sync promotions (`OffsetSyncWriter.promoteIdleOffsetSync`):
 * refills at `perSecond`, holds at most `perSecond` (one second's worth as a burst). Time is
 * passed in (`Date.now()` of the caller), so fake timers drive it in tests. `Infinity` never
 * holds anything back.
 */
export class IdleSyncBudget {
  readonly perSecond: number;
  private tokens: number;
  private refilledAt: number;

  constructor(perSecond: number, now: number) {
    if (!(perSecond > 0)) {
      throw new MirrorError(
        'ERR_IDLE_SYNC_BUDGET',
        `idle offset syncs per second must be a positive number (or Infinity for no limit), got ${perSecond}`,
        { perSecond },
      );
    }
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.refilledAt = now;
  }

  /** Whether one promotion may go out now (refills first). */
  available(now: number): boolean {
    if (this.tokens < this.perSecond && now > this.refilledAt) {
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1_000);
    }
    this.refilledAt = now;
    return this.tokens >= 1;
  }

  /** One promotion went out. */
  take(): void {
    this.tokens -= 1;
  }
}
