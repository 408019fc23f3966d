import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../util/logger.ts';
import { KafkaPortError } from '../../util/errors.ts';
import type { KafkaClientSettings } from '../port.ts';
import type { ProtocolWriter } from '../wire/codec.ts';
import type { InternalBroker, InternalCluster, RawProtocolRequest } from './internals.d.ts';
import { kafkajsConfig } from './settings.ts';
import './quiet-timeout-warning.ts';

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
  private cluster: InternalCluster | undefined;
  private connecting: Promise<InternalCluster> | undefined;

  constructor(settings: KafkaClientSettings, logger: Logger) {
    this.settings = settings;
    this.logger = logger;
    this.kafka = new KafkaClient(kafkajsConfig(settings, logger));
  }

  /** The internal Cluster, connected. kafkajs keeps its factory behind a symbol; this version is pinned. */
  async internalCluster(): Promise<InternalCluster> {
    if (this.cluster) return this.cluster;
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
  async leaders(topic: string, refresh = false): Promise<Map<number, number>> {
    const cluster = await this.internalCluster();
    if (refresh) await cluster.refreshMetadata();
    await cluster.addMultipleTargetTopics([topic]);
    const leaders = new Map<number, number>();
    for (const p of cluster.findTopicPartitionMetadata(topic)) leaders.set(p.partitionId, p.leader);
    return leaders;
  }

  async broker(nodeId: number): Promise<InternalBroker> {
    const cluster = await this.internalCluster();
    return cluster.findBroker({ nodeId });
  }

  /** Sends one request we framed ourselves to `broker` and decodes the response with `decode`. */
  async send<T>(
    broker: InternalBroker,
    api: { apiKey: number; apiVersion: number; apiName: string },
    body: ProtocolWriter,
    decode: (payload: Buffer) => T,
    options: { expectResponse?: boolean; requestTimeoutMs?: number } = {},
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
