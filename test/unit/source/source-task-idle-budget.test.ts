/**
 * The budget on idle offset syncs (IdleSyncBudget in SourceTask.sendIdleOffsetSyncs): when many
 * partitions go idle at once, at most the burst is promoted in the first caught-up round and the
 * rest follow at the refill rate, oldest-owed first; a few partitions going idle are all promoted
 * at once, as without a budget; a partition that keeps receiving records while it waits gets one
 * sync, for its latest record, when its turn comes; the position flush still sends every delayed
 * sync. Fake timers: a fetch round with nothing new is a 500 ms long poll.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { IDLE_OFFSET_SYNCS_PER_SECOND, IdleSyncBudget } from '../../../src/connectors/source/idle-sync-budget.ts';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { SourceTask, type SourceTaskOptions } from '../../../src/connectors/source/source-task.ts';
import type { ProducerRecord } from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { decodeOffsetSync, readRunStart } from '../../../src/records/index.ts';
import { isMirrorError } from '../../../src/util/errors.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';

const TOPIC = 'orders';
const REMOTE = 'A.orders';
const SYNCS = 'mm2-offset-syncs.B.internal';

/** `count` records for each of `partitions`, in one append. */
function records(partitions: readonly number[], count: number, tag = 'v'): ProducerRecord[] {
  return partitions.flatMap((partition) =>
    Array.from({ length: count }, (_, i) => ({
      partition,
      key: null,
      value: Buffer.from(`${tag}-${partition}-${i}`),
      timestamp: 1_700_000_000_000 + i,
    })),
  );
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

interface Harness {
  source: InMemoryKafka;
  target: InMemoryKafka;
  task: SourceTask;
}

/** A task over `partitions` empty partitions of one topic, writing offset syncs (offset.lag.max 100). */
async function harness(partitions: number, extra: Partial<SourceTaskOptions> = {}): Promise<Harness> {
  const source = new InMemoryKafka();
  const target = new InMemoryKafka();
  source.addTopic(TOPIC, partitions);
  target.addTopic(REMOTE, partitions);
  target.addTopic(SYNCS, 1);
  const task = new SourceTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    partitions: range(0, partitions).map((partition) => ({ topic: TOPIC, partition })),
    policy: new DefaultReplicationPolicy(),
    sourceRecords: await source.cluster().recordSource({ maxWaitMs: 500 }),
    sourceAdmin: await source.cluster().admin(),
    targetSink: await target.cluster().recordSink(),
    positions: new MemoryPositions(),
    offsetSyncs: new OffsetSyncWriter({
      cluster: target.cluster(),
      topic: SYNCS,
      maxOffsetLag: 100n,
      markExact: true,
      logger: silentLogger(),
    }),
    autoOffsetReset: 'earliest',
    offsetFlushIntervalMs: 60_000,
    idleOffsetSyncMs: 1_000,
    logger: silentLogger(),
    ...extra,
  });
  return { source, target, task };
}

/** Offset syncs on the target in the order written, as `partition:upstream->downstream@runStart`. */
function sentSyncs(h: Harness): string[] {
  return h.target.records(SYNCS).map((r) => {
    const s = decodeOffsetSync(r.key, r.value);
    return `${s.topicPartition.partition}:${s.upstreamOffset}->${s.downstreamOffset}@${readRunStart(r.headers)}`;
  });
}

/**
 * The syncs of records `offset` (the last of 3 per partition: 0 was a required sync, 1 and 2 only
 * delayed), i.e. the idle (or flush) promotions, as partition numbers in the order written.
 */
function lastRecordSyncs(h: Harness, offset = 2): number[] {
  return sentSyncs(h)
    .filter((s) => s.endsWith(`:${offset}->${offset}@0`))
    .map((s) => Number(s.split(':')[0]));
}

describe('source task: the idle offset-sync budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function advance(ms: number, step = 100): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await vi.advanceTimersByTimeAsync(step);
      await new Promise((done) => setImmediate(done));
    }
  }

  /** {@link harness}, started, 100 ms into its first fetch rounds. */
  async function running(partitions: number, extra: Partial<SourceTaskOptions> = {}): Promise<Harness> {
    const h = await harness(partitions, extra);
    await h.task.start();
    await advance(100);
    return h;
  }

  async function stopped(h: Harness): Promise<void> {
    const stopping = h.task.stop();
    await advance(1_000);
    await stopping;
  }

  /** Advances `ms` in 100 ms steps; the idle syncs written so far after each step, with the time. */
  async function timeline(h: Harness, ms: number, count: () => number): Promise<{ at: number; idle: number }[]> {
    const out: { at: number; idle: number }[] = [];
    for (let t = 0; t < ms; t += 100) {
      await advance(100);
      out.push({ at: Date.now(), idle: count() });
    }
    return out;
  }

  it('500 partitions going idle at once: the burst in the first round, the rest at the refill rate, oldest-owed first', async () => {
    expect(IDLE_OFFSET_SYNCS_PER_SECOND).toBe(100);
    const h = await running(500);
    // Partitions 250–499 get records first, 0–249 200 ms later: that is the order they owe a sync in.
    h.source.produce(TOPIC, records(range(250, 500), 3));
    await advance(200);
    h.source.produce(TOPIC, records(range(0, 250), 3));
    await advance(200);
    expect(h.target.records(REMOTE)).toHaveLength(1_500);
    expect(sentSyncs(h)).toHaveLength(500); // each partition's first record (a required sync)

    const seen = await timeline(h, 6_000, () => lastRecordSyncs(h).length);
    const first = seen.find((s) => s.idle > 0)!;
    // The first caught-up round of 250–499 (quiet for 1 s) promotes the burst, not all 250.
    expect(first.idle).toBe(100);
    // Then never faster than the refill rate, and all of them within about 4 s more.
    for (const s of seen) if (s.at >= first.at) expect(s.idle).toBeLessThanOrEqual(100 + (s.at - first.at) / 10);
    const all = seen.find((s) => s.idle === 500)!;
    expect(all.at - first.at).toBeGreaterThanOrEqual(3_900);
    expect(all.at - first.at).toBeLessThanOrEqual(4_600);
    // Oldest-owed first, each partition once, and nothing else was sent.
    expect(lastRecordSyncs(h)).toEqual([...range(250, 500), ...range(0, 250)]);
    expect(sentSyncs(h)).toHaveLength(1_000);
    expect(h.task.idleOffsetSyncStats()).toEqual({ promoted: 500, heldBack: 0 });
    await stopped(h);
  });

  it('a partition that keeps receiving records while it waits keeps its place and gets one sync, for its latest record', async () => {
    const h = await running(500);
    h.source.produce(TOPIC, records(range(250, 500), 3));
    await advance(200);
    h.source.produce(TOPIC, records(range(0, 250), 3));
    await advance(1_000);
    // The burst went out for 250–349; partition 50 (300th in line) is still waiting.
    expect(lastRecordSyncs(h)).toEqual(range(250, 350));
    // Held back now: the other 150 of them, and 0–249, quiet for a second by now too.
    expect(h.task.idleOffsetSyncStats().heldBack).toBe(400);
    // Two more records for it while it waits, 300 ms apart (offsets 3 and 4): never idle for
    // long enough meanwhile, so no sync for either alone.
    h.source.produce(TOPIC, records([50], 1, 'w'));
    await advance(300);
    h.source.produce(TOPIC, records([50], 1, 'x'));
    await advance(6_000);
    const idle = sentSyncs(h).filter((s) => !s.endsWith(':0->0@0'));
    // One sync for partition 50, for offset 4, in its original place in line.
    expect(idle.filter((s) => s.startsWith('50:'))).toEqual(['50:4->4@0']);
    expect(idle.map((s) => Number(s.split(':')[0]))).toEqual([...range(250, 500), ...range(0, 250)]);
    await stopped(h);
  });

  it('a handful of partitions going idle (up to the burst) are all promoted in the same round, as without a budget', async () => {
    const h = await running(100);
    h.source.produce(TOPIC, records(range(0, 100), 3));
    const seen = await timeline(h, 3_000, () => lastRecordSyncs(h).length);
    const first = seen.find((s) => s.idle > 0)!;
    expect(first.idle).toBe(100);
    expect(h.task.idleOffsetSyncStats()).toEqual({ promoted: 100, heldBack: 0 });
    await stopped(h);
  });

  it('the position flush still sends every delayed sync; and leaves none owing', async () => {
    // The first flush comes 2 s after start, about 1.2 s after the 500 partitions went idle.
    const h = await running(500, { offsetFlushIntervalMs: 2_000 });
    h.source.produce(TOPIC, records(range(0, 500), 3));
    await advance(1_400);
    // Quiet since about 100 ms after start: the first caught-up round sent the burst…
    expect(lastRecordSyncs(h)).toEqual(range(0, 100));
    expect(h.task.idleOffsetSyncStats()).toEqual({ promoted: 100, heldBack: 400 });
    await advance(300);
    // …the next one half a second's refill.
    expect(lastRecordSyncs(h)).toEqual(range(0, 150));
    expect(h.task.idleOffsetSyncStats()).toEqual({ promoted: 150, heldBack: 350 });
    await advance(300); // the flush
    expect(lastRecordSyncs(h)).toHaveLength(500);
    expect(new Set(lastRecordSyncs(h)).size).toBe(500);
    expect(h.task.idleOffsetSyncStats()).toEqual({ promoted: 150, heldBack: 0 });
    // New records on 3 of them afterwards: those owe again and are promoted at once.
    h.source.produce(TOPIC, records([7, 300, 499], 2, 'w')); // offsets 3 and 4
    await advance(3_000);
    expect(lastRecordSyncs(h, 4)).toEqual([7, 300, 499]);
    expect(sentSyncs(h)).toHaveLength(1_003);
    expect(h.task.idleOffsetSyncStats().promoted).toBe(153);
    await stopped(h);
  });

  it('idleOffsetSyncsPerSecond sets the rate and burst; Infinity holds nothing back', async () => {
    const slow = await running(30, { idleOffsetSyncsPerSecond: 10 });
    slow.source.produce(TOPIC, records(range(0, 30), 3));
    const seen = await timeline(slow, 4_000, () => lastRecordSyncs(slow).length);
    const first = seen.find((s) => s.idle > 0)!;
    expect(first.idle).toBe(10);
    const all = seen.find((s) => s.idle === 30)!;
    expect(all.at - first.at).toBeGreaterThanOrEqual(1_900);
    expect(all.at - first.at).toBeLessThanOrEqual(2_600);
    await stopped(slow);

    const unbounded = await running(1_000, { idleOffsetSyncsPerSecond: Infinity });
    unbounded.source.produce(TOPIC, records(range(0, 1_000), 3));
    const all1000 = await timeline(unbounded, 2_000, () => lastRecordSyncs(unbounded).length);
    expect(all1000.find((s) => s.idle > 0)!.idle).toBe(1_000);
    await stopped(unbounded);
  });

  it('says when the budget holds partitions back: one line with the number waiting, not one per partition', async () => {
    const lines: { level: number; msg: string; waiting?: number; perSecond?: number }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const h = await running(500, { logger });
    h.source.produce(TOPIC, records(range(0, 500), 3));
    await advance(6_000);
    expect(lastRecordSyncs(h)).toHaveLength(500);
    const heldBack = lines.filter((l) => l.msg.startsWith('idle offset syncs are held back'));
    // Held back from the first idle round on for about 4 s: the first round says so at INFO with
    // the 400 left waiting; later rounds within the minute say nothing.
    expect(heldBack.map((l) => [l.level, l.waiting, l.perSecond])).toEqual([[30, 400, 100]]);
    await stopped(h);
  });
});

describe('IdleSyncBudget', () => {
  it('starts full, refills at its rate, never holds more than one second of it', () => {
    const b = new IdleSyncBudget(4, 0);
    let n = 0;
    while (b.available(0)) {
      b.take();
      n++;
    }
    expect(n).toBe(4);
    expect(b.available(200)).toBe(false); // 0.8 of a token
    expect(b.available(250)).toBe(true);
    b.take();
    // Ten seconds idle: still a burst of 4 at most.
    n = 0;
    while (b.available(10_250)) {
      b.take();
      n++;
    }
    expect(n).toBe(4);
  });

  it('refuses a rate that is not positive, naming what would be valid', () => {
    for (const bad of [0, -5, Number.NaN]) {
      let caught: unknown;
      try {
        new IdleSyncBudget(bad, 0);
      } catch (err) {
        caught = err;
      }
      expect(isMirrorError(caught) && caught.code).toBe('ERR_IDLE_SYNC_BUDGET');
      expect((caught as Error).message).toContain('positive number');
    }
  });
});
