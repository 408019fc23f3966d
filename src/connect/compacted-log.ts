import {
  isRetriable,
  kafkaErrorName,
  type ConsumedRecord,
  type FetchedPartition,
  type KafkaAdmin,
  type PartitionOffsets,
  type RecordSource,
} from '../kafka/index.ts';
import { MirrorError } from '../util/errors.ts';
import { CauseTracker } from './cause-tracker.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import { AbortedError, Backoff, pause, retry, type BackoffPolicy } from './retry.ts';

/** How long a read may go without progress before it fails (Java bounds `readToEnd` by the caller's timeout). */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** Backoff between failed attempts (retriable errors) and between empty rounds of a partition without a leader. */
const DEFAULT_RETRY_POLICY: BackoffPolicy = { initialMs: 100, maxMs: 2_000 };

/** A fetch that came back with nothing sooner than this did not long-poll (no leader, an error answered at once). */
const NO_LONG_POLL_MS = 100;

/** Where reading starts in partitions without a position yet. */
export type LogStart = 'beginning' | 'end' | ReadonlyMap<number, bigint>;

export interface CompactedLogOptions {
  topic: string;
  /**
   * Fetches the records; its `maxWaitMs` is the long-poll wait of {@link CompactedLog.tail}. The
   * caller opened it and closes it (after {@link CompactedLog.stop}); the log never does.
   */
  source: RecordSource;
  /** Log start and end offsets of the topic (Java's `admin.endOffsets` / `consumer.beginningOffsets`). */
  admin: Pick<KafkaAdmin, 'listOffsets'>;
  /** Every record read, in offset order per partition. Key and value are Buffers; a null value is a tombstone. */
  onRecord: (record: ConsumedRecord) => void;
  /** Partitions to read (default: every partition the topic has). A missing one fails the read. */
  partitions?: readonly number[];
  /**
   * Where partitions without a position start (default the log start, as Java's `seekToBeginning`).
   * With a map, partitions it does not name start at the log start.
   */
  from?: LogStart;
  /** A read that makes no progress for this long fails with {@link LogStalledError} (default 60 s). */
  stallTimeoutMs?: number;
  /** Backoff of retried calls (default 100 ms doubling to 2 s, with jitter). */
  retryPolicy?: BackoffPolicy;
  /** Ends every read, as {@link CompactedLog.stop} does. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** Reading a log failed for a reason of ours (a partition missing), not a Kafka error. */
export class CompactedLogError extends MirrorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('ERR_LOG_READ', message, details);
  }
}

/** A read made no progress for its stall timeout: a partition without a leader, a broker away, fetches failing. */
export class LogStalledError extends MirrorError {
  constructor(topic: string, stallTimeoutMs: number, behind: readonly PartitionLag[], options?: { cause?: unknown }) {
    const where = behind.map((b) => `${b.partition} at ${b.position}${b.end < 0n ? '' : ` of ${b.end}`}`).join(', ');
    super(
      'ERR_LOG_STALLED',
      `reading ${topic} made no progress for ${stallTimeoutMs} ms` +
        (where === '' ? '' : ` (partition ${where})`) +
        (options?.cause instanceof Error ? `: ${options.cause.message}` : ''),
      { topic, stallTimeoutMs, behind: behind.map((b) => ({ ...b, position: `${b.position}`, end: `${b.end}` })) },
      options,
    );
  }
}

interface PartitionLag {
  partition: number;
  position: bigint;
  /** -1: not known. */
  end: bigint;
}

/**
 * One compacted internal topic read as Kafka Connect's `KafkaBasedLog` reads it: every partition
 * from the beginning (or from given positions) up to the end offsets listed when
 * {@link readToEnd} is called, then — with {@link tail} or {@link start} — on past the end with
 * long-polling fetches until {@link stop}. Records reach `onRecord` in offset order per
 * partition, exactly as fetched (headers, null keys and tombstones included); what they mean is
 * the caller's business (last-wins maps, checkpoint stores, printed lines).
 *
 * Failure handling is the worker layer's: a retriable Kafka error (`isRetriable`) is retried with
 * the shared backoff, a non-retriable one fails the read at once, and a read that makes no
 * progress for `stallTimeoutMs` fails with {@link LogStalledError} naming the topic and the
 * partitions behind — never a silent hang. OFFSET_OUT_OF_RANGE (retention, DeleteRecords or a
 * misconfigured cleanup moved the log start past the position) restarts that partition at the
 * new log start, as Java's consumer does with `auto.offset.reset=earliest`.
 *
 * Unlike Java, records past the end offset captured by {@link readToEnd} are not delivered by it
 * (the next read or tail fetches them again): a caller that stops at the end, like `mm2 dump
 * --from-beginning`, sees exactly the records that existed when it started.
 */
export class CompactedLog {
  readonly topic: string;
  private readonly options: CompactedLogOptions;
  private readonly logger: Logger;
  private readonly stallTimeoutMs: number;
  private readonly retryPolicy: BackoffPolicy;
  private readonly stopController = new AbortController();
  private readonly signal: AbortSignal;
  private readonly position = new Map<number, bigint>();
  private readonly ends = new Map<number, bigint>();
  private partitionsListed = 0;
  private running: Promise<unknown> | undefined;
  /** Retried failures are logged once per change of cause (forgotten after each completed read). */
  private retryCauses = new CauseTracker();

  constructor(options: CompactedLogOptions) {
    this.topic = options.topic;
    this.options = options;
    this.logger = (options.logger ?? silentLogger()).child({ logTopic: options.topic });
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.signal =
      options.signal === undefined
        ? this.stopController.signal
        : AbortSignal.any([this.stopController.signal, options.signal]);
  }

  /** Next offset to read per partition (known once the offsets were first listed). */
  positions(): ReadonlyMap<number, bigint> {
    return this.position;
  }

  /** The end offsets captured by the last {@link readToEnd}. */
  endOffsets(): ReadonlyMap<number, bigint> {
    return this.ends;
  }

  /** How many partitions the topic had at the last listing (0 before the first). */
  get partitionCount(): number {
    return this.partitionsListed;
  }

  /** True once {@link stop} was called or the `signal` option aborted. */
  get stopped(): boolean {
    return this.signal.aborted;
  }

  /**
   * Java `KafkaBasedLog.readToEnd`: lists the end offsets, then reads every partition up to them.
   * Resolves when caught up; rejects with AbortedError when stopped first, LogStalledError when
   * stuck, or the first non-retriable error.
   */
  readToEnd(): Promise<void> {
    return this.exclusive(() => this.readToEndNow());
  }

  /**
   * Reads on past the end, delivering new records as they come, until {@link stop} (then it
   * resolves). Rejects on a non-retriable error or a stall. Without a prior {@link readToEnd},
   * partitions start where the `from` option says.
   */
  tail(): Promise<void> {
    return this.exclusive(() => this.tailNow());
  }

  /**
   * Java `KafkaBasedLog.start`: {@link readToEnd}, then {@link tail} in the background. Resolves
   * once read to the end; a later failure of the tail goes to `onTailError` (default: logged).
   */
  async start(onTailError?: (err: unknown) => void): Promise<void> {
    await this.readToEnd();
    const tailing = this.tail().catch((err: unknown) => {
      if (onTailError) onTailError(err);
      else this.logger.error({ err }, 'tailing the log failed; it is no longer read');
    });
    this.running = tailing;
  }

  /**
   * Ends any read: no new fetch or backoff starts; resolves once the fetch in flight returned (at
   * most the source's long-poll wait, `maxWaitMs`). Final: the log cannot be read again.
   */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running?.catch(() => undefined);
  }

  private async exclusive<T>(read: () => Promise<T>): Promise<T> {
    if (this.running !== undefined) {
      // Only one read at a time: a second would race the first over the positions.
      await this.running.catch(() => undefined);
    }
    const run = read();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async readToEndNow(): Promise<void> {
    let progressAt = Date.now();
    const offsets = await this.listOffsets(() => progressAt);
    this.ends.clear();
    for (const o of offsets) this.ends.set(o.partition, o.latest);
    const behind = (): number[] => [...this.ends].filter(([p, end]) => this.position.get(p)! < end).map(([p]) => p);
    const idle = new Backoff(this.retryPolicy);
    for (let wanted = behind(); wanted.length > 0; wanted = behind()) {
      this.checkStall(progressAt, wanted);
      const started = Date.now();
      const fetched = await this.fetch(wanted, () => progressAt);
      let progressed = false;
      for (const f of fetched) {
        const end = this.ends.get(f.partition);
        if (end === undefined) continue;
        if (await this.applyFetched(f, end, () => progressAt)) progressed = true;
      }
      if (progressed) {
        progressAt = Date.now();
        idle.reset();
      } else if (Date.now() - started < NO_LONG_POLL_MS) {
        // Nothing moved and the fetch did not wait (no leader right now): do not spin.
        await this.pause(idle.next());
      }
    }
    this.retryCauses = new CauseTracker();
  }

  private async tailNow(): Promise<void> {
    let progressAt = Date.now();
    try {
      if (this.position.size === 0) await this.listOffsets(() => progressAt);
      const idle = new Backoff(this.retryPolicy);
      while (!this.signal.aborted) {
        const partitions = [...this.position.keys()];
        const started = Date.now();
        const fetched = await this.fetch(partitions, () => progressAt);
        let progressed = false;
        const behind: PartitionLag[] = [];
        for (const f of fetched) {
          if (await this.applyFetched(f, undefined, () => progressAt)) progressed = true;
          const position = this.position.get(f.partition)!;
          if (f.highWatermark < 0n || position < f.highWatermark) {
            behind.push({ partition: f.partition, position, end: f.highWatermark });
          }
        }
        // At the end of every partition a tail is caught up, not stalled: the clock restarts.
        if (progressed || behind.length === 0) progressAt = Date.now();
        else this.checkStall(progressAt, behind);
        if (progressed) idle.reset();
        else if (Date.now() - started < NO_LONG_POLL_MS) await this.pause(idle.next());
      }
    } catch (err) {
      // Stopping is a tail's normal end.
      if (err instanceof AbortedError) return;
      throw err;
    }
  }

  /**
   * Lists the topic's offsets (retrying retriable errors until the stall timeout), sets the start
   * position of partitions without one, and moves positions below the log start up to it.
   */
  private async listOffsets(progressAt: () => number): Promise<PartitionOffsets[]> {
    const listed = await this.retrying('list offsets', () => this.options.admin.listOffsets(this.topic), progressAt);
    this.partitionsListed = listed.length;
    const wanted = this.options.partitions;
    let offsets = listed;
    if (wanted !== undefined) {
      const missing = wanted.filter((p) => !listed.some((o) => o.partition === p));
      if (missing.length > 0) {
        throw new CompactedLogError(
          `${this.topic} has no partition ${missing.join(', ')} (it has ${listed.length} partition(s))`,
          { topic: this.topic, missing, partitions: listed.length },
        );
      }
      offsets = listed.filter((o) => wanted.includes(o.partition));
    }
    if (offsets.length === 0) {
      throw new CompactedLogError(`${this.topic} has no partitions`, { topic: this.topic });
    }
    const from = this.options.from ?? 'beginning';
    for (const o of offsets) {
      const at = this.position.get(o.partition);
      if (at === undefined) {
        const start = from === 'end' ? o.latest : from === 'beginning' ? o.earliest : (from.get(o.partition) ?? -1n);
        this.position.set(o.partition, start < o.earliest ? o.earliest : start);
      } else if (at < o.earliest) {
        this.position.set(o.partition, o.earliest);
      }
    }
    return offsets;
  }

  private fetch(partitions: readonly number[], progressAt: () => number): Promise<FetchedPartition[]> {
    return this.retrying(
      'fetch',
      () =>
        this.options.source.fetch(
          partitions.map((partition) => ({ topic: this.topic, partition, offset: this.position.get(partition)! })),
        ),
      progressAt,
    );
  }

  /**
   * Delivers a fetch's records below `end` (all when undefined) and advances the position.
   * Returns whether the position moved.
   */
  private async applyFetched(f: FetchedPartition, end: bigint | undefined, progressAt: () => number): Promise<boolean> {
    const before = this.position.get(f.partition);
    if (before === undefined) return false;
    if (f.error === 'OFFSET_OUT_OF_RANGE') {
      const listed = await this.retrying('list offsets', () => this.options.admin.listOffsets(this.topic), progressAt);
      const start = listed.find((o) => o.partition === f.partition)?.earliest ?? before;
      this.logger.warn(
        { partition: f.partition, position: `${before}`, logStart: `${start}` },
        'position is outside the log (retention or DeleteRecords moved its start); reading on from the log start',
      );
      this.position.set(f.partition, start);
      return start !== before;
    }
    let next = f.nextOffset;
    for (const record of f.records) {
      if (end !== undefined && record.offset >= end) {
        next = end;
        break;
      }
      this.options.onRecord(record);
    }
    if (end !== undefined && next > end) next = end;
    if (next > before) {
      this.position.set(f.partition, next);
      return true;
    }
    return false;
  }

  /** Retries a retriable failure of `call` until it succeeds, the stall timeout passes, or the log stops. */
  private async retrying<T>(what: string, call: () => Promise<T>, progressAt: () => number): Promise<T> {
    try {
      return await retry(`${what} ${this.topic}`, call, {
        policy: this.retryPolicy,
        signal: this.signal,
        retriable: (err) => isRetriable(err) && Date.now() - progressAt() < this.stallTimeoutMs,
        onRetry: (err) => {
          // Once per change of cause, not every attempt.
          const cause = kafkaErrorName(err) ?? (err instanceof Error ? err.message : String(err));
          if (!this.retryCauses.failed(what, cause)) return;
          this.logger.warn({ err, op: what }, 'reading the log failed; retrying');
        },
      });
    } catch (err) {
      if (err instanceof AbortedError || !isRetriable(err)) throw err;
      throw new LogStalledError(this.topic, this.stallTimeoutMs, this.lag([...this.position.keys()]), { cause: err });
    }
  }

  private checkStall(progressAt: number, behind: readonly number[] | readonly PartitionLag[]): void {
    if (Date.now() - progressAt < this.stallTimeoutMs) return;
    const lag = behind.map((b) => (typeof b === 'number' ? this.lag([b])[0]! : b));
    throw new LogStalledError(this.topic, this.stallTimeoutMs, lag);
  }

  private lag(partitions: readonly number[]): PartitionLag[] {
    return partitions.map((partition) => ({
      partition,
      position: this.position.get(partition) ?? -1n,
      end: this.ends.get(partition) ?? -1n,
    }));
  }

  private async pause(ms: number): Promise<void> {
    if (!(await pause(ms, this.signal))) throw new AbortedError(`reading ${this.topic}`);
  }
}
