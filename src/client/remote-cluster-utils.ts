import type { MirrorClientOptions, MirrorClientProperties } from './client-config.ts';
import {
  MirrorClient,
  type ListOptions,
  type MirrorClientExtras,
  type RemoteConsumerOffsetsOptions,
} from './mirror-client.ts';
import type { TranslatedOffset } from './translated-offsets.ts';

/*
 * Java's RemoteClusterUtils: one-shot functions that build a MirrorClient from the configuration,
 * make one call and close it. Each call opens and closes its own connections; reuse a
 * MirrorClient when making several calls.
 */

/** Configuration accepted by every function here: Java-style properties or typed options. */
export type MirrorClientConfigInput = MirrorClientProperties | MirrorClientOptions;

async function withClient<T>(
  config: MirrorClientConfigInput,
  extras: MirrorClientExtras | undefined,
  call: (client: MirrorClient) => Promise<T>,
): Promise<T> {
  const client = new MirrorClient(config, extras);
  try {
    return await call(client);
  } finally {
    await client.close();
  }
}

/**
 * Java's `RemoteClusterUtils.translateOffsets`: the positions on the cluster named by `config`
 * of consumer group `consumerGroupId` of cluster `remoteClusterAlias`, keyed `topic-partition`
 * with local (renamed) topic names. Reads `<remoteClusterAlias>.checkpoints.internal` (policy-
 * named) to its end or until `timeout` ms pass; a plain number keeps Java's partial-on-timeout
 * behaviour, `{ timeoutMs, requireComplete: true }` throws instead.
 *
 * @example
 * const offsets = await translateOffsets({ 'bootstrap.servers': 'b:9092' }, 'A', 'orders-app', 30_000);
 * for (const o of offsets.values()) console.log(o.topic, o.partition, o.downstreamOffset);
 */
export function translateOffsets(
  config: MirrorClientConfigInput,
  remoteClusterAlias: string,
  consumerGroupId: string,
  timeout: number | RemoteConsumerOffsetsOptions,
  extras?: MirrorClientExtras,
): Promise<Map<string, TranslatedOffset>> {
  return withClient(config, extras, (c) => c.remoteConsumerOffsets(consumerGroupId, remoteClusterAlias, timeout));
}

/** Java's `RemoteClusterUtils.replicationHops`: fewest hops from `upstreamClusterAlias`, or -1. One topic listing. */
export function replicationHops(
  config: MirrorClientConfigInput,
  upstreamClusterAlias: string,
  options?: ListOptions,
  extras?: MirrorClientExtras,
): Promise<number> {
  return withClient(config, extras, (c) => c.replicationHops(upstreamClusterAlias, options));
}

/** Java's `RemoteClusterUtils.heartbeatTopics`. One topic listing. */
export function heartbeatTopics(
  config: MirrorClientConfigInput,
  options?: ListOptions,
  extras?: MirrorClientExtras,
): Promise<Set<string>> {
  return withClient(config, extras, (c) => c.heartbeatTopics(options));
}

/** Java's `RemoteClusterUtils.checkpointTopics`. One topic listing. */
export function checkpointTopics(
  config: MirrorClientConfigInput,
  options?: ListOptions,
  extras?: MirrorClientExtras,
): Promise<Set<string>> {
  return withClient(config, extras, (c) => c.checkpointTopics(options));
}

/** Java's `RemoteClusterUtils.upstreamClusters`. One topic listing. */
export function upstreamClusters(
  config: MirrorClientConfigInput,
  options?: ListOptions,
  extras?: MirrorClientExtras,
): Promise<Set<string>> {
  return withClient(config, extras, (c) => c.upstreamClusters(options));
}
