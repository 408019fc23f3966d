import type { KafkaAdmin } from '../../kafka/port.ts';
import {
  decodeOffsetSync,
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  toMirrorSourcePartition,
} from '../../records/index.ts';
import type { DrRoute } from './dr-route.ts';
import { readRange, readWholeTopic } from './read-log.ts';

/**
 * How far one upstream partition of S is replicated to T. Offsets are S offsets unless named
 * `target…`. Every figure is what can be known: with S unreachable its end is unknown and the
 * loss is given as a lower bound from what T (and earlier runs) saw.
 */
export interface PartitionReplication {
  readonly sourceTopic: string;
  /** The topic's name on T under the route's replication policy. */
  readonly remoteTopic: string;
  readonly partition: number;
  /** S's end offset now; null when S is unreachable. */
  readonly sourceEnd: bigint | null;
  /**
   * The S offset up to which every record is on T (next offset to copy), a lower bound: the newer
   * of the newest offset-sync (`upstream + records on T after its downstream`) and the mirror's
   * stored position (+1) in the Connect offsets topic. Null when neither exists.
   */
  readonly replicatedTo: bigint | null;
  /** Where `replicatedTo` comes from. */
  readonly replicatedFrom: 'offset-sync' | 'stored-position' | 'none';
  /** End offset of the remote topic partition on T (-1: the remote topic is missing). */
  readonly targetEnd: bigint;
  /** Records on S not (known to be) on T: `sourceEnd - replicatedTo`; with S lost, a lower bound or null. */
  readonly lagRecords: bigint | null;
  /** True when `lagRecords` is a lower bound (S unreachable). */
  readonly lagIsLowerBound: boolean;
  /** Age of the oldest record not on T, seconds (0 when nothing is missing); null when unknown. */
  readonly lagSeconds: number | null;
  /** Every record written on S before this time (epoch ms) is on T; null when unknown. */
  readonly recoveryPoint: number | null;
}

/** What the partitions' replication looks like, and whether S answered. */
export interface ReplicationState {
  readonly sourceReachable: boolean;
  readonly partitions: readonly PartitionReplication[];
  /** When it was measured (epoch ms). */
  readonly at: number;
}

/** Extra evidence of S's size, used when S is unreachable: offsets S is known to have reached. */
export type KnownSourceEnds = ReadonlyMap<string, bigint>;

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

/** Stored positions of `route`'s source partitions, from the Connect offsets topic on T. */
async function storedPositions(route: DrRoute, admin: KafkaAdmin): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  await readWholeTopic(route.targetCluster, admin, route.route.settings.worker.offsetStorageTopic, (r) => {
    try {
      const k = decodeSourceOffsetKey(r.key);
      const p = toMirrorSourcePartition(k.partition);
      if (p === undefined || p.sourceClusterAlias !== route.source) return;
      const id = key(p.topicPartition.topic, p.topicPartition.partition);
      const value = decodeSourceOffsetValue(r.value);
      if (value === null) out.delete(id);
      else out.set(id, value);
    } catch {
      // Not a source position (another connector's key): not ours to read.
    }
  });
  return out;
}

/** The newest offset-sync per upstream partition, wherever the route keeps them (S or T). */
async function newestOffsetSyncs(
  route: DrRoute,
  sourceAdmin: KafkaAdmin | undefined,
  targetAdmin: KafkaAdmin,
): Promise<Map<string, { upstream: bigint; downstream: bigint }>> {
  const out = new Map<string, { upstream: bigint; downstream: bigint }>();
  const onTarget = route.route.settings.offsetSyncsTopicLocation === 'target';
  const admin = onTarget ? targetAdmin : sourceAdmin;
  if (admin === undefined) return out;
  await readWholeTopic(
    onTarget ? route.targetCluster : route.sourceCluster,
    admin,
    route.policy.offsetSyncsTopic(onTarget ? route.source : route.target),
    (r) => {
      try {
        const sync = decodeOffsetSync(r.key, r.value);
        out.set(key(sync.topicPartition.topic, sync.topicPartition.partition), {
          upstream: sync.upstreamOffset,
          downstream: sync.downstreamOffset,
        });
      } catch {
        // Not an offset-sync: skipped, as Java's reader does.
      }
    },
  );
  return out;
}

async function endOffsets(admin: KafkaAdmin, topic: string): Promise<Map<number, bigint> | undefined> {
  try {
    return new Map((await admin.listOffsets(topic)).map((p) => [p.partition, p.latest]));
  } catch {
    return undefined;
  }
}

/**
 * Measures, per upstream partition the route has copied (those with a stored position or an
 * offset-sync), how far T is behind S. `sourceAdmin` undefined: S is unreachable; `knownEnds`
 * (offsets S is known to have reached: from the groups' checkpoints and earlier runs) then give
 * a lower bound of the loss.
 */
export async function measureReplication(
  route: DrRoute,
  sourceAdmin: KafkaAdmin | undefined,
  knownEnds: KnownSourceEnds = new Map(),
): Promise<ReplicationState> {
  const targetAdmin = await route.targetAdmin();
  const [stored, syncs] = await Promise.all([
    storedPositions(route, targetAdmin),
    newestOffsetSyncs(route, sourceAdmin, targetAdmin),
  ]);
  const partitionsByTopic = new Map<string, Set<number>>();
  const { topics, topicsExclude } = route.route.settings;
  for (const id of [...stored.keys(), ...syncs.keys()]) {
    const cut = id.lastIndexOf(':');
    const topic = id.slice(0, cut);
    // Positions of topics the route no longer copies (an earlier configuration) are not its lag.
    if (!topics.matches(topic) || topicsExclude.matches(topic)) continue;
    const set = partitionsByTopic.get(topic) ?? new Set<number>();
    set.add(Number(id.slice(cut + 1)));
    partitionsByTopic.set(topic, set);
  }
  // Offsets of a topic that does not exist are retried by the Kafka client until it times out:
  // ask only for topics there (a position may outlive its topic, or belong to another policy's run).
  const onTarget = new Set(await targetAdmin.listTopics());
  const onSource = sourceAdmin === undefined ? new Set<string>() : new Set(await sourceAdmin.listTopics());
  const at = Date.now();
  const partitions: PartitionReplication[] = [];
  for (const [sourceTopic, set] of [...partitionsByTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const remoteTopic = route.policy.formatRemoteTopic(route.source, sourceTopic);
    const [sourceEnds, targetEnds] = await Promise.all([
      sourceAdmin === undefined || !onSource.has(sourceTopic) ? undefined : endOffsets(sourceAdmin, sourceTopic),
      onTarget.has(remoteTopic) ? endOffsets(targetAdmin, remoteTopic) : undefined,
    ]);
    for (const partition of [...set].sort((a, b) => a - b)) {
      const id = key(sourceTopic, partition);
      const targetEnd = targetEnds?.get(partition) ?? -1n;
      const sourceEnd = sourceEnds?.get(partition) ?? null;
      const sync = syncs.get(id);
      const fromSync = sync !== undefined && targetEnd >= 0n ? sync.upstream + (targetEnd - sync.downstream) : null;
      const position = stored.get(id);
      const fromStore = position === undefined ? null : position + 1n;
      let replicatedTo =
        fromSync === null ? fromStore : fromStore === null ? fromSync : fromSync > fromStore ? fromSync : fromStore;
      if (replicatedTo !== null && sourceEnd !== null && replicatedTo > sourceEnd) replicatedTo = sourceEnd;
      const replicatedFrom =
        replicatedTo === null
          ? 'none'
          : fromSync !== null && replicatedTo === fromSync
            ? 'offset-sync'
            : 'stored-position';
      const known = sourceEnd ?? knownEnds.get(id) ?? null;
      let lagRecords: bigint | null = null;
      if (known !== null && replicatedTo !== null) lagRecords = known > replicatedTo ? known - replicatedTo : 0n;
      let lagSeconds: number | null = null;
      let recoveryPoint: number | null = null;
      if (lagRecords === 0n && sourceEnd !== null) {
        lagSeconds = 0;
        recoveryPoint = at;
      } else if (lagRecords !== null && sourceEnd !== null && replicatedTo !== null) {
        // The oldest record not on T dates the recovery point.
        const [first] = await readRange(route.sourceCluster, sourceTopic, partition, replicatedTo, sourceEnd, 1);
        if (first !== undefined && first.timestamp >= 0) {
          recoveryPoint = first.timestamp;
          lagSeconds = Math.max(0, (at - first.timestamp) / 1000);
        }
      }
      partitions.push({
        sourceTopic,
        remoteTopic,
        partition,
        sourceEnd,
        replicatedTo,
        replicatedFrom,
        targetEnd,
        lagRecords,
        lagIsLowerBound: sourceEnd === null,
        lagSeconds,
        recoveryPoint,
      });
    }
  }
  return { sourceReachable: sourceAdmin !== undefined, partitions, at };
}
