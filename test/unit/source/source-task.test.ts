import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkStatus } from '../../../src/connect/states.ts';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { SourceTask, type SourceTaskOptions } from '../../../src/connectors/source/source-task.ts';
import type { PartitionMetrics } from '../../../src/connectors/source/source-task-ports.ts';
import type { ProducerRecord } from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { decodeOffsetSync, readRunStart, topicPartitionKey } from '../../../src/records/index.ts';
import { pino } from 'pino';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka, kafkaError } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';

const TOPIC = 'orders';
const REMOTE = 'A.orders';
const SYNCS = 'mm2-offset-syncs.B.internal';
const key = (partition: number): string => topicPartitionKey({ topic: TOPIC, partition });
/** Captured before the fake timers: retry backoffs wait with node:timers/promises, which they do not replace. */
const realSetTimeout = globalThis.setTimeout;

function records(partition: number, count: number, tag = 'v'): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    partition,
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`${tag}-${partition}-${i}`),
    timestamp: 1_700_000_000_000 + i,
  }));
}

/** Positions as the Connect offsets store keeps them: last replicated offset per partition. */

interface Harness {
  source: InMemoryKafka;
  target: InMemoryKafka;
  positions: MemoryPositions;
  states: WorkStatus[];
  lost: Map<number, number>;
  task: SourceTask;
}

async function harness(
  setup: { partitions?: number; perPartition?: number; withSyncs?: boolean; maxOffsetLag?: bigint } = {},
  extra: Partial<SourceTaskOptions> = {},
): Promise<Harness> {
  const partitions = setup.partitions ?? 2;
  const source = new InMemoryKafka();
  const target = new InMemoryKafka();
  source.addTopic(TOPIC, partitions);
  target.addTopic(REMOTE, partitions);
  target.addTopic(SYNCS, 1);
  for (let p = 0; p < partitions; p++) source.produce(TOPIC, records(p, setup.perPartition ?? 10));
  const positions = new MemoryPositions();
  const states: WorkStatus[] = [];
  const lost = new Map<number, number>();
  const metrics = {
    partition: ({ partition }: { partition: number }): PartitionMetrics => ({
      polled: () => {},
      acked: () => {},
      lag: () => {},
      lost: (n) => void lost.set(partition, (lost.get(partition) ?? 0) + n),
      remove: () => {},
    }),
  };
  const task = new SourceTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    partitions: Array.from({ length: partitions }, (_, partition) => ({ topic: TOPIC, partition })),
    policy: new DefaultReplicationPolicy(),
    sourceRecords: await source.cluster().recordSource({ maxWaitMs: 500 }),
    sourceAdmin: await source.cluster().admin(),
    targetSink: await target.cluster().recordSink(),
    positions,
    ...(setup.withSyncs === true
      ? {
          offsetSyncs: new OffsetSyncWriter({
            cluster: target.cluster(),
            topic: SYNCS,
            maxOffsetLag: setup.maxOffsetLag ?? 100n,
            markExact: true,
            logger: silentLogger(),
          }),
        }
      : {}),
    metrics,
    autoOffsetReset: 'earliest',
    offsetFlushIntervalMs: 60_000,
    onStateChange: (s) => states.push(s),
    logger: silentLogger(),
    ...extra,
  });
  return { source, target, positions, states, lost, task };
}

/** Values on the target, per partition, in order. */
function copied(target: InMemoryKafka, partition: number): string[] {
  return target.records(REMOTE, partition).map((r) => r.value!.toString());
}

describe('SourceTask', () => {
  const unhandled = vi.fn();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    unhandled.mockReset();
    process.on('unhandledRejection', unhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', unhandled);
    vi.useRealTimers();
  });

  /** Advances fake time in small steps, letting real I/O callbacks (unhandled-rejection checks) run between. */
  async function advance(ms: number, step = 10): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await vi.advanceTimersByTimeAsync(step);
      await new Promise((done) => setImmediate(done));
    }
  }

  /** Advances fake and real time together until `check` passes (5 s of real time at most). */
  async function eventually(check: () => void): Promise<void> {
    const deadline = performance.now() + 5_000;
    for (;;) {
      try {
        check();
        return;
      } catch (err) {
        if (performance.now() > deadline) throw err;
      }
      await vi.advanceTimersByTimeAsync(50);
      await new Promise((done) => realSetTimeout(done, 20));
    }
  }

  it('a non-retriable produce error landing while the fetch ahead is pending fails the task, not the process', async () => {
    const h = await harness();
    h.target.inject({
      op: 'send',
      afterMs: 50,
      error: () => kafkaError('TOPIC_AUTHORIZATION_FAILED', false, 'Topic authorization failed'),
    });
    await h.task.start();
    await advance(20);
    // The loop now waits on the fetch issued ahead (a long poll: nothing more on the source).
    expect(h.source.calls('fetch')).toBe(2);
    await advance(1_000);
    expect(unhandled).not.toHaveBeenCalled();
    expect(h.task.status.state).toBe('FAILED');
    expect(h.task.status.trace).toContain('TOPIC_AUTHORIZATION_FAILED');
    expect(h.states.map((s) => s.state)).toEqual(['RUNNING', 'FAILED']);
    expect(h.states[1]!.trace).toBe(h.task.status.trace);
    // Failed means stopped fetching.
    const fetches = h.source.calls('fetch');
    await advance(2_000);
    expect(h.source.calls('fetch')).toBe(fetches);
    const stopping = h.task.stop();
    await advance(100);
    await stopping;
    expect(h.task.status.state).toBe('FAILED');
    expect(unhandled).not.toHaveBeenCalled();
  });

  it('a non-retriable produce error landing while the next group is decoded fails the task, not the process', async () => {
    // Two partitions of 20,000 records: one fetch round, produced in two groups (25,000-record budget).
    const h = await harness({ perPartition: 20_000 });
    h.source.maxRecordsPerFetch = 20_000;
    h.target.inject({ op: 'send', afterMs: 50, error: () => kafkaError('TOPIC_AUTHORIZATION_FAILED', false) });
    h.source.inject({ op: 'decode', call: 2, afterMs: 300 }); // the second group decodes slowly
    await h.task.start();
    await advance(1_000);
    expect(unhandled).not.toHaveBeenCalled();
    expect(h.task.status.state).toBe('FAILED');
    expect(h.task.status.trace).toContain('TOPIC_AUTHORIZATION_FAILED');
    expect(h.target.records(REMOTE)).toHaveLength(0);
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
    expect(h.positions.stored.size).toBe(0); // nothing was acknowledged, nothing is stored
  });

  it('a decode failure fails the task after the group in flight is acknowledged, and stores its position at once', async () => {
    const h = await harness({ perPartition: 20_000 });
    h.source.maxRecordsPerFetch = 20_000;
    h.target.inject({ op: 'send', afterMs: 200 }); // group 1 is acknowledged after 200 ms
    h.source.inject({ op: 'decode', call: 2, afterMs: 20, error: new Error('corrupt record batch') });
    await h.task.start();
    await advance(1_000);
    expect(unhandled).not.toHaveBeenCalled();
    expect(h.task.status.state).toBe('FAILED');
    expect(h.task.status.trace).toContain('corrupt record batch');
    // Partition 0 (group 1) landed whole; its position is stored without waiting for stop.
    expect(copied(h.target, 0)).toHaveLength(20_000);
    expect(copied(h.target, 1)).toHaveLength(0);
    expect(h.positions.stored.get(key(0))).toBe(19_999n);
    expect(h.positions.stored.has(key(1))).toBe(false);
    const stopping = h.task.stop();
    await advance(100);
    await stopping;
  });

  it('retries retriable produce errors with the same records, keeping per-partition order', async () => {
    const h = await harness({ partitions: 3, perPartition: 40 });
    h.source.maxRecordsPerFetch = 7; // many rounds, so retries interleave with fetches ahead
    h.target.inject({ op: 'send', call: 2, times: 3, error: () => kafkaError('NOT_LEADER_OR_FOLLOWER', true) });
    h.target.inject({ op: 'send', call: 9, times: 2, error: () => kafkaError('REQUEST_TIMED_OUT', true) });
    await h.task.start();
    await eventually(() => {
      for (let p = 0; p < 3; p++) {
        expect(copied(h.target, p)).toEqual(records(p, 40).map((r) => r.value!.toString()));
      }
    });
    expect(h.target.calls('send')).toBeGreaterThan(h.target.sends.length + 4); // 5 failed attempts
    expect(h.task.status.state).toBe('RUNNING');
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
    expect([...h.positions.stored]).toEqual([
      [key(0), 39n],
      [key(1), 39n],
      [key(2), 39n],
    ]);
    expect(h.states.map((s) => s.state)).toEqual(['RUNNING', 'STOPPED']);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it('logs a retried failure once per change of cause, and once when it recovers', async () => {
    const lines: { level: number; msg: string; err?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const h = await harness({ partitions: 1, perPartition: 5 }, { logger });
    h.target.inject({ op: 'send', call: 1, times: 3, error: () => kafkaError('NOT_LEADER_OR_FOLLOWER', true) });
    h.target.inject({ op: 'send', call: 4, times: 1, error: () => kafkaError('REQUEST_TIMED_OUT', true) });
    await h.task.start();
    await eventually(() => expect(copied(h.target, 0)).toHaveLength(5));
    const about = lines.filter((l) => l.msg.startsWith('produce to target'));
    expect(
      about.map((l) => [l.level, l.msg, l.err?.includes('NOT_LEADER') ? 'leader' : l.err ? 'timeout' : '']),
    ).toEqual([
      [40, 'produce to target failed; retrying', 'leader'],
      [20, 'produce to target failed; retrying', 'leader'],
      [20, 'produce to target failed; retrying', 'leader'],
      [40, 'produce to target failed; retrying', 'timeout'],
      [30, 'produce to target succeeded again', ''],
    ]);
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
  });

  it('a start-up position lookup that fails and is retried fetches and copies each partition once', async () => {
    const h = await harness({ partitions: 3, perPartition: 5 });
    h.source.inject({ op: 'listOffsets', error: () => kafkaError('LEADER_NOT_AVAILABLE', true) });
    await h.task.start();
    await eventually(() => {
      for (let p = 0; p < 3; p++) expect(copied(h.target, p)).toEqual(records(p, 5).map((r) => r.value!.toString()));
    });
    expect(h.source.calls('listOffsets')).toBeGreaterThan(1);
    await advance(2_000); // more rounds: nothing copied twice
    for (let p = 0; p < 3; p++) expect(copied(h.target, p)).toHaveLength(5);
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
    expect([0, 1, 2].map((p) => h.positions.stored.get(key(p)))).toEqual([4n, 4n, 4n]);
  });

  it('retention loss: counts the records lost, moves to the log start (retrying its lookup), copies the rest', async () => {
    const h = await harness({ partitions: 1, perPartition: 100 });
    h.positions.stored.set(key(0), 9n); // resumes at 10
    await (await h.source.cluster().admin()).deleteRecords(TOPIC, [{ partition: 0, beforeOffset: 50n }]);
    h.source.inject({ op: 'listOffsets', error: () => kafkaError('LEADER_NOT_AVAILABLE', true) });
    await h.task.start();
    await eventually(() =>
      expect(copied(h.target, 0)).toEqual(
        records(0, 100)
          .slice(50)
          .map((r) => r.value!.toString()),
      ),
    );
    expect(h.task.status.state).toBe('RUNNING');
    expect(h.lost.get(0)).toBe(40);
    expect(h.source.calls('listOffsets')).toBe(2);
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
    expect(h.positions.stored.get(key(0))).toBe(99n);
  });

  it('stop during a fetch ahead: returns, stores final positions, issues no fetch after stop, sends the final offset syncs', async () => {
    // offset.lag.max 100, 250 records: syncs required at 0, 101, 202; 249 only delayed.
    const h = await harness({ partitions: 2, perPartition: 250, withSyncs: true });
    await h.task.start();
    await advance(100);
    expect(copied(h.target, 0)).toHaveLength(250);
    const fetches = h.source.calls('fetch');
    const stopAt = Date.now();
    const stopping = h.task.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await advance(1_000);
    expect(stopped).toBe(true);
    expect(h.source.calls('fetch')).toBe(fetches);
    expect(h.source.fetchLog.every((f) => f.at <= stopAt)).toBe(true);
    expect([...h.positions.stored]).toEqual([
      [key(0), 249n],
      [key(1), 249n],
    ]);
    const syncs = h.target.records(SYNCS).map((r) => {
      const s = decodeOffsetSync(r.key, r.value);
      return `${s.topicPartition.partition}:${s.upstreamOffset}->${s.downstreamOffset}@${readRunStart(r.headers)}`;
    });
    // One produce of 250 records per partition: the pending sync is 202 (0 and 101 were
    // replaced before the fire, as in Java); 249 was only delayed, and stop sent it, marked with
    // its run start, so a group at 250 translates exactly.
    for (const p of [0, 1]) {
      expect(syncs.filter((s) => s.startsWith(`${p}:`))).toEqual([`${p}:202->202@0`, `${p}:249->249@0`]);
    }
    expect(h.states.map((s) => s.state)).toEqual(['RUNNING', 'STOPPED']);
  });

  it('stop stores what was acknowledged after a periodic flush that was already running', async () => {
    const h = await harness({ partitions: 1, perPartition: 30 }, { offsetFlushIntervalMs: 50 });
    h.source.maxRecordsPerFetch = 10;
    let release!: () => void;
    const slowWrite = new Promise<void>((done) => (release = done));
    const write = h.positions.writeSourcePositions.bind(h.positions);
    let first = true;
    h.positions.writeSourcePositions = async (alias, positions) => {
      if (first) {
        first = false;
        await slowWrite; // the first periodic flush is held while the rest is acknowledged
      }
      return write(alias, positions);
    };
    h.target.inject({ op: 'send', call: 2, times: 2, afterMs: 30 }); // rounds 2 and 3 land after the flush started
    await h.task.start();
    await advance(200);
    expect(copied(h.target, 0)).toHaveLength(30);
    const stopping = h.task.stop();
    await advance(20);
    release();
    await advance(600);
    await stopping;
    expect(h.positions.stored.get(key(0))).toBe(29n);
  });
  /** The offset syncs on the target, as `partition:upstream->downstream@runStart`. */
  /** Stops the task while advancing fake time (the fetch ahead is a long poll on fake timers). */
  async function stopped(h: Harness): Promise<void> {
    const stopping = h.task.stop();
    await advance(1_000, 100);
    await stopping;
  }

  function sentSyncs(h: Harness): string[] {
    return h.target.records(SYNCS).map((r) => {
      const s = decodeOffsetSync(r.key, r.value);
      return `${s.topicPartition.partition}:${s.upstreamOffset}->${s.downstreamOffset}@${readRunStart(r.headers)}`;
    });
  }

  it('a caught-up partition gets the sync of its last record once it has been quiet for idleOffsetSyncMs, long before the position flush', async () => {
    // offset.lag.max 100, 250 records: syncs required at 0, 101, 202; 249 only delayed. The
    // position flush (which promotes it in Java) is 60 s away.
    const h = await harness({ partitions: 2, perPartition: 250, withSyncs: true }, { idleOffsetSyncMs: 1_000 });
    await h.task.start();
    await advance(500, 100);
    expect(copied(h.target, 0)).toHaveLength(250);
    expect(sentSyncs(h)).toEqual(['0:202->202@0', '1:202->202@0']);
    await advance(1_600, 100); // quiet for 1 s, then the next (long-poll) fetch finds it caught up
    expect(sentSyncs(h)).toEqual(['0:202->202@0', '1:202->202@0', '0:249->249@0', '1:249->249@0']);
    // Bounded: nothing more while the partition stays idle, nor at the position flush.
    await advance(5_000, 100);
    expect(sentSyncs(h)).toHaveLength(4);
    // New records on partition 0 only: one more idle sync for it, none for partition 1.
    h.source.produce(TOPIC, records(0, 5, 'w'));
    await advance(2_500, 100);
    expect(sentSyncs(h).slice(4)).toEqual(['0:254->254@0']);
    // All of it before the first position flush (60 s): the two position writes are the first
    // interval's stores of each acknowledged round, which promote no sync.
    expect(h.positions.writes).toBe(2);
    await stopped(h);
  });

  it('no idle sync while records keep arriving faster than idleOffsetSyncMs', async () => {
    const h = await harness({ partitions: 1, perPartition: 150, withSyncs: true }, { idleOffsetSyncMs: 1_000 });
    await h.task.start();
    await advance(300, 100);
    for (let i = 0; i < 8; i++) {
      h.source.produce(TOPIC, records(0, 1, `t${i}`));
      await advance(400, 100);
    }
    expect(copied(h.target, 0)).toHaveLength(158);
    // 0 and 101 (replaced by 101 before the first fire) only: the trickle kept the partition busy.
    expect(sentSyncs(h)).toEqual(['0:101->101@0']);
    await advance(2_000, 100);
    expect(sentSyncs(h)).toEqual(['0:101->101@0', '0:157->157@0']);
    await stopped(h);
  });

  it('an idle round costs nothing per quiet partition: of 8,000 partitions, a round with records on one visits that one', async () => {
    const visited: number[] = [];
    const metrics = {
      partition: ({ partition }: { partition: number }): PartitionMetrics => ({
        polled: () => {},
        acked: () => {},
        lag: () => void visited.push(partition),
        lost: () => {},
        remove: () => {},
      }),
    };
    const h = await harness(
      { partitions: 8_000, perPartition: 0, withSyncs: true },
      { metrics, idleOffsetSyncMs: 1_000 },
    );
    await h.task.start();
    // The first round answers every partition (nothing known yet about any); later idle ones none.
    await advance(1_600, 100);
    expect(visited.length).toBeGreaterThanOrEqual(8_000);
    visited.length = 0;
    await advance(2_000, 100);
    expect(visited).toEqual([]);
    h.source.produce(TOPIC, records(4321, 3));
    await advance(600, 100);
    expect(copied(h.target, 4321)).toHaveLength(3);
    expect(new Set(visited)).toEqual(new Set([4321]));
    // Quiet again: its last record's idle sync is still sent, though no round answers it any more.
    visited.length = 0;
    await advance(2_000, 100);
    expect(visited).toEqual([]);
    expect(sentSyncs(h)).toEqual(['4321:0->0@0', '4321:2->2@0']);
    await stopped(h);
  });

  it('idleOffsetSyncMs < 0 keeps Java behaviour: the last sync waits for the position flush', async () => {
    const h = await harness({ partitions: 1, perPartition: 250, withSyncs: true }, { idleOffsetSyncMs: -1 });
    await h.task.start();
    await advance(3_000, 100);
    expect(sentSyncs(h)).toEqual(['0:202->202@0']);
    await stopped(h);
  });
  it('cuts produce groups by decoded bytes too, by what each partition held in its previous decode', async () => {
    // 4 partitions of 2,000 records with 4 KiB values, 1,000 per partition per fetch: two rounds
    // of 4,000 records each (under the 25,000-record budget). The first round's sizes are not
    // known yet: one group. The second expects 4 MB per partition: groups of two (8 MiB budget).
    const h = await harness({ partitions: 4, perPartition: 0 });
    const big = Buffer.alloc(4096, 'x');
    for (let p = 0; p < 4; p++)
      h.source.produce(
        TOPIC,
        records(p, 2_000).map((r) => ({ ...r, value: Buffer.concat([Buffer.from(`${r.value!.toString()}|`), big]) })),
      );
    h.source.maxRecordsPerFetch = 1_000;
    await h.task.start();
    await eventually(() => {
      for (let p = 0; p < 4; p++) expect(copied(h.target, p)).toHaveLength(2_000);
    });
    for (let p = 0; p < 4; p++)
      expect(copied(h.target, p).map((v) => v.slice(0, v.indexOf('|')))).toEqual(
        records(p, 2_000).map((r) => r.value!.toString()),
      );
    expect(h.target.calls('send')).toBe(1 + 2);
    await stopped(h);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it("keeps two produce groups of different partitions in flight; a partition's next group waits for its previous one", async () => {
    // 3 partitions of 40,000 records, 20,000 per fetch: each round makes three groups of one
    // partition (25,000-record budget), two rounds. Every send takes 100 ms.
    const h = await harness({ partitions: 3, perPartition: 40_000 });
    h.source.maxRecordsPerFetch = 20_000;
    h.target.inject({ op: 'send', afterMs: 100, times: Infinity });
    await h.task.start();
    await advance(50);
    expect(h.target.calls('send')).toBe(2); // groups 1 and 2 in flight, group 3 waits
    await eventually(() => {
      for (let p = 0; p < 3; p++) expect(copied(h.target, p)).toHaveLength(40_000);
    });
    for (let p = 0; p < 3; p++) expect(copied(h.target, p)).toEqual(records(p, 40_000).map((r) => r.value!.toString()));
    expect(h.target.calls('send')).toBe(6);
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
    expect([...h.positions.stored].sort()).toEqual([
      [key(0), 39_999n],
      [key(1), 39_999n],
      [key(2), 39_999n],
    ]);
    expect(unhandled).not.toHaveBeenCalled();
  });
});
