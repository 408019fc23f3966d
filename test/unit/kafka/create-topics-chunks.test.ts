import { describe, expect, it } from 'vitest';
import {
  CREATE_TOPICS_MAX_RECORDS,
  CREATE_TOPICS_PER_REQUEST,
  createTopicRecords,
  createTopicsChunks,
} from '../../../src/kafka/kafkajs/create-topics-chunks.ts';

const topics = (count: number, partitions: number, configs?: Record<string, string>) =>
  Array.from({ length: count }, (_, i) => ({ name: `t-${i}`, partitions, ...(configs ? { configs } : {}) }));
const sizes = (chunks: { partitions: number; configs?: Record<string, string> }[][]) =>
  chunks.map((c) => ({ topics: c.length, records: c.reduce((n, t) => n + createTopicRecords(t), 0) }));

describe('createTopicsChunks: CreateTopics requests a KRaft controller accepts', () => {
  it('a topic is one TopicRecord, a PartitionRecord per partition and a ConfigRecord per config', () => {
    expect(createTopicRecords({ partitions: 24 })).toBe(25);
    expect(createTopicRecords({ partitions: 8, configs: { 'cleanup.policy': 'compact', 'retention.ms': '1' } })).toBe(
      11,
    );
    expect(createTopicRecords({ partitions: -1 })).toBe(2);
  });

  it('2,000 topics of 8 partitions (16,000, which Java MM2 sends in one refused request): 500 topics a request', () => {
    const chunks = createTopicsChunks(topics(2_000, 8));
    expect(sizes(chunks)).toEqual([
      { topics: 500, records: 4_500 },
      { topics: 500, records: 4_500 },
      { topics: 500, records: 4_500 },
      { topics: 500, records: 4_500 },
    ]);
  });

  it('500 topics of 24 partitions and 2 configs: cut by records (the old cut by 500 topics asked for 13,500 in one)', () => {
    const list = topics(500, 24, { 'retention.ms': '1', 'cleanup.policy': 'delete' });
    const chunks = createTopicsChunks(list);
    expect(sizes(chunks)).toEqual([
      { topics: 333, records: 8_991 },
      { topics: 167, records: 4_509 },
    ]);
    expect(chunks.flat()).toEqual(list);
  });

  it('randomized: every topic once and in order; each request within both limits unless one topic alone exceeds them', () => {
    // Counted here without createTopicRecords, so a wrong count there fails this test too.
    const recordsOf = (c: { partitions: number; configs: Record<string, string> }[]) =>
      c.reduce((n, t) => n + 1 + Math.max(1, t.partitions) + Object.keys(t.configs).length, 0);
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const list = Array.from({ length: Math.floor(next() * 1_500) }, (_, i) => ({
        name: `r${round}-${i}`,
        partitions: next() < 0.02 ? 12_000 : next() < 0.05 ? -1 : 1 + Math.floor(next() * 100),
        configs: Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, (_, k) => [`k${k}`, 'v'])),
      }));
      const chunks = createTopicsChunks(list);
      expect(chunks.flat()).toEqual(list);
      for (const [i, c] of chunks.entries()) {
        expect(c.length).toBeGreaterThan(0);
        expect(c.length).toBeLessThanOrEqual(CREATE_TOPICS_PER_REQUEST);
        if (c.length > 1) expect(recordsOf(c)).toBeLessThanOrEqual(CREATE_TOPICS_MAX_RECORDS);
        // Cut no earlier than needed: a request is full, or the next one's first topic would not fit.
        const following = chunks[i + 1]?.[0];
        if (following !== undefined) {
          const full = c.length === CREATE_TOPICS_PER_REQUEST;
          expect(full || recordsOf([...c, following]) > CREATE_TOPICS_MAX_RECORDS).toBe(true);
        }
      }
    }
  });

  it('no topics: no request', () => {
    expect(createTopicsChunks([])).toEqual([]);
  });
});
