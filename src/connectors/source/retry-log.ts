import { kafkaErrorName } from '../../kafka/index.ts';
import { CauseTracker } from '../../connect/cause-tracker.ts';
import type { Logger } from '../../util/logger.ts';
import { describeError, MirrorError } from '../../util/errors.ts';

/** The operations of one kind (`what`) failing now, and the kinds of failure already logged for them. */
interface FailingGroup {
  /** Keys failing now. */
  readonly failing: Set<string>;
  /** Keys that failed since the group was last all well: the count its recovery line gives. */
  readonly failed: Set<string>;
  /** Kinds of failure logged at WARN since the group was last all well. */
  readonly warned: Set<string>;
}

/**
 * Logs a task's retried failures: one WARN per kind of failure (Kafka's error name, or our error
 * code, or the message) per operation kind, the other attempts at debug, and one INFO once every
 * operation of that kind succeeds again. A broker down for an hour is one WARN, not thousands, and
 * so are 1,000 just-created remote topics whose partitions the target is still bringing online
 * (NOT_LEADER_OR_FOLLOWER, one produce operation per topic): the first one names its topic, the
 * recovery line counts them all. The time each operation has been failing is kept per operation
 * ({@link oldest}, what readiness reports).
 */
export class RetryLog {
  private readonly logger: Logger;
  private readonly causes = new CauseTracker();
  private readonly groups = new Map<string, FailingGroup>();

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** `key` names the operation (and its object); `what` is the stable text of the log line, its kind. */
  failed(key: string, what: string, err: unknown, fields: Record<string, unknown>): void {
    const cause = describeError(err);
    this.causes.failed(key, cause);
    let group = this.groups.get(what);
    if (group === undefined) {
      group = { failing: new Set(), failed: new Set(), warned: new Set() };
      this.groups.set(what, group);
    }
    group.failing.add(key);
    group.failed.add(key);
    const kind = failureKind(err, cause);
    const level = group.warned.has(kind) ? 'debug' : 'warn';
    group.warned.add(kind);
    this.logger[level]({ ...fields, err: cause }, `${what} failed; retrying`);
  }

  succeeded(key: string, what: string): void {
    if (!this.causes.succeeded(key)) return;
    const group = this.groups.get(what);
    if (group === undefined) return;
    group.failing.delete(key);
    if (group.failing.size > 0) return;
    this.groups.delete(what);
    this.logger.info({ recovered: group.failed.size }, `${what} succeeded again`);
  }

  /** The operation that has been failing longest, if any: since when, and its latest cause. */
  oldest(): { since: number; cause: string } | undefined {
    return this.causes.oldest();
  }
}

/** What makes two failures the same for the log: Kafka's error name, else our error code, else the message. */
function failureKind(err: unknown, cause: string): string {
  return kafkaErrorName(err) ?? (err instanceof MirrorError ? err.code : cause);
}
