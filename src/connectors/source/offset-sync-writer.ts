import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAdmin, KafkaCluster, ProducerRecord, RecordSink } from '../../kafka/index.ts';
import {
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  formatOffsetSync,
  topicPartitionKey,
  type OffsetSync,
  type TopicPartition,
  RUN_START_HEADER,
} from '../../records/index.ts';
import type { Logger } from '../../util/logger.ts';
import type { EnsureTopicOutcome } from '../../connect/internal-topics.ts';
import { ensureRequiredTopic, type AccessContext } from '../../connect/not-authorized.ts';
import { Backoff, pause } from '../../connect/retry.ts';
import { MAX_OUTSTANDING_OFFSET_SYNCS, OffsetSyncQueue } from './offset-sync-queue.ts';

/**
 * Header our writer adds (with `markExact`) to every offset sync it sends. Value: 8 bytes, a
 * big-endian signed INT64 `s`, the *run start*.
 *
 * The rule. A sync `(u, d)` of upstream partition P carrying `s` asserts: this writer (one task
 * lifetime) was handed, through {@link OffsetSyncWriter.maybeQueueOffsetSyncs}, the records
 * `s, s+1, …, u` of P one after another, and they were acknowledged downstream at
 * `d-(u-s), …, d-1, d` — no upstream gap (compaction, transaction markers, a seek), no
 * downstream gap, no rewind on either side. So the upstream→downstream delta `d-u` was constant
 * over `[s, u]`, and for every upstream position `g` with `s <= g <= u+1` the exact downstream
 * position is `d - u + g` (for g <= u: where record g's first copy sits; for g = u+1: just after
 * record u). Beyond `u+1` only Java's lower bound `d+1` holds.
 *
 * The claim is self-contained: it does not depend on seeing the previous sync, so compaction of
 * the offset-syncs topic, a lost sync, a task restart or syncs from a Java writer in between
 * cannot make a reader over-trust it. A later copy of the same records (re-sent after a crash)
 * yields syncs with larger `d`; translating with either skips nothing, the later re-reads less.
 *
 * To make runs fully covered, the writer also sends a *closing* sync for the last record of a run
 * when the next record starts a new run and that last record's sync was not sent already (Java's
 * queues would drop it: a required sync replaces the delayed one). Closing syncs are extra
 * records with ordinary key/value bytes; Java readers (OffsetSyncStore, OffsetSyncFormatter) see
 * just one more sync, and header-blind readers are unaffected.
 *
 * Idle partitions: {@link OffsetSyncWriter.promoteIdleOffsetSync} lets the source task send a
 * partition's delayed sync (its last acknowledged record's) as soon as the partition is caught up
 * and quiet, rather than at the next position flush, so a group at its end translates exactly
 * (`u + 1` is covered by the run). It is the sync Java's promotion would send later, for that
 * partition only; nothing about the rules above changes.
 */

export interface OffsetSyncWriterOptions {
  /** The cluster holding the offset-syncs topic (per `offset-syncs.topic.location`). */
  cluster: KafkaCluster;
  /** `mm2-offset-syncs.<alias>.internal` (from the replication policy). */
  topic: string;
  /** Java `offset.lag.max`. */
  maxOffsetLag: bigint;
  /** Add {@link RUN_START_HEADER} and closing syncs (see there). Key/value bytes stay Java's. */
  markExact?: boolean;
  logger: Logger;
  /** Java `MAX_OUTSTANDING_OFFSET_SYNCS` (10). */
  maxInFlight?: number;
  /** Longest wait between retries of a failed send (default 10 s; starts at 100 ms). */
  maxRetryBackoffMs?: number;
  /** How long {@link OffsetSyncWriter.close} keeps trying to send what is queued (default 30 s). */
  closeTimeoutMs?: number;
}

/** Counters for metrics and tests. */
export interface OffsetSyncWriterStats {
  /** Syncs acknowledged by the offset-syncs topic. */
  sent: number;
  /** Closing syncs (markExact) among `sent`. */
  closingSent: number;
  /** Failed send attempts (each retried). */
  failedAttempts: number;
  /** Syncs given up on at close. */
  dropped: number;
  /** Delayed syncs promoted because their partition went idle ({@link OffsetSyncWriter.promoteIdleOffsetSync}). */
  idlePromoted: number;
}

interface Outgoing {
  sync: OffsetSync;
  runStart: bigint | undefined;
  permit: 'queue' | 'closing';
}

/** The run of consecutive records (markExact) a partition is in, and its queued syncs' run starts. */
interface RunState {
  start: bigint;
  prevUpstream: bigint;
  prevDownstream: bigint;
  /** Upstream offset of the last sync moved to the outbox. */
  lastEmittedUpstream: bigint;
  /** Mirrors the queue's one pending and one delayed entry for this partition. */
  pending: { upstream: bigint; runStart: bigint } | undefined;
  delayed: { upstream: bigint; runStart: bigint } | undefined;
}

/**
 * The I/O side of Java's `OffsetSyncWriter`: {@link OffsetSyncQueue} decides which syncs to send,
 * this class sends them to partition 0 of the offset-syncs topic.
 *
 * Sends go out in queue order through one sender (one produce in flight, carrying every sync
 * handed out so far), so syncs of a partition reach the topic in the order they were taken —
 * Java's OffsetSyncStore treats a sync with a lower upstream offset as a rewind and forgets the
 * partition's history, so order matters. At most `maxInFlight` queue syncs are out at once, as in
 * Java; when permits return, pending syncs are fired again without waiting for the next call.
 *
 * Failures: Java logs a failed send and drops the sync, but its producer first retries for
 * `delivery.timeout.ms` (2 min). Our sink gives up after ~10 attempts, so this writer logs
 * ("Failure sending offset sync.") and retries the same syncs, in order, with backoff, for as
 * long as it is open: the last sync of an idle partition is what makes its checkpoint current
 * (KAFKA-15906), and a retried duplicate is harmless. Memory stays bounded because held syncs
 * keep their permits, so the queue keeps coalescing to one sync per partition meanwhile.
 */
export class OffsetSyncWriter {
  readonly topic: string;
  private readonly cluster: KafkaCluster;
  private readonly logger: Logger;
  private readonly markExact: boolean;
  private readonly maxInFlight: number;
  private readonly maxRetryBackoffMs: number;
  private readonly closeTimeoutMs: number;
  private readonly queue: OffsetSyncQueue;
  private readonly runs = new Map<string, RunState>();
  private readonly outbox: Outgoing[] = [];
  private closingInFlight = 0;
  private sink: RecordSink | undefined;
  private draining: Promise<void> | undefined;
  private closeDeadline: number | undefined;
  private closed = false;
  private readonly counters: OffsetSyncWriterStats = {
    sent: 0,
    closingSent: 0,
    failedAttempts: 0,
    dropped: 0,
    idlePromoted: 0,
  };

  constructor(options: OffsetSyncWriterOptions) {
    this.topic = options.topic;
    this.cluster = options.cluster;
    this.logger = options.logger.child({ offsetSyncsTopic: options.topic });
    this.markExact = options.markExact ?? false;
    this.maxInFlight = options.maxInFlight ?? MAX_OUTSTANDING_OFFSET_SYNCS;
    this.maxRetryBackoffMs = options.maxRetryBackoffMs ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
    this.queue = new OffsetSyncQueue(options.maxOffsetLag, this.maxInFlight);
  }

  /**
   * Java's `maybeQueueOffsetSyncs`: record `upstreamOffset` of `upstream` was acknowledged at
   * `downstreamOffset`. Call it for every acknowledged record, in order per partition (markExact
   * relies on seeing each one); it only queues — {@link firePendingOffsetSyncs} sends.
   */
  maybeQueueOffsetSyncs(upstream: TopicPartition, upstreamOffset: bigint, downstreamOffset: bigint): void {
    if (this.closed) return;
    if (!this.markExact) {
      this.queue.queue(upstream, upstreamOffset, downstreamOffset);
      return;
    }
    const key = topicPartitionKey(upstream);
    const run = this.runs.get(key);
    if (run === undefined) {
      const runStart = upstreamOffset;
      const where = this.queue.queue(upstream, upstreamOffset, downstreamOffset);
      const entry = { upstream: upstreamOffset, runStart };
      this.runs.set(key, {
        start: runStart,
        prevUpstream: upstreamOffset,
        prevDownstream: downstreamOffset,
        lastEmittedUpstream: -1n,
        pending: where === 'pending' ? entry : undefined,
        delayed: where === 'delayed' ? entry : undefined,
      });
      return;
    }
    const continues = upstreamOffset === run.prevUpstream + 1n && downstreamOffset === run.prevDownstream + 1n;
    const closing: OffsetSync | undefined =
      continues || run.lastEmittedUpstream === run.prevUpstream
        ? undefined
        : { topicPartition: upstream, upstreamOffset: run.prevUpstream, downstreamOffset: run.prevDownstream };
    const closingRunStart = run.start;
    const pendingBefore = run.pending;
    if (!continues) run.start = upstreamOffset;
    const where = this.queue.queue(upstream, upstreamOffset, downstreamOffset);
    const entry = { upstream: upstreamOffset, runStart: run.start };
    if (where === 'pending') {
      run.pending = entry;
      run.delayed = undefined;
    } else {
      run.delayed = entry;
    }
    // Send the closing sync now (ahead of this record's) when this record replaced whatever the
    // queue held for the partition, or when nothing was pending. If an older sync is still
    // pending (this record went to delayed), skip it: sending it before that older one would
    // look like an upstream rewind to Java's OffsetSyncStore; if the pending one *is* the
    // previous record's, it is not needed.
    if (closing !== undefined && (where === 'pending' || pendingBefore === undefined)) {
      this.queueClosing(closing, closingRunStart, run);
    }
    run.prevUpstream = upstreamOffset;
    run.prevDownstream = downstreamOffset;
  }

  /**
   * {@link maybeQueueOffsetSyncs} for `count` records acknowledged as one contiguous run: upstream
   * offsets `upstreamFirst …+count-1` landed at downstream `downstreamFirst …+count-1` (a produce
   * batch of records without upstream gaps). Same outcome as the per-record calls; the first
   * record goes through the per-record rules, the rest in O(1).
   */
  maybeQueueOffsetSyncsRun(
    upstream: TopicPartition,
    upstreamFirst: bigint,
    downstreamFirst: bigint,
    count: number,
  ): void {
    if (this.closed || count <= 0) return;
    this.maybeQueueOffsetSyncs(upstream, upstreamFirst, downstreamFirst);
    if (count === 1) return;
    const { lastPendingUpstream, lastIsPending } = this.queue.queueContiguous(upstream, count - 1);
    if (!this.markExact) return;
    // The records continue the run, so no closing sync; mirror the queue's entries for the partition.
    const run = this.runs.get(topicPartitionKey(upstream))!;
    if (lastPendingUpstream !== undefined) {
      run.pending = { upstream: lastPendingUpstream, runStart: run.start };
      run.delayed = undefined;
    }
    run.prevUpstream = upstreamFirst + BigInt(count - 1);
    run.prevDownstream = downstreamFirst + BigInt(count - 1);
    if (!lastIsPending) run.delayed = { upstream: run.prevUpstream, runStart: run.start };
  }

  /** Java's `firePendingOffsetSyncs`: sends pending syncs while in-flight permits last. */
  firePendingOffsetSyncs(): void {
    if (this.closed) return;
    this.takePending();
    this.kick();
  }

  /**
   * Java's `promoteDelayedOffsetSyncs` (KAFKA-15906): call after each successful position flush,
   * then {@link firePendingOffsetSyncs}, so idle partitions get a sync for their last record.
   */
  promoteDelayedOffsetSyncs(): void {
    if (this.closed) return;
    this.queue.promoteDelayed();
    for (const run of this.runs.values()) {
      if (run.delayed !== undefined) {
        run.pending = run.delayed;
        run.delayed = undefined;
      }
    }
  }

  /**
   * {@link promoteDelayedOffsetSyncs} for one partition that went idle (the source task calls it
   * once the partition is caught up and nothing was acknowledged for a short while): its last
   * acknowledged record's sync, if only delayed, becomes pending, so a group that caught up
   * translates exactly without waiting for the next position flush (up to
   * `offset.flush.interval.ms`, 60 s by default). Java's promotion does the same for every
   * partition at each commit; doing it for one partition earlier sends the same sync, in the same
   * per-partition order. Returns whether a sync was promoted (call {@link firePendingOffsetSyncs}).
   */
  promoteIdleOffsetSync(upstream: TopicPartition): boolean {
    if (this.closed || !this.queue.promoteDelayedOf(upstream)) return false;
    if (this.markExact) {
      const run = this.runs.get(topicPartitionKey(upstream));
      if (run?.delayed !== undefined) {
        run.pending = run.delayed;
        run.delayed = undefined;
      }
    }
    this.counters.idlePromoted++;
    return true;
  }

  /** Resolves when every sync handed out so far has been sent (or dropped at close). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /**
   * Sends what is pending (Java's close sends only what is already in flight; sending the rest is
   * free and keeps translation current), waits up to `closeTimeoutMs`, then gives up on the rest
   * with an error log. Delayed syncs are not promoted: the source task does that after its final
   * position flush, as Java's commit() does.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closeDeadline = Date.now() + this.closeTimeoutMs;
    this.takePending();
    this.kick();
    // A send stuck inside the sink can outlive the deadline; stop waiting for it then.
    const timer = sleep(this.closeTimeoutMs + 1_000, 'timeout' as const, { ref: false });
    if ((await Promise.race([this.flush(), timer])) === 'timeout') {
      this.logger.error({ outbox: this.outbox.length }, 'offset-sync sends did not finish before close timed out');
    }
    this.closed = true;
    const left = this.queue.pending().length;
    if (left > 0) this.logger.warn({ pending: left }, 'offset syncs still pending at close were not sent');
    await this.sink?.close();
  }

  /** Counters since construction. */
  stats(): Readonly<OffsetSyncWriterStats> {
    return { ...this.counters };
  }

  private queueClosing(sync: OffsetSync, runStart: bigint, run: RunState): void {
    // Closing syncs add precision, never correctness: beyond maxInFlight outstanding, skip them
    // rather than let a stalled topic grow the outbox by one per record.
    if (this.closingInFlight >= this.maxInFlight) {
      this.logger.debug({ sync: formatOffsetSync(sync) }, 'too many closing offset syncs in flight; skipped');
      return;
    }
    this.closingInFlight++;
    run.lastEmittedUpstream = sync.upstreamOffset;
    this.outbox.push({ sync, runStart, permit: 'closing' });
  }

  private takePending(): void {
    this.queue.firePending((sync) => {
      let runStart: bigint | undefined;
      if (this.markExact) {
        const run = this.runs.get(topicPartitionKey(sync.topicPartition))!;
        // The queue hands out a partition's pending entry; if the mirror ever disagreed, send
        // the sync unmarked (a plain Java sync) rather than claim a run we cannot vouch for.
        if (run.pending?.upstream === sync.upstreamOffset) runStart = run.pending.runStart;
        run.pending = undefined;
        run.lastEmittedUpstream = sync.upstreamOffset;
      }
      this.outbox.push({ sync, runStart, permit: 'queue' });
    });
  }

  private kick(): void {
    if (this.draining !== undefined || this.outbox.length === 0) return;
    // Nobody may be awaiting this sender (flush() is optional): a bug in it must not become an
    // unhandled rejection that ends the process. What was not sent stays in the outbox.
    this.draining = this.drain()
      .catch((err: unknown) => this.logger.error({ err }, 'offset-sync sender failed; retried on the next fire'))
      .finally(() => {
        this.draining = undefined;
      });
  }

  private async drain(): Promise<void> {
    let failures = 0;
    const retryDelays = new Backoff({ initialMs: 100, maxMs: this.maxRetryBackoffMs });
    while (this.outbox.length > 0) {
      const batch = this.outbox.slice();
      try {
        this.sink ??= await this.cluster.recordSink({ acks: -1 });
        await this.sink.send(
          this.topic,
          batch.map((o) => this.toRecord(o)),
        );
      } catch (err) {
        failures++;
        this.counters.failedAttempts++;
        this.logger.error({ err, syncs: batch.length, attempt: failures }, 'Failure sending offset sync.');
        const delay = retryDelays.next();
        if (this.closeDeadline !== undefined && Date.now() + delay > this.closeDeadline) {
          this.dropOutbox();
          return;
        }
        await pause(delay);
        continue;
      }
      failures = 0;
      retryDelays.reset();
      this.outbox.splice(0, batch.length);
      for (const o of batch) {
        if (o.permit === 'queue') this.queue.release();
        else this.closingInFlight--;
        this.logger.trace({ sync: formatOffsetSync(o.sync), runStart: o.runStart }, "Sync'd offsets");
      }
      this.counters.sent += batch.length;
      this.counters.closingSent += batch.filter((o) => o.permit === 'closing').length;
      // Permits came back: send what queued up meanwhile (Java waits for the next fire call).
      this.takePending();
    }
  }

  private dropOutbox(): void {
    const dropped = this.outbox.splice(0);
    for (const o of dropped) {
      if (o.permit === 'queue') this.queue.release();
      else this.closingInFlight--;
    }
    this.counters.dropped += dropped.length;
    this.logger.error(
      { dropped: dropped.map((o) => formatOffsetSync(o.sync)) },
      'gave up sending offset syncs at close; checkpoints may lag until the next sync',
    );
  }

  private toRecord(o: Outgoing): ProducerRecord {
    const record: ProducerRecord = {
      partition: 0,
      key: encodeOffsetSyncKey(o.sync),
      value: encodeOffsetSyncValue(o.sync),
    };
    if (o.runStart !== undefined) {
      const value = Buffer.alloc(8);
      value.writeBigInt64BE(o.runStart, 0);
      record.headers = [{ key: RUN_START_HEADER, value }];
    }
    return record;
  }
}

/**
 * Java's `MirrorSourceConnector.createOffsetSyncsTopic`: the offset-syncs topic, 1 partition,
 * compacted, `offset-syncs.topic.replication.factor`. Only when `emit.offset-syncs.enabled`.
 * Unlike Java, a topic the cluster refuses to create (no Create ACL) and that is not there fails
 * with a NotAuthorizedError (src/connect/not-authorized.ts) naming the topic and the grant (`access`: the route's feature
 * and the refused client), instead of sends that are retried for ever as an unknown topic.
 */
export function ensureOffsetSyncsTopic(
  admin: KafkaAdmin,
  options: { name: string; replicationFactor: number; access?: AccessContext },
  logger: Logger,
): Promise<EnsureTopicOutcome> {
  return ensureRequiredTopic(
    admin,
    { name: options.name, partitions: 1, replicationFactor: options.replicationFactor },
    options.access ?? { feature: 'offset syncs' },
    logger,
  );
}
