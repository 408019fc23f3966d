import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAdmin, KafkaCluster, RecordSource } from '../../kafka/index.ts';
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
}

/**
 * Java's `OffsetSyncStore` Kafka side (a `KafkaBasedLog` on partition 0 of the offset-syncs
 * topic): reads the topic from its start into the {@link OffsetSyncStore}, marks it read to end
 * once the end offset seen at start is reached — translation starts only then — and keeps
 * tailing in the background until {@link stop}.
 *
 * Unlike Java, a malformed record or tombstone is skipped on its own (Java drops the rest of the
 * poll batch), and a missing topic (the source connector has not created it yet) is waited for.
 */
export class OffsetSyncReader {
  private readonly options: OffsetSyncReaderOptions;
  private readonly logger: Logger;
  private readonly stopController = new AbortController();
  private source: RecordSource | undefined;
  private position = 0n;
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
    this.loop = this.run(markRead).finally(markRead);
    await readToEnd;
  }

  /** Records skipped as malformed since start. */
  get skippedRecords(): number {
    return this.skipped;
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    await this.source?.close();
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(markRead: () => void): Promise<void> {
    const { admin, topic, cluster, store } = this.options;
    let end: bigint | undefined;
    for (let attempt = 0; end === undefined && !this.stopped; attempt++) {
      try {
        const offsets = (await admin.listOffsets(topic)).find((o) => o.partition === 0);
        if (offsets === undefined) throw new Error(`${topic} has no partition 0`);
        this.position = offsets.earliest;
        end = offsets.latest;
      } catch (err) {
        if (attempt % 10 === 0) this.logger.warn({ err }, 'offset-syncs topic not readable yet; waiting for it');
        await this.pause(Math.min(200 * 2 ** attempt, 2_000));
      }
    }
    if (end === undefined) return;
    this.source = await cluster.recordSource({ maxWaitMs: this.options.pollTimeoutMs ?? 1_000 });
    let initial = true;
    while (!this.stopped) {
      if (initial && this.position >= end) {
        store.markReadToEnd();
        initial = false;
        this.logger.info({ position: this.position.toString() }, 'offset-syncs topic read to end; translating');
        markRead();
      }
      const started = Date.now();
      let gotRecords = false;
      try {
        const [fetched] = await this.source.fetch([{ topic, partition: 0, offset: this.position }]);
        if (fetched?.error === 'OFFSET_OUT_OF_RANGE') {
          // Compaction or deleteRecords moved the log start past us: go on from there.
          const now = (await admin.listOffsets(topic)).find((o) => o.partition === 0);
          this.position = now?.earliest ?? this.position;
        } else if (fetched !== undefined) {
          for (const r of fetched.records) this.apply(r.key, r.value, r.headers, r.timestamp, r.offset);
          gotRecords = fetched.records.length > 0;
          if (fetched.nextOffset > this.position) this.position = fetched.nextOffset;
        }
      } catch (err) {
        this.logger.warn({ err }, 'reading the offset-syncs topic failed; retrying');
      }
      // A fetch that returns at once with nothing (an error, a broker without long polling)
      // must not spin.
      if (!gotRecords && Date.now() - started < 100) await this.pause(200);
    }
  }

  private apply(
    key: Buffer | null,
    value: Buffer | null,
    headers: Parameters<typeof readRunStart>[0],
    timestamp: number,
    offset: bigint,
  ): void {
    try {
      this.options.store.handleRecord(key, value, readRunStart(headers));
      this.options.onSync?.(timestamp);
    } catch (err) {
      this.skipped++;
      this.logger.warn({ err, offset: offset.toString() }, 'skipping a malformed offset-sync record');
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopController.signal });
    } catch {
      // stopped
    }
  }
}
