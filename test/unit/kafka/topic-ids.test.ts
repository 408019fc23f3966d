import { describe, expect, it } from 'vitest';
import { MISSING_RETRY_MS, TopicIds, type TopicIdLookupAnswer } from '../../../src/kafka/kafkajs/topic-ids.ts';

/** A cluster's topic ids, changeable by the test, and the lookups made of them. */
function cluster(initial: Record<string, string>) {
  const ids = new Map(Object.entries(initial));
  const lookups: string[][] = [];
  const lookup = (topics: readonly string[]): Promise<TopicIdLookupAnswer[]> => {
    lookups.push([...topics]);
    return Promise.resolve(
      topics.map((name) => {
        const hex = ids.get(name);
        return hex === undefined
          ? { name, errorCode: 3, topicId: Buffer.alloc(16) } // UNKNOWN_TOPIC_OR_PARTITION
          : { name, errorCode: 0, topicId: Buffer.from(hex, 'hex') };
      }),
    );
  };
  return { ids, lookups, lookup };
}

const ID_A = '0123456789abcdef0123456789abcdef';
const ID_B = 'fedcba9876543210fedcba9876543210';
const ID_A2 = '00112233445566778899aabbccddeeff';

describe('TopicIds', () => {
  it('looks up only the topics it has no id for, and the same topics array not at all', async () => {
    const c = cluster({ a: ID_A, b: ID_B });
    const ids = new TopicIds(c.lookup);
    const topics = ['a', 'b'];
    expect(await ids.of(topics)).toEqual({ changed: [] });
    expect(ids.idOf('a').toString('hex')).toBe(ID_A);
    expect(ids.nameOf(ID_B)).toBe('b');
    expect(ids.missing.size).toBe(0);
    await ids.of(topics);
    await ids.of(['a']); // another array, every id known: a pass, no lookup
    expect(c.lookups).toEqual([['a', 'b']]);
    await ids.of(['a', 'c']);
    expect(c.lookups).toEqual([['a', 'b'], ['c']]);
  });

  it('a topic without an id (an error, a zero id) is missing and asked again after MISSING_RETRY_MS', async () => {
    const c = cluster({ a: ID_A, z: '00000000000000000000000000000000' });
    let now = 1_000_000;
    const ids = new TopicIds(c.lookup, { now: () => now });
    const topics = ['a', 'gone', 'z'];
    await ids.of(topics);
    expect([...ids.missing].sort()).toEqual(['gone', 'z']);
    expect(ids.has('a')).toBe(true);
    expect(() => ids.idOf('gone')).toThrow(/no topic id known for topic gone/);
    now += MISSING_RETRY_MS - 1;
    await ids.of(topics); // only missing topics, asked about a moment ago: no lookup
    expect(c.lookups).toHaveLength(1);
    await ids.of(['a', 'gone', 'new']); // a topic never asked about: asked at once, with the missing one
    expect(c.lookups[1]).toEqual(['gone', 'new']);
    now += MISSING_RETRY_MS;
    await ids.of(topics);
    expect(c.lookups).toEqual([
      ['a', 'gone', 'z'],
      ['gone', 'new'],
      ['gone', 'z'],
    ]);
    now += MISSING_RETRY_MS;
    c.ids.set('gone', ID_B);
    c.ids.set('z', ID_A2);
    await ids.of(topics);
    expect(ids.missing.size).toBe(0);
    await ids.of(topics);
    expect(c.lookups).toHaveLength(4);
  });

  it('a forgotten topic is looked up again: changed when its id is another (deleted and created again)', async () => {
    const c = cluster({ a: ID_A, b: ID_B });
    const ids = new TopicIds(c.lookup);
    const topics = ['a', 'b'];
    await ids.of(topics);
    ids.forget(['b']);
    expect(await ids.of(topics)).toEqual({ changed: [] }); // same id
    expect(c.lookups).toEqual([['a', 'b'], ['b']]);
    c.ids.set('a', ID_A2);
    ids.forget(['a', 'unknown']);
    expect(await ids.of(topics)).toEqual({ changed: ['a'] });
    expect(ids.idOf('a').toString('hex')).toBe(ID_A2);
    // Answers by the old id still name the topic: a session may answer by it.
    expect(ids.nameOf(ID_A)).toBe('a');
    expect(ids.nameOf(ID_A2)).toBe('a');
    expect(await ids.of(topics)).toEqual({ changed: [] });
  });

  it('a cluster without topic ids is asked once; every topic stays missing', async () => {
    let asked = 0;
    const ids = new TopicIds(() => {
      asked++;
      return Promise.resolve(undefined);
    });
    await ids.of(['a', 'b']);
    await ids.of(['a', 'b', 'c']);
    expect(asked).toBe(1);
    expect(ids.unavailable).toBe(true);
    expect([...ids.missing]).toEqual(['a', 'b']);
  });

  it('a failed lookup fails the call and leaves nothing half known', async () => {
    let fail = true;
    const c = cluster({ a: ID_A });
    const ids = new TopicIds((topics) => (fail ? Promise.reject(new Error('broker down')) : c.lookup(topics)));
    await expect(ids.of(['a'])).rejects.toThrow('broker down');
    expect(ids.has('a')).toBe(false);
    fail = false;
    await ids.of(['a']);
    expect(ids.has('a')).toBe(true);
  });
});
