import { hostname } from 'node:os';
import type { KafkaAdmin, KafkaCluster, RecordSink } from '../kafka/index.ts';
import { offsetsTopicPartitionFor } from '../records/index.ts';
import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { CauseTracker } from './cause-tracker.ts';
import { CompactedLog } from './compacted-log.ts';
import { ensureCompactedTopic } from './internal-topics.ts';
import type { ConnectorStatusEntry, WorkStatus } from './states.ts';

/** Kafka Connect's default `status.storage.partitions`. */
export const DEFAULT_STATUS_STORAGE_PARTITIONS = 5;

export interface StatusStoreOptions {
  /** The target cluster of the route (where `mm2-status.<S>.internal` lives). */
  cluster: KafkaCluster;
  /** Java `status.storage.topic`, by default `mm2-status.<S>.internal`. */
  topic: string;
  /** Java `status.storage.partitions`, used only when the topic is created. */
  partitions: number;
  /** Java `status.storage.replication.factor` (-1: broker default), used only when the topic is created. */
  replicationFactor: number;
  /** Connect's `worker_id` in each record (default: the host name, as the REST API reports it). */
  workerId?: string;
  logger: Logger;
}

/**
 * The value `KafkaStatusBackingStore` writes for a connector or task state: the JSON converter's
 * (schemas off) rendering of `STATUS_SCHEMA_V0`, fields in schema order, `trace` null when absent.
 */
export function encodeStatus(status: WorkStatus, workerId: string, generation: number): Buffer {
  return Buffer.from(
    JSON.stringify({ state: status.state, trace: status.trace ?? null, worker_id: workerId, generation }),
    'utf8',
  );
}

/** `status-connector-<name>` and `status-task-<name>-<id>`, Connect's status keys. */
export const connectorStatusKey = (connector: string): string => `status-connector-${connector}`;
export const taskStatusKey = (connector: string, task: number): string => `status-task-${connector}-${task}`;

/**
 * A flow's connector and task states written where Java MM2's Connect worker writes them: the
 * status topic on the target cluster (`mm2-status.<S>.internal`), in `KafkaStatusBackingStore`'s
 * format, so Connect tooling that reads the topic sees each connector and task as the REST API
 * shows it. {@link observe} is called with the current states; only changes are written. A task
 * that is gone (a stopped connector has none) gets a tombstone, as Connect writes for a removed
 * task. Writes are best effort: a failed write is logged (once per cause) and retried with the
 * next change or the next {@link observe} — the topic reports states, nothing reads them back.
 */
export class StatusStore {
  readonly topic: string;
  private readonly cluster: KafkaCluster;
  private readonly workerId: string;
  private readonly logger: Logger;
  private readonly partitions: number;
  /** Key → the value last written (null: tombstone). */
  private readonly written = new Map<string, string | null>();
  private readonly causes = new CauseTracker();
  private sink: RecordSink | undefined;
  private writing: Promise<void> = Promise.resolve();
  private inFlight = false;
  /** States waiting to be written. */
  private latest: readonly ConnectorStatusEntry[] | undefined;

  private constructor(options: StatusStoreOptions, partitions: number) {
    this.topic = options.topic;
    this.cluster = options.cluster;
    this.workerId = options.workerId ?? hostname();
    this.logger = options.logger.child({ statusTopic: options.topic });
    this.partitions = partitions;
  }

  /** Creates the topic if missing (compacted) and learns its partition count (writes are keyed as Java's producer keys them). */
  static async open(options: StatusStoreOptions): Promise<StatusStore> {
    const admin = await options.cluster.admin();
    try {
      await ensureCompactedTopic(
        admin,
        { name: options.topic, partitions: options.partitions, replicationFactor: options.replicationFactor },
        options.logger,
      );
      const [description] = await admin.describeTopics([options.topic]);
      const count = description?.partitions.length ?? 0;
      const store = new StatusStore(options, count > 0 ? count : options.partitions);
      await store.learnWrittenTasks(admin);
      return store;
    } finally {
      await admin.close();
    }
  }

  /**
   * Task states already in the topic (written by an earlier run of this flow) count as written,
   * so a task that no longer exists gets its tombstone at the first write instead of staying in
   * the topic with its last state. Best effort, like every write here: a topic that cannot be
   * read only means such leftovers stay until their task reappears.
   */
  private async learnWrittenTasks(admin: Pick<KafkaAdmin, 'listOffsets'>): Promise<void> {
    const source = await this.cluster.recordSource();
    try {
      const log = new CompactedLog({
        topic: this.topic,
        source,
        admin,
        onRecord: (r) => {
          const key = r.key?.toString('utf8');
          if (key === undefined || !key.startsWith('status-task-')) return;
          if (r.value === null) this.written.delete(key);
          else this.written.set(key, r.value.toString('utf8'));
        },
        stallTimeoutMs: 10_000,
        logger: this.logger,
      });
      await log.readToEnd();
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'cannot read the status topic; task states of an earlier run stay');
    } finally {
      await source.close();
    }
  }

  /**
   * Writes what changed in `connectors` since the last write (connector names are Java's). A call
   * while a write is in flight is written after it (only the latest states).
   */
  observe(connectors: readonly ConnectorStatusEntry[]): void {
    this.latest = connectors;
    if (this.inFlight) return;
    this.inFlight = true;
    this.writing = (async () => {
      try {
        while (this.latest !== undefined) {
          const states = this.latest;
          this.latest = undefined;
          await this.write(states);
        }
      } finally {
        this.inFlight = false;
      }
    })();
  }

  private async write(connectors: readonly ConnectorStatusEntry[]): Promise<void> {
    const next = new Map<string, string | null>();
    for (const c of connectors) {
      next.set(connectorStatusKey(c.name), encodeStatus(c, this.workerId, 0).toString('utf8'));
      for (const t of c.tasks) {
        next.set(taskStatusKey(c.name, t.id), encodeStatus(t, this.workerId, 0).toString('utf8'));
      }
    }
    // Tasks written before (also by an earlier run) and gone now: tombstones (Connect's
    // DESTROYED). Only where the connector's task set is known: RUNNING (its tasks are the set)
    // or STOPPED (it has none), or the connector is gone. A PAUSED connector restored at start
    // has not built its tasks yet, and a FAILED one may have lost them only for now: their
    // earlier records stay, as Connect keeps the tasks of a paused connector.
    const states = new Map(connectors.map((c) => [c.name, c.state]));
    for (const [key, value] of this.written) {
      if (value === null || !key.startsWith('status-task-') || next.has(key)) continue;
      const owner = states.get(key.slice('status-task-'.length, key.lastIndexOf('-')));
      if (owner === undefined || owner === 'RUNNING' || owner === 'STOPPED') next.set(key, null);
    }
    const changed = [...next].filter(([key, value]) => this.written.get(key) !== value);
    if (changed.length === 0) return;
    try {
      this.sink ??= await this.cluster.recordSink({ acks: -1, timeoutMs: 30_000 });
      await this.sink.send(
        this.topic,
        changed.map(([key, value]) => {
          const keyBytes = Buffer.from(key, 'utf8');
          return {
            partition: offsetsTopicPartitionFor(keyBytes, this.partitions),
            key: keyBytes,
            value: value === null ? null : Buffer.from(value, 'utf8'),
          };
        }),
      );
      for (const [key, value] of changed) this.written.set(key, value);
      this.causes.succeeded('writing states');
    } catch (err) {
      const cause = describeError(err);
      if (this.causes.failed('writing states', cause)) {
        this.logger.warn({ err: cause }, 'cannot write to the status topic; retrying with the next change');
      }
    }
  }

  /** Waits for the write in progress, then releases the producer. */
  async close(): Promise<void> {
    await this.writing;
    await this.sink?.close();
  }
}
