import { describe, expect, it } from 'vitest';
import { compilePatternList, translateJavaRegex } from '../../../src/config/java-regex.ts';
import { ConfigError } from '../../../src/util/errors.ts';

const list = (value: string) => compilePatternList(value, { key: 'topics', line: 3 });

describe('Java regex lists (facts §7)', () => {
  it('splits on commas, joins with |, matches whole names', () => {
    const m = list('foo.*, bar');
    expect(m.matches('foo1')).toBe(true);
    expect(m.matches('bar')).toBe(true);
    expect(m.matches('xbar')).toBe(false);
    expect(m.matches('barx')).toBe(false);
  });
  it('an empty list matches nothing', () => {
    expect(list('').matches('')).toBe(false);
    expect(list('  ').matches('x')).toBe(false);
  });
  it('keeps the default excludes meaning', () => {
    const m = list('mm2.*\\.internal,.*\\.replica,__.*');
    expect(['mm2-offsets.a.internal', 'x.replica', '__consumer_offsets'].every((t) => m.matches(t))).toBe(true);
    expect(m.matches('orders')).toBe(false);
  });
  it('translates \\Q..\\E, possessive quantifiers and atomic groups with Java semantics', () => {
    expect(list('\\Qa.b\\E').matches('a.b')).toBe(true);
    expect(list('\\Qa.b\\E').matches('axb')).toBe(false);
    expect(list('a*+a').matches('aaa')).toBe(false);
    expect(list('a*+b').matches('aab')).toBe(true);
    expect(list('(?>ab|a)c').matches('ac')).toBe(true);
  });
  it('translates inline flags at the start and in the middle (scoped to the rest of the group)', () => {
    expect(list('(?i)orders').matches('ORDERS')).toBe(true);
    const m = list('abc, (?i)def');
    expect(m.matches('DEF')).toBe(true);
    expect(m.matches('ABC')).toBe(false);
  });
  it('maps POSIX and Unicode property classes', () => {
    expect(list('\\p{Alpha}+').matches('abc')).toBe(true);
    expect(list('\\p{Lu}\\p{Ll}*').matches('Éte')).toBe(true);
    expect(list('\\p{IsLatin}+').matches('abc')).toBe(true);
  });
  it('rejects what JavaScript cannot express, naming key, line, value and reason', () => {
    for (const bad of ['[a-z&&[^e]]', '\\p{InGreek}', '(?x)a b', 'a{', 'foo(', '\\G']) {
      expect(translateJavaRegex(bad).ok, bad).toBe(false);
    }
    let err: unknown;
    try {
      list('good, [a-z&&[^e]]');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).details).toMatchObject({ key: 'topics', line: 3, value: 'good, [a-z&&[^e]]' });
    expect((err as ConfigError).message).toMatch(/intersection/);
  });
});
