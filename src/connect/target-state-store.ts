import type { KafkaCluster, RecordSink, RecordSource } from '../kafka/index.ts';
import type { Logger } from '../util/logger.ts';
import { CompactedLog } from './compacted-log.ts';
import type { TargetState } from './connector-runner.ts';
import { ensureCompactedTopic } from './internal-topics.ts';

export interface TargetStateStoreOptions {
  /** The target cluster of the route (where `mm2-configs.<S>.internal` lives). */
  cluster: KafkaCluster;
  /** Java `config.storage.topic`, by default `mm2-configs.<S>.internal`. */
  topic: string;
  /** Java `config.storage.replication.factor` (-1: broker default), used only when the topic is created. */
  replicationFactor: number;
  logger: Logger;
  /** Longest time reading the topic to its end may go without progress (default 60 s). */
  readTimeoutMs?: number;
}

const KEY_PREFIX = 'target-state-';
const STATES: ReadonlySet<string> = new Set<TargetState>(['STARTED', 'PAUSED', 'STOPPED']);

/**
 * The record Kafka Connect's `KafkaConfigBackingStore.putTargetState` writes: key
 * `target-state-<connector>` (a string), value the JSON converter's (schemas off) rendering of
 * `TARGET_STATE_V1`: `state` is what workers older than KIP-875 understand (STOPPED falls back to
 * PAUSED), `state.v2` the real one.
 */
export function encodeTargetState(connector: string, state: TargetState): { key: Buffer; value: Buffer } {
  return {
    key: Buffer.from(`${KEY_PREFIX}${connector}`, 'utf8'),
    value: Buffer.from(JSON.stringify({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state }), 'utf8'),
  };
}

/**
 * Decodes a config-topic record into a connector's target state: undefined when the record is not
 * a target-state record; `null` for a tombstone (Connect: the connector was deleted: start it).
 * Like Connect, `state.v2` wins over `state`; a value neither knows is ignored (undefined).
 */
export function decodeTargetState(
  key: Buffer | null,
  value: Buffer | null,
): { connector: string; state: TargetState | null } | undefined {
  const k = key?.toString('utf8');
  if (k === undefined || !k.startsWith(KEY_PREFIX)) return undefined;
  const connector = k.slice(KEY_PREFIX.length);
  if (value === null) return { connector, state: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  const state = typeof fields['state.v2'] === 'string' ? fields['state.v2'] : fields.state;
  return typeof state === 'string' && STATES.has(state) ? { connector, state: state as TargetState } : undefined;
}

/**
 * The target states of a flow's connectors, kept where Java MM2 keeps a flow's connector configs
 * and target states: the config topic (`mm2-configs.<S>.internal`, one partition, compacted) on
 * the target cluster, in Kafka Connect's record format, so Connect tooling reading the topic sees
 * a paused or stopped connector. Connector names are Java's (`MirrorSourceConnector`); the topic
 * is already per flow. Other records of the topic (connector and task configs a Java worker
 * wrote) are read past, never changed.
 */
export class TargetStateStore {
  readonly topic: string;
  private readonly states = new Map<string, TargetState>();
  private readonly cluster: KafkaCluster;
  private source: RecordSource | undefined;
  private sink: RecordSink | undefined;
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(options: TargetStateStoreOptions) {
    this.topic = options.topic;
    this.cluster = options.cluster;
  }

  /** Creates the topic if missing (compacted, one partition, as Connect requires) and reads it to its end. */
  static async open(options: TargetStateStoreOptions): Promise<TargetStateStore> {
    const store = new TargetStateStore(options);
    const logger = options.logger.child({ configTopic: options.topic });
    const admin = await options.cluster.admin();
    try {
      await ensureCompactedTopic(
        admin,
        { name: options.topic, partitions: 1, replicationFactor: options.replicationFactor },
        logger,
      );
      store.source = await options.cluster.recordSource();
      const log = new CompactedLog({
        topic: options.topic,
        source: store.source,
        admin,
        onRecord: (r) => {
          const decoded = decodeTargetState(r.key, r.value);
          if (!decoded) return;
          if (decoded.state === null) store.states.delete(decoded.connector);
          else store.states.set(decoded.connector, decoded.state);
        },
        stallTimeoutMs: options.readTimeoutMs ?? 60_000,
        logger,
      });
      await log.readToEnd();
    } catch (err) {
      await store.close();
      throw err;
    } finally {
      await admin.close();
    }
    if (store.states.size > 0) logger.info({ targetStates: Object.fromEntries(store.states) }, 'read target states');
    return store;
  }

  /** The stored target state of `connector` (Java's name); STARTED when none was stored. */
  get(connector: string): TargetState {
    return this.states.get(connector) ?? 'STARTED';
  }

  /** Stores `state` for `connector`; resolves once the target cluster acknowledged it (acks=all). */
  put(connector: string, state: TargetState): Promise<void> {
    const run = this.writeChain.then(async () => {
      this.sink ??= await this.cluster.recordSink({ acks: -1, timeoutMs: 30_000 });
      const { key, value } = encodeTargetState(connector, state);
      await this.sink.send(this.topic, [{ partition: 0, key, value }]);
      this.states.set(connector, state);
    });
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.writeChain;
    await Promise.all([this.source?.close(), this.sink?.close()]);
  }
}
