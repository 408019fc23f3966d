import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KafkajsConnection } from '../../../src/kafka/kafkajs/connection.ts';
import { stubbedSink } from '../../support/stubbed-sink.ts';

/**
 * The first produce to many just-created remote topics: one request per leader for all topics
 * sent in one turn, and one metadata refresh per retry round, not one per topic
 * (docs/benchmarks/2026-11-30-scale-3.md).
 */

const NOT_LEADER_OR_FOLLOWER = 6;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

const records = [0, 1].map((partition) => ({ partition, key: null, value: Buffer.from('x') }));
const topics = Array.from({ length: 1000 }, (_, i) => `B.s-${i}`);

afterEach(() => {
  vi.useRealTimers();
});

/** Fake timers from a round instant: retries are due on whole 100 ms. */
function useFakeTime(): void {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
}

describe('producing to many topics at once', () => {
  it('sends the partitions of 1,000 topics sent together in one request per leader, after one leader lookup', async () => {
    const { sink, calls } = stubbedSink(() => 0);
    const results = await Promise.all(topics.map((t) => sink.send(t, records)));
    expect(results.every((r) => r.length === 2)).toBe(true);
    expect(calls.requests.length).toBe(1);
    expect(calls.requests[0]!.length).toBe(1000);
    expect(calls.lookups).toEqual([{ topics, refresh: false }]);
  });

  it('partitions the broker is not ready for yet are retried together: one metadata refresh and one request per round', async () => {
    useFakeTime();
    // The broker answers NOT_LEADER / UNKNOWN_TOPIC for the first 3 requests (new partitions not online yet).
    const { sink, calls } = stubbedSink((topic, _p, request) =>
      request >= 3 ? 0 : topic.endsWith('7') ? UNKNOWN_TOPIC_OR_PARTITION : NOT_LEADER_OR_FOLLOWER,
    );
    let landed = 0;
    const sends = topics.map((t) => sink.send(t, records).then(() => landed++));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.requests.length).toBe(1);
    // Backoff 100, 200, 400 ms: all of them land after 700 ms.
    await vi.advanceTimersByTimeAsync(699);
    expect(landed).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(sends);
    expect(calls.requests.length).toBe(4);
    expect(calls.lookups.length).toBe(4);
    expect(calls.lookups.every((l) => l.topics.length === 1000)).toBe(true);
    // Refreshed at 100 ms and 700 ms: at most one refresh per 500 ms, not one per topic.
    expect(calls.lookups.map((l) => l.refresh)).toEqual([false, true, false, true]);
  });

  it('retries at least once a second while the broker is not ready (Java retry.backoff.max.ms)', async () => {
    useFakeTime();
    let ready = false;
    const { sink, calls } = stubbedSink(() => (ready ? 0 : NOT_LEADER_OR_FOLLOWER));
    let landedAt = -1;
    const start = Date.now();
    const sent = sink.send('B.t', records).then(() => (landedAt = Date.now() - start));
    await vi.advanceTimersByTimeAsync(5_000);
    ready = true;
    await vi.advanceTimersByTimeAsync(1_000);
    await sent;
    expect(landedAt).toBeGreaterThan(5_000);
    expect(landedAt).toBeLessThanOrEqual(6_000);
    expect(calls.requests.length).toBeGreaterThan(5);
  });

  it('a partition without a leader yet waits for one (refreshing), then lands', async () => {
    useFakeTime();
    let leader = -1;
    const { sink, calls } = stubbedSink(
      () => 0,
      () => leader,
    );
    const sent = sink.send('B.t', records);
    await vi.advanceTimersByTimeAsync(300);
    expect(calls.requests.length).toBe(0);
    leader = 1;
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(sent).resolves.toHaveLength(2);
    expect(calls.requests.length).toBe(1);
    expect(calls.lookups.some((l) => l.refresh)).toBe(true);
  });

  it('a partition the metadata does not list yet is retried with a refresh until it is, then lands', async () => {
    useFakeTime();
    // For two lookups: B.new not in the metadata at all (a topic the broker is still creating),
    // B.grown without its partition 1 (partitions just added).
    const { sink, calls } = stubbedSink(
      () => 0,
      () => 1,
      (topic, lookup) => (lookup > 2 ? [0, 1] : topic === 'B.new' ? [] : [0]),
    );
    const created = sink.send('B.new', records);
    const grown = sink.send('B.grown', records);
    await vi.advanceTimersByTimeAsync(2_000);
    // Before: both sends failed at once, non-retriable ("has no partition"), and the task with them.
    await expect(created).resolves.toHaveLength(2);
    await expect(grown).resolves.toHaveLength(2);
    expect(calls.lookups.some((l) => l.refresh)).toBe(true);
  });

  it('a partition the metadata never lists fails its send with a retriable error after the attempts', async () => {
    useFakeTime();
    const { sink } = stubbedSink(() => 0);
    const sent = sink.send('B.t', [{ partition: 5, key: null, value: Buffer.from('x') }]);
    const outcome = sent.then(
      () => undefined,
      (err: unknown) => err,
    );
    await vi.advanceTimersByTimeAsync(20_000);
    const err = (await outcome) as { code?: string; details?: Record<string, unknown>; message?: string };
    expect(err.code).toBe('ERR_UNKNOWN_PARTITION');
    expect(err.details?.['retriable']).toBe(true);
    expect(err.message).toContain('B.t has no partition 5');
  });

  it('two batches for the same partition in one turn go in separate requests (a request names a partition once)', async () => {
    const { sink, calls } = stubbedSink(() => 0);
    await Promise.all([sink.send('B.t', [records[0]!]), sink.send('B.t', [records[0]!]), sink.send('B.u', records)]);
    expect(calls.requests.length).toBe(2);
  });

  /** kafkajs's joint lookup fails when a topic in it is unknown; our own Metadata request names it. */
  function withUnknownTopics(connection: KafkajsConnection, unknown: Set<string>) {
    const lookup = connection.leadersOf.bind(connection);
    const jointLookups: string[][] = [];
    const ownLookups: string[][] = [];
    connection.leadersOf = (names: readonly string[], refresh?: boolean) => {
      jointLookups.push([...names]);
      return names.some((n) => unknown.has(n))
        ? Promise.reject(Object.assign(new Error('unknown topic'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }))
        : lookup(names, refresh);
    };
    connection.leadersEach = async (names: readonly string[]) => {
      ownLookups.push([...names]);
      const known = names.filter((n) => !unknown.has(n));
      return {
        leaders: new Map(await lookup(known)),
        errors: new Map(names.filter((n) => unknown.has(n)).map((n) => [n, UNKNOWN_TOPIC_OR_PARTITION])),
      };
    };
    return { jointLookups, ownLookups };
  }

  it('a topic just created but not known to the broker yet is retried on its own until it is, the others land at once', async () => {
    useFakeTime();
    const { sink, calls, connection } = stubbedSink(() => 0);
    const unknown = new Set(['B.new']);
    const { jointLookups, ownLookups } = withUnknownTopics(connection, unknown);
    let landed = '';
    const sends = ['B.a', 'B.new', 'B.b'].map((t) => sink.send(t, records).then(() => (landed += `${t} `)));
    await vi.advanceTimersByTimeAsync(0);
    expect(landed).toBe('B.a B.b ');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(landed).toBe('B.a B.b ');
    unknown.delete('B.new'); // the broker created its logs
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(sends);
    expect(landed).toBe('B.a B.b B.new ');
    // One joint lookup failed; after that B.new was asked about on its own until found.
    expect(jointLookups.filter((l) => l.includes('B.new'))).toEqual([['B.a', 'B.new', 'B.b']]);
    expect(ownLookups[0]).toEqual(['B.a', 'B.new', 'B.b']);
    expect(ownLookups.slice(1).every((l) => l.length === 1 && l[0] === 'B.new')).toBe(true);
    expect(calls.requests.at(-1)).toEqual([{ topic: 'B.new', partitions: [0, 1] }]);
  });

  it('a topic the cluster no longer knows fails only its own sends, after its retries', async () => {
    useFakeTime();
    const { sink, calls, connection } = stubbedSink(() => 0);
    withUnknownTopics(connection, new Set(['B.gone']));
    const outcomes = Promise.allSettled([
      sink.send('B.a', records),
      sink.send('B.gone', records),
      sink.send('B.b', records),
    ]);
    await vi.advanceTimersByTimeAsync(20_000);
    const [a, gone, b] = await outcomes;
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(gone).toMatchObject({ status: 'rejected', reason: { code: 'KAFKA_UNKNOWN_TOPIC_OR_PARTITION' } });
    expect(calls.requests).toEqual([
      [
        { topic: 'B.a', partitions: [0, 1] },
        { topic: 'B.b', partitions: [0, 1] },
      ],
    ]);
  });

  it('a non-retriable error fails only the partitions it names', async () => {
    const { sink } = stubbedSink((topic) => (topic === 'B.bad' ? 87 /* INVALID_RECORD */ : 0));
    const [good, bad] = await Promise.allSettled([sink.send('B.good', records), sink.send('B.bad', records)]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'KAFKA_INVALID_RECORD' } });
  });
});
