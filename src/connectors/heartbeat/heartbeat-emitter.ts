import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaCluster, RecordSink } from '../../kafka/index.ts';
import { encodeHeartbeatKey, encodeHeartbeatValue, heartbeatAt, type Heartbeat } from '../../records/index.ts';
import type { Logger } from '../../util/logger.ts';
import {
  ensureRequiredTopic,
  isAuthorizationError,
  notAuthorized,
  NotAuthorizedError,
  type AccessContext,
} from '../../connect/not-authorized.ts';
import type { ConnectOffsetsStore } from '../../connect/offsets-store.ts';

export interface HeartbeatEmitterOptions {
  /** The route's target cluster (heartbeats are written there). */
  cluster: KafkaCluster;
  /** The replication policy's `heartbeatsTopic()` (`heartbeats`). */
  topic: string;
  sourceClusterAlias: string;
  targetClusterAlias: string;
  /** `emit.heartbeats.enabled` / `emit.heartbeats.interval.seconds` (negative: disabled). */
  emitHeartbeats: { enabled: boolean; intervalSeconds: number };
  /** `heartbeats.topic.replication.factor`. */
  replicationFactor: number;
  /** Where Java's worker would store the heartbeat connector's offset; omit to not write it. */
  offsetsStore?: ConnectOffsetsStore;
  /** Java `offset.flush.interval.ms` (default 60 s): how often the `{"offset":0}` record is rewritten. */
  offsetFlushIntervalMs?: number;
  logger: Logger;
  /** Clock, for tests. */
  now?: () => number;
}

/** Counters for metrics and tests. */
export interface HeartbeatEmitterStats {
  emitted: number;
  failed: number;
  /** Timestamp of the last acknowledged heartbeat (epoch ms), or undefined. */
  lastEmittedAt: number | undefined;
}

/**
 * Java's MirrorHeartbeatConnector + MirrorHeartbeatTask for one route S->T: {@link start} creates
 * the heartbeats topic on T (1 partition, compacted; always, like the connector, even when
 * emission is off), then — if `emit.heartbeats.enabled` and the interval is not negative — every
 * interval writes `Heartbeat{S, T, now}` to partition 0 with record timestamp = `now`.
 *
 * Ticks are on a fixed schedule (start + k·interval, the first one interval after start, as Java
 * waits before its first poll); a tick that finds the previous send still running is skipped, so
 * at most one heartbeat is in flight. A failed send is logged and the next tick tries again (a
 * Java task would fail on a producer error and stay failed until restarted). Interval 0 makes
 * Java emit back to back; here it does the same, one acknowledged heartbeat after another.
 *
 * The Connect offset Java's worker flushes for this task (`["MirrorHeartbeatConnector",{…}]` →
 * `{"offset":0}`) is written after the first heartbeat, then at most once per
 * `offsetFlushIntervalMs` while heartbeats flow, and once more at stop.
 */
export class HeartbeatEmitter {
  private readonly options: HeartbeatEmitterOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private sink: RecordSink | undefined;
  private lastOffsetWriteAt: number | undefined;
  private heartbeatsSinceOffsetWrite = 0;
  private readonly counters: HeartbeatEmitterStats = { emitted: 0, failed: 0, lastEmittedAt: undefined };
  /** The last send's error while sends fail; undefined once one succeeds. */
  private lastFailure: unknown;
  /** The heartbeats topic was refused for want of an ACL and is not there: ensured again each tick. */
  private topicRefused = false;

  constructor(options: HeartbeatEmitterOptions) {
    this.options = options;
    this.logger = options.logger.child({
      connector: 'MirrorHeartbeatConnector',
      route: `${options.sourceClusterAlias}->${options.targetClusterAlias}`,
    });
    this.now = options.now ?? Date.now;
  }

  /** Interval in ms, or undefined when emission is off (Java: no task). */
  get intervalMs(): number | undefined {
    const { enabled, intervalSeconds } = this.options.emitHeartbeats;
    if (!enabled || intervalSeconds < 0) return undefined;
    return intervalSeconds * 1000;
  }

  /**
   * Ensures the heartbeats topic (a failure is logged, not thrown, as Java's Scheduler does), then
   * starts emitting. Resolves once the topic step is done; emission runs in the background.
   */
  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    try {
      await this.ensureTopic();
    } catch (err) {
      // Java's connector runs this on its Scheduler, which logs the failure and carries on; the
      // task then emits anyway (and its sends fail visibly until the topic exists).
      this.logger.error({ err, topic: this.options.topic }, 'could not create the heartbeats topic');
    }
    const interval = this.intervalMs;
    if (interval === undefined) {
      this.logger.info('emit.heartbeats disabled; heartbeats topic ensured, nothing emitted');
      this.loop = Promise.resolve();
      return;
    }
    this.loop = this.run(interval);
  }

  private get access(): AccessContext {
    const { sourceClusterAlias: s, targetClusterAlias: t } = this.options;
    return { feature: `${s}->${t} heartbeats`, client: this.options.cluster.settings };
  }

  /**
   * The heartbeats topic (src/connect/not-authorized.ts): a topic refused for want of a Create ACL
   * and not there is the task's failure (FAILED, naming topic and grant) until a later tick finds
   * it granted; sending to it would only be retried as an unknown topic.
   */
  private async ensureTopic(): Promise<void> {
    const admin = await this.options.cluster.admin();
    try {
      await ensureRequiredTopic(
        admin,
        { name: this.options.topic, partitions: 1, replicationFactor: this.options.replicationFactor },
        this.access,
        this.logger,
      );
      this.topicRefused = false;
    } catch (err) {
      if (!(err instanceof NotAuthorizedError)) throw err;
      this.topicRefused = true;
      this.lastFailure = err;
      throw err;
    } finally {
      await admin.close();
    }
  }

  /** Stops the schedule, waits for a heartbeat in flight, writes the final offset record. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    if (this.heartbeatsSinceOffsetWrite > 0) await this.writeOffset();
    await this.sink?.close();
  }

  /** The error of the latest heartbeat send when it failed (the task is then not doing its work). */
  get failure(): unknown {
    return this.lastFailure;
  }

  stats(): Readonly<HeartbeatEmitterStats> {
    return { ...this.counters };
  }

  private async run(intervalMs: number): Promise<void> {
    const signal = this.stopController.signal;
    let next = this.now() + intervalMs;
    while (!signal.aborted) {
      const wait = next - this.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return; // stopped
        }
      }
      // Skip ticks missed while a send was slow rather than firing them in a burst.
      next = Math.max(next + intervalMs, this.now());
      await this.emitOne();
      if (intervalMs === 0) next = this.now();
    }
  }

  private async emitOne(): Promise<void> {
    const at = this.now();
    const heartbeat: Heartbeat = heartbeatAt(this.options.sourceClusterAlias, this.options.targetClusterAlias, at);
    try {
      if (this.topicRefused) await this.ensureTopic();
      this.sink ??= await this.options.cluster.recordSink({ acks: -1 });
      await this.sink.send(this.options.topic, [
        { partition: 0, key: encodeHeartbeatKey(heartbeat), value: encodeHeartbeatValue(heartbeat), timestamp: at },
      ]);
    } catch (err) {
      this.counters.failed++;
      // A refused Write names the topic, the principal and the grant in the task's trace.
      this.lastFailure = isAuthorizationError(err)
        ? notAuthorized(this.access, { operation: 'Write', resource: this.options.topic }, err)
        : err;
      this.logger.error(
        { err: this.lastFailure, topic: this.options.topic },
        'failed to emit heartbeat; retrying at the next interval',
      );
      return;
    }
    this.counters.emitted++;
    this.counters.lastEmittedAt = at;
    this.lastFailure = undefined;
    this.heartbeatsSinceOffsetWrite++;
    const flushEvery = this.options.offsetFlushIntervalMs ?? 60_000;
    if (this.lastOffsetWriteAt === undefined || this.now() - this.lastOffsetWriteAt >= flushEvery) {
      await this.writeOffset();
    }
  }

  private async writeOffset(): Promise<void> {
    const store = this.options.offsetsStore;
    if (store === undefined) return;
    this.lastOffsetWriteAt = this.now();
    try {
      await store.writeHeartbeatOffset(this.options.sourceClusterAlias, this.options.targetClusterAlias);
      this.heartbeatsSinceOffsetWrite = 0;
    } catch (err) {
      // Never read back by MM2 (facts §3.2); only kept for tools that inspect the offsets topic.
      this.logger.warn({ err }, 'failed to write the heartbeat connector offset');
    }
  }
}
