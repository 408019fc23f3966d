import { describe, expect, it, vi } from 'vitest';
import { AbortedError } from '../../../src/connect/retry.ts';
import { CompactedLog, LogStalledError, type CompactedLogOptions } from '../../../src/connect/compacted-log.ts';
import type {
  ConsumedRecord,
  FetchRequest,
  FetchedPartition,
  PartitionOffsets,
  RecordSource,
} from '../../../src/kafka/port.ts';
import { KafkaPortError } from '../../../src/util/errors.ts';

const TOPIC = 'mm2-offsets.A.internal';

/**
 * A tiny in-memory topic that is its own record source and offsets lister: fetches return up to
 * `batch` records, long-poll up to `maxWaitMs` at the end (answering early when a record is
 * appended), and answer OFFSET_OUT_OF_RANGE outside [log start, high watermark], as a broker does.
 */
class MemoryTopic implements RecordSource {
  readonly logs: { records: ConsumedRecord[]; logStart: bigint; end: bigint }[];
  batch = 2;
  maxWaitMs = 200;
  /** Thrown by the next fetches, one per fetch. */
  failures: Error[] = [];
  /** Every fetch fails with this. */
  alwaysFail: Error | undefined;
  /** No partition has a leader: empty answers with an unknown high watermark. */
  noLeader = false;
  fetches = 0;
  inFlight = 0;
  private wake: (() => void)[] = [];

  constructor(partitions: number) {
    this.logs = Array.from({ length: partitions }, () => ({ records: [], logStart: 0n, end: 0n }));
  }

  append(partition: number, ...values: (string | null)[]): void {
    const log = this.logs[partition]!;
    for (const value of values) {
      log.records.push({
        topic: TOPIC,
        partition,
        offset: log.end,
        timestamp: 1_700_000_000_000,
        timestampType: 'CreateTime',
        key: Buffer.from(`k${log.end}`),
        value: value === null ? null : Buffer.from(value),
        headers: [{ key: 'h', value: Buffer.from('v') }],
      });
      log.end++;
    }
    for (const wake of this.wake.splice(0)) wake();
  }

  /** DeleteRecords: the log start moves to `offset`. */
  deleteBefore(partition: number, offset: bigint): void {
    const log = this.logs[partition]!;
    log.records = log.records.filter((r) => r.offset >= offset);
    log.logStart = offset;
  }

  listOffsets = (topic: string): Promise<PartitionOffsets[]> => {
    expect(topic).toBe(TOPIC);
    return Promise.resolve(this.logs.map((l, partition) => ({ partition, earliest: l.logStart, latest: l.end })));
  };

  async fetch(requests: FetchRequest[]): Promise<FetchedPartition[]> {
    this.fetches++;
    this.inFlight++;
    try {
      const failure = this.alwaysFail ?? this.failures.shift();
      if (failure !== undefined) throw failure;
      let answer = requests.map((r) => this.answer(r));
      if (answer.every((a) => a.records.length === 0 && a.error === undefined && a.highWatermark >= 0n)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.maxWaitMs);
          this.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        answer = requests.map((r) => this.answer(r));
      }
      return answer;
    } finally {
      this.inFlight--;
    }
  }

  fetchUndecoded(): never {
    throw new Error('not used');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private answer(r: FetchRequest): FetchedPartition {
    const log = this.logs[r.partition]!;
    const base = { topic: r.topic, partition: r.partition, nextOffset: r.offset, records: [] as ConsumedRecord[] };
    if (this.noLeader) return { ...base, highWatermark: -1n, logStartOffset: -1n };
    if (r.offset < log.logStart || r.offset > log.end) {
      // A broker answers an out-of-range fetch without offsets.
      return { ...base, highWatermark: -1n, logStartOffset: -1n, error: 'OFFSET_OUT_OF_RANGE' };
    }
    const records = log.records.filter((x) => x.offset >= r.offset).slice(0, this.batch);
    const last = records.at(-1);
    return {
      ...base,
      records,
      nextOffset: last === undefined ? r.offset : last.offset + 1n,
      highWatermark: log.end,
      logStartOffset: log.logStart,
    };
  }
}

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
    const topic = new MemoryTopic(2);
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
    const topic = new MemoryTopic(2);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const topic = new MemoryTopic(1);
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
    const failing = new MemoryTopic(1);
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
