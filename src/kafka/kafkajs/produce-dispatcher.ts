import { isRetriable } from '../errors.ts';
import { PRODUCE_API_KEY, PRODUCE_VERSION, decodeProduceResponse, encodeProduceRequest } from '../wire/produce.ts';
import { KafkaPortError } from '../../util/errors.ts';
import type { KafkajsConnection } from './connection.ts';
import type { InternalBroker } from './internals.d.ts';
import { toPortError } from './port-errors.ts';
import { isStaleMetadata, kafkaErrorInfo, protocolError } from './protocol-errors.ts';
import { doublingBackoffMs } from '../backoff.ts';

/**
 * Attempts per partition batch before its send fails (with the last error, retriable or not; the
 * source task retries retriable ones with its own backoff). With {@link retryDelayMs} that is
 * about 11 s, as with the 10 attempts of up to 2 s before.
 */
const MAX_ATTEMPTS = 15;
/**
 * Least time between two metadata refreshes of the sink's client: a refresh asks for every topic
 * the client knows (8,000 partitions at 1,000 topics), and batches retry on many timelines: a
 * refresh per retry round came ~12 times a second while the broker was creating thousands of new
 * logs (docs/benchmarks/2026-11-30-scale-3.md). Java's producer spaces its refreshes by its
 * backoff too.
 */
const MIN_REFRESH_INTERVAL_MS = 500;
/** Retries are due on multiples of this: batches failing a few ms apart go again in one round. */
const RETRY_ROUND_MS = 100;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_NOT_AVAILABLE = 5;
/** Largest produce request built from many partitions (the broker's socket.request.max.bytes is 100 MiB). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/**
 * How long a lane that could not reach a broker is left out (its partitions go on the first lane):
 * reaching it again is tried by the next request after this, not by every request.
 */
const LANE_DOWN_MS = 10_000;

/**
 * Java's producer backoff (`retry.backoff.ms` 100 doubling to `retry.backoff.max.ms` 1000,
 * KIP-580): a retry costs one request per leader for every partition retrying at that moment, so
 * a short cap is cheap and a partition lands soon after its leader can take it.
 */
function retryDelayMs(attempt: number): number {
  return doublingBackoffMs(attempt - 1, 1_000);
}

/** One partition batch waiting for its acknowledgement. */
interface Pending {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer;
  attempts: number;
  /** When it may be sent (ms since the epoch); 0 for a first attempt. */
  dueAt: number;
  /** Its last attempt said the metadata is stale (moved leader, no leader yet, a broken connection). */
  stale: boolean;
  lastError: KafkaPortError | undefined;
  /** Why its last attempt failed, for the debug log: an error code, or NO_LEADER. */
  reason: string;
  readonly resolve: (baseOffset: bigint) => void;
  readonly reject: (err: unknown) => void;
}

export interface ProduceDispatcherOptions {
  acks: -1 | 0 | 1;
  timeoutMs: number;
}

/**
 * Sends the partition batches of all topics handed over in one turn of the event loop together:
 * one leader lookup (one metadata refresh when any of them needs it) and one Produce request per
 * leader, whatever the number of topics. Partitions that fail with a retriable error wait out
 * their backoff and go again with every other partition due by then.
 *
 * Why: the source task sends each remote topic on its own. Sent topic by topic, the first round
 * to 1,000 just-created remote topics made 1,000 Produce requests, and every retry refreshed the
 * metadata of every topic the client knows for one topic, on its own timeline: while the target
 * broker was still bringing the new partitions online (answering NOT_LEADER_OR_FOLLOWER /
 * UNKNOWN_TOPIC_OR_PARTITION), a full metadata request per topic and retry kept it and us busy
 * (docs/benchmarks/2026-11-30-scale-3.md). Java's producer batches the same way: one
 * ProduceRequest per broker for every partition ready (`Sender.sendProduceRequests`).
 *
 * Order within a partition is the caller's: it hands over a partition's next batch only after the
 * previous one was acknowledged.
 *
 * Lanes: a broker reads a connection's next request only once it has answered the one before, so
 * one connection has the target broker validate and append every produce request of the task on
 * one of its request handler threads, one request at a time: in the 1 KB lz4 drain that thread,
 * not the mirror, was the limit (docs/benchmarks/2026-12-02-produce-lanes.md). With several lanes
 * (clients with connections of their own to every broker) a leader's batches are split by
 * partition ({@link laneOf}) into one request per lane, answered in parallel. A partition always
 * takes the same lane, so two batches of one partition handed over together still go out on
 * one connection, in order. The lanes' metadata is never used: leaders come from the first.
 */
export class ProduceDispatcher {
  private readonly connection: KafkajsConnection;
  /** Clients to send on, `connection` first (see Lanes above). */
  private readonly lanes: readonly KafkajsConnection[];
  /** Until when (ms since the epoch) each lane is left out; 0: in use. */
  private readonly laneDownUntil: number[];
  private readonly options: ProduceDispatcherOptions;
  private queue: Pending[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Topics a lookup found missing (just created and not known to the broker yet, or deleted). */
  private readonly missingTopics = new Set<string>();
  /** When this sink last asked for a metadata refresh (ms since the epoch). */
  private refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(
    connection: KafkajsConnection,
    options: ProduceDispatcherOptions,
    lanes: readonly KafkajsConnection[] = [connection],
  ) {
    this.connection = connection;
    this.lanes = lanes.length > 0 ? lanes : [connection];
    this.laneDownUntil = this.lanes.map(() => 0);
    this.options = options;
  }

  /** Resolves with the batch's base offset (-1 with acks=0) once the broker acknowledged it. */
  produce(topic: string, partition: number, records: Buffer): Promise<bigint> {
    return new Promise<bigint>((resolve, reject) => {
      this.enqueue({
        topic,
        partition,
        records,
        attempts: 0,
        dueAt: 0,
        stale: false,
        lastError: undefined,
        reason: '',
        resolve,
        reject,
      });
    });
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    this.wakeAt(p.dueAt);
  }

  /** One wake-up at the next turn for due batches, one timer for the earliest waiting one. */
  private wakeAt(dueAt: number): void {
    const now = Date.now();
    if (dueAt <= now) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
      return;
    }
    if (this.timer !== undefined && this.timerAt <= dueAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.flush();
    }, dueAt - now);
  }

  private flush(): void {
    const now = Date.now();
    const due: Pending[] = [];
    const waiting: Pending[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.queue) {
      if (p.dueAt <= now) due.push(p);
      else {
        waiting.push(p);
        if (p.dueAt < next) next = p.dueAt;
      }
    }
    this.queue = waiting;
    if (waiting.length > 0) this.wakeAt(next);
    // A bug in an attempt must not leave its sends waiting forever (settled ones ignore the reject).
    if (due.length > 0) void this.attempt(due).catch((err: unknown) => due.forEach((p) => p.reject(err)));
  }

  /** Sends `batches` (one attempt each): one leader lookup, then one request per leader. */
  private async attempt(batches: Pending[]): Promise<void> {
    const topics = [...new Set(batches.map((p) => p.topic))];
    const now = Date.now();
    const refresh = batches.some((p) => p.stale) && now - this.refreshedAt >= MIN_REFRESH_INTERVAL_MS;
    if (refresh) this.refreshedAt = now;
    const { leaders, missing, failures } = await this.lookUp(topics, refresh);
    for (const p of batches) p.stale = false;
    const byLeader = new Map<number, Pending[]>();
    const retrying: Pending[] = [];
    for (const p of batches) {
      const leader = leaders.get(p.topic)?.get(p.partition);
      const missingCode = missing.get(p.topic);
      if (failures.has(p.topic)) p.reject(failures.get(p.topic));
      else if (missingCode !== undefined) {
        // Created but not known to the broker yet (or deleted): asked again, on its own, next round.
        p.stale = true;
        p.lastError = protocolError(missingCode, { op: 'produce', topic: p.topic, partition: p.partition });
        p.reason = kafkaErrorInfo(missingCode).name;
        retrying.push(p);
      } else if (leader === undefined) {
        // The metadata does not list the partition (yet): a topic the target broker is still
        // creating can be answered without its partitions, and partitions just added are not in
        // every broker's metadata at once. Seen at 1,000 new topics on a loaded broker: failing
        // here stopped the task. Java's producer waits for the partition in metadata (max.block.ms)
        // and Connect retries the send; so do we, refreshing, and after the attempts the source
        // task retries with its own backoff (the error stays retriable). A partition that never
        // shows up keeps the task retrying, which readiness reports (SourceTask.failingSince).
        p.stale = true;
        p.lastError = new KafkaPortError(
          'ERR_UNKNOWN_PARTITION',
          `topic ${p.topic} has no partition ${p.partition} in the target cluster's metadata`,
          { topic: p.topic, partition: p.partition, retriable: true },
        );
        p.reason = 'UNKNOWN_PARTITION';
        retrying.push(p);
      } else if (leader < 0) {
        p.stale = true;
        p.reason = 'NO_LEADER';
        retrying.push(p);
      } else {
        const list = byLeader.get(leader);
        if (list) list.push(p);
        else byLeader.set(leader, [p]);
      }
    }
    const requests = [...byLeader].flatMap(([leader, list]) =>
      this.byLane(list).flatMap((batchesOfLane, lane) =>
        requestsOf(batchesOfLane).map((request) => this.sendRequest(leader, lane, request, retrying)),
      ),
    );
    await Promise.all(requests);
    if (retrying.length > 0) this.retry(retrying, batches.length);
  }

  /**
   * The leaders of `topics`: from kafkajs's cached metadata (refreshed if asked), except for
   * topics found missing before, which are asked about on their own (one Metadata request with
   * an error per topic) until the broker knows them. A joint kafkajs lookup fails as a whole when
   * one topic is unknown: then every topic is asked about that way. `missing`: topics the broker
   * does not know (yet), with the error code; `failures`: topics whose lookup failed otherwise.
   */
  private async lookUp(
    topics: string[],
    refresh: boolean,
  ): Promise<{
    leaders: Map<string, ReadonlyMap<number, number>>;
    missing: Map<string, number>;
    failures: Map<string, unknown>;
  }> {
    const leaders = new Map<string, ReadonlyMap<number, number>>();
    const missing = new Map<string, number>();
    const failures = new Map<string, unknown>();
    const known = this.missingTopics.size === 0 ? topics : topics.filter((t) => !this.missingTopics.has(t));
    let ask = known.length === topics.length ? [] : topics.filter((t) => this.missingTopics.has(t));
    if (known.length > 0) {
      try {
        for (const [topic, partitions] of await this.connection.leadersOf(known, refresh))
          leaders.set(topic, partitions);
      } catch {
        ask = topics;
      }
    }
    if (ask.length === 0) return { leaders, missing, failures };
    try {
      const each = await this.connection.leadersEach(ask);
      for (const topic of ask) {
        const partitions = each.leaders.get(topic);
        const code = each.errors.get(topic) ?? UNKNOWN_TOPIC_OR_PARTITION;
        if (partitions !== undefined) {
          leaders.set(topic, partitions);
          this.missingTopics.delete(topic);
        } else if (code === UNKNOWN_TOPIC_OR_PARTITION || code === LEADER_NOT_AVAILABLE) {
          missing.set(topic, code);
          this.missingTopics.add(topic);
        } else failures.set(topic, protocolError(code, { op: 'produce', topic }));
      }
    } catch (err) {
      for (const topic of ask) failures.set(topic, err);
    }
    return { leaders, missing, failures };
  }

  /** One Produce request to `leader` on lane `lane`; what must be sent again goes to `retrying`. */
  private async sendRequest(leader: number, lane: number, byTopic: RequestBatches, retrying: Pending[]): Promise<void> {
    const batches: Pending[] = [];
    for (const partitions of byTopic.values()) for (const p of partitions.values()) batches.push(p);
    try {
      const { connection, broker } = await this.brokerOn(lane, leader);
      const body = encodeProduceRequest({
        transactionalId: null,
        acks: this.options.acks,
        timeoutMs: this.options.timeoutMs,
        topics: [...byTopic].map(([topic, list]) => ({
          topic,
          partitions: [...list.values()].map((p) => ({ partition: p.partition, records: p.records })),
        })),
      });
      const response = await connection.send(
        broker,
        { apiKey: PRODUCE_API_KEY, apiVersion: PRODUCE_VERSION, apiName: 'Produce' },
        body,
        decodeProduceResponse,
        { expectResponse: this.options.acks !== 0, requestTimeoutMs: this.options.timeoutMs + 5_000 },
      );
      if (this.options.acks === 0) {
        for (const p of batches) p.resolve(-1n);
        return;
      }
      const answered = new Set<Pending>();
      for (const t of response.topics) {
        const partitions = byTopic.get(t.topic);
        if (partitions === undefined) continue;
        for (const r of t.partitions) {
          const p = partitions.get(r.partition);
          if (p === undefined) continue;
          answered.add(p);
          if (r.errorCode === 0) {
            p.resolve(r.baseOffset);
            continue;
          }
          const error = protocolError(r.errorCode, { op: 'produce', topic: p.topic, partition: p.partition });
          if (isStaleMetadata(r.errorCode) || kafkaErrorInfo(r.errorCode).retriable) {
            p.stale = isStaleMetadata(r.errorCode);
            p.lastError = error;
            p.reason = kafkaErrorInfo(r.errorCode).name;
            retrying.push(p);
          } else p.reject(error);
        }
      }
      for (const p of batches) {
        if (answered.has(p)) continue;
        // Not in the response (a broker bug): sent again, which may duplicate, never lose.
        p.lastError = new KafkaPortError(
          'ERR_PRODUCE',
          `produce to ${p.topic}: no answer for partition ${p.partition}`,
          {
            topic: p.topic,
            partition: p.partition,
            retriable: true,
          },
        );
        p.reason = 'NO_ANSWER';
        retrying.push(p);
      }
    } catch (err) {
      for (const p of batches) {
        if (err instanceof KafkaPortError) {
          p.reject(err);
          continue;
        }
        const failure = toPortError(err, { op: 'produce', topic: p.topic }, this.connection.origin);
        // A fault resending cannot fix (TLS, SASL, a bug) fails the send now.
        if (!isRetriable(failure)) {
          p.reject(failure);
          continue;
        }
        // A broken connection: the request may or may not have been written. Resending can
        // duplicate but never reorder or lose (MM2's at-least-once contract).
        p.stale = true;
        p.lastError = new KafkaPortError(
          'ERR_PRODUCE_CONNECTION',
          `produce to ${p.topic} failed: ${failure.message}`,
          { ...failure.details, retriable: true },
          { cause: err },
        );
        p.reason = 'CONNECTION';
        retrying.push(p);
      }
    }
  }

  /**
   * The client of `lane` and its connection to broker `leader`. A lane that cannot reach the
   * broker (refused, or its metadata, loaded once, predates a new broker: kafkajs's findBroker
   * refreshes it on the way) sends this request on the first lane instead and is left out for
   * {@link LANE_DOWN_MS}: a lane never fails a send the first connection can make.
   */
  private async brokerOn(
    lane: number,
    leader: number,
  ): Promise<{ connection: KafkajsConnection; broker: InternalBroker }> {
    const connection = this.lanes[lane] ?? this.connection;
    if (connection === this.connection) return { connection, broker: await connection.broker(leader) };
    try {
      return { connection, broker: await connection.brokerToSendTo(leader) };
    } catch (err) {
      this.laneDownUntil[lane] = Date.now() + LANE_DOWN_MS;
      this.connection.logger.warn(
        {
          op: 'produce',
          lane,
          broker: leader,
          retryInMs: LANE_DOWN_MS,
          err: err instanceof Error ? err.message : String(err),
        },
        'produce: a connection lane could not reach the broker; its partitions go on the first connection for a while',
      );
      return { connection: this.connection, broker: await this.connection.broker(leader) };
    }
  }

  /**
   * `batches` split into one list per lane by {@link laneOf}, in their order; a lane left out
   * ({@link laneDownUntil}) gives its batches to the first. Every batch of a partition handed over
   * together lands in the same list, so on the same connection.
   */
  private byLane(batches: Pending[]): Pending[][] {
    const lanes = this.lanes.length;
    if (lanes <= 1) return [batches];
    const now = Date.now();
    const split: Pending[][] = Array.from({ length: lanes }, () => []);
    for (const p of batches) {
      const lane = laneOf(p.topic, p.partition, lanes);
      split[this.laneDownUntil[lane]! > now ? 0 : lane]!.push(p);
    }
    return split;
  }

  /** Puts failed batches back with their backoff, or fails those out of attempts. */
  private retry(retrying: Pending[], attempted: number): void {
    const now = Date.now();
    const errors: Record<string, number> = {};
    let soonest = Number.POSITIVE_INFINITY;
    for (const p of retrying) {
      p.attempts++;
      errors[p.reason] = (errors[p.reason] ?? 0) + 1;
      if (p.attempts >= MAX_ATTEMPTS) {
        // No leader for the partition on every attempt (no error recorded): kept non-retriable, as before.
        p.reject(
          p.lastError ??
            new KafkaPortError('ERR_PRODUCE', `produce to ${p.topic} failed: no leader for partition ${p.partition}`, {
              topic: p.topic,
              partition: p.partition,
              retriable: false,
            }),
        );
        continue;
      }
      p.dueAt = Math.ceil((now + retryDelayMs(p.attempts)) / RETRY_ROUND_MS) * RETRY_ROUND_MS;
      if (p.dueAt < soonest) soonest = p.dueAt;
      this.queue.push(p);
    }
    if (soonest !== Number.POSITIVE_INFINITY) this.wakeAt(soonest);
    this.connection.logger.debug(
      { op: 'produce', attempted, retrying: retrying.length, errors, nextAttemptMs: soonest - now },
      'produce: some partitions will be sent again',
    );
  }
}

/**
 * The lane of a partition: the same for every batch of it, spread over partitions (a topic's
 * partitions take consecutive lanes, from a lane its name picks, so eight partitions of one topic
 * split evenly over two lanes and many one-partition topics do not all take the first).
 */
export function laneOf(topic: string, partition: number, lanes: number): number {
  if (lanes <= 1) return 0;
  // FNV-1a over the name's UTF-16 code units: stable, cheap, no allocation.
  let hash = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) hash = Math.imul(hash ^ topic.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) + partition) % lanes;
}

/** One Produce request's batches by topic and partition (a request names a partition once). */
type RequestBatches = Map<string, Map<number, Pending>>;

/**
 * Splits one leader's batches into requests: a request names each partition once (a second batch
 * for the same partition goes in the next one) and stays under {@link MAX_REQUEST_BYTES}.
 */
function requestsOf(batches: Pending[]): RequestBatches[] {
  const requests: { byTopic: RequestBatches; bytes: number }[] = [];
  for (const p of batches) {
    let request = requests.find(
      (r) =>
        r.byTopic.get(p.topic)?.has(p.partition) !== true &&
        (r.bytes === 0 || r.bytes + p.records.length <= MAX_REQUEST_BYTES),
    );
    if (request === undefined) requests.push((request = { byTopic: new Map(), bytes: 0 }));
    const partitions = request.byTopic.get(p.topic);
    if (partitions) partitions.set(p.partition, p);
    else request.byTopic.set(p.topic, new Map([[p.partition, p]]));
    request.bytes += p.records.length;
  }
  return requests.map((r) => r.byTopic);
}
