/**
 * The client side of one incremental fetch session with one broker (KIP-227; Java's
 * `org.apache.kafka.clients.FetchSessionHandler`). The first fetch lists every partition and asks
 * the broker to open a session; later fetches list only the partitions whose fetch position moved
 * (or that are new) and name the ones dropped as forgotten topics, and the broker answers only the
 * partitions that have records, an error, or a moved high watermark / log start offset. An idle
 * partition then costs nothing per fetch round, on the wire or in the broker.
 *
 * The broker keeps each session partition's fetch offset as last sent and never advances it
 * itself (kafka.server.CachedPartition), so a partition must be re-sent whenever the caller's
 * position differs from what the broker holds. A partition missing from an incremental response
 * has no records and unchanged offsets: {@link FetchSession.completed} answers it from the cached
 * high watermark and log start offset, so callers see one answer per requested partition, as with
 * a full fetch.
 *
 * Pure bookkeeping (no I/O, no kafkajs): the record source plans a request, sends it, and reports
 * the outcome. One request at a time uses the session; a request planned while another is in
 * flight is a sessionless full fetch (session id 0, epoch -1), which leaves the session untouched.
 *
 * A session pays off while few partitions change per round. When an answer has records for many
 * partitions ({@link BUSY_PARTITIONS}), the next fetches are sessionless full fetches until one
 * comes back quiet; then a new session opens (closing the old one). Measured on Kafka 4.1.2 with
 * a light load spread over 1,600 partitions (200 topics): incremental answers took 180–900 ms,
 * growing with the partitions answered with records and with the topic count (3–4 s at 8,000
 * partitions), against ~20 ms sessionless; the broker moves every session partition answered
 * with records to the end of its session map (kafka.server.IncrementalFetchContext). Java's
 * consumer, which keys sessions by topic id (Fetch v13+; we sent v11 then, keyed by name), did not
 * show it on the same brokers (docs/benchmarks/2026-11-30-scale-4.md): the broker's session map
 * hashes a name-keyed partition by partition and topic name, and numbered topic names fall into
 * dense runs of its linear-probing table, where topic ids hash at random
 * (docs/benchmarks/2026-12-01-fetch-session-size.md; the record source bounds a session's size and
 * names topics by id where the broker has ids, docs/benchmarks/2026-12-01-fetch-topic-ids.md).
 * The session itself keys partitions by name either way: ids are the request's encoding.
 *
 * A session holds broker memory for each of its partitions until it is closed or evicted (the
 * broker keeps `max.incremental.fetch.session.cache.slots`, 1,000 by default). So the first fetch
 * is sessionless and only the second opens a session: a reader that fetches once (a lookup of one
 * offset, a poll of end offsets) leaves nothing behind; {@link FetchSession.closePlan} closes it
 * (epoch -1 with the session id) when the reader closes, as Java's consumer does on close.
 */
import type { FetchPartitionResponse } from './wire/fetch.ts';

/** Top-level errors of an incremental fetch: the session is gone or out of step; start a new one. */
export const FETCH_SESSION_ID_NOT_FOUND = 70;
export const INVALID_FETCH_SESSION_EPOCH = 71;
/** The session was opened naming topics by name and this request names them by id, or the other way. */
export const FETCH_SESSION_TOPIC_ID_ERROR = 106;

/** Epoch 0: a full fetch that (re)creates the session; -1: a full fetch without any session. */
const INITIAL_EPOCH = 0;
const SESSIONLESS_EPOCH = -1;
const MAX_EPOCH = 0x7fffffff;
/** An answer with records for more partitions than this makes the next fetches sessionless (see the module doc). */
export const BUSY_PARTITIONS = 8;

/** One partition a fetch asks for, from `offset` (the port's FetchRequest has this shape). */
export interface SessionFetchRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface FetchSessionPlan {
  sessionId: number;
  sessionEpoch: number;
  /** Every requested partition is listed (no incremental diff). */
  full: boolean;
  /** The partitions to put in the request body, grouped by topic. */
  topics: { topic: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number }[] }[];
  /** Session partitions no longer requested (FetchRequest v7+ `forgotten_topics_data`). */
  forgottenTopics: { topic: string; partitions: number[] }[];
  /** What the caller asked for, in its order: {@link FetchSession.completed} answers each. */
  requests: readonly SessionFetchRequest[];
  /** False for a sessionless fetch planned while the session was busy. */
  readonly usesSession: boolean;
  /** A sessionless fetch planned because many partitions had records ({@link BUSY_PARTITIONS}). */
  readonly bypass?: boolean;
}

/** What the broker holds for one session partition, and what it answered last. */
interface CachedPartition {
  readonly topic: string;
  readonly partition: number;
  fetchOffset: bigint;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

export interface FetchSessionStats {
  fullFetches: number;
  incrementalFetches: number;
  sessionlessFetches: number;
  /** Sessions the broker lost or refused (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, I/O). */
  resets: number;
  /** Partitions listed in requests, over all fetches. */
  partitionsSent: number;
}

/** Counters before any fetch (a session's start, or a sum over sessions). */
export function noFetches(): FetchSessionStats {
  return { fullFetches: 0, incrementalFetches: 0, sessionlessFetches: 0, resets: 0, partitionsSent: 0 };
}

export class FetchSession {
  private sessionId = 0;
  private epoch = INITIAL_EPOCH;
  private inFlight = false;
  private fetched = false;
  /** The last answer had records for more than {@link BUSY_PARTITIONS} partitions: fetch sessionless. */
  private bypassing = false;
  private cached = new Map<string, Map<number, CachedPartition>>();
  /** Partitions in {@link cached}, all topics together. */
  private cachedCount = 0;
  /**
   * The cached entry of each position of the last incremental plan's requests. A round asking for
   * the same partitions in the same order (a reader's usual round) finds each one here with a
   * comparison instead of two map lookups. Every entry is in {@link cached}: {@link forgetAll}
   * clears both, and a partition the session forgets was not asked for by the plan that forgot
   * it, which overwrote or cut off its position here.
   */
  private aligned: (CachedPartition | undefined)[] = [];
  /** `openOnFirstFetch`: open the session with the very first fetch (tests); otherwise with the second. */
  private readonly openOnFirstFetch: boolean;
  /** Every partition's `partition_max_bytes` (Java `max.partition.fetch.bytes`). */
  private readonly partitionMaxBytes: number;
  constructor(options: { openOnFirstFetch?: boolean; partitionMaxBytes?: number } = {}) {
    this.openOnFirstFetch = options.openOnFirstFetch ?? false;
    this.partitionMaxBytes = options.partitionMaxBytes ?? 1_048_576;
  }

  readonly stats: FetchSessionStats = noFetches();

  /** The session id the broker gave, 0 while there is none. */
  get id(): number {
    return this.sessionId;
  }

  /** Plans the next request for `requests` (one entry per partition). */
  plan(requests: readonly SessionFetchRequest[]): FetchSessionPlan {
    const first = !this.fetched && !this.openOnFirstFetch;
    this.fetched = true;
    if (this.inFlight || first || this.bypassing) {
      this.stats.sessionlessFetches++;
      this.stats.partitionsSent += requests.length;
      // While bypassing no session fetch is in flight: noteBusy turns it on only once one ended.
      const plan = { ...fullPlan(requests, this.partitionMaxBytes, 0, SESSIONLESS_EPOCH), usesSession: false };
      return this.bypassing ? { ...plan, bypass: true } : plan;
    }
    this.inFlight = true;
    if (this.epoch === INITIAL_EPOCH) {
      this.stats.fullFetches++;
      this.stats.partitionsSent += requests.length;
      // Naming the old id with epoch 0 closes it on the broker as the new one opens.
      return { ...fullPlan(requests, this.partitionMaxBytes, this.sessionId, INITIAL_EPOCH), usesSession: true };
    }
    this.stats.incrementalFetches++;
    // One pass over the requests, allocating only for partitions that are listed: an idle
    // partition costs a few comparisons (two map lookups when the requests' order changed).
    const changed = new Map<string, FetchSessionPlan['topics'][number]['partitions']>();
    const aligned = this.aligned;
    if (aligned.length !== requests.length) aligned.length = requests.length;
    let matched = 0;
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      let c = aligned[i];
      if (c === undefined || c.partition !== r.partition || c.topic !== r.topic)
        aligned[i] = c = this.cached.get(r.topic)?.get(r.partition);
      if (c !== undefined) matched++;
      if (c !== undefined && c.fetchOffset === r.offset) continue;
      let list = changed.get(r.topic);
      if (list === undefined) changed.set(r.topic, (list = []));
      list.push({ partition: r.partition, fetchOffset: r.offset, partitionMaxBytes: this.partitionMaxBytes });
      this.stats.partitionsSent++;
    }
    // Every session partition was requested again (the usual round): nothing to forget, and no
    // set of the requests is needed to find out.
    const forgottenTopics = matched === this.cachedCount ? [] : this.forgotten(requests);
    return {
      sessionId: this.sessionId,
      sessionEpoch: this.epoch,
      full: false,
      topics: [...changed].map(([topic, partitions]) => ({ topic, partitions })),
      forgottenTopics,
      requests,
      usesSession: true,
    };
  }

  /** Session partitions not among `requests`. */
  private forgotten(requests: readonly SessionFetchRequest[]): FetchSessionPlan['forgottenTopics'] {
    const requested = new Map<string, Set<number>>();
    for (const r of requests) {
      let parts = requested.get(r.topic);
      if (parts === undefined) requested.set(r.topic, (parts = new Set()));
      parts.add(r.partition);
    }
    const forgottenTopics: FetchSessionPlan['forgottenTopics'] = [];
    for (const [topic, parts] of this.cached) {
      const still = requested.get(topic);
      const gone: number[] = [];
      for (const p of parts.keys()) if (still === undefined || !still.has(p)) gone.push(p);
      if (gone.length > 0) forgottenTopics.push({ topic, partitions: gone });
    }
    return forgottenTopics;
  }

  /**
   * The request that closes the session on the broker (a full fetch of nothing with epoch -1 and
   * the session id), or undefined when there is none to close or a fetch is in flight; the
   * session starts over afterwards.
   */
  closePlan(): FetchSessionPlan | undefined {
    if (this.sessionId === 0 || this.inFlight) return undefined;
    const plan = { ...fullPlan([], this.partitionMaxBytes, this.sessionId, SESSIONLESS_EPOCH), usesSession: false };
    this.sessionId = 0;
    this.epoch = INITIAL_EPOCH;
    this.forgetAll();
    return plan;
  }

  /**
   * The request of `plan` failed: an I/O error, or a top-level error code in the response. The
   * next plan is a full fetch; FETCH_SESSION_ID_NOT_FOUND forgets the id (there is nothing to
   * close), anything else closes the old session as the new one opens (as Java's handler does).
   */
  failed(plan: FetchSessionPlan, errorCode?: number): void {
    if (!plan.usesSession) return;
    this.inFlight = false;
    this.stats.resets++;
    if (errorCode === FETCH_SESSION_ID_NOT_FOUND) this.sessionId = 0;
    this.epoch = INITIAL_EPOCH;
    this.forgetAll();
  }

  private forgetAll(): void {
    this.cached.clear();
    this.cachedCount = 0;
    this.aligned = [];
  }

  /**
   * The response to `plan` came back without a top-level error: updates the session and returns,
   * for each of `plan.requests` in order, the broker's answer — or, for a partition an incremental
   * response left out, an empty answer with the cached offsets. `undefined` only where a full
   * response lacks a requested partition (a broker never does that).
   */
  completed(plan: FetchSessionPlan, response: FetchSessionResponse): (FetchPartitionResponse | undefined)[] {
    const answered = answersOf(response);
    if (!plan.usesSession) {
      this.noteBusy(plan, response);
      return plan.requests.map((r) => answered.get(r.topic)?.get(r.partition));
    }
    this.absorb(plan, response);
    const out: (FetchPartitionResponse | undefined)[] = [];
    for (const r of plan.requests) {
      const answer = answered.get(r.topic)?.get(r.partition);
      if (answer !== undefined) out.push(answer);
      else out.push(plan.full ? undefined : unchanged(r.partition, this.cached.get(r.topic)!.get(r.partition)!));
    }
    this.noteBusy(plan, response);
    return out;
  }

  /**
   * {@link completed} for a caller that keeps what it was answered before: only the partitions
   * the broker answered (records, an error, or moved offsets), each with the fetch offset it was
   * read from. A partition left out was read from the same offset as last time and found nothing
   * new: same high watermark, same log start offset, no records. Work and allocation are
   * proportional to the partitions sent and answered, not to the partitions in the session
   * (a full or sessionless fetch answers every partition, so it is proportional to all of them).
   */
  changes(plan: FetchSessionPlan, response: FetchSessionResponse): SessionFetchAnswer[] {
    const out: SessionFetchAnswer[] = [];
    if (!plan.usesSession) {
      this.noteBusy(plan, response);
      // Sessionless: nothing cached; the offsets are the requested ones.
      const offsets = new Map<string, Map<number, bigint>>();
      for (const t of plan.topics) {
        const parts = new Map<number, bigint>();
        for (const p of t.partitions) parts.set(p.partition, p.fetchOffset);
        offsets.set(t.topic, parts);
      }
      for (const t of response.topics)
        for (const answer of t.partitions) {
          const fetchOffset = offsets.get(t.topic)?.get(answer.partition);
          if (fetchOffset !== undefined) out.push({ topic: t.topic, fetchOffset, answer });
        }
      return out;
    }
    this.absorb(plan, response);
    for (const t of response.topics) {
      const parts = this.cached.get(t.topic);
      for (const answer of t.partitions) {
        const c = parts?.get(answer.partition);
        // A partition the request did not list (a broker never answers one): left out.
        if (c !== undefined) out.push({ topic: t.topic, fetchOffset: c.fetchOffset, answer });
      }
    }
    this.noteBusy(plan, response);
    return out;
  }

  /**
   * After a session or bypass answer: records for more than {@link BUSY_PARTITIONS} partitions
   * make the next fetches sessionless; a quiet answer ends that, and the next fetch opens a new
   * session (epoch 0 with the old id, which closes it). A sessionless fetch planned because
   * another was in flight says nothing about the session.
   */
  private noteBusy(plan: FetchSessionPlan, response: FetchSessionResponse): void {
    if (!plan.usesSession && plan.bypass !== true) return;
    let withRecords = 0;
    for (const t of response.topics)
      for (const answer of t.partitions) if (answer.records !== null && answer.records.length > 0) withRecords++;
    const busy = withRecords > BUSY_PARTITIONS;
    if (busy && !this.bypassing) {
      // The broker's session keeps the offsets it had; the next session fetch is a full one.
      this.epoch = INITIAL_EPOCH;
      this.forgetAll();
    }
    this.bypassing = busy;
  }

  /**
   * Session bookkeeping of a successful response: the fetch offsets the broker now holds (the
   * partitions the request listed), forgotten partitions, the offsets of the answered ones.
   */
  private absorb(plan: FetchSessionPlan, response: FetchSessionResponse): void {
    this.inFlight = false;
    if (plan.full) {
      this.forgetAll();
      // A broker that could not open a session (cache full, or sessions disabled) answers id 0:
      // the next fetch is full again and asks once more.
      this.sessionId = response.sessionId;
      this.epoch = response.sessionId === 0 ? INITIAL_EPOCH : 1;
    } else {
      this.epoch = this.epoch === MAX_EPOCH ? 1 : this.epoch + 1;
      for (const f of plan.forgottenTopics) {
        const parts = this.cached.get(f.topic);
        if (parts === undefined) continue;
        for (const p of f.partitions) if (parts.delete(p)) this.cachedCount--;
        if (parts.size === 0) this.cached.delete(f.topic);
      }
    }
    // The listed partitions: every requested one for a full fetch, the moved and new ones otherwise.
    for (const t of plan.topics) {
      let parts = this.cached.get(t.topic);
      if (parts === undefined) this.cached.set(t.topic, (parts = new Map()));
      for (const r of t.partitions) {
        const c = parts.get(r.partition);
        if (c === undefined) {
          parts.set(r.partition, {
            topic: t.topic,
            partition: r.partition,
            fetchOffset: r.fetchOffset,
            ...UNKNOWN_OFFSETS,
          });
          this.cachedCount++;
        } else {
          c.fetchOffset = r.fetchOffset;
        }
      }
    }
    for (const t of response.topics) {
      const parts = this.cached.get(t.topic);
      if (parts === undefined) continue;
      for (const answer of t.partitions) {
        const c = parts.get(answer.partition);
        if (c === undefined) continue;
        if (answer.errorCode === 0) {
          c.highWatermark = answer.highWatermark;
          c.lastStableOffset = answer.lastStableOffset;
          c.logStartOffset = answer.logStartOffset;
        } else {
          // The broker forgets the partition's high watermark on an error, so it answers it again
          // once the error is gone; forget ours too.
          Object.assign(c, UNKNOWN_OFFSETS);
        }
      }
    }
  }
}

/** What {@link FetchSession.completed} and {@link FetchSession.changes} read of a Fetch response. */
export interface FetchSessionResponse {
  sessionId: number;
  topics: { topic: string; partitions: FetchPartitionResponse[] }[];
}

/** One answered partition of {@link FetchSession.changes}: the offset it was read from, and the answer. */
export interface SessionFetchAnswer {
  topic: string;
  fetchOffset: bigint;
  answer: FetchPartitionResponse;
}

function answersOf(response: FetchSessionResponse): Map<string, Map<number, FetchPartitionResponse>> {
  const answered = new Map<string, Map<number, FetchPartitionResponse>>();
  for (const t of response.topics) {
    let parts = answered.get(t.topic);
    if (parts === undefined) answered.set(t.topic, (parts = new Map()));
    for (const p of t.partitions) parts.set(p.partition, p);
  }
  return answered;
}

const UNKNOWN_OFFSETS = { highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n };

function unchanged(partition: number, c: CachedPartition): FetchPartitionResponse {
  return {
    partition,
    errorCode: 0,
    highWatermark: c.highWatermark,
    lastStableOffset: c.lastStableOffset,
    logStartOffset: c.logStartOffset,
    abortedTransactions: null,
    records: null,
  };
}

function fullPlan(
  requests: readonly SessionFetchRequest[],
  partitionMaxBytes: number,
  sessionId: number,
  sessionEpoch: number,
): Omit<FetchSessionPlan, 'usesSession'> {
  const topics = new Map<string, FetchSessionPlan['topics'][number]['partitions']>();
  for (const r of requests) {
    let list = topics.get(r.topic);
    if (list === undefined) topics.set(r.topic, (list = []));
    list.push({ partition: r.partition, fetchOffset: r.offset, partitionMaxBytes });
  }
  return {
    sessionId,
    sessionEpoch,
    full: true,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    forgottenTopics: [],
    requests,
  };
}
