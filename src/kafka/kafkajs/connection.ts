import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../../util/logger.ts';
import { KafkaPortError } from '../../util/errors.ts';
import type { KafkaClientSettings } from '../port.ts';
import type { ProtocolWriter } from '../wire/codec.ts';
import {
  decodeMetadataResponse,
  decodeMetadataResponseV12,
  encodeMetadataRequest,
  encodeMetadataRequestV12,
  METADATA_API_KEY,
  METADATA_TOPIC_IDS_VERSION,
  METADATA_VERSION,
  type MetadataTopicWithId,
} from '../wire/metadata.ts';
import type { InternalBroker, InternalCluster, RawProtocolRequest } from './internals.d.ts';
import { withPortErrors, type PortErrorContext, type PortOrigin } from './port-errors.ts';
import { quietRequestQueueTimers } from './request-queue-timer.ts';
import { writeRequest } from './request-writes.ts';
import { ENCRYPTED_KEY_DOES_NOT_OPEN } from './security-faults.ts';
import { kafkajsConfig, tlsOptions } from './settings.ts';

const { Kafka: KafkaClient } = kafkajs;

/**
 * One kafkajs client and its internal Cluster (metadata, broker connections, SASL/TLS) for one
 * Kafka cluster. The record source and sink frame their own requests and send them through the
 * Cluster's broker connections, so kafkajs's consumer-group and record-codec layers stay out of
 * the data path.
 */
export class KafkajsConnection {
  readonly kafka: Kafka;
  readonly settings: KafkaClientSettings;
  readonly logger: Logger;
  /** Which cluster this client talks to, for every error it lets escape. */
  readonly origin: PortOrigin;
  /** Why the TLS key material cannot be used, found before any connection is tried. */
  private readonly tlsMaterialError: unknown;
  private cluster: InternalCluster | undefined;
  private connecting: Promise<InternalCluster> | undefined;
  /** New topics of {@link leadersOf} calls of this turn of the event loop, added in one refresh. */
  private learning: { topics: Set<string>; added: Promise<void> } | undefined;
  /** The last {@link leadersOf} answer read from fresh metadata, for the same topics asked again. */
  private lastLeaders:
    | { topics: readonly string[]; metadata: object; leaders: ReadonlyMap<string, ReadonlyMap<number, number>> }
    | undefined;

  constructor(settings: KafkaClientSettings, logger: Logger) {
    quietRequestQueueTimers();
    this.settings = settings;
    this.logger = logger;
    this.origin = {
      ...(settings.clusterAlias !== undefined ? { cluster: settings.clusterAlias } : {}),
      bootstrap: settings.bootstrapServers,
    };
    this.tlsMaterialError = tlsMaterialError(settings);
    this.kafka = new KafkaClient(kafkajsConfig(settings, logger));
  }

  /** Runs one port call of this cluster, turning what it throws into a port error naming the cluster. */
  portErrors<T>(context: PortErrorContext, call: () => Promise<T>): Promise<T> {
    return withPortErrors(context, call, this.origin);
  }

  /**
   * Fails at once when the TLS key material is unusable (wrong passphrase, not PEM): kafkajs would
   * meet the same error on every connection attempt and retry it as a network error.
   */
  checkTlsMaterial(): void {
    if (this.tlsMaterialError !== undefined) throw this.tlsMaterialError;
  }

  /** The internal Cluster, connected. kafkajs keeps its factory behind a symbol; this version is pinned. */
  async internalCluster(): Promise<InternalCluster> {
    if (this.cluster) return this.cluster;
    this.checkTlsMaterial();
    this.connecting ??= (async () => {
      const factorySymbol = Object.getOwnPropertySymbols(this.kafka).find(
        (s) => s.description === 'private:Kafka:createCluster',
      );
      if (!factorySymbol)
        throw new KafkaPortError('ERR_KAFKAJS_INTERNALS', 'kafkajs internals changed: no cluster factory', {
          retriable: false,
        });
      const factory = (this.kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[factorySymbol]!;
      const cluster = factory({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 });
      await cluster.connect();
      this.cluster = cluster;
      return cluster;
    })();
    try {
      return await this.connecting;
    } catch (err) {
      this.connecting = undefined;
      throw err;
    }
  }

  /** The broker leading each partition of `topic`, from (refreshed if asked) metadata. */
  async leaders(topic: string, refresh = false): Promise<ReadonlyMap<number, number>> {
    return (await this.leadersOf([topic], refresh)).get(topic)!;
  }

  /**
   * The broker leading each partition of each of `topics`, from one metadata lookup. Per topic,
   * kafkajs' `addMultipleTargetTopics` copies the set of every topic the client knows and
   * `findTopicPartitionMetadata` scans every topic's metadata: asking topic by topic costs
   * topics² per fetch, which dominated an idle mirror of 1,000 topics
   * (docs/benchmarks/2026-11-30-scale.md). Topics without metadata map to an empty map.
   *
   * A reader asking for the same topics array as last time (a source task's fetch rounds, see
   * LeaderLayout) under the same fresh metadata gets the same answer back without a pass over
   * its topics.
   */
  async leadersOf(
    topics: readonly string[],
    refresh = false,
  ): Promise<ReadonlyMap<string, ReadonlyMap<number, number>>> {
    const cluster = await this.internalCluster();
    const last = this.lastLeaders;
    if (
      !refresh &&
      last !== undefined &&
      last.topics === topics &&
      last.metadata === cluster.brokerPool.metadata &&
      !metadataExpired(cluster)
    )
      return last.leaders;
    const unknown = topics.filter((t) => !cluster.targetTopics.has(t));
    let out: Map<string, ReadonlyMap<number, number>> | undefined;
    try {
      if (refresh) await cluster.refreshMetadata();
      if (unknown.length > 0) await this.learnTogether(cluster, unknown);
      else if (metadataExpired(cluster)) await cluster.refreshMetadataIfNecessary();
      else {
        // Fresh metadata: kafkajs would refresh only if a known topic is missing from it.
        const cached = leadersIn(cluster, topics);
        if (cached.complete) {
          const metadata = cluster.brokerPool.metadata!;
          this.lastLeaders = { topics, metadata, leaders: cached.leaders };
          return cached.leaders;
        }
        await cluster.refreshMetadataIfNecessary();
      }
    } catch (err) {
      if ((err as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || cluster.targetTopics.size === 0)
        throw err;
      // As in leaders(): forget the topics asked about before, one may have been deleted.
      cluster.targetTopics = new Set();
      await cluster.addMultipleTargetTopics([...topics]);
      out = undefined;
    }
    out ??= leadersIn(cluster, topics).leaders;
    for (const t of topics) if (!out.has(t)) out.set(t, new Map());
    return out;
  }

  /**
   * kafkajs refreshes the metadata of every topic it knows once per call that adds a new one, one
   * call at a time: a first produce to 1,000 new remote topics (one send per topic) made 1,000
   * growing refreshes. The calls of one turn of the event loop add their topics in one refresh. If
   * it fails (kafkajs then forgets the new topics), every caller gets the error and takes the
   * fallback of {@link leadersOf} with its own topics, as before.
   */
  private learnTogether(cluster: InternalCluster, topics: readonly string[]): Promise<void> {
    let batch = this.learning;
    if (batch === undefined) {
      const set = new Set<string>();
      const added = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.learning = undefined;
        return cluster.addMultipleTargetTopics([...set]);
      });
      batch = this.learning = { topics: set, added };
    }
    for (const t of topics) batch.topics.add(t);
    return batch.added;
  }

  /**
   * The leaders of `topics` from one Metadata request of our own to a broker the client knows,
   * with each topic's own error code. kafkajs's lookups fail as a whole when one topic is unknown
   * (and retry that first, for seconds): right after CreateTopics a broker may not know the
   * newest topics yet for tens of seconds while it creates the logs of the ones before
   * (docs/benchmarks/2026-11-30-scale-3.md). `errors`: topic → Kafka error code.
   */
  async leadersEach(
    topics: readonly string[],
  ): Promise<{ leaders: Map<string, ReadonlyMap<number, number>>; errors: Map<string, number> }> {
    const broker = await this.metadataBroker();
    const answer = await this.send(
      broker,
      { apiKey: METADATA_API_KEY, apiVersion: METADATA_VERSION, apiName: 'Metadata' },
      encodeMetadataRequest(topics),
      decodeMetadataResponse,
    );
    const leaders = new Map<string, Map<number, number>>();
    const errors = new Map<string, number>();
    for (const t of answer) {
      if (t.errorCode !== 0) {
        errors.set(t.name, t.errorCode);
        continue;
      }
      leaders.set(t.name, new Map(t.partitions.map((p) => [p.partition, p.leader])));
    }
    return { leaders, errors };
  }

  /**
   * The topic ids of `topics` (Metadata v12, KIP-516), each with its own error code; undefined
   * when the broker answers no version with ids (before Kafka 3.1): the reader then names topics.
   */
  async topicIdsOf(topics: readonly string[]): Promise<MetadataTopicWithId[] | undefined> {
    const broker = await this.metadataBroker();
    if (!supports(broker, METADATA_API_KEY, METADATA_TOPIC_IDS_VERSION)) return undefined;
    return this.send(
      broker,
      { apiKey: METADATA_API_KEY, apiVersion: METADATA_TOPIC_IDS_VERSION, apiName: 'Metadata' },
      encodeMetadataRequestV12(topics),
      decodeMetadataResponseV12,
    );
  }

  /** A broker to ask for metadata: the first one metadata lists, or the bootstrap broker before any. */
  private async metadataBroker(): Promise<InternalBroker> {
    const cluster = await this.internalCluster();
    const nodeId = cluster.brokerPool.metadata?.brokers[0]?.nodeId;
    // No metadata yet (a new client whose first lookup failed): the bootstrap broker kafkajs
    // connected to (its BrokerPool's seedBroker).
    const broker =
      nodeId !== undefined
        ? await this.broker(nodeId)
        : (cluster.brokerPool as { seedBroker?: InternalBroker }).seedBroker;
    if (broker === undefined)
      throw new KafkaPortError('ERR_NO_METADATA', 'no broker connected yet to ask for topic metadata', {
        retriable: true,
      });
    return broker;
  }

  async broker(nodeId: number): Promise<InternalBroker> {
    const cluster = await this.internalCluster();
    return cluster.findBroker({ nodeId });
  }

  /**
   * {@link broker}, loading this client's metadata first when it has none: a client opened only
   * to send on (a produce lane, produce-dispatcher.ts) never asked for any, and kafkajs knows a
   * broker only from metadata.
   */
  async brokerToSendTo(nodeId: number): Promise<InternalBroker> {
    const cluster = await this.internalCluster();
    if (cluster.brokerPool.metadata === undefined || cluster.brokerPool.metadata === null)
      await cluster.refreshMetadata();
    return cluster.findBroker({ nodeId });
  }

  /**
   * Sends one request we framed ourselves to `broker` and decodes the response with `decode`.
   *
   * The request header and the body's pieces are written straight to the broker connection's
   * socket (one corked writev), through kafkajs's own request queue (correlation ids, in-flight
   * limit, timeouts, response matching). kafkajs's `connection.send` would copy the whole request
   * twice into zero-filled power-of-two buffers first: for produce requests of several MB that
   * was ~9 % of the mirror's CPU and most of its transient memory. A connection that has to
   * (re)authenticate with SASL first takes kafkajs's path, which does that.
   */
  async send<T>(
    broker: InternalBroker,
    api: { apiKey: number; apiVersion: number; apiName: string },
    body: ProtocolWriter,
    decode: (payload: Buffer) => T,
    options: { expectResponse?: boolean; requestTimeoutMs?: number } = {},
  ): Promise<T> {
    const connection = await broker.connectionPool.getConnectionByRequest({ request: { apiKey: api.apiKey } });
    if (connection.sasl && !connection.isAuthenticated())
      return this.sendThroughKafkajs(broker, api, body, decode, options);
    connection.failIfNotConnected();
    const expectResponse = options.expectResponse !== false;
    const correlationId = connection.nextCorrelationId();
    const pieces = body.chunks();
    const header = requestHeader(api.apiKey, api.apiVersion, correlationId, connection.clientId, body.length);
    const completed = await new Promise<{ payload: Buffer | null }>((resolve, reject) => {
      connection.requestQueue.push({
        entry: { ...api, correlationId, resolve, reject },
        expectResponse,
        ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
        sendRequest: () => writeRequest(connection.socket, header, pieces),
      });
    });
    if (!expectResponse || completed.payload === null) return undefined as T;
    return decode(completed.payload);
  }

  /** kafkajs's own send path (copies the request; authenticates first when needed). */
  private async sendThroughKafkajs<T>(
    broker: InternalBroker,
    api: { apiKey: number; apiVersion: number; apiName: string },
    body: ProtocolWriter,
    decode: (payload: Buffer) => T,
    options: { expectResponse?: boolean; requestTimeoutMs?: number },
  ): Promise<T> {
    const encoded = body.toKafkajsEncoder();
    const request: RawProtocolRequest<T> = {
      request: {
        ...api,
        encode: () => Promise.resolve(encoded),
        ...(options.expectResponse === false ? { expectResponse: () => false } : {}),
      },
      response: {
        decode: (payload: Buffer) => Promise.resolve(decode(payload)),
        parse: (decoded: T) => Promise.resolve(decoded),
      },
      ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    };
    return broker.connectionPool.send(request);
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    this.connecting = undefined;
    if (cluster) await cluster.disconnect();
  }
}

/** Whether `broker` answers version `version` of API `apiKey` (from its ApiVersions answer). */
export function supports(broker: InternalBroker, apiKey: number, version: number): boolean {
  const range = broker.versions?.[apiKey];
  return range !== undefined && range.minVersion <= version && version <= range.maxVersion;
}

/** The error Node raises for the TLS options of `settings` (bad passphrase, unreadable PEM), if any. */
function tlsMaterialError(settings: KafkaClientSettings): unknown {
  const options = tlsOptions(settings);
  if (typeof options !== 'object') return undefined;
  try {
    createSecureContext(options);
    return undefined;
  } catch (err) {
    return encryptedKeyError(settings.tls?.key, settings.tls?.passphrase) ?? err;
  }
}

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/**
 * The fault of an encrypted private key that does not open with its passphrase, or undefined. A
 * wrong passphrase decrypts the key to garbage: OpenSSL says "bad decrypt" when the garbage's
 * padding is invalid, but about one wrong passphrase in 256 leaves valid padding and fails later,
 * parsing the key (ERR_OSSL_UNSUPPORTED, which reads as unreadable PEM). Either way the passphrase
 * is what the operator has to check.
 */
function encryptedKeyError(key: string | undefined, passphrase: string | undefined): Error | undefined {
  if (key === undefined || !ENCRYPTED_PEM.test(key)) return undefined;
  try {
    createPrivateKey(passphrase === undefined ? { key } : { key, passphrase });
    return undefined;
  } catch (err) {
    return Object.assign(
      new Error('the encrypted private key does not open with the passphrase given', { cause: err }),
      { code: ENCRYPTED_KEY_DOES_NOT_OPEN },
    );
  }
}

/** Size prefix and request header v1 (the header of every non-flexible request version). */
function requestHeader(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  bodyLength: number,
): Buffer {
  const id = clientId === null ? null : Buffer.from(clientId, 'utf8');
  const headerLength = 2 + 2 + 4 + 2 + (id?.length ?? 0);
  const out = Buffer.allocUnsafe(4 + headerLength);
  let at = out.writeInt32BE(headerLength + bodyLength, 0);
  at = out.writeInt16BE(apiKey, at);
  at = out.writeInt16BE(apiVersion, at);
  at = out.writeInt32BE(correlationId, at);
  at = out.writeInt16BE(id === null ? -1 : id.length, at);
  if (id !== null) id.copy(out, at);
  return out;
}

/**
 * Whether kafkajs' `refreshMetadataIfNecessary` would refresh on age alone: no metadata yet, or
 * older than `metadataMaxAge`. Its other test — every topic the client knows present in the
 * metadata — compares topics × topics names on every call (`BrokerPool.refreshMetadataIfNecessary`),
 * which was 28 % of an idle mirror's CPU at 1,000 topics, one call per fetch round
 * (docs/benchmarks/2026-11-30-scale-5.md); {@link leadersIn} tests only the topics asked about.
 */
function metadataExpired(cluster: InternalCluster): boolean {
  const pool = cluster.brokerPool;
  return pool.metadata == null || pool.metadataExpireAt == null || Date.now() > pool.metadataExpireAt;
}

/**
 * Every topic's partition leaders, built once per metadata snapshot: kafkajs replaces
 * `brokerPool.metadata` at each refresh and never changes it in place, so a fetch round looks its
 * topics up instead of rebuilding 8,000 partitions' leaders (5 % of the idle CPU above).
 */
const leaderTables = new WeakMap<object, Map<string, ReadonlyMap<number, number>>>();

/** The leaders of each of `topics` found in the cached metadata; `complete` when every one was. */
function leadersIn(
  cluster: InternalCluster,
  topics: readonly string[],
): { leaders: Map<string, ReadonlyMap<number, number>>; complete: boolean } {
  const leaders = new Map<string, ReadonlyMap<number, number>>();
  const metadata = cluster.brokerPool.metadata;
  if (metadata === undefined) return { leaders, complete: topics.length === 0 };
  let table = leaderTables.get(metadata);
  if (table === undefined) {
    table = new Map();
    for (const t of metadata.topicMetadata ?? []) {
      const byPartition = new Map<number, number>();
      for (const p of t.partitionMetadata) byPartition.set(p.partitionId, p.leader);
      table.set(t.topic, byPartition);
    }
    leaderTables.set(metadata, table);
  }
  let complete = true;
  for (const t of topics) {
    const found = table.get(t);
    if (found === undefined) complete = false;
    else leaders.set(t, found);
  }
  return { leaders, complete };
}
