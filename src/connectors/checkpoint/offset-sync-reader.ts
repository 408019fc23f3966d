import { CauseTracker } from '../../connect/cause-tracker.ts';
import { CompactedLog } from '../../connect/compacted-log.ts';
import { AbortedError, Backoff, pause, retry, type BackoffPolicy } from '../../connect/retry.ts';
import type { ConsumedRecord, KafkaAdmin, KafkaCluster, RecordSource } from '../../kafka/index.ts';
import { kafkaErrorName } from '../../kafka/index.ts';
import { isAuthorizationError } from '../../connect/not-authorized.ts';
import type { Logger } from '../../util/logger.ts';
import { readRunStart } from '../../records/index.ts';
import type { OffsetSyncStore } from './offset-sync-store.ts';

export interface OffsetSyncReaderOptions {
  /** The cluster holding the offset-syncs topic (Java `offset-syncs-consumer` settings). */
  cluster: KafkaCluster;
  /** An admin on the same cluster (log start and end of the topic). */
  admin: KafkaAdmin;
  topic: string;
  store: OffsetSyncStore;
  logger: Logger;
  /** Called with the record timestamp of every sync applied (metrics: the newest sync's age). */
  onSync?: (timestampMs: number) => void;
  /** Long-poll wait of a fetch at the end of the topic (Java `consumer.poll.timeout.ms`, 1 s). */
  pollTimeoutMs?: number;
  /**
   * The topic was refused for want of an ACL (Read, or Describe): the reader ends (retrying does
   * not grant it) and tells the owner, who fails (see CheckpointTask). Without it such a refusal
   * is logged and retried like any failed read.
   */
  onRefused?: (err: unknown) => void;
}

/** Waiting for the topic to appear, and starting over after a failed read. */
const RETRY_POLICY: BackoffPolicy = { initialMs: 200, maxMs: 30_000 };

/**
 * Java's `OffsetSyncStore` Kafka side (a `KafkaBasedLog` on partition 0 of the offset-syncs
 * topic, here a {@link CompactedLog}): reads the topic from its start into the
 * {@link OffsetSyncStore}, marks it read to end once the end offset seen at start is reached —
 * translation starts only then — and keeps tailing in the background until {@link stop}.
 *
 * Unlike Java, a malformed record or tombstone is skipped on its own (Java drops the rest of the
 * poll batch), and a missing topic (the source connector has not created it yet) is waited for.
 * A read that fails (a non-retriable error, or no progress for the log's stall timeout) is
 * logged as an error and started again from where it stood, with backoff: Java's work thread
 * logs poll errors and polls on.
 */
export class OffsetSyncReader {
  private readonly options: OffsetSyncReaderOptions;
  private readonly logger: Logger;
  private readonly stopController = new AbortController();
  private source: RecordSource | undefined;
  private loop: Promise<void> | undefined;
  private skipped = 0;

  constructor(options: OffsetSyncReaderOptions) {
    this.options = options;
    this.logger = options.logger.child({ offsetSyncsTopic: options.topic });
  }

  /**
   * Starts the store ({@link OffsetSyncStore.start}) and the reader. Resolves once the topic was
   * read to its end (or when stopped first); tailing goes on in the background.
   */
  async start(initializationMustReadToEnd: boolean): Promise<void> {
    this.options.store.start(initializationMustReadToEnd);
    let markRead!: () => void;
    const readToEnd = new Promise<void>((done) => (markRead = done));
    this.loop = this.run(markRead)
      .catch((err: unknown) => {
        if (err instanceof AbortedError) return;
        if (this.refusedForGood(err)) this.options.onRefused?.(err);
        else this.logger.error({ err }, 'offset-syncs reader ended unexpectedly');
      })
      .finally(markRead);
    await readToEnd;
  }

  /** Records skipped as malformed since start. */
  get skippedRecords(): number {
    return this.skipped;
  }

  /** Aborted once {@link stop} is called: work of the same task that should end with it can listen. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    await this.source?.close();
  }

  private async run(markRead: () => void): Promise<void> {
    const { admin, topic, cluster, store } = this.options;
    const signal = this.stopController.signal;
    const causes = new CauseTracker();
    await retry(
      `waiting for ${topic}`,
      async () => {
        const offsets = await admin.listOffsets(topic);
        if (!offsets.some((o) => o.partition === 0)) throw new Error(`${topic} has no partition 0`);
      },
      {
        policy: { initialMs: RETRY_POLICY.initialMs, maxMs: 2_000 },
        signal,
        // The source connector creates the topic: wait for it however long it takes (but not
        // for an ACL: see onRefused).
        retriable: (err) => !this.refusedForGood(err),
        onRetry: (err) => {
          const cause = kafkaErrorName(err) ?? (err instanceof Error ? err.message : String(err));
          if (causes.failed(topic, cause))
            this.logger.warn({ err }, 'offset-syncs topic not readable yet; waiting for it');
        },
      },
    );
    this.source = await cluster.recordSource({ maxWaitMs: this.options.pollTimeoutMs ?? 1_000 });
    const log = new CompactedLog({
      topic,
      source: this.source,
      admin,
      partitions: [0],
      onRecord: (r) => this.apply(r),
      signal,
      logger: this.logger,
    });
    await this.untilStopped(() => log.readToEnd(), 'reading the offset-syncs topic to its end failed');
    store.markReadToEnd();
    this.logger.info({ position: `${log.positions().get(0)}` }, 'offset-syncs topic read to end; translating');
    markRead();
    await this.untilStopped(() => log.tail(), 'tailing the offset-syncs topic failed');
  }

  /** Runs `read` again after each failure (logged, with backoff) until it succeeds or the reader stops. */
  private async untilStopped(read: () => Promise<void>, failure: string): Promise<void> {
    const backoff = new Backoff(RETRY_POLICY);
    for (;;) {
      try {
        return await read();
      } catch (err) {
        if (err instanceof AbortedError || this.stopController.signal.aborted) throw new AbortedError('offset-syncs');
        if (this.refusedForGood(err)) throw err;
        const delayMs = backoff.next();
        this.logger.error({ err, retryInMs: delayMs }, `${failure}; starting again`);
        if (!(await pause(delayMs, this.stopController.signal))) throw new AbortedError('offset-syncs');
      }
    }
  }

  private refusedForGood(err: unknown): boolean {
    return this.options.onRefused !== undefined && isAuthorizationError(err);
  }

  private apply(r: ConsumedRecord): void {
    try {
      this.options.store.handleRecord(r.key, r.value, readRunStart(r.headers));
      this.options.onSync?.(r.timestamp);
    } catch (err) {
      this.skipped++;
      this.logger.warn({ err, offset: r.offset.toString() }, 'skipping a malformed offset-sync record');
    }
  }
}
