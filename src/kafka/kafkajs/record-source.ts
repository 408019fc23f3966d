import type {
  CompressionType,
  ConsumedRecord,
  FetchedPiece,
  FetchRequest,
  FetchedPartition,
  PassThroughRule,
  RecordSource,
  RecordSourceOptions,
  UndecodedFetchedPartition,
} from '../port.ts';
import { decodeRecordsInto, readRecordBatchViews, recordsSection } from '../protocol/decode.ts';
import { decodeFetchedPieces } from '../protocol/fetched-pieces.ts';
import {
  FETCH_API_KEY,
  FETCH_TOPIC_IDS_VERSION,
  FETCH_VERSION,
  decodeFetchResponse,
  decodeFetchResponseV13,
  encodeFetchRequest,
  encodeFetchRequestV13,
  type FetchPartitionResponse,
  type FetchResponseBody,
} from '../wire/fetch.ts';
import {
  FETCH_SESSION_ID_NOT_FOUND,
  FETCH_SESSION_TOPIC_ID_ERROR,
  FetchSession,
  INVALID_FETCH_SESSION_EPOCH,
  noFetches,
  type FetchSessionPlan,
  type FetchSessionStats,
} from '../fetch-session.ts';
import { dataBuffers } from '../buffer-pool.ts';
import { SectionArena } from '../section-arena.ts';
import { withoutAbortedTransactions } from './aborted-transactions.ts';
import { LeaderLayout } from './leader-layout.ts';
import { supports, type KafkajsConnection } from './connection.ts';
import type { InternalBroker } from './internals.d.ts';
import { TopicIds } from './topic-ids.ts';
import { isStaleMetadata, kafkaErrorInfo, protocolError } from './protocol-errors.ts';

const OFFSET_OUT_OF_RANGE = 1;
/**
 * Partitions per fetch session with one leader. A broker keeps a session of Fetch v11 (which
 * names topics) in a linear-probing hash map keyed by partition and topic name, and numbered
 * topic names (s-00000 … s-01999) fall into a few dense runs of it: on Kafka 4.1.2, the round
 * opening one session of 1,000 / 2,000 / 4,000 / 8,000 such partitions took 0.7 / 0.7 / 1.0 /
 * 1.6 s (500 ms of it the max wait), and one of 16,000 kept the broker's fetch thread busy for
 * minutes (`ImplicitLinkedHashCollection.changeCapacity` under `FullFetchContext.createNewSession`,
 * seen with jstack) while the request timed out and was sent again, and nothing was copied
 * (docs/benchmarks/2026-12-01-fetch-session-size.md). Fetch v13 names topics by id, which the
 * broker hashes at random; the bound stays for brokers without ids and as a limit on what one
 * session answer costs the broker. A leader with more partitions is fetched through several
 * sessions of at most this many.
 */
const SESSION_PARTITIONS = 4_000;

/** A leader's fetch sessions, each for up to `size` partitions (in request order). */
interface LeaderSessions {
  size: number;
  readonly sessions: FetchSession[];
}

/** Closing a fetch session is a courtesy to the broker: do not hold a shutdown up for it. */
const CLOSE_SESSION_TIMEOUT_MS = 2_000;

/**
 * Reads partitions from explicit offsets with Fetch v13 (topics by id; v11 by name where a broker
 * or topic has no id) sent straight to each partition's leader:
 * no consumer group, no committed offsets, the caller owns every position (as MM2's assign()ed
 * consumer does). Record batches are decoded by our own codec, so header order is kept exactly.
 * Each leader is fetched through an incremental fetch session (KIP-227, src/kafka/fetch-session.ts):
 * after the first round, a request lists only partitions whose position moved.
 */
export class KafkajsRecordSource implements RecordSource {
  private readonly connection: KafkajsConnection;
  private readonly options: Required<RecordSourceOptions>;
  private staleTopics = new Set<string>();
  /** The incremental fetch sessions with each leader, by broker id. */
  private readonly sessions = new Map<number, LeaderSessions>();
  /** The last round's partitions grouped by leader, reused while partitions and leaders stand. */
  private layout: LeaderLayout | undefined;
  /** Topic ids of the topics fetched, for Fetch v13 (KIP-516). */
  private readonly topicIds: TopicIds;
  private readonly decodeByTopicId = (payload: Buffer): FetchResponseBody =>
    decodeFetchResponseV13(payload, (hex) => this.topicIds.nameOf(hex));
  /** Fetch requests sent, by version (tests, benchmarks). */
  private readonly fetchesByVersion = new Map<number, number>();

  constructor(connection: KafkajsConnection, options: RecordSourceOptions = {}) {
    this.connection = connection;
    this.options = {
      isolationLevel: options.isolationLevel ?? 'read_uncommitted',
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 52_428_800,
      maxPartitionBytes: options.maxPartitionBytes ?? 1_048_576,
      checkCrcs: options.checkCrcs ?? true,
      sessionPartitions: Math.max(1, options.sessionPartitions ?? SESSION_PARTITIONS),
      topicIds: options.topicIds ?? true,
    };
    this.topicIds = new TopicIds((topics) => connection.topicIdsOf(topics));
  }

  fetch(requests: FetchRequest[]): Promise<FetchedPartition[]> {
    return this.connection.portErrors({ op: 'fetch' }, async () => {
      const fetched = await this.fetchAll(requests);
      return Promise.all(
        // Decoded records point into the fetched bytes for as long as the caller keeps them: never released.
        fetched.map(async ({ decode, batchRecordCount: _count, release: _release, ...rest }) => ({
          ...rest,
          records: await decode(),
        })),
      );
    });
  }

  fetchUndecoded(requests: FetchRequest[], options?: { changedOnly?: boolean }): Promise<UndecodedFetchedPartition[]> {
    return this.connection.portErrors({ op: 'fetch' }, () => this.fetchAll(requests, options?.changedOnly ?? false));
  }

  private async fetchAll(requests: FetchRequest[], changedOnly = false): Promise<UndecodedFetchedPartition[]> {
    if (requests.length === 0) return [];
    const results: UndecodedFetchedPartition[] = [];
    const topics = LeaderLayout.topicsFor(this.layout, requests);
    let stale: string[] = [];
    if (this.staleTopics.size > 0) {
      stale = topics.filter((t) => this.staleTopics.has(t));
      for (const t of stale) this.staleTopics.delete(t);
    }
    const leadersByTopic = await this.connection.leadersOf(topics, stale.length > 0);
    if (this.options.topicIds) {
      this.topicIds.forget(stale);
      const { changed } = await this.topicIds.of(topics);
      if (changed.length > 0) {
        // A topic was deleted and created again: sessions hold its old id, and an unchanged
        // position would never send the new one. The old sessions are left to the broker's eviction.
        this.connection.logger.info(
          { topics: changed.slice(0, 10), topicCount: changed.length },
          'fetched topics have new topic ids (deleted and created again); opening new fetch sessions',
        );
        this.sessions.clear();
      }
    }
    this.layout = LeaderLayout.next(this.layout, requests, topics, leadersByTopic);
    const byLeader = new Map<number, FetchRequest[]>();
    for (const [leader, positions] of this.layout.byLeader) {
      const reqs = new Array<FetchRequest>(positions.length);
      for (let i = 0; i < positions.length; i++) reqs[i] = requests[positions[i]!]!;
      byLeader.set(leader, reqs);
    }
    for (const i of this.layout.leaderless) {
      // No leader right now: report an empty read; the next call refreshes metadata.
      this.staleTopics.add(requests[i]!.topic);
      results.push(emptyResult(requests[i]!));
    }
    const perLeader = await Promise.all(
      [...byLeader].map(([leader, reqs]) => this.fetchFromLeader(leader, reqs, changedOnly)),
    );
    return results.concat(...perLeader);
  }

  private fetchFromLeader(
    leader: number,
    requests: FetchRequest[],
    changedOnly: boolean,
  ): Promise<UndecodedFetchedPartition[]> {
    return this.connection.portErrors({ op: 'fetch', brokerId: leader }, () =>
      this.fetchFrom(leader, requests, changedOnly),
    );
  }

  /**
   * One leader's partitions, through its fetch sessions: one per {@link LeaderSessions.size}
   * partitions, in request order (the same partitions stay in the same session while the
   * caller's order stands). Their requests go out together on the leader's connection, which
   * the broker answers one after another: every request but the last asks for an answer at once
   * (max wait 0), so an idle round waits `fetch.max.wait.ms` once, not once per session.
   */
  private async fetchFrom(
    leader: number,
    requests: FetchRequest[],
    changedOnly: boolean,
  ): Promise<UndecodedFetchedPartition[]> {
    const sessions = this.sessionsWith(leader);
    const size = sessions.size;
    if (requests.length <= size) return this.fetchThrough(leader, sessions, 0, requests, changedOnly, 1);
    const count = Math.ceil(requests.length / size);
    const parts = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        this.fetchThrough(leader, sessions, i, requests.slice(i * size, (i + 1) * size), changedOnly, count),
      ),
    );
    return parts.flat();
  }

  /** Fetches `requests` through the leader's session `index` of `count`. */
  private async fetchThrough(
    leader: number,
    sessions: LeaderSessions,
    index: number,
    requests: FetchRequest[],
    changedOnly: boolean,
    count: number,
    retryingSession = false,
  ): Promise<UndecodedFetchedPartition[]> {
    const broker = await this.connection.broker(leader);
    const session = (sessions.sessions[index] ??= new FetchSession({
      partitionMaxBytes: this.options.maxPartitionBytes,
    }));
    const plan = session.plan(requests);
    const request = {
      maxWaitMs: index === count - 1 ? this.options.maxWaitMs : 0,
      minBytes: this.options.minBytes,
      // The sessions' answers are held together: together within the reader's bound.
      maxBytes: Math.max(this.options.maxPartitionBytes, Math.ceil(this.options.maxBytes / count)),
      isolationLevel: this.options.isolationLevel === 'read_committed' ? (1 as const) : (0 as const),
      session: { id: plan.sessionId, epoch: plan.sessionEpoch, forgottenTopics: plan.forgottenTopics },
      topics: plan.topics,
    };
    const byId = this.byTopicId(broker, requests, plan);
    const version = byId ? FETCH_TOPIC_IDS_VERSION : FETCH_VERSION;
    this.fetchesByVersion.set(version, (this.fetchesByVersion.get(version) ?? 0) + 1);
    let response: FetchResponseBody;
    try {
      const body = byId ? encodeFetchRequestV13(request, (t) => this.topicIds.idOf(t)) : encodeFetchRequest(request);
      response = await this.connection.send(
        broker,
        { apiKey: FETCH_API_KEY, apiVersion: version, apiName: 'Fetch' },
        body,
        byId ? this.decodeByTopicId : decodeFetchResponse,
        { requestTimeoutMs: this.options.maxWaitMs + 30_000 },
      );
    } catch (err) {
      // The broker may or may not have applied the request: its session state is unknown now.
      session.failed(plan);
      if (plan.usesSession && isRequestTimeout(err)) this.shrinkSessions(leader, sessions, requests.length);
      throw err;
    }
    if (response.errorCode !== 0) {
      session.failed(plan, response.errorCode);
      // The broker lost the session (restart, eviction) or its epoch, or the session was opened
      // naming topics the other way (by name, by id): one full fetch right away opens a new one,
      // as Java's consumer does on its next poll.
      const sessionLost =
        response.errorCode === FETCH_SESSION_ID_NOT_FOUND ||
        response.errorCode === INVALID_FETCH_SESSION_EPOCH ||
        response.errorCode === FETCH_SESSION_TOPIC_ID_ERROR;
      if (sessionLost && !retryingSession)
        return this.fetchThrough(leader, sessions, index, requests, changedOnly, count, true);
      throw protocolError(response.errorCode, { op: 'fetch', brokerId: leader });
    }
    if (changedOnly) {
      // Only what the broker answered: an idle partition of an incremental round costs nothing here.
      return session
        .changes(plan, response)
        .map(({ topic, fetchOffset, answer }) =>
          this.partitionResult({ topic, partition: answer.partition, offset: fetchOffset }, answer),
        );
    }
    const answers = session.completed(plan, response);
    const out: UndecodedFetchedPartition[] = [];
    for (let i = 0; i < requests.length; i++) {
      const answer = answers[i];
      if (answer !== undefined) out.push(this.partitionResult(requests[i]!, answer));
    }
    return out;
  }

  /**
   * Whether a request to `broker` for `requests` names topics by id (Fetch v13): allowed, the
   * broker answers v13, no topic of the session's partitions lacks an id (so a session stays with
   * one way of naming while a topic has none, instead of being opened again every round), and
   * every topic the request names, fetched or forgotten, has one now (another call may have
   * forgotten an id since this one looked them up).
   */
  private byTopicId(broker: InternalBroker, requests: readonly FetchRequest[], plan: FetchSessionPlan): boolean {
    const ids = this.topicIds;
    if (!this.options.topicIds || ids.unavailable || !supports(broker, FETCH_API_KEY, FETCH_TOPIC_IDS_VERSION))
      return false;
    if (ids.missing.size > 0 && requests.some((r) => ids.missing.has(r.topic))) return false;
    return plan.topics.every((t) => ids.has(t.topic)) && plan.forgottenTopics.every((f) => ids.has(f.topic));
  }

  /** Fetch requests sent so far, by Fetch version (tests, benchmarks). */
  fetchVersionCounts(): ReadonlyMap<number, number> {
    return this.fetchesByVersion;
  }

  /** The fetch sessions with one leader (KIP-227), each opened by the first fetches through it. */
  private sessionsWith(leader: number): LeaderSessions {
    let sessions = this.sessions.get(leader);
    if (sessions === undefined)
      this.sessions.set(leader, (sessions = { size: this.options.sessionPartitions, sessions: [] }));
    return sessions;
  }

  /**
   * A session fetch of `partitions` partitions timed out: the broker may be stuck building or
   * updating the session (see {@link SESSION_PARTITIONS}). Later rounds use sessions of half as
   * many partitions (not below an eighth of `sessionPartitions`); the requests already queued on
   * the connection are answered once the broker is done.
   */
  private shrinkSessions(leader: number, sessions: LeaderSessions, partitions: number): void {
    const smallest = Math.ceil(this.options.sessionPartitions / 8);
    const size = Math.max(smallest, Math.floor(Math.min(sessions.size, partitions) / 2));
    if (size >= sessions.size) return;
    this.connection.logger.warn(
      { brokerId: leader, partitions, sessionPartitions: size },
      'a fetch through a session timed out; fetching through smaller sessions from now on',
    );
    sessions.size = size;
  }

  /** Fetch session counters per leader, all its sessions together (benchmarks, tests). */
  fetchSessionStats(): Map<number, FetchSessionStats> {
    return new Map(
      [...this.sessions].map(([leader, { sessions }]) => {
        const total = noFetches();
        for (const s of sessions)
          for (const key of Object.keys(total) as (keyof FetchSessionStats)[]) total[key] += s.stats[key];
        return [leader, total];
      }),
    );
  }

  private partitionResult(request: FetchRequest, p: FetchPartitionResponse): UndecodedFetchedPartition {
    const base = {
      topic: request.topic,
      partition: request.partition,
      highWatermark: p.highWatermark,
      logStartOffset: p.logStartOffset,
    };
    if (p.errorCode === OFFSET_OUT_OF_RANGE) {
      return { ...base, ...NOTHING, nextOffset: request.offset, error: 'OFFSET_OUT_OF_RANGE' };
    }
    if (p.errorCode !== 0) {
      if (isStaleMetadata(p.errorCode) || kafkaErrorInfo(p.errorCode).retriable) {
        this.staleTopics.add(request.topic);
        return { ...base, ...NOTHING, nextOffset: request.offset };
      }
      throw protocolError(p.errorCode, { op: 'fetch', topic: request.topic, partition: request.partition });
    }
    const views =
      p.records && p.records.length > 0 ? readRecordBatchViews(p.records, { verifyCrc: this.options.checkCrcs }) : [];
    // The next position passes every complete batch, including control and aborted ones we drop.
    let nextOffset = request.offset;
    for (const view of views) {
      const batchEnd = view.baseOffset + BigInt(view.lastOffsetDelta) + 1n;
      if (batchEnd > nextOffset) nextOffset = batchEnd;
    }
    const kept = (
      this.options.isolationLevel === 'read_committed'
        ? withoutAbortedTransactions(views, p.abortedTransactions)
        : views
    ).filter((v) => !v.isControl);
    const { topic, partition, offset: from } = request;
    const decode = async (): Promise<ConsumedRecord[]> => {
      // Compressed batches are decompressed concurrently (off the event loop), then decoded in order.
      const sections = await Promise.all(kept.map(recordsSection));
      const records: ConsumedRecord[] = [];
      for (let i = 0; i < kept.length; i++) {
        const timestampType = kept[i]!.timestampType;
        decodeRecordsInto<ConsumedRecord>(kept[i]!, sections[i]!, records, (offset, timestamp, key, value, headers) =>
          // A (compressed) batch can start before the requested offset: skip what was asked past.
          offset < from ? undefined : { topic, partition, offset, timestamp, timestampType, key, value, headers },
        );
      }
      return records;
    };
    // Records to copy: one object each, pointing into the section, summed up per piece (fetched-pieces.ts).
    const batchRecordCount = kept.reduce((n, v) => n + v.recordCount, 0);
    const records = p.records;
    // Nothing fetched: no pieces, and no arena (most partitions of an idle estate, every round).
    if (records === null || records.length === 0)
      return { ...base, nextOffset, batchRecordCount, decode, decodePieces: () => Promise.resolve([]) };
    // Decompressed sections are copied into pooled chunks this partition holds until released.
    const arena = new SectionArena();
    const decodePieces = (
      passThrough: PassThroughRule | undefined,
      encodeFor: CompressionType | undefined,
    ): Promise<FetchedPiece[]> => decodeFetchedPieces(kept, topic, partition, from, passThrough, arena, encodeFor);
    // The response body may come from the data-path pool: this partition holds it until released.
    // Every partition of one response is built here, synchronously, before any can be released.
    dataBuffers.retain(records);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      dataBuffers.release(records);
      arena.release();
    };
    return { ...base, nextOffset, batchRecordCount, decode, decodePieces, release };
  }

  /**
   * Closes this reader's fetch sessions on their brokers (best effort, bounded), so they do not
   * hold broker memory until evicted. Connections belong to the shared KafkajsConnection.
   */
  async close(): Promise<void> {
    const closing = [...this.sessions].flatMap(([leader, { sessions }]) =>
      sessions.map(async (session) => {
        const plan = session.closePlan();
        if (plan === undefined) return;
        const body = encodeFetchRequest({
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 0,
          isolationLevel: 0,
          session: { id: plan.sessionId, epoch: plan.sessionEpoch, forgottenTopics: [] },
          topics: [],
        });
        const broker = await this.connection.broker(leader);
        await this.connection.send(
          broker,
          { apiKey: FETCH_API_KEY, apiVersion: FETCH_VERSION, apiName: 'Fetch' },
          body,
          decodeFetchResponse,
          { requestTimeoutMs: CLOSE_SESSION_TIMEOUT_MS },
        );
      }),
    );
    this.sessions.clear();
    // A broker that is gone has lost the session anyway; nothing to report.
    await Promise.allSettled(closing);
  }
}

const NOTHING = { batchRecordCount: 0, decode: (): Promise<ConsumedRecord[]> => Promise.resolve([]) };

function emptyResult(r: FetchRequest): UndecodedFetchedPartition {
  return {
    topic: r.topic,
    partition: r.partition,
    ...NOTHING,
    nextOffset: r.offset,
    highWatermark: -1n,
    logStartOffset: -1n,
  };
}

/** kafkajs gave up waiting for the broker's answer (`requestTimeout`). */
function isRequestTimeout(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'KafkaJSRequestTimeoutError';
}
