import type { ConsumedRecord, KafkaAdmin, KafkaCluster, ProducerRecord, RecordSink } from '../../src/kafka/index.ts';
import { openTestCluster, readAll } from './kafka.ts';
import { endOffsets } from './records.ts';

/**
 * A small steady load of sequence-numbered records: value `"<partition>:<seq>"`, seq counting from
 * 0 per partition, so a copy can be checked record by record for loss, gaps, order and duplicates.
 * `pause()` waits for the send in flight, so a test can take a broker away without a send whose
 * outcome is unknown (which would put a sequence number on the source twice).
 */
export interface SequencedLoad {
  /** Records acknowledged so far, per topic. */
  produced(): Map<string, number>;
  pause(): Promise<void>;
  resume(): void;
  /** Stops the load (waits for the send in flight) and returns the records produced per topic. */
  stop(): Promise<Map<string, number>>;
}

/**
 * Errors with which a broker refused a produce outright (nothing written), e.g. right after a topic
 * was created and before its metadata reached the broker: safe to send again without putting a
 * sequence number on the source twice. Anything else (a lost connection) may or may not have
 * written the records, so it stops the load.
 */
const REJECTED_UNWRITTEN = new Set([
  'KAFKA_UNKNOWN_TOPIC_OR_PARTITION',
  'KAFKA_LEADER_NOT_AVAILABLE',
  'KAFKA_NOT_LEADER_OR_FOLLOWER',
]);

async function sendRetryingRejections(sink: RecordSink, topic: string, records: ProducerRecord[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await sink.send(topic, records);
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !REJECTED_UNWRITTEN.has(code) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function startSequencedLoad(
  bootstrap: string,
  topics: { topic: string; partitions: number }[],
  perPartitionPerTick = 10,
  tickMs = 200,
): SequencedLoad {
  let stopped = false;
  let paused = false;
  let idle: (() => void) | undefined;
  let failure: unknown;
  const produced = new Map(topics.map((t) => [t.topic, 0]));
  const seq = new Map(topics.map((t) => [t.topic, new Array<number>(t.partitions).fill(0)]));
  // Its own connection: a shared one remembers every topic it ever produced to, and the kafkajs
  // adapter's metadata refresh fails for all of them once one of those topics is deleted.
  const cluster = openTestCluster(bootstrap, 'mm2ts-test-load');
  const loop = (async () => {
    // A fresh sink after each pause: the broker may have been restarted meanwhile.
    let sink: RecordSink | undefined;
    try {
      while (!stopped) {
        if (paused) {
          await sink?.close().catch(() => {});
          sink = undefined;
          idle?.();
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        sink ??= await cluster.recordSink({ compression: 'lz4' });
        for (const { topic, partitions } of topics) {
          const next = seq.get(topic)!;
          const records = [];
          for (let p = 0; p < partitions; p++) {
            for (let i = 0; i < perPartitionPerTick; i++) {
              records.push({
                partition: p,
                key: null,
                value: Buffer.from(`${p}:${next[p]! + i}`),
                timestamp: Date.now(),
              });
            }
          }
          await sendRetryingRejections(sink, topic, records);
          for (let p = 0; p < partitions; p++) next[p]! += perPartitionPerTick;
          produced.set(topic, produced.get(topic)! + records.length);
        }
        await new Promise((r) => setTimeout(r, tickMs));
      }
    } catch (err) {
      failure = err;
      // Said at once: a test waiting for records that will never come should show why.
      console.error(`[sequenced-load] stopped by an error: ${String(err)}`);
    } finally {
      idle?.();
      await sink?.close().catch(() => {});
      await cluster.close().catch(() => {});
    }
  })();
  const check = (): void => {
    if (failure) throw new Error(`the test load stopped: ${String(failure)}`);
  };
  return {
    produced: () => new Map(produced),
    pause: async () => {
      check();
      const waited = new Promise<void>((r) => (idle = r));
      paused = true;
      await waited;
      idle = undefined;
    },
    resume: () => {
      paused = false;
    },
    stop: async () => {
      stopped = true;
      await loop;
      check();
      return new Map(produced);
    },
  };
}

/** The sequence number in a record written by `startSequencedLoad`. */
export function seqOf(r: ConsumedRecord): number {
  return Number(r.value!.toString().split(':')[1]);
}

/** Per partition, the sequence numbers of a topic from offset 0 to its current end, in offset order. */
export async function readSequences(
  cluster: KafkaCluster,
  admin: KafkaAdmin,
  topic: string,
): Promise<Map<number, number[]>> {
  const ends = await endOffsets(admin, topic);
  const records = await readAll(await cluster.recordSource(), topic, ends);
  const out = new Map<number, number[]>([...ends.keys()].map((p) => [p, []]));
  for (const r of records) out.get(r.partition)!.push(seqOf(r));
  return out;
}

export interface SequenceCheck {
  /** Records the target holds more than once (a restart re-sent them). */
  duplicates: number;
  /** First problem found, or undefined: a gap, a record out of order, or records missing at the end. */
  problem?: string;
}

/**
 * Checks one partition of a copy against its source: the target must hold source records 0..n-1
 * in order, where a restart may re-send a suffix of what it sent before (a rewind, counted as
 * duplicates) but never skip one. `from` is the first sequence number the target must start at
 * (a topic recreated mid-run starts later).
 */
export function checkSequence(source: number[], target: number[], from = 0): SequenceCheck {
  let expected = from;
  let duplicates = 0;
  for (const [i, seq] of target.entries()) {
    if (seq === expected) expected++;
    else if (seq < expected) duplicates++;
    else return { duplicates, problem: `gap at target record ${i}: expected seq ${expected}, got ${seq}` };
  }
  const end = source.length === 0 ? from : source[source.length - 1]! + 1;
  if (expected < end)
    return { duplicates, problem: `missing records: the target ends at seq ${expected}, the source at ${end}` };
  return { duplicates };
}

/** `checkSequence` for every partition of a topic; problems are prefixed with the partition. */
export function checkTopicSequences(
  source: Map<number, number[]>,
  target: Map<number, number[]>,
  from: Map<number, number> = new Map(),
): { duplicates: number; problems: string[]; perPartition: Map<number, { source: number; target: number }> } {
  let duplicates = 0;
  const problems: string[] = [];
  const perPartition = new Map<number, { source: number; target: number }>();
  for (const [p, seqs] of source) {
    const copied = target.get(p) ?? [];
    const result = checkSequence(seqs, copied, from.get(p) ?? 0);
    duplicates += result.duplicates;
    if (result.problem) problems.push(`partition ${p}: ${result.problem}`);
    perPartition.set(p, { source: seqs.length, target: copied.length });
  }
  return { duplicates, problems, perPartition };
}
