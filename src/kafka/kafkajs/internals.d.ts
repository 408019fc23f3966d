// Types for the kafkajs 2.2.4 internals this adapter uses (the package ships none for them).
// kafkajs is pinned exactly in package.json: these shapes were read from its sources.

export interface RawProtocolRequest<T> {
  request: {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    encode(): Promise<{ buf: Buffer; buffer: Buffer }>;
    expectResponse?(): boolean;
  };
  response: {
    decode(payload: Buffer): Promise<T>;
    parse(decoded: T): Promise<T>;
  };
  requestTimeout?: number;
  logResponseError?: boolean;
}

/** What kafkajs's request queue resolves a request's entry with. */
export interface CompletedRequest {
  payload: Buffer | null;
}

/** The parts of kafkajs's network/connection.js the direct send path uses. */
export interface InternalConnection {
  clientId: string | null;
  sasl: object | null | undefined;
  socket: import('node:net').Socket;
  isAuthenticated(): boolean;
  failIfNotConnected(): void;
  nextCorrelationId(): number;
  requestQueue: {
    push(request: {
      entry: {
        apiKey: number;
        apiName: string;
        apiVersion: number;
        correlationId: number;
        resolve(completed: CompletedRequest): void;
        reject(err: unknown): void;
      };
      expectResponse: boolean;
      requestTimeout?: number;
      sendRequest(): void;
    }): void;
  };
}

export interface InternalBroker {
  nodeId: number;
  /** The broker's ApiVersions answer by API key, once connected. */
  versions?: Record<number, { minVersion: number; maxVersion: number }> | null;
  connectionPool: {
    send<T>(request: RawProtocolRequest<T>): Promise<T>;
    /** Connects (and authenticates) the pooled connection for this API key if needed. */
    getConnectionByRequest(request: { request: { apiKey: number } }): Promise<InternalConnection>;
  };
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime?: number;
    topics: { topic: string; partitions: { partition: number; offset: string; metadata?: string | null }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[] }>;
  /** One CreateTopics request; per-topic failures reject with a KafkaJSAggregateError (`errors[i].topic`, `.type`). */
  createTopics(request: {
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
    timeout?: number;
  }): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  partitionErrorCode: number;
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  /** Every topic whose metadata the cluster refreshes (kafkajs only ever adds to it). */
  targetTopics: Set<string>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findBroker(args: { nodeId: string | number }): Promise<InternalBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<InternalBroker>;
  findControllerBroker(): Promise<InternalBroker>;
  brokerPool: {
    metadata?: {
      brokers: { nodeId: number; host: string; port: number }[];
      topicMetadata?: { topic: string; partitionMetadata: PartitionMetadata[] }[];
    };
    /** Epoch ms after which `refreshMetadataIfNecessary` refreshes (set at each refresh: now + metadataMaxAge). */
    metadataExpireAt?: number | null;
  };
  /** Refreshes when the metadata is older than metadataMaxAge (what addMultipleTargetTopics does when nothing is new). */
  refreshMetadataIfNecessary(): Promise<void>;
  /** ListOffsets per leader; offsets as decimal strings. */
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}
