/**
 * Incremental fetch sessions (KIP-227), client side: what each request lists, and that the answers
 * through a session equal what a full fetch would have answered. The differential test runs random
 * scenarios against a model of the broker's session cache (kafka.server.FetchSession: cached
 * partitions keep the fetch offset last sent; a partition is answered when it has records, an
 * error, or a moved high watermark / log start offset), with appends, retention, positions that
 * move, partitions added and dropped, sessions evicted, requests lost, refused sessions and
 * overlapping fetches.
 */
import { describe, expect, it } from 'vitest';
import {
  BUSY_PARTITIONS,
  FETCH_SESSION_ID_NOT_FOUND,
  FetchSession,
  INVALID_FETCH_SESSION_EPOCH,
  type FetchSessionPlan,
  type SessionFetchRequest,
} from '../../../src/kafka/fetch-session.ts';
import type { FetchPartitionResponse } from '../../../src/kafka/wire/fetch.ts';
import { seededRandom as random } from '../../support/seeded-random.ts';

const NOT_LEADER_OR_FOLLOWER = 6;

interface Log {
  highWatermark: bigint;
  logStartOffset: bigint;
  /** A partition error the broker reports right now (0: none). */
  error: number;
}

interface Cached {
  fetchOffset: bigint;
  highWatermark: bigint;
  logStartOffset: bigint;
}

/** The broker's side: logs, and a session cache as kafka.server.FetchManager keeps it. */
class BrokerModel {
  readonly logs = new Map<string, Log>();
  readonly sessions = new Map<number, { epoch: number; parts: Map<string, Cached> }>();
  private nextId = 1;
  refuseSessions = false;

  log(topic: string, partition: number): Log {
    const key = `${topic}/${partition}`;
    let log = this.logs.get(key);
    if (log === undefined) this.logs.set(key, (log = { highWatermark: 0n, logStartOffset: 0n, error: 0 }));
    return log;
  }

  /** What a fetch at `offset` reads: records named by their range, so answers can be compared. */
  read(topic: string, partition: number, offset: bigint): FetchPartitionResponse {
    const log = this.log(topic, partition);
    const base = {
      partition,
      highWatermark: log.highWatermark,
      lastStableOffset: log.highWatermark,
      logStartOffset: log.logStartOffset,
      abortedTransactions: null,
    };
    if (log.error !== 0) return { ...base, errorCode: log.error, highWatermark: -1n, records: null };
    const records = offset < log.highWatermark ? Buffer.from(`${offset}..${log.highWatermark}`) : null;
    return { ...base, errorCode: 0, records };
  }

  handle(plan: FetchSessionPlan): {
    errorCode: number;
    sessionId: number;
    topics: { topic: string; partitions: FetchPartitionResponse[] }[];
  } {
    const answer = (entries: [string, number, bigint][]) => {
      const byTopic = new Map<string, FetchPartitionResponse[]>();
      for (const [t, p, offset] of entries) {
        const list = byTopic.get(t) ?? [];
        list.push(this.read(t, p, offset));
        byTopic.set(t, list);
      }
      return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    };
    const listed = plan.topics.flatMap((t) =>
      t.partitions.map((p) => [t.topic, p.partition, p.fetchOffset] as [string, number, bigint]),
    );
    if (plan.sessionEpoch === -1) {
      this.sessions.delete(plan.sessionId); // epoch -1 with an id closes that session
      return { errorCode: 0, sessionId: 0, topics: answer(listed) };
    }
    if (plan.sessionEpoch === 0) {
      this.sessions.delete(plan.sessionId);
      const topics = answer(listed);
      if (this.refuseSessions) return { errorCode: 0, sessionId: 0, topics };
      const parts = new Map<string, Cached>();
      for (const t of topics)
        for (const p of t.partitions) {
          const offset = listed.find(([lt, lp]) => lt === t.topic && lp === p.partition)![2];
          parts.set(`${t.topic}/${p.partition}`, {
            fetchOffset: offset,
            highWatermark: p.errorCode === 0 ? p.highWatermark : -1n,
            logStartOffset: p.logStartOffset,
          });
        }
      const id = this.nextId++;
      this.sessions.set(id, { epoch: 1, parts });
      return { errorCode: 0, sessionId: id, topics };
    }
    const session = this.sessions.get(plan.sessionId);
    if (session === undefined) return { errorCode: FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, topics: [] };
    if (session.epoch !== plan.sessionEpoch)
      return { errorCode: INVALID_FETCH_SESSION_EPOCH, sessionId: 0, topics: [] };
    session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
    for (const [t, p, offset] of listed) {
      const c = session.parts.get(`${t}/${p}`);
      if (c) c.fetchOffset = offset;
      else session.parts.set(`${t}/${p}`, { fetchOffset: offset, highWatermark: -1n, logStartOffset: -1n });
    }
    for (const f of plan.forgottenTopics) for (const p of f.partitions) session.parts.delete(`${f.topic}/${p}`);
    const entries: [string, number, bigint][] = [];
    for (const [key, c] of session.parts) {
      const [t, p] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      const r = this.read(t, p, c.fetchOffset);
      let respond = r.records !== null || r.errorCode !== 0;
      if (r.highWatermark !== c.highWatermark) respond = true;
      if (r.logStartOffset !== c.logStartOffset) respond = true;
      c.highWatermark = r.errorCode === 0 ? r.highWatermark : -1n;
      c.logStartOffset = r.logStartOffset;
      if (respond) entries.push([t, p, c.fetchOffset]);
    }
    return { errorCode: 0, sessionId: plan.sessionId, topics: answer(entries) };
  }
}

/** The client of the record source: plans, sends, retries a lost session once with a full fetch. */
function fetchCompletedThrough(
  session: FetchSession,
  broker: BrokerModel,
  requests: SessionFetchRequest[],
): (FetchPartitionResponse | undefined)[] {
  for (let attempt = 0; ; attempt++) {
    const plan = session.plan(requests);
    const response = broker.handle(plan);
    if (response.errorCode === 0) return session.completed(plan, response);
    session.failed(plan, response.errorCode);
    if (attempt > 0) throw new Error(`fetch failed twice: error ${response.errorCode}`);
  }
}

/**
 * The client of {@link FetchSession.changes}: it keeps each partition's last answer (`view`) and
 * takes a partition left out as that answer without records, as the source task does.
 */
function fetchChangesThrough(
  session: FetchSession,
  broker: BrokerModel,
  requests: SessionFetchRequest[],
  view: Map<string, FetchPartitionResponse>,
): (FetchPartitionResponse | undefined)[] {
  for (let attempt = 0; ; attempt++) {
    const plan = session.plan(requests);
    const response = broker.handle(plan);
    if (response.errorCode === 0) {
      const answered = new Map<string, FetchPartitionResponse>();
      for (const a of session.changes(plan, response)) {
        const key = `${a.topic}/${a.answer.partition}`;
        // Read from the offset the caller asked for.
        expect(a.fetchOffset).toBe(requests.find((r) => `${r.topic}/${r.partition}` === key)!.offset);
        answered.set(key, a.answer);
        view.set(key, a.answer);
      }
      return requests.map((r) => {
        const key = `${r.topic}/${r.partition}`;
        const last = answered.get(key) ?? view.get(key);
        return last === undefined || answered.has(key) ? last : { ...last, records: null };
      });
    }
    session.failed(plan, response.errorCode);
    if (attempt > 0) throw new Error(`fetch failed twice: error ${response.errorCode}`);
  }
}

const comparable = (r: FetchPartitionResponse | undefined) =>
  r === undefined
    ? undefined
    : {
        partition: r.partition,
        errorCode: r.errorCode,
        records: r.records?.toString() ?? null,
        ...(r.errorCode === 0 ? { highWatermark: r.highWatermark, logStartOffset: r.logStartOffset } : {}),
      };

function request(topic: string, partition: number, offset: bigint): SessionFetchRequest {
  return { topic, partition, offset };
}

describe('FetchSession', () => {
  it('the first fetch is sessionless; the second opens the session; closePlan closes it', () => {
    const broker = new BrokerModel();
    const session = new FetchSession();
    const first = session.plan([request('a', 0, 0n)]);
    expect(first).toMatchObject({ sessionId: 0, sessionEpoch: -1, full: true, usesSession: false });
    session.completed(first, broker.handle(first));
    expect(broker.sessions.size).toBe(0);
    const second = session.plan([request('a', 0, 0n)]);
    expect(second).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true, usesSession: true });
    session.completed(second, broker.handle(second));
    expect(broker.sessions.size).toBe(1);
    const close = session.closePlan()!;
    expect(close).toMatchObject({ sessionId: 1, sessionEpoch: -1, topics: [] });
    broker.handle(close);
    expect(broker.sessions.size).toBe(0);
    expect(session.closePlan()).toBeUndefined();
    expect(session.plan([request('a', 0, 0n)])).toMatchObject({ sessionId: 0, sessionEpoch: 0 });
  });

  it('opens with a full fetch, then lists only partitions whose position moved', () => {
    const broker = new BrokerModel();
    const session = new FetchSession({ openOnFirstFetch: true });
    broker.log('a', 0).highWatermark = 5n;
    const first = session.plan([request('a', 0, 0n), request('a', 1, 0n), request('b', 0, 0n)]);
    expect(first).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true });
    expect(first.topics.flatMap((t) => t.partitions)).toHaveLength(3);
    const answers = session.completed(first, broker.handle(first));
    expect(answers.map((a) => a?.records?.toString() ?? null)).toEqual(['0..5', null, null]);
    expect(session.id).toBe(1);

    // a-0 moved to 5; nothing else changed: one partition listed, and a-1 and b-0 are answered from the cache.
    const second = session.plan([request('a', 0, 5n), request('a', 1, 0n), request('b', 0, 0n)]);
    expect(second).toMatchObject({ sessionId: 1, sessionEpoch: 1, full: false, forgottenTopics: [] });
    expect(second.topics).toEqual([
      { topic: 'a', partitions: [{ partition: 0, fetchOffset: 5n, partitionMaxBytes: 1 << 20 }] },
    ]);
    const response = broker.handle(second);
    expect(response.topics).toEqual([]); // nothing new anywhere: the broker answers no partition
    const idle = session.completed(second, response);
    expect(idle.map((a) => [a?.partition, a?.records, a?.highWatermark])).toEqual([
      [0, null, 5n],
      [1, null, 0n],
      [0, null, 0n],
    ]);

    // Idle round: no partition listed at all.
    const third = session.plan([request('a', 0, 5n), request('a', 1, 0n), request('b', 0, 0n)]);
    expect(third).toMatchObject({ sessionEpoch: 2, topics: [], forgottenTopics: [] });
    session.completed(third, broker.handle(third));

    // b-0 dropped, a-2 added.
    const fourth = session.plan([request('a', 0, 5n), request('a', 1, 0n), request('a', 2, 7n)]);
    expect(fourth.topics).toEqual([
      { topic: 'a', partitions: [{ partition: 2, fetchOffset: 7n, partitionMaxBytes: 1 << 20 }] },
    ]);
    expect(fourth.forgottenTopics).toEqual([{ topic: 'b', partitions: [0] }]);
    session.completed(fourth, broker.handle(fourth));
    expect(broker.sessions.get(1)!.parts.has('b/0')).toBe(false);
    expect(session.stats).toMatchObject({ fullFetches: 1, incrementalFetches: 3, partitionsSent: 5 });
  });

  it('an answer with records for many partitions makes the next fetches sessionless; a quiet one opens a new session', () => {
    // Incremental answers cost the broker per partition answered with records (module doc): under
    // a load spread over many partitions, full sessionless fetches answer in a fraction of the time.
    const broker = new BrokerModel();
    const session = new FetchSession({ openOnFirstFetch: true });
    const parts = Array.from({ length: BUSY_PARTITIONS + 4 }, (_, p) => p);
    const at = new Map(parts.map((p) => [p, 0n]));
    const requests = () => parts.map((p) => request('a', p, at.get(p)!));
    const round = () => {
      const plan = session.plan(requests());
      for (const c of session.changes(plan, broker.handle(plan)))
        if (c.answer.records !== null) at.set(c.answer.partition, c.answer.highWatermark);
      return plan;
    };
    expect(round()).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true, usesSession: true });
    // Records on every partition: more than BUSY_PARTITIONS answered with records.
    for (const p of parts) broker.log('a', p).highWatermark = 5n;
    expect(round()).toMatchObject({ sessionId: 1, sessionEpoch: 1, full: false });
    for (const p of parts) broker.log('a', p).highWatermark = 9n;
    expect(round()).toMatchObject({ sessionId: 0, sessionEpoch: -1, full: true, usesSession: false, bypass: true });
    // Still busy: sessionless again, reading from the positions the last answer moved to.
    for (const p of parts) broker.log('a', p).highWatermark = 12n;
    const busy = round();
    expect(busy).toMatchObject({ sessionEpoch: -1, bypass: true });
    expect(busy.topics[0]!.partitions.every((p) => p.fetchOffset === 9n)).toBe(true);
    // Quiet (records on BUSY_PARTITIONS partitions at most): the next fetch opens a new session,
    // naming the old one so the broker closes it, listing every partition at its position.
    for (const p of parts.slice(0, BUSY_PARTITIONS)) broker.log('a', p).highWatermark = 13n;
    expect(round()).toMatchObject({ sessionEpoch: -1, bypass: true });
    const reopened = round();
    expect(reopened).toMatchObject({ sessionId: 1, sessionEpoch: 0, full: true, usesSession: true });
    expect(reopened.topics[0]!.partitions.map((p) => p.fetchOffset)).toEqual(
      parts.map((p) => (p < BUSY_PARTITIONS ? 13n : 12n)),
    );
    expect(round()).toMatchObject({ sessionEpoch: 1, full: false, topics: [] });
    expect(parts.every((p) => at.get(p) === (p < BUSY_PARTITIONS ? 13n : 12n))).toBe(true);
  });

  it('a fetch planned while another is in flight is sessionless and leaves the session alone', () => {
    const broker = new BrokerModel();
    const session = new FetchSession({ openOnFirstFetch: true });
    const open = session.plan([request('a', 0, 0n)]);
    session.completed(open, broker.handle(open));
    const inFlight = session.plan([request('a', 0, 0n)]);
    const overlapping = session.plan([request('x', 3, 9n)]);
    expect(overlapping).toMatchObject({ sessionId: 0, sessionEpoch: -1, full: true, usesSession: false });
    session.completed(overlapping, broker.handle(overlapping));
    session.failed(overlapping, 1); // no effect either
    expect(inFlight).toMatchObject({ sessionId: 1, sessionEpoch: 1 });
    session.completed(inFlight, broker.handle(inFlight));
    expect(session.plan([request('a', 0, 0n)])).toMatchObject({ sessionId: 1, sessionEpoch: 2, topics: [] });
  });

  it('FETCH_SESSION_ID_NOT_FOUND opens a new session; other failures close the old one as it opens', () => {
    const session = new FetchSession({ openOnFirstFetch: true });
    const open = session.plan([request('a', 0, 0n)]);
    session.completed(open, { sessionId: 42, topics: [] });
    session.failed(session.plan([request('a', 0, 0n)]), INVALID_FETCH_SESSION_EPOCH);
    const reopen = session.plan([request('a', 0, 0n)]);
    expect(reopen).toMatchObject({ sessionId: 42, sessionEpoch: 0, full: true });
    session.failed(reopen); // an I/O error
    const again = session.plan([request('a', 0, 0n)]);
    expect(again).toMatchObject({ sessionId: 42, sessionEpoch: 0 });
    session.failed(again, FETCH_SESSION_ID_NOT_FOUND);
    expect(session.plan([request('a', 0, 0n)])).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true });
    expect(session.stats.resets).toBe(3);
  });

  it('a broker that opens no session (id 0) gets full fetches', () => {
    const session = new FetchSession({ openOnFirstFetch: true });
    const open = session.plan([request('a', 0, 0n)]);
    session.completed(open, { sessionId: 0, topics: [] });
    expect(session.plan([request('a', 0, 0n)])).toMatchObject({ sessionId: 0, sessionEpoch: 0, full: true });
  });

  it('the epoch wraps from 2^31-1 to 1', () => {
    const session = new FetchSession({ openOnFirstFetch: true });
    const open = session.plan([request('a', 0, 0n)]);
    session.completed(open, { sessionId: 7, topics: [] });
    (session as unknown as { epoch: number }).epoch = 0x7fffffff;
    const last = session.plan([request('a', 0, 0n)]);
    expect(last.sessionEpoch).toBe(0x7fffffff);
    session.completed(last, { sessionId: 7, topics: [] });
    expect(session.plan([request('a', 0, 0n)]).sessionEpoch).toBe(1);
  });

  it.each(Array.from({ length: 40 }, (_, i) => [1000 + i, i % 2 === 0 ? 'completed' : 'changes'] as const))(
    'seed %i: answers through the session (%s) equal full-fetch answers',
    (seed, mode) => {
      const next = random(seed);
      const broker = new BrokerModel();
      const session = new FetchSession({ openOnFirstFetch: true });
      const view = new Map<string, FetchPartitionResponse>();
      const fetchThrough = (s: FetchSession, b: BrokerModel, requests: SessionFetchRequest[]) =>
        mode === 'completed' ? fetchCompletedThrough(s, b, requests) : fetchChangesThrough(s, b, requests, view);
      const all: [string, number][] = [];
      for (const t of ['a', 'b', 'c']) for (let p = 0; p < 4; p++) all.push([t, p]);
      const positions = new Map<string, bigint>();
      const wanted = new Set(all.filter(() => next() < 0.7).map(([t, p]) => `${t}/${p}`));
      let listedIdle = 0;
      for (let step = 0; step < 200; step++) {
        const x = next();
        // The world changes: appends, retention, partition errors, membership, lost sessions.
        for (const [t, p] of all) {
          const log = broker.log(t, p);
          const y = next();
          if (y < 0.15) log.highWatermark += BigInt(1 + Math.floor(next() * 5));
          else if (y < 0.18) log.logStartOffset = log.highWatermark > 0n ? log.highWatermark - 1n : 0n;
          else if (y < 0.2) log.error = log.error === 0 ? NOT_LEADER_OR_FOLLOWER : 0;
        }
        if (x < 0.1) {
          const [t, p] = all[Math.floor(next() * all.length)]!;
          const key = `${t}/${p}`;
          if (wanted.has(key)) wanted.delete(key);
          else wanted.add(key);
        } else if (x < 0.13)
          broker.sessions.clear(); // restart / eviction
        else if (x < 0.15) broker.refuseSessions = !broker.refuseSessions;
        const requests = [...wanted].map((key) => {
          const [t, p] = key.split('/') as [string, string];
          return request(t, Number(p), positions.get(key) ?? 0n);
        });
        // Callers usually ask in the same order each round; a new order must not change answers.
        if (next() < 0.1) requests.reverse();
        if (x > 0.97) {
          // A request lost in flight; the broker may or may not have applied it.
          const plan = session.plan(requests);
          if (next() < 0.5) broker.handle(plan);
          session.failed(plan);
          continue;
        }
        if (x > 0.94) {
          // Another fetch overlaps this one: it goes without the session.
          const inFlight = session.plan(requests);
          const other = requests.slice(0, 2);
          const answers = fetchThrough(session, broker, other);
          expect(answers.map(comparable)).toEqual(
            other.map((r) => comparable(broker.read(r.topic, r.partition, r.offset))),
          );
          const response = broker.handle(inFlight);
          if (mode === 'completed') session.completed(inFlight, response);
          else
            for (const c of session.changes(inFlight, response)) view.set(`${c.topic}/${c.answer.partition}`, c.answer);
          continue;
        }
        const expected = requests.map((r) => comparable(broker.read(r.topic, r.partition, r.offset)));
        const before = session.stats.partitionsSent;
        const answers = fetchThrough(session, broker, requests);
        expect(answers.map(comparable), `seed ${seed} step ${step}`).toEqual(expected);
        // The caller consumes: positions move to the end of what was read.
        for (let i = 0; i < requests.length; i++) {
          const a = answers[i]!;
          if (a.records !== null)
            positions.set(
              `${requests[i]!.topic}/${a.partition}`,
              broker.log(requests[i]!.topic, a.partition).highWatermark,
            );
        }
        if (session.stats.partitionsSent - before < requests.length) listedIdle++;
      }
      // The session was in use: rounds listed fewer partitions than asked for.
      expect(listedIdle).toBeGreaterThan(10);
    },
  );
});
