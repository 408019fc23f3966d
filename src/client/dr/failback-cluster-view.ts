import { ConnectOffsetsStore } from '../../connect/offsets-store.ts';
import { retry } from '../../connect/retry.ts';
import type { ConsumedRecord, KafkaAdmin, KafkaCluster, RecordSource } from '../../kafka/port.ts';
import {
  MIRROR_SOURCE_CONNECTOR,
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  toMirrorSourcePartition,
  topicPartitionKey,
} from '../../records/index.ts';
import type { Logger } from '../../util/logger.ts';
import { readRange, type SyncsByPartition } from './reverse-syncs.ts';
import { matchAfter, type MatchResult } from './reverse-translate.ts';

/**
 * What a failback plan reads from one cluster, through clients opened once: partition ends
 * (cached per topic), the records after a partition's last S->T sync (to match them against T's),
 * and the T->S route's stored positions. Every Kafka call is retried while it fails with a
 * retriable error, until the plan's deadline.
 */
export interface Side {
  readonly alias: string;
  readonly cluster: KafkaCluster;
  readonly admin: KafkaAdmin;
  readonly source: RecordSource;
  readonly ends: Map<string, Map<number, { earliest: bigint; latest: bigint }>>;
  readonly deadline: number;
}

/**
 * A Kafka call of the plan, retried while it fails with a retriable error (a group coordinator
 * still loading, a leader moving) until `deadline`.
 */
export function retrying<T>(what: string, deadline: number, step: () => Promise<T>): Promise<T> {
  return retry(what, step, {
    policy: { initialMs: 100, maxMs: 2_000 },
    signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  });
}

export async function openSide(alias: string, cluster: KafkaCluster, deadline: number): Promise<Side> {
  const admin = await cluster.admin();
  const source = await cluster.recordSource();
  return { alias, cluster, admin, source, ends: new Map(), deadline };
}

export async function partitionEnds(
  side: Side,
  topic: string,
): Promise<Map<number, { earliest: bigint; latest: bigint }>> {
  let ends = side.ends.get(topic);
  if (ends === undefined) {
    ends = new Map(
      (await retrying(`listing offsets of ${topic}`, side.deadline, () => side.admin.listOffsets(topic))).map((o) => [
        o.partition,
        o,
      ]),
    );
    side.ends.set(topic, ends);
  }
  return ends;
}

export async function computeMatch(
  syncs: SyncsByPartition,
  s: Side,
  t: Side,
  sTopic: string,
  tTopic: string,
  partition: number,
  topicsOnS: ReadonlySet<string>,
  topicsOnT: ReadonlySet<string>,
  read: { deadline: number; timeoutMs: number; limit: number },
): Promise<MatchResult | undefined> {
  const list = syncs.get(topicPartitionKey({ topic: sTopic, partition }));
  if (list === undefined || list.length === 0 || !topicsOnS.has(sTopic) || !topicsOnT.has(tTopic)) return undefined;
  const anchor = list.reduce((a, b) => (b.upstream >= a.upstream ? b : a));
  const sEnd = (await partitionEnds(s, sTopic)).get(partition)?.latest ?? 0n;
  const tEnd = (await partitionEnds(t, tTopic)).get(partition)?.latest ?? 0n;
  const sourceAfter: ConsumedRecord[] = await readRange(s.source, sTopic, partition, anchor.upstream + 1n, sEnd, read);
  const targetAfter: ConsumedRecord[] = await readRange(
    t.source,
    tTopic,
    partition,
    anchor.downstream + 1n,
    tEnd,
    read,
  );
  return matchAfter(anchor, sourceAfter, targetAfter);
}

/** Where the T->S flow keeps its positions, as failback reads and writes them: its Connect offsets store on S. */
export interface ReverseOffsetsSetup {
  readonly reverseOffsets: { readonly topic: string; readonly partitions: number; readonly replicationFactor: number };
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Opens (read to its end) the Connect offsets store of the T->S flow on `cluster`. */
export function openReverseOffsets(cluster: KafkaCluster, setup: ReverseOffsetsSetup): Promise<ConnectOffsetsStore> {
  return ConnectOffsetsStore.open({
    cluster,
    topic: setup.reverseOffsets.topic,
    partitions: setup.reverseOffsets.partitions,
    replicationFactor: setup.reverseOffsets.replicationFactor,
    logger: setup.logger,
    readTimeoutMs: setup.timeoutMs,
  });
}

/** T->S's stored positions (last copied T offset per partition) on S, if its offsets topic exists. */
export async function storedPositions(
  s: Side,
  setup: ReverseOffsetsSetup,
  from: string,
): Promise<Map<string, bigint> | undefined> {
  if (!(await s.admin.listTopics()).includes(setup.reverseOffsets.topic)) return undefined;
  const store = await openReverseOffsets(s.cluster, setup);
  try {
    const out = new Map<string, bigint>();
    for (const { key, value } of store.entries()) {
      const position = decodeMirrorPosition(key, value, from);
      if (position !== undefined) out.set(topicPartitionKey(position), position.offset);
    }
    return out;
  } finally {
    await store.close();
  }
}

function decodeMirrorPosition(
  key: Buffer,
  value: Buffer,
  sourceAlias: string,
): { topic: string; partition: number; offset: bigint } | undefined {
  try {
    const decoded = decodeSourceOffsetKey(key);
    if (decoded.connectorName !== MIRROR_SOURCE_CONNECTOR) return undefined;
    const p = toMirrorSourcePartition(decoded.partition);
    if (p === undefined || p.sourceClusterAlias !== sourceAlias) return undefined;
    const offset = decodeSourceOffsetValue(value);
    if (offset === null) return undefined;
    return { topic: p.topicPartition.topic, partition: p.topicPartition.partition, offset };
  } catch {
    return undefined;
  }
}
