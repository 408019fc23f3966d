/**
 * The source task's log of retried failures (src/connectors/source/retry-log.ts): one WARN per kind
 * of failure per operation kind, one INFO when all of them recover, however many operations (one
 * per remote topic for produce) fail at once.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { RetryLog } from '../../../src/connectors/source/retry-log.ts';
import { KafkaPortError, MirrorError } from '../../../src/util/errors.ts';
import { kafkaError } from '../../support/in-memory-kafka.ts';

interface Line {
  level: number;
  msg: string;
  err?: string;
  recovered?: number;
  topic?: string;
}

function logged(): { log: RetryLog; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { log: new RetryLog(logger), lines };
}

const PRODUCE = 'produce to target';
const notLeader = (topic: string): KafkaPortError =>
  kafkaError('NOT_LEADER_OR_FOLLOWER', true, `not the leader (topic=${topic} partition=3)`);

describe('RetryLog', () => {
  it('1,000 topics refused as not ready are one WARN naming the first and one INFO counting them all', () => {
    const { log, lines } = logged();
    const topics = Array.from({ length: 1_000 }, (_, i) => `A.t-${i}`);
    for (const topic of topics) log.failed(`produce ${topic}`, PRODUCE, notLeader(topic), { topic, attempt: 1 });
    for (const topic of topics) log.failed(`produce ${topic}`, PRODUCE, notLeader(topic), { topic, attempt: 2 });
    for (const topic of topics) log.succeeded(`produce ${topic}`, PRODUCE);

    const warns = lines.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ msg: 'produce to target failed; retrying', topic: 'A.t-0' });
    expect(warns[0]!.err).toContain('topic=A.t-0');
    expect(lines.filter((l) => l.level === 20)).toHaveLength(1_999);
    expect(lines.filter((l) => l.level === 30)).toEqual([
      expect.objectContaining({ msg: 'produce to target succeeded again', recovered: 1_000 }),
    ]);
    expect(log.oldest()).toBeUndefined();
  });

  it('says nothing about recovery while one operation of the kind still fails', () => {
    const { log, lines } = logged();
    log.failed('produce A.a', PRODUCE, notLeader('A.a'), {});
    log.failed('produce A.b', PRODUCE, notLeader('A.b'), {});
    log.succeeded('produce A.a', PRODUCE);
    expect(lines.filter((l) => l.level === 30)).toEqual([]);
    expect(log.oldest()?.cause).toContain('topic=A.b');
    log.succeeded('produce A.b', PRODUCE);
    expect(lines.filter((l) => l.level === 30).map((l) => l.recovered)).toEqual([2]);
  });

  it('warns again for a new kind of failure, and for the same kind after a recovery', () => {
    const { log, lines } = logged();
    const timeout = kafkaError('REQUEST_TIMED_OUT', true);
    const broken = new KafkaPortError('ERR_PRODUCE_CONNECTION', 'connection to broker 1 broke', { retriable: true });
    log.failed('produce A.a', PRODUCE, notLeader('A.a'), {});
    log.failed('produce A.b', PRODUCE, timeout, {});
    log.failed('produce A.c', PRODUCE, broken, {});
    log.failed('produce A.d', PRODUCE, broken, {});
    log.failed('produce A.a', PRODUCE, timeout, {});
    for (const t of ['a', 'b', 'c', 'd']) log.succeeded(`produce A.${t}`, PRODUCE);
    log.failed('produce A.c', PRODUCE, notLeader('A.c'), {});
    const kindOf = (err: string | undefined): string | undefined =>
      ['NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'broke'].find((k) => err?.includes(k));
    expect(lines.map((l) => [l.level, kindOf(l.err)])).toEqual([
      [40, 'NOT_LEADER_OR_FOLLOWER'],
      [40, 'REQUEST_TIMED_OUT'],
      [40, 'broke'],
      [20, 'broke'],
      [20, 'REQUEST_TIMED_OUT'],
      [30, undefined],
      [40, 'NOT_LEADER_OR_FOLLOWER'],
    ]);
  });

  it('keeps each kind of operation apart: a fetch failure is its own WARN and recovery', () => {
    const { log, lines } = logged();
    const down = new MirrorError('ERR_SOURCE_DOWN', 'source broker unreachable', {});
    log.failed('fetch', 'fetch from source', down, {});
    log.failed('produce A.a', PRODUCE, down, {});
    log.succeeded('fetch', 'fetch from source');
    log.succeeded('produce A.a', PRODUCE);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'fetch from source failed; retrying'],
      [40, 'produce to target failed; retrying'],
      [30, 'fetch from source succeeded again'],
      [30, 'produce to target succeeded again'],
    ]);
  });

  it('reports the operation failing longest', () => {
    const { log } = logged();
    log.failed('produce A.a', PRODUCE, notLeader('A.a'), {});
    log.failed('produce A.b', PRODUCE, notLeader('A.b'), {});
    expect(log.oldest()?.cause).toContain('topic=A.a');
  });
});
