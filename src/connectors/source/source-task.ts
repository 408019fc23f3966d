import type {
  ConsumedRecord,
  FetchedPiece,
  FetchRequest,
  UndecodedFetchedPartition,
  KafkaAdmin,
  PassThroughBatch,
  PassThroughRule,
  ProducePiece,
  ProduceResult,
  RecordsSummary,
  RecordSink,
  RecordSource,
} from '../../kafka/index.ts';
import type { ReplicationPolicy } from '../../policy/index.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/index.ts';
import { isRetriable, recordValueBytes } from '../../kafka/index.ts';
import { describeError, MirrorError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { byProduceBudget, type ProduceBudget } from './record-budget.ts';
import { RetryLog } from './retry-log.ts';
import { IDLE_OFFSET_SYNCS_PER_SECOND, IdleSyncBudget } from './idle-sync-budget.ts';
import { resumeOffset } from './source-position.ts';
import {
  NO_METRICS,
  type OffsetSyncEmitter,
  type PartitionMetrics,
  type SourcePositionStore,
  type SourceTaskMetrics,
} from './source-task-ports.ts';
import type { WorkStatus } from '../../connect/states.ts';
import { AbortedError, Backoff, pause, retry, type BackoffPolicy } from '../../connect/retry.ts';
import { withTimeout } from '../../util/timeout.ts';

export interface SourceTaskOptions {
  sourceAlias: string;
  targetAlias: string;
  taskIndex: number;
  /** Upstream partitions this task copies (Java `task.assigned.partitions`). */
  partitions: readonly TopicPartition[];
  policy: ReplicationPolicy;
  sourceRecords: RecordSource;
  sourceAdmin: KafkaAdmin;
  targetSink: RecordSink;
  positions: SourcePositionStore;
  /** Absent when `emit.offset-syncs.enabled=false`. */
  offsetSyncs?: OffsetSyncEmitter;
  metrics?: SourceTaskMetrics;
  /** Source consumer `auto.offset.reset` for partitions with no stored position (MM2 default earliest). */
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  /** Worker `offset.flush.interval.ms`: how often positions are stored. */
  offsetFlushIntervalMs: number;
  /** Stop the task instead of continuing when source retention deleted records before they were copied. */
  failOnRetentionLoss?: boolean;
  /**
   * How long a caught-up partition must go without a new acknowledged record before its last
   * record's delayed offset sync is sent (default {@link IDLE_OFFSET_SYNC_MS}; see
   * {@link SourceTask}). 0 sends it on the first caught-up fetch; negative turns it off (Java's
   * behaviour: only the position flush promotes delayed syncs).
   */
  idleOffsetSyncMs?: number;
  /**
   * Idle promotions per second at most, and at most this many at once (a token bucket; default
   * {@link IDLE_OFFSET_SYNCS_PER_SECOND}; `Infinity`: no limit). Partitions the budget holds back
   * keep their place in line, oldest-owed first (see {@link SourceTask}).
   */
  idleOffsetSyncsPerSecond?: number;
  /** How long {@link SourceTask.stop} waits for the final offset syncs to be acknowledged (default 10 s). */
  finalOffsetSyncsTimeoutMs?: number;
  /**
   * `mm2ts.shallow.mirroring`: send fetched batches the target producer would compress with the
   * same codec as they are, header rewritten (see {@link SourceTask}, "Shallow mirroring").
   * Default true ("auto"); false decodes and re-encodes every record, as Java does.
   */
  shallowMirroring?: boolean;
  /**
   * `mm2ts.shallow.mirroring.min.batch.bytes`: smaller batches are decoded even when they could
   * pass through (default {@link SHALLOW_MIN_BATCH_BYTES}).
   */
  shallowMinBatchBytes?: number;
  /** Called on every state change (RUNNING, FAILED with its trace, STOPPED): metrics, readiness, restarts. */
  onStateChange?: (status: WorkStatus) => void;
  logger: Logger;
}

/** The outcome of one fetch round: never a rejection, so a fetch running ahead can never go unhandled. */
type FetchOutcome = { fetched: UndecodedFetchedPartition[] } | { error: unknown };

interface PartitionProgress {
  readonly tp: TopicPartition;
  readonly key: string;
  readonly remoteTopic: string;
  /** Next upstream offset to fetch (runs ahead of what is acknowledged by one batch); moved by `moveTo` only. */
  readonly nextFetch: bigint;
  /** Where the partition's request sits in the task's fetch requests (`fetchRequests`). */
  readonly requestAt: number;
  /** Last upstream offset the target acknowledged: what a position flush stores. */
  lastAcked: bigint | undefined;
  /** Last position written to the offsets topic. */
  flushed: bigint | undefined;
  /** Records of the partition are in the produce in flight. */
  producing: boolean;
  /** When the partition's last record was acknowledged (Date.now()). */
  lastAckedAt: number;
  /**
   * The source high watermark the latest answer for the partition carried; -1 when unknown (not
   * answered yet, or the latest answer was an error). A round that leaves the partition out
   * (`changedOnly`) found it unchanged: this still holds.
   */
  highWatermark: bigint;
  /** The fetch round (see {@link SourceTask.round}) whose answer last had records of the partition. */
  recordsRound: number;
  /** Records were acknowledged since the partition was last found idle: one idle sync is owed. */
  idleSyncOwed: boolean;
  /** How the partition's last produced batch was copied, and why deep: logged when it changes. */
  copyMode: string | undefined;
  /**
   * Bytes one record of the partition held in memory in its last decoded round (records section
   * bytes, or a passed-through batch's bytes, per record); undefined before its first. What the
   * byte budget of a produce group expects of its next fetch ({@link MAX_BYTES_PER_PRODUCE}).
   */
  bytesPerRecord: number | undefined;
  readonly metrics: PartitionMetrics;
}

/** One partition's share of a produce group: its fetched records, decoded or passed through, in order. */
interface PartitionPieces {
  readonly p: PartitionProgress;
  readonly pieces: FetchedPiece[];
}

/** Retries of a broker that is down (fetch, produce, listing offsets): 100 ms doubling to 5 s. */
const RETRY_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5_000 };

/**
 * Default quiet time after which a caught-up partition's last record gets its offset sync. Short
 * enough that a group that just caught up translates exactly within a couple of seconds; long
 * enough that a partition receiving a record every few hundred milliseconds costs no extra syncs.
 */
export const IDLE_OFFSET_SYNC_MS = 1_000;

/**
 * Default smallest batch sent as it is (`mm2ts.shallow.mirroring.min.batch.bytes`). Kafka takes
 * one batch per partition per produce request, so each pass-through batch is a produce round of
 * its own, while decoded records go out in batches of up to 900,000 bytes. Measured in the
 * 2,000,000 × 100 B drain with the perf producer's 16 KB batches (docs/benchmarks/2026-11-30-shallow.md):
 * passing every batch through made ~60× the produce rounds and cost more mirror CPU than
 * decoding saved; from about this size on a round carries enough records to pay for itself.
 */
export const SHALLOW_MIN_BATCH_BYTES = 65_536;

/**
 * While the idle-sync budget holds partitions back, the first round that does says so at INFO;
 * later ones at DEBUG, this far apart at least. A hold-back after this long without one is news
 * again (INFO).
 */
const IDLE_HELD_BACK_LOG_MS = 60_000;

/** Default bound of the final offset-sync sends at stop (within the process's 30 s stop budget). */
const FINAL_OFFSET_SYNCS_TIMEOUT_MS = 10_000;
/** The first flush interval of a task stores acknowledged rounds at once for this long at most… */
const EARLY_STORE_WINDOW_MS = 10_000;
/** …and this far apart at least (a backlog is copied in rounds of a few milliseconds). */
const EARLY_STORE_SPACING_MS = 100;

/**
 * Records decoded and handed to one produce call at most (unless one partition alone has more).
 * Bounded the record objects alive at once when every decoded record was one: a fetch round of
 * small lz4 records decodes to ~2.5× the records of an uncompressed one. Measured in the
 * 2,000,000 × 100 B drain: peak RSS with lz4 539 → 345 MB (uncompressed 376 → 337 MB) at unchanged
 * throughput and CPU; 50,000 gave 388 MB. Records re-encoded while decoded (transcode.ts) make no
 * objects; the budget still sets their group's size (not measured again since).
 */
export const MAX_RECORDS_PER_PRODUCE = 25_000;

/**
 * Decoded bytes one produce group holds at most (unless one partition alone has more), estimated
 * from each partition's previous decode ({@link PartitionProgress.bytesPerRecord}). A group's
 * records sections stay in memory until the target acknowledged the whole group, and up to
 * MAX_GROUPS_IN_FLIGHT + 1 groups are alive: 25,000 records of 1 KB are 25 MB each. Measured in
 * the 500,000 × 1 KB lz4 drain: peak RSS 302–309 → 235–243 MB at the same rate and CPU
 * (docs/benchmarks/2026-12-01-group-bytes.md); 100 B records stay bounded by the record budget
 * (8 MiB is ~60,000 of them).
 */
export const MAX_BYTES_PER_PRODUCE = 8 * 1024 * 1024;

/**
 * Bytes per record assumed before a task decoded anything: most Kafka records are smaller, so its
 * first group is at most as large as later ones; smaller records only make that one group smaller.
 */
const UNKNOWN_BYTES_PER_RECORD = 1024;

const PRODUCE_BUDGET: ProduceBudget = { records: MAX_RECORDS_PER_PRODUCE, bytes: MAX_BYTES_PER_PRODUCE };

/**
 * Produce groups of one task in flight at once (groups of different partitions). With one, the
 * task idled 20–38 % of a backlog drain waiting for acknowledgements (docs/benchmarks/README.md,
 * profile summary): the next group was encoded only once the previous one was acknowledged. With
 * two, one group is encoded and sent while the target appends the other: −3 to +29 % drain rate
 * in A/B pairs on a quiet machine, for +6 to +41 MB peak RSS (docs/benchmarks/2026-11-30-drain-2.md).
 */
export const MAX_GROUPS_IN_FLIGHT = 2;

/** A produce group sent and not yet acknowledged (or failed): which partitions it holds. */
interface GroupInFlight {
  readonly partitions: ReadonlySet<PartitionProgress>;
  /** Never rejects (produceRecordingFailure). */
  readonly done: Promise<void>;
}

/** Whether a group about to be produced holds a partition of a group in flight. */
function sharesPartition(inFlight: readonly GroupInFlight[], units: readonly PartitionPieces[]): boolean {
  return inFlight.some((g) => units.some((u) => g.partitions.has(u.p)));
}

/**
 * Java's MirrorSourceTask on the Kafka port: copies its partitions in order to the same partition
 * of each remote topic. One fetch runs ahead while the previous batch is being produced, but a
 * partition's next batch is produced only after its previous one was acknowledged, so order holds.
 * A position is stored only once the target acknowledged every record up to it (never a gap; a
 * crash re-sends at most what came after the last flush). Retriable failures (a broker down)
 * are retried with backoff for as long as they last; anything else puts the task in FAILED, and
 * only this task: no promise the loop creates can reject unobserved (a produce or fetch running
 * ahead settles into an outcome the loop reads), so a fault never escapes to the process.
 *
 * Idle partitions. Java's rules send a sync when one is required (first record, a gap, every
 * `offset.lag.max` records) and otherwise only delay the newest one until the next position flush
 * (`offset.flush.interval.ms`, 60 s by default; KAFKA-15906). Until then the last sync of a
 * partition can sit up to `offset.lag.max` records behind its end, and a group that caught up
 * would re-read them after a failover. So when a fetch finds a partition caught up (its next
 * offset at the high watermark, nothing of it being produced) and no record of it was
 * acknowledged for `idleOffsetSyncMs`, its delayed sync is promoted and sent now: one extra sync
 * per partition per idle period at most, none while records keep flowing. A sparse load over many
 * partitions (a record each every few seconds) would still make one for nearly every record, so
 * these early promotions share a per-task budget ({@link IdleSyncBudget},
 * `idleOffsetSyncsPerSecond`): partitions past it wait in the order they first came to owe one,
 * each keeping its place while more records arrive (its delayed sync moves to the newest record),
 * and get one sync when their turn comes. The position flush still promotes every delayed sync,
 * so none waits longer than `offset.flush.interval.ms`.
 *
 * {@link stop} drains, stores the acknowledged positions, then sends the offset syncs it owes
 * (Java's final `commit()`: delayed syncs promoted and fired) and waits for them, within a bound,
 * so a failover right after a graceful stop translates a caught-up group exactly.
 */
export class SourceTask {
  private readonly options: SourceTaskOptions;
  private readonly logger: Logger;
  private readonly progress = new Map<string, PartitionProgress>();
  /** Each partition's fetch request at its position, in {@link progress} order (see {@link moveTo}). */
  private readonly fetchRequests: FetchRequest[] = [];
  /** {@link progress} by topic, then partition: looked up per fetched partition without building a key. */
  private readonly progressByTopic = new Map<string, Map<number, PartitionProgress>>();
  /**
   * Partitions owing an idle offset sync ({@link PartitionProgress.idleSyncOwed}), in the order
   * they came to owe one (the budget's line): the only ones an idle round looks at, so an idle
   * round costs nothing per quiet partition.
   */
  private readonly idleSyncOwed = new Set<PartitionProgress>();
  /** Bounds the idle promotions of {@link sendIdleOffsetSyncs}; undefined while idle syncs are off. */
  private readonly idleSyncBudget: IdleSyncBudget | undefined;
  /** Idle promotions sent, and when the budget last held a partition back and last said so. */
  private readonly idleSyncs = { promoted: 0, heldBackAt: Number.NaN, heldBackLoggedAt: Number.NaN };
  /** Partitions whose acknowledged position is not stored yet: what the next flush writes. */
  private readonly unflushed = new Set<PartitionProgress>();
  /** Fetch rounds answered so far; the time of the latest is what the metrics' recovery point follows. */
  private round = 0;
  private readonly rounds = { lastMs: Number.NaN };
  private stopping = false;
  private loop: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /**
   * Until then (the task's first flush interval, at most {@link EARLY_STORE_WINDOW_MS}, when it
   * copies the backlog of a start or a takeover) acknowledged rounds' positions are stored at once,
   * {@link EARLY_STORE_SPACING_MS} apart at least: a crash then re-copies about one round, not the
   * backlog. Else the next owner of a partition taken over from a dead member started where the
   * member before it stopped, seconds of records back (docs/scale-out.md, "When a member goes").
   */
  private storeEveryRoundUntil = 0;
  private roundStoredAt = 0;
  private storingRound: Promise<void> | undefined;
  private statusValue: WorkStatus = { state: 'UNASSIGNED' };
  /** Aborted by stop: ends every backoff wait at once. */
  private readonly wake = new AbortController();
  /** The first non-retriable produce error; the loop fails the task with it. */
  private produceFailure: { error: unknown } | undefined;
  private readonly retries: RetryLog;
  /** Which fetched batches are sent as they are; undefined: every record is re-encoded. */
  private readonly passThrough: PassThroughRule | undefined;
  /** The last decoded partition's bytes per record: the estimate for a partition not decoded yet. */
  private lastBytesPerRecord: number | undefined;

  constructor(options: SourceTaskOptions) {
    this.options = options;
    this.logger = options.logger.child({ task: options.taskIndex });
    this.retries = new RetryLog(this.logger);
    const sink = options.targetSink;
    this.passThrough =
      (options.shallowMirroring ?? true) && sink.sendPieces !== undefined && sink.compression !== undefined
        ? { codec: sink.compression, minBatchBytes: options.shallowMinBatchBytes ?? SHALLOW_MIN_BATCH_BYTES }
        : undefined;
    this.idleSyncBudget =
      options.offsetSyncs !== undefined && (options.idleOffsetSyncMs ?? IDLE_OFFSET_SYNC_MS) >= 0
        ? new IdleSyncBudget(options.idleOffsetSyncsPerSecond ?? IDLE_OFFSET_SYNCS_PER_SECOND, Date.now())
        : undefined;
  }

  /**
   * Set while an operation of the task (fetch, produce, offsets lookup) keeps failing with a
   * retriable error: the task is RUNNING but copies nothing. Readiness reports it once it lasts.
   */
  get failingSince(): { since: number; cause: string } | undefined {
    return this.retries.oldest();
  }

  get status(): WorkStatus {
    return this.statusValue;
  }

  get assignedPartitions(): readonly TopicPartition[] {
    return this.options.partitions;
  }

  /**
   * Idle offset syncs of this task: how many were promoted, and how many partitions the budget
   * holds back now (caught up, quiet, owing one). Counting those walks the owing partitions.
   */
  idleOffsetSyncStats(): { promoted: number; heldBack: number } {
    return { promoted: this.idleSyncs.promoted, heldBack: this.heldBackIdleSyncs(Date.now()) };
  }

  /**
   * Starts the task in the background: loads positions (retrying while the clusters are
   * unreachable), then copies until stopped.
   */
  start(): Promise<void> {
    this.setStatus({ state: 'RUNNING' });
    this.loop = (async () => {
      await this.retrying('loading source positions', () => this.initPositions());
      if (this.stopping) return;
      this.storeEveryRoundUntil = Date.now() + Math.min(this.options.offsetFlushIntervalMs, EARLY_STORE_WINDOW_MS);
      this.scheduleFlush();
      this.logger.info({ partitions: this.options.partitions.length }, 'source task started');
      await this.run();
    })().catch((err: unknown) => this.failed(err));
    return Promise.resolve();
  }

  /** Runs `step` until it succeeds, retrying retriable errors with backoff; ends (AbortedError) on stop. */
  private async retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    const result = await retry(what, step, {
      policy: RETRY_BACKOFF,
      signal: this.wake.signal,
      onRetry: (err, attempt, delayMs) => this.retries.failed(what, what, err, { attempt, backoffMs: delayMs }),
    });
    this.retries.succeeded(what, what);
    return result;
  }

  private async initPositions(): Promise<void> {
    const { sourceAlias, partitions, positions, policy } = this.options;
    // A retry after a failed attempt starts over: one entry and one request per partition.
    this.progress.clear();
    this.progressByTopic.clear();
    this.fetchRequests.length = 0;
    const stored = positions.sourcePositions(sourceAlias, partitions);
    const needReset = new Map<string, TopicPartition[]>();
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      const resume = resumeOffset(stored.get(key));
      const metrics = (this.options.metrics ?? NO_METRICS).partition(
        {
          source: sourceAlias,
          target: this.options.targetAlias,
          topic: policy.formatRemoteTopic(sourceAlias, tp.topic),
          partition: tp.partition,
        },
        this.rounds,
      );
      const p: PartitionProgress = {
        tp,
        key,
        remoteTopic: policy.formatRemoteTopic(sourceAlias, tp.topic),
        nextFetch: resume ?? -1n,
        requestAt: this.fetchRequests.length,
        lastAcked: resume !== undefined ? resume - 1n : undefined,
        flushed: resume !== undefined ? resume - 1n : undefined,
        producing: false,
        lastAckedAt: 0,
        highWatermark: -1n,
        recordsRound: -1,
        idleSyncOwed: false,
        copyMode: undefined,
        bytesPerRecord: undefined,
        metrics,
      };
      this.progress.set(key, p);
      this.fetchRequests.push({ topic: tp.topic, partition: tp.partition, offset: p.nextFetch });
      let parts = this.progressByTopic.get(tp.topic);
      if (parts === undefined) this.progressByTopic.set(tp.topic, (parts = new Map()));
      parts.set(tp.partition, p);
      if (resume === undefined) needReset.set(tp.topic, [...(needReset.get(tp.topic) ?? []), tp]);
    }
    for (const [topic, tps] of needReset) {
      if (this.options.autoOffsetReset === 'none') {
        throw new MirrorError(
          'ERR_NO_POSITION',
          `no stored position for ${tps.length} partition(s) of ${topic} and auto.offset.reset=none`,
          { topic },
        );
      }
    }
    // All topics at once: the Kafka admin answers concurrent listOffsets calls with one metadata
    // refresh and one ListOffsets request per leader (src/kafka/kafkajs/admin.ts), where one topic
    // after another cost a metadata refresh of every topic listed so far, each time.
    const admin = this.options.sourceAdmin;
    await Promise.all(
      [...needReset].map(async ([topic, tps]) => {
        const offsets = await admin.listOffsets(topic);
        for (const tp of tps) {
          const o = offsets.find((x) => x.partition === tp.partition);
          const p = this.progressOf(tp.topic, tp.partition)!;
          this.moveTo(p, o ? (this.options.autoOffsetReset === 'latest' ? o.latest : o.earliest) : 0n);
        }
      }),
    );
  }

  /** Moves `p`'s fetch position: the one place it changes, so its request in {@link fetchRequests} follows. */
  private moveTo(p: PartitionProgress, offset: bigint): void {
    (p as { nextFetch: bigint }).nextFetch = offset;
    this.fetchRequests[p.requestAt] = { topic: p.tp.topic, partition: p.tp.partition, offset };
  }

  private progressOf(topic: string, partition: number): PartitionProgress | undefined {
    return this.progressByTopic.get(topic)?.get(partition);
  }

  /** Fetches the next round from the current positions; never rejects (the loop decides on errors). */
  private fetchRound(): Promise<FetchOutcome> {
    // A copy: positions may move while the fetch runs. Every round lists the same partitions in the
    // same order, an idle partition's request the same object as before: the record source keeps
    // its grouping by leader, and its fetch sessions skip an idle partition with a comparison.
    const requests = this.fetchRequests.slice();
    // changedOnly: an idle partition is left out of the answer (incremental fetch sessions), so the
    // rest of the round (absorbFetch, sendIdleOffsetSyncs) does nothing for it.
    return this.options.sourceRecords.fetchUndecoded(requests, { changedOnly: true }).then(
      (fetched) => ({ fetched }),
      (error: unknown) => ({ error }),
    );
  }

  /**
   * The copy loop. Every promise it starts is settled before it returns and none can reject
   * unobserved: `next` (the fetch running ahead) resolves to an outcome, `producing` records a
   * failure in {@link produceFailure} instead of rejecting. A failure throws out of the loop only
   * after both have settled, so no request outlives the task and FAILED does not depend on when
   * the error landed.
   */
  private async run(): Promise<void> {
    const inFlight: GroupInFlight[] = [];
    let next: Promise<FetchOutcome> | undefined = this.fetchRound();
    const backoff = new Backoff(RETRY_BACKOFF);
    try {
      while (!this.stopping && next !== undefined) {
        const result = await next;
        next = undefined;
        this.throwIfProduceFailed();
        if ('error' in result) {
          if (!isRetriable(result.error)) throw result.error;
          const delay = backoff.next();
          this.retries.failed('fetch', 'fetch from source', result.error, {
            attempt: backoff.attempts,
            backoffMs: delay,
          });
          if (!(await pause(delay, this.wake.signal))) break;
          next = this.fetchRound();
          continue;
        }
        backoff.reset();
        this.retries.succeeded('fetch', 'fetch from source');
        const withRecords = await this.absorbFetch(result.fetched);
        // Bytes of partitions without records to copy are not read again (see releaseFetched).
        if (withRecords.length < result.fetched.length) {
          const copying = new Set(withRecords);
          releaseFetched(result.fetched.filter((f) => !copying.has(f)));
        }
        if (this.stopping) break; // no fetch is issued once stop began
        this.sendIdleOffsetSyncs();
        // Positions have moved past this round: the next one is fetched (and held as bytes) while
        // this one is decoded and produced.
        next = this.fetchRound();
        // A round is produced in groups of partitions of at most MAX_RECORDS_PER_PRODUCE records
        // and about MAX_BYTES_PER_PRODUCE decoded bytes (whole partitions): each group is decoded
        // while earlier ones are being produced, so at most MAX_GROUPS_IN_FLIGHT + 1 groups of
        // record objects and sections are alive, whatever the compression ratio. A group waits for
        // every group in flight that holds one of its partitions (an earlier round's):
        // per-partition order, and positions and offset syncs advance per partition in offset order.
        for (const group of byProduceBudget(withRecords, PRODUCE_BUDGET, this.estimatedBytes)) {
          const toProduce = await this.decodeRound(group);
          while (
            inFlight.length > 0 &&
            (inFlight.length >= MAX_GROUPS_IN_FLIGHT || sharesPartition(inFlight, toProduce))
          )
            await inFlight.shift()!.done;
          this.throwIfProduceFailed();
          if (this.stopping) break;
          if (toProduce.length === 0) releaseFetched(group);
          else
            inFlight.push({
              partitions: new Set(toProduce.map((u) => u.p)),
              done: this.produceRecordingFailure(toProduce).then(() => this.releaseProduced(group)),
            });
        }
      }
    } finally {
      // Neither rejects. The fetch issued ahead must finish before the clients close (it ends
      // within fetch.max.wait.ms): a request still running then would reopen a broker connection
      // and keep the process alive.
      for (const group of inFlight) await group.done;
      await next;
    }
    this.throwIfProduceFailed();
  }

  /**
   * After a group's produce settled: with no failure, every record and pass-through batch read from
   * its fetched bytes is acknowledged and none is read again (positions and offset syncs hold
   * numbers), and nothing is in flight (the sends settle before `produce` does), so the bytes may
   * be reused. After a failure they are left to the garbage collector: the safe side.
   */
  private releaseProduced(group: UndecodedFetchedPartition[]): void {
    if (this.produceFailure === undefined) releaseFetched(group);
  }

  private throwIfProduceFailed(): void {
    if (this.produceFailure !== undefined) throw this.produceFailure.error;
  }

  /** {@link produce}, settling instead of rejecting: a failure is kept for the loop to throw. */
  private produceRecordingFailure(units: PartitionPieces[]): Promise<void> {
    return this.produce(units).catch((error: unknown) => {
      this.produceFailure ??= { error };
    });
  }

  /**
   * Advances fetch positions; handles out-of-range (retention loss); returns partitions with
   * records. Visits only the partitions the round answered: a partition left out had nothing new
   * (see {@link fetchRound}), so its position, high watermark and lag stand.
   */
  private async absorbFetch(fetched: UndecodedFetchedPartition[]): Promise<UndecodedFetchedPartition[]> {
    const round = ++this.round;
    const withRecords: UndecodedFetchedPartition[] = [];
    for (const f of fetched) {
      const p = this.progressOf(f.topic, f.partition);
      if (!p) continue;
      if (f.error === 'OFFSET_OUT_OF_RANGE') {
        p.highWatermark = -1n;
        p.metrics.lagUnknown?.();
        await this.handleOutOfRange(p);
        continue;
      }
      if (f.batchRecordCount > 0) {
        withRecords.push(f);
        p.recordsRound = round;
      }
      if (f.nextOffset !== p.nextFetch) this.moveTo(p, f.nextOffset);
      p.highWatermark = f.highWatermark;
      if (f.highWatermark >= 0n) p.metrics.lag(Number(f.highWatermark - p.nextFetch));
      else p.metrics.lagUnknown?.();
    }
    // Every partition the round covered and left out is caught up as of now if it was before.
    this.rounds.lastMs = Date.now();
    return withRecords;
  }

  /**
   * Promotes the delayed sync of each partition the latest round found caught up and quiet (see
   * the class doc), oldest-owed first, while the idle-sync budget lasts. Looks only at partitions
   * that owe one (records acknowledged since they were last found idle), whether or not the round
   * answered them: one it left out is as it was. Once the budget is spent the walk stops, so a
   * round costs at most the partitions it promotes plus those in front of them not idle yet.
   */
  private sendIdleOffsetSyncs(): void {
    const syncs = this.options.offsetSyncs;
    const budget = this.idleSyncBudget;
    if (syncs === undefined || budget === undefined || this.idleSyncOwed.size === 0) return;
    const now = Date.now();
    let promoted = false;
    let heldBack = false;
    for (const p of this.idleSyncOwed) {
      if (!this.idleSyncDue(p, now)) continue;
      if (!budget.available(now)) {
        heldBack = true;
        break;
      }
      p.idleSyncOwed = false;
      this.idleSyncOwed.delete(p);
      // Nothing delayed (its last record's sync was a required one, already sent): no budget spent.
      if (syncs.promoteIdleOffsetSync(p.tp)) {
        budget.take();
        this.idleSyncs.promoted++;
        promoted = true;
      }
    }
    if (promoted) syncs.firePendingOffsetSyncs();
    if (heldBack) this.noteIdleSyncsHeldBack(now);
  }

  /** Whether `p`, owing an idle sync, has earned it: quiet for `idleOffsetSyncMs` and caught up as of the latest round. */
  private idleSyncDue(p: PartitionProgress, now: number): boolean {
    if (p.producing || now - p.lastAckedAt < (this.options.idleOffsetSyncMs ?? IDLE_OFFSET_SYNC_MS)) return false;
    return p.recordsRound !== this.round && p.highWatermark >= 0n && p.nextFetch >= p.highWatermark;
  }

  /** Partitions due an idle sync that the budget holds back (a walk of the owing ones). */
  private heldBackIdleSyncs(now: number): number {
    let due = 0;
    for (const p of this.idleSyncOwed) if (this.idleSyncDue(p, now)) due++;
    return due;
  }

  /**
   * Logs that the budget holds partitions back: INFO when it starts (or starts again after
   * {@link IDLE_HELD_BACK_LOG_MS} without), DEBUG while it lasts, once per that interval at most.
   */
  private noteIdleSyncsHeldBack(now: number): void {
    const s = this.idleSyncs;
    const news = !(now - s.heldBackAt < IDLE_HELD_BACK_LOG_MS);
    s.heldBackAt = now;
    if (!news && now - s.heldBackLoggedAt < IDLE_HELD_BACK_LOG_MS) return;
    s.heldBackLoggedAt = now;
    this.logger[news ? 'info' : 'debug'](
      { waiting: this.heldBackIdleSyncs(now), perSecond: this.idleSyncBudget!.perSecond, promoted: s.promoted },
      'idle offset syncs are held back by the per-task budget; partitions get theirs oldest first, or at the next position flush',
    );
  }

  /**
   * Decodes one group of a fetched round (batches that can pass through stay whole) and records
   * the poll metrics; returns each partition's pieces.
   */
  private async decodeRound(fetched: UndecodedFetchedPartition[]): Promise<PartitionPieces[]> {
    const rule = this.passThrough;
    // A sink that takes batches gets the records re-encoded for it as they are decoded: what
    // waits for its acknowledgement is then encoded bytes, not record objects (transcode.ts).
    const sink = this.options.targetSink;
    const encodeFor = sink.sendPieces !== undefined ? sink.compression : undefined;
    const decoded = await Promise.all(
      fetched.map((f): Promise<FetchedPiece[]> =>
        f.decodePieces !== undefined
          ? f.decodePieces(rule, encodeFor)
          : f.decode().then((records) => [{ records, batches: 0 }]),
      ),
    );
    // A partition whose records all came re-encoded reads nothing more from its fetched bytes
    // (sections included): they go back to the pool now, not once the target acknowledged them.
    for (let i = 0; i < fetched.length; i++)
      if (decoded[i]!.every((piece) => piece.encoded !== undefined)) fetched[i]!.release?.();
    const units: PartitionPieces[] = [];
    const now = Date.now();
    for (let i = 0; i < fetched.length; i++) {
      const pieces = decoded[i]!.filter((piece) => piece.batch !== undefined || recordCountOf(piece) > 0);
      if (pieces.length === 0) continue;
      const p = this.progressOf(fetched[i]!.topic, fetched[i]!.partition)!;
      let count = 0;
      let bytes = 0;
      let minAge = Number.MAX_SAFE_INTEGER;
      let maxAge = 0;
      let sumAge = 0;
      let shallow = 0;
      let deep = 0;
      let held = 0;
      for (const piece of pieces) {
        if (piece.batch !== undefined) {
          const b = piece.batch;
          shallow++;
          count += b.recordCount;
          // Value bytes are not known without decoding: the batch's records section stands for them.
          bytes += b.bytes.length - BATCH_HEADER_BYTES;
          held += b.bytes.length;
          const ages = batchAges(b, now);
          if (ages.min < minAge) minAge = ages.min;
          if (ages.max > maxAge) maxAge = ages.max;
          sumAge += ages.sum;
          continue;
        }
        deep += piece.batches;
        count += recordCountOf(piece);
        const ages = recordAges(piece, now);
        if (ages.min < minAge) minAge = ages.min;
        if (ages.max > maxAge) maxAge = ages.max;
        sumAge += ages.sum;
        // The decoder's summary has the value bytes; only a piece without one is walked.
        if (piece.summary !== undefined) {
          bytes += piece.summary.valueBytes;
          held += piece.summary.fieldBytes;
        } else if (piece.records !== undefined) {
          // Without a summary (another source's records) the values stand for the whole record.
          const before = bytes;
          for (const r of piece.records) bytes += recordValueBytes(r);
          held += bytes - before;
        }
      }
      if (count > 0) this.lastBytesPerRecord = p.bytesPerRecord = held / count;
      p.metrics.polled(count, bytes, minAge, maxAge, sumAge);
      p.metrics.batches?.(shallow, deep);
      this.noteCopyMode(p, pieces);
      units.push({ p, pieces });
    }
    return units;
  }

  /**
   * What a fetched partition's records will hold once decoded: by its last decode, else the task's
   * last decoded partition's, else {@link UNKNOWN_BYTES_PER_RECORD} (the task's first group).
   */
  private readonly estimatedBytes = (f: UndecodedFetchedPartition): number =>
    f.batchRecordCount *
    (this.progressOf(f.topic, f.partition)?.bytesPerRecord ?? this.lastBytesPerRecord ?? UNKNOWN_BYTES_PER_RECORD);

  /** Logs (debug) when a partition's batches start going shallow or deep, or deep for another reason. */
  private noteCopyMode(p: PartitionProgress, pieces: FetchedPiece[]): void {
    const last = pieces[pieces.length - 1]!;
    const mode =
      last.batch !== undefined
        ? 'shallow'
        : this.passThrough === undefined
          ? 'deep (shallow mirroring off)'
          : `deep (${last.blocker ?? 'decoded'})`;
    if (mode === p.copyMode) return;
    p.copyMode = mode;
    this.logger.debug(
      { topic: p.tp.topic, partition: p.tp.partition, mode, codec: this.passThrough?.codec },
      'record batches of the partition are now copied ' + mode,
    );
  }

  private async handleOutOfRange(p: PartitionProgress): Promise<void> {
    const offsets = await this.retrying(`listing offsets of ${p.tp.topic}`, () =>
      this.options.sourceAdmin.listOffsets(p.tp.topic),
    );
    const o = offsets.find((x) => x.partition === p.tp.partition);
    if (!o) return;
    if (p.nextFetch < o.earliest) {
      const lost = o.earliest - p.nextFetch;
      p.metrics.lost(Number(lost));
      this.logger.error(
        {
          topic: p.tp.topic,
          partition: p.tp.partition,
          from: p.nextFetch.toString(),
          to: o.earliest.toString(),
          lost: lost.toString(),
        },
        `source retention deleted ${lost} records of ${p.tp.topic}-${p.tp.partition} before they were replicated`,
      );
      if (this.options.failOnRetentionLoss) {
        throw new MirrorError(
          'ERR_RETENTION_LOSS',
          `${lost} records of ${p.tp.topic}-${p.tp.partition} were deleted by source retention before replication`,
          {
            topic: p.tp.topic,
            partition: p.tp.partition,
          },
        );
      }
      this.moveTo(p, o.earliest);
      return;
    }
    // Past the end: the source log was truncated or recreated. Java's consumer applies auto.offset.reset.
    const reset = this.options.autoOffsetReset === 'latest' ? o.latest : o.earliest;
    this.logger.warn(
      { topic: p.tp.topic, partition: p.tp.partition, position: p.nextFetch.toString(), reset: reset.toString() },
      'source position is beyond the log end; resetting',
    );
    if (this.options.autoOffsetReset === 'none') {
      throw new MirrorError(
        'ERR_POSITION_OUT_OF_RANGE',
        `position of ${p.tp.topic}-${p.tp.partition} is out of range and auto.offset.reset=none`,
      );
    }
    this.moveTo(p, reset);
  }

  /** Copies one group of a fetched round to the target, retrying retriable failures until acknowledged or stopped. */
  private async produce(units: PartitionPieces[]): Promise<void> {
    const byRemoteTopic = new Map<string, PartitionPieces[]>();
    for (const unit of units) {
      unit.p.producing = true;
      const list = byRemoteTopic.get(unit.p.remoteTopic);
      if (list) list.push(unit);
      else byRemoteTopic.set(unit.p.remoteTopic, [unit]);
    }
    // allSettled: every send has finished (acknowledged or not) before a failure is reported, so
    // nothing is in flight once the task is FAILED and what was acknowledged is in the positions.
    const outcomes = await Promise.allSettled(
      [...byRemoteTopic].map(([remote, topicUnits]) => this.produceTopic(remote, topicUnits)),
    );
    for (const unit of units) unit.p.producing = false;
    const now = Date.now();
    const early = now < this.storeEveryRoundUntil && now - this.roundStoredAt >= EARLY_STORE_SPACING_MS;
    if (early && !this.stopping && !this.flushing && !this.storingRound) {
      this.roundStoredAt = now;
      this.storingRound = this.storePositions()
        .catch(() => {}) // the periodic flush stores them again
        .finally(() => (this.storingRound = undefined));
    }
    this.options.offsetSyncs?.firePendingOffsetSyncs();
    const failure = outcomes.find((o) => o.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  private async produceTopic(remoteTopic: string, units: PartitionPieces[]): Promise<void> {
    // Consumed records go out as they are: the sink reads key, value, headers, partition and
    // timestamp (a negative one, Kafka's "none", becomes the produce time, as Connect does).
    // Pass-through batches go out whole. The same pieces are sent again, whole and in order: a
    // retry may duplicate, never reorder.
    const sink = this.options.targetSink;
    const send: () => Promise<ProduceResult[]> =
      sink.sendPieces !== undefined
        ? () => sink.sendPieces!(remoteTopic, producePieces(units))
        : () => sink.send(remoteTopic, consumedRecords(units));
    const backoff = new Backoff(RETRY_BACKOFF);
    for (;;) {
      try {
        const results = await send();
        this.acknowledge(units, results);
        if (backoff.attempts > 0) this.retries.succeeded(`produce ${remoteTopic}`, 'produce to target');
        return;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        if (this.stopping) return; // positions were not advanced: nothing is lost
        const delay = backoff.next();
        this.retries.failed(`produce ${remoteTopic}`, 'produce to target', err, {
          topic: remoteTopic,
          attempt: backoff.attempts,
          backoffMs: delay,
        });
        if (!(await pause(delay, this.wake.signal))) return;
      }
    }
  }

  /**
   * Pieces are acknowledged: advance positions, feed the offset-sync rules, record latency.
   * `results` has each partition's produce batches in order: a records piece was cut into one or
   * more of them (record k landed at base + its index within its batch), a pass-through batch is
   * exactly one, its records at base … base + recordCount - 1 as upstream they were at
   * baseOffset … (no gaps, see pass-through.ts): one contiguous run for the offset-sync rules,
   * which is what keeps exact translation exact.
   */
  private acknowledge(units: PartitionPieces[], results: ProduceResult[]): void {
    interface Cursor {
      batches: ProduceResult[];
      batch: number;
      index: number;
    }
    const cursors = new Map<number, Cursor>();
    for (const r of results) {
      const cursor = cursors.get(r.partition);
      if (cursor) cursor.batches.push(r);
      else cursors.set(r.partition, { batches: [r], batch: 0, index: 0 });
    }
    const now = Date.now();
    const syncs = this.options.offsetSyncs;
    for (const { p, pieces } of units) {
      const cursor = cursors.get(p.tp.partition)!;
      let count = 0;
      let min = Infinity;
      let max = 0;
      let sum = 0;
      let lastOffset: bigint | undefined;
      for (const piece of pieces) {
        if (piece.batch !== undefined) {
          const b = piece.batch;
          const result = cursor.batches[cursor.batch]!;
          // A pass-through batch has no gaps (pass-through.ts): contiguous upstream offsets.
          if (syncs && result.baseOffset >= 0n)
            queueBatchSyncs(syncs, p.tp, b.baseOffset, undefined, result.parts ?? [result]);
          cursor.batch++;
          cursor.index = 0;
          const latencies = batchAges(b, now);
          if (latencies.min < min) min = latencies.min;
          if (latencies.max > max) max = latencies.max;
          sum += latencies.sum;
          count += b.recordCount;
          lastOffset = b.baseOffset + BigInt(b.recordCount - 1);
          continue;
        }
        if (piece.encoded !== undefined) {
          for (const encoded of piece.encoded) {
            const result = cursor.batches[cursor.batch]!;
            cursor.batch++;
            if (syncs && result.baseOffset >= 0n)
              queueBatchSyncs(syncs, p.tp, encoded.firstOffset, encoded.offsets, result.parts ?? [result]);
          }
          if (piece.summary.count === 0) continue;
          const latencies = recordAges(piece, now);
          if (latencies.min < min) min = latencies.min;
          if (latencies.max > max) max = latencies.max;
          sum += latencies.sum;
          count += piece.summary.count;
          lastOffset = piece.summary.lastOffset;
          continue;
        }
        const records = piece.records;
        if (records.length === 0) continue;
        const latencies = recordAges(piece, now);
        if (latencies.min < min) min = latencies.min;
        if (latencies.max > max) max = latencies.max;
        sum += latencies.sum;
        // Offsets only increase within a partition, so a span of count − 1 means no upstream gap:
        // then every part of the piece is one contiguous run, its offsets counted from the first.
        const summary = piece.summary;
        const firstOffset = summary !== undefined ? summary.firstOffset : records[0]!.offset;
        const lastOfPiece = summary !== undefined ? summary.lastOffset : records[records.length - 1]!.offset;
        const contiguous = lastOfPiece - firstOffset === BigInt(records.length - 1);
        // Walk the piece batch by batch: a contiguous upstream piece is one offset-sync call.
        let i = 0;
        while (i < records.length) {
          const batch = cursor.batches[cursor.batch]!;
          const take = Math.min(records.length - i, batch.recordCount - cursor.index);
          if (syncs && batch.baseOffset >= 0n) {
            const downstreamFirst = batch.baseOffset + BigInt(cursor.index);
            const first = contiguous ? firstOffset + BigInt(i) : records[i]!.offset;
            if (contiguous || records[i + take - 1]!.offset - first === BigInt(take - 1)) {
              syncs.maybeQueueOffsetSyncsRun(p.tp, first, downstreamFirst, take);
            } else {
              for (let j = 0; j < take; j++)
                syncs.maybeQueueOffsetSyncs(p.tp, records[i + j]!.offset, downstreamFirst + BigInt(j));
            }
          }
          cursor.index += take;
          if (cursor.index >= batch.recordCount) {
            cursor.batch++;
            cursor.index = 0;
          }
          i += take;
        }
        count += records.length;
        lastOffset = lastOfPiece;
      }
      if (lastOffset === undefined) continue;
      p.lastAcked = lastOffset;
      p.lastAckedAt = now;
      p.idleSyncOwed = true;
      // A partition still owing keeps its place in line (a Set keeps first insertion order).
      this.idleSyncOwed.add(p);
      this.unflushed.add(p);
      p.metrics.acked(count, min, max, sum);
    }
  }

  private scheduleFlush(): void {
    const interval = this.options.offsetFlushIntervalMs;
    if (!(interval > 0)) return;
    this.flushTimer = setInterval(() => {
      void this.flush().catch((err: unknown) =>
        this.logger.warn({ err: describeError(err) }, 'storing source positions failed; retrying on the next flush'),
      );
    }, interval);
  }

  /** Stores every acknowledged position not yet stored, then lets delayed offset syncs out (KAFKA-15906). */
  flush(): Promise<void> {
    // `.finally` runs after the assignment even when storeAndRelease finishes synchronously
    // (nothing to store); clearing the field inside the body would leave a settled promise here
    // for good and turn every later flush into a no-op.
    this.flushing ??= this.storeAndRelease().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async storeAndRelease(): Promise<void> {
    // One store at a time: an early round store still writing finishes first, so an older
    // snapshot never lands after a newer one.
    await this.storingRound;
    await this.storePositions();
    // Java's commit(): promote, then fire — an idle task gets no other chance to send them.
    this.options.offsetSyncs?.promoteDelayedOffsetSyncs();
    this.options.offsetSyncs?.firePendingOffsetSyncs();
    // Every partition's last acknowledged record has its sync on the way now: none owes an idle
    // one (records acknowledged from here on make it owe again, at the end of the line).
    for (const p of this.idleSyncOwed) p.idleSyncOwed = false;
    this.idleSyncOwed.clear();
  }

  /**
   * Stores every acknowledged position not yet stored — only partitions acknowledged since the
   * last store, so an idle task's flush writes nothing.
   */
  private async storePositions(): Promise<void> {
    const changed = [...this.unflushed].filter((p) => p.lastAcked !== undefined && p.lastAcked !== p.flushed);
    this.unflushed.clear();
    if (changed.length > 0) {
      const snapshot = changed.map((p) => ({ p, offset: p.lastAcked! }));
      try {
        await this.options.positions.writeSourcePositions(
          this.options.sourceAlias,
          snapshot.map(({ p, offset }) => ({ topic: p.tp.topic, partition: p.tp.partition, offset })),
        );
      } catch (err) {
        // Not stored: the next flush tries them again.
        for (const { p } of snapshot) this.unflushed.add(p);
        throw err;
      }
      for (const { p, offset } of snapshot) p.flushed = offset;
    }
  }

  private setStatus(status: WorkStatus): void {
    this.statusValue = status;
    try {
      this.options.onStateChange?.(status);
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'state change listener failed');
    }
  }

  /**
   * The loop ended with an error: FAILED with the trace (unless it was only stop ending a backoff),
   * and what was acknowledged is stored right away, as Java's final offset commit of a failed task.
   */
  private async failed(err: unknown): Promise<void> {
    if (this.stopping && err instanceof AbortedError) return;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.setStatus({
      state: 'FAILED',
      trace: err instanceof Error ? (err.stack ?? describeError(err)) : String(err),
    });
    this.logger.error({ err: describeError(err) }, 'source task failed');
    await this.flush().catch((flushErr: unknown) =>
      this.logger.warn({ err: describeError(flushErr) }, 'storing the positions of the failed task failed'),
    );
  }

  /**
   * Stops copying, waits for in-flight produce and the fetch ahead, stores final positions, then
   * sends the offset syncs it owes and closes the sync writer (bounded by `finalOffsetSyncsTimeoutMs`).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.loop;
    // A periodic flush may have started before the last acknowledgements: store after it.
    await this.flushing?.catch(() => {});
    await this.storingRound;
    try {
      await this.flush();
    } catch (err) {
      this.logger.warn(
        { err: describeError(err) },
        'final position flush failed; a restart re-sends from the previous flush',
      );
    }
    await this.sendFinalOffsetSyncs();
    for (const p of this.progress.values()) p.metrics.remove();
    if (this.statusValue.state !== 'FAILED') this.setStatus({ state: 'STOPPED' });
    this.logger.info('source task stopped');
  }

  /**
   * Java's last `commit()` then `close()`: every partition whose last sync is behind its last
   * acknowledged record has that record's sync delayed (the queue keeps the newest per partition);
   * promoting and firing sends it, marked with its run start like any other. A successful final
   * flush did this already; doing it again costs nothing and covers a failed position write (the
   * sync states where records landed, true whether or not the position was stored).
   */
  private async sendFinalOffsetSyncs(): Promise<void> {
    const syncs = this.options.offsetSyncs;
    if (syncs === undefined) return;
    syncs.promoteDelayedOffsetSyncs();
    syncs.firePendingOffsetSyncs();
    const bound = this.options.finalOffsetSyncsTimeoutMs ?? FINAL_OFFSET_SYNCS_TIMEOUT_MS;
    try {
      await withTimeout(bound, syncs.close());
    } catch (err) {
      this.logger.error(
        { err: describeError(err), timeoutMs: bound },
        'final offset syncs were not acknowledged in time; translation may lag until the next run',
      );
    }
  }
}

/** The fixed header of a magic-2 record batch (Java DefaultRecordBatch.RECORD_BATCH_OVERHEAD). */
const BATCH_HEADER_BYTES = 61;

/**
 * Ages (now − record timestamp) of a pass-through batch's records without decoding them: the
 * youngest is its max timestamp's, the oldest taken as its first record's (CreateTime batches are
 * almost always in time order), the sum as if timestamps were spread evenly between the two.
 */
function batchAges(b: PassThroughBatch, now: number): { min: number; max: number; sum: number } {
  const min = now - b.maxTimestamp;
  const max = Math.max(now - b.baseTimestamp, min);
  return { min, max, sum: ((min + max) / 2) * b.recordCount };
}

/**
 * Ages (now − record timestamp) of a piece's decoded records: from the decoder's summary when it
 * has one (no walk), else record by record.
 */
function recordAges(
  piece: { readonly records?: readonly ConsumedRecord[]; readonly summary?: RecordsSummary },
  now: number,
): { min: number; max: number; sum: number } {
  const s = piece.summary;
  if (s !== undefined) {
    return {
      min: now - s.maxTimestamp,
      max: now - s.minTimestamp,
      sum: s.count * (now - s.firstTimestamp) - s.timestampDeltaSum,
    };
  }
  let min = Number.MAX_SAFE_INTEGER;
  let max = Number.MIN_SAFE_INTEGER;
  let sum = 0;
  for (const r of piece.records ?? []) {
    const age = now - r.timestamp;
    if (age < min) min = age;
    if (age > max) max = age;
    sum += age;
  }
  return { min, max, sum };
}

/** The pieces of a produce group as the sink takes them, in order per partition. */
function producePieces(units: PartitionPieces[]): ProducePiece[] {
  const out: ProducePiece[] = [];
  for (const { p, pieces } of units) {
    const partition = p.tp.partition;
    for (const piece of pieces) {
      if (piece.batch !== undefined) out.push({ partition, batch: piece.batch });
      else if (piece.encoded !== undefined) for (const encoded of piece.encoded) out.push({ partition, encoded });
      else if (piece.summary !== undefined) out.push({ partition, records: piece.records, summary: piece.summary });
      else out.push({ partition, records: piece.records });
    }
  }
  return out;
}

/** Records in a piece: by its batch header or summary when it has one. */
function recordCountOf(piece: FetchedPiece): number {
  if (piece.batch !== undefined) return piece.batch.recordCount;
  if (piece.summary !== undefined) return piece.summary.count;
  return piece.records?.length ?? 0;
}

/**
 * Offset syncs of one acknowledged batch, passed through or encoded while decoded: its records
 * landed at each part's base on, in order; without gaps upstream (`offsets` undefined: they run
 * from `firstOffset` on) a part is one contiguous run (one call), else the runs within `offsets`,
 * as the decoded-records path walks them.
 */
function queueBatchSyncs(
  syncs: OffsetSyncEmitter,
  tp: TopicPartition,
  firstOffset: bigint,
  /** Each record's upstream offset, when they have gaps (EncodedBatch.offsets). */
  offsets: BigInt64Array | undefined,
  /** Where its records landed: one part, or several when the sink split it (ProduceResult.parts). */
  parts: readonly { readonly baseOffset: bigint; readonly recordCount: number }[],
): void {
  let first = 0;
  for (const part of parts) {
    const end = first + part.recordCount;
    if (offsets === undefined) {
      syncs.maybeQueueOffsetSyncsRun(tp, firstOffset + BigInt(first), part.baseOffset, part.recordCount);
    } else {
      // Runs of consecutive upstream offsets within the part: record k landed at base + (k − first).
      let start = first;
      for (let k = first + 1; k <= end; k++) {
        if (k < end && offsets[k]! === offsets[k - 1]! + 1n) continue;
        syncs.maybeQueueOffsetSyncsRun(tp, offsets[start]!, part.baseOffset + BigInt(start - first), k - start);
        start = k;
      }
    }
    first = end;
  }
}

/** Every decoded record of a produce group, for a sink that takes only records (no pass-through there). */
function consumedRecords(units: PartitionPieces[]): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  for (const { pieces } of units)
    for (const piece of pieces) if (piece.records !== undefined) for (const r of piece.records) out.push(r);
  return out;
}

/** Hands fetched partitions' bytes back to their source (`UndecodedFetchedPartition.release`). */
function releaseFetched(fetched: UndecodedFetchedPartition[]): void {
  for (const f of fetched) f.release?.();
}
