import { describe, expect, it, vi } from 'vitest';
import { AbortedError } from '../../../src/connect/retry.ts';
import { CompactedLog, LogStalledError, type CompactedLogOptions } from '../../../src/connect/compacted-log.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';
import { MemoryTopic } from './memory-topic.ts';

const TOPIC = 'mm2-offsets.A.internal';

const retriable = (): KafkaPortError =>
  new KafkaPortError('KAFKA_NOT_LEADER_OR_FOLLOWER', 'not the leader', { retriable: true });

function logOn(topic: MemoryTopic, options: Partial<CompactedLogOptions> = {}) {
  const seen: string[] = [];
  const log = new CompactedLog({
    topic: TOPIC,
    source: topic,
    admin: topic,
    onRecord: (r) => seen.push(`${r.partition}:${r.offset}:${r.value?.toString() ?? 'null'}`),
    retryPolicy: { initialMs: 5, maxMs: 20 },
    ...options,
  });
  return { log, seen };
}

describe('CompactedLog (Kafka Connect KafkaBasedLog)', () => {
  it('readToEnd reads every partition up to the end offsets listed when it was called', async () => {
    const topic = new MemoryTopic(TOPIC, 2);
    topic.append(0, 'a', null, 'c', 'd', 'e');
    topic.append(1, 'x', 'y');
    const { log, seen } = logOn(topic, {
      // A writer appends while the read is under way: those records are past the captured end.
      onRecord: (r) => {
        seen.push(`${r.partition}:${r.offset}:${r.value?.toString() ?? 'null'}`);
        if (r.partition === 0 && r.offset === 0n) topic.append(0, 'late1', 'late2');
      },
    });
    await log.readToEnd();
    expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:0:a', '0:1:null', '0:2:c', '0:3:d', '0:4:e']);
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0:x', '1:1:y']);
    expect(log.positions()).toEqual(
      new Map([
        [0, 5n],
        [1, 2n],
      ]),
    );
    expect(log.endOffsets()).toEqual(
      new Map([
        [0, 5n],
        [1, 2n],
      ]),
    );
    expect(log.partitionCount).toBe(2);
    // The next read picks up what was written since, from where the last one stopped.
    seen.length = 0;
    await log.readToEnd();
    expect(seen).toEqual(['0:5:late1', '0:6:late2']);
  });

  it('starts at given positions, at the end, or only on named partitions', async () => {
    const topic = new MemoryTopic(TOPIC, 2);
    topic.append(0, 'a', 'b', 'c');
    topic.append(1, 'x', 'y');
    const fromPositions = logOn(topic, { from: new Map([[0, 2n]]) });
    await fromPositions.log.readToEnd();
    expect(fromPositions.seen).toEqual(['0:2:c', '1:0:x', '1:1:y']);
    const fromEnd = logOn(topic, { from: 'end' });
    await fromEnd.log.readToEnd();
    expect(fromEnd.seen).toEqual([]);
    const onlyOne = logOn(topic, { partitions: [1] });
    await onlyOne.log.readToEnd();
    expect(onlyOne.seen).toEqual(['1:0:x', '1:1:y']);
    await expect(logOn(topic, { partitions: [7] }).log.readToEnd()).rejects.toMatchObject({
      code: 'ERR_LOG_READ',
      message: `${TOPIC} has no partition 7 (it has 2 partition(s))`,
    });
  });

  it('tails: records written after the end arrive, with their headers, until stop', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.append(0, 'a');
    const { log, seen } = logOn(topic);
    await log.start();
    expect(seen).toEqual(['0:0:a']);
    topic.append(0, 'b', null);
    await vi.waitFor(() => expect(seen).toEqual(['0:0:a', '0:1:b', '0:2:null']), { timeout: 2_000 });
    await log.stop();
    topic.append(0, 'after stop');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(3);
    expect(topic.inFlight).toBe(0);
  });

  it('a tail waiting at the end longer than the stall timeout is caught up, not stalled', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.maxWaitMs = 40;
    const { log, seen } = logOn(topic, { stallTimeoutMs: 100 });
    const tailing = log.tail();
    await new Promise((r) => setTimeout(r, 300));
    topic.append(0, 'late');
    await vi.waitFor(() => expect(seen).toEqual(['0:0:late']), { timeout: 2_000 });
    await log.stop();
    await expect(tailing).resolves.toBeUndefined();
  });

  it('stop during a long poll returns once that fetch answers, and starts no other', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.maxWaitMs = 300;
    const { log } = logOn(topic);
    const tailing = log.tail();
    await vi.waitFor(() => expect(topic.inFlight).toBe(1));
    const fetches = topic.fetches;
    const began = Date.now();
    await log.stop();
    expect(Date.now() - began).toBeLessThan(600);
    expect(topic.inFlight).toBe(0);
    expect(topic.fetches).toBe(fetches);
    await expect(tailing).resolves.toBeUndefined();
  });

  it('stop during a retry backoff returns at once; a stopped readToEnd rejects as aborted', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.append(0, 'a');
    topic.alwaysFail = retriable();
    const { log } = logOn(topic, { retryPolicy: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    const reading = log.readToEnd();
    await vi.waitFor(() => expect(topic.fetches).toBe(1));
    const began = Date.now();
    await log.stop();
    expect(Date.now() - began).toBeLessThan(200);
    await expect(reading).rejects.toBeInstanceOf(AbortedError);
  });

  it('OFFSET_OUT_OF_RANGE (the log start moved past the position) restarts from the log start', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.append(0, ...Array.from({ length: 10 }, (_, i) => `v${i}`));
    const { log, seen } = logOn(topic, {
      onRecord: (r) => {
        seen.push(`${r.offset}`);
        // Retention deletes under the reader after its first fetch.
        if (r.offset === 1n) topic.deleteBefore(0, 6n);
      },
    });
    await log.readToEnd();
    expect(seen).toEqual(['0', '1', '6', '7', '8', '9']);
    expect(log.positions().get(0)).toBe(10n);
  });

  it('retriable errors are retried; a non-retriable one fails the read at once', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.append(0, 'a', 'b', 'c');
    topic.failures = [retriable(), retriable()];
    const ok = logOn(topic);
    await ok.log.readToEnd();
    expect(ok.seen).toEqual(['0:0:a', '0:1:b', '0:2:c']);

    const denied = new KafkaPortError('KAFKA_TOPIC_AUTHORIZATION_FAILED', 'not authorized', { retriable: false });
    topic.failures = [denied];
    const fetches = topic.fetches;
    const failed = logOn(topic);
    await expect(failed.log.readToEnd()).rejects.toBe(denied);
    expect(topic.fetches).toBe(fetches + 1);
    expect(failed.seen).toEqual([]);

    // A tail surfaces it too, instead of retrying forever.
    const tail = logOn(topic);
    await tail.log.readToEnd();
    topic.failures = [denied];
    await expect(tail.log.tail()).rejects.toBe(denied);
  });

  it('a read that makes no progress fails with LogStalledError naming the topic and where it stood', async () => {
    const topic = new MemoryTopic(TOPIC, 1);
    topic.append(0, 'a', 'b', 'c');
    topic.batch = 1;
    const { log, seen } = logOn(topic, {
      stallTimeoutMs: 150,
      onRecord: (r) => {
        seen.push(`${r.offset}`);
        topic.noLeader = true; // the leader goes away after the first record
      },
    });
    const began = Date.now();
    const err = await log.readToEnd().catch((e: unknown) => e);
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(LogStalledError);
    expect(err).toMatchObject({
      code: 'ERR_LOG_STALLED',
      message: `reading ${TOPIC} made no progress for 150 ms (partition 0 at 1 of 3)`,
      details: { topic: TOPIC, behind: [{ partition: 0, position: '1', end: '3' }] },
    });
    expect(seen).toEqual(['0']);

    // Retriable failures that never end are a stall too, with the last failure as the cause.
    const failing = new MemoryTopic(TOPIC, 1);
    failing.append(0, 'a');
    failing.alwaysFail = retriable();
    const stalled = await logOn(failing, { stallTimeoutMs: 100 })
      .log.readToEnd()
      .catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(LogStalledError);
    expect((stalled as Error).message).toContain('not the leader');
    expect((stalled as Error).cause).toBe(failing.alwaysFail);
  });
});
