import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../../src/config/properties-reader.ts';
import { ConfigError } from '../../../src/util/errors.ts';

const parse = (text: string) => Object.fromEntries(parseProperties(text).values);

describe('Java .properties reader (java.util.Properties.load semantics)', () => {
  it('accepts =, : and whitespace as separators, with blanks around them', () => {
    expect(parse('a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t6\ng   =   7')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '6',
      g: '7',
    });
  });

  it('takes only the first separator; a second = or : belongs to the value', () => {
    expect(parse('a==b\nc=:d\ne :=f\ng = h = i')).toEqual({ a: '=b', c: ':d', e: '=f', g: 'h = i' });
  });

  it('keeps trailing whitespace of values and drops leading whitespace of lines', () => {
    expect(parse('   key = value  ')).toEqual({ key: 'value  ' });
  });

  it('treats # and ! at line start as comments, but not inside values', () => {
    expect(parse('# c\n  ! c\na = b # not a comment\nc=!d')).toEqual({ a: 'b # not a comment', c: '!d' });
  });

  it('continues lines ending in an odd number of backslashes, dropping the next line indentation', () => {
    expect(parse('a = one, \\\n     two\nb = x\\\\\nc = y')).toEqual({ a: 'one, two', b: 'x\\', c: 'y' });
  });

  it('does not treat # on a continuation line as a comment, and never continues a comment line', () => {
    expect(parse('a = 1\\\n# still value\nb = 2')).toEqual({ a: '1# still value', b: '2' });
    expect(parse('# comment \\\nb = 2')).toEqual({ b: '2' });
  });

  it('ends a continued line at an empty line and drops a dangling backslash at end of input', () => {
    expect(parse('a = 1\\\n\nb = 2')).toEqual({ a: '1', b: '2' });
    expect(parse('a = 1\\')).toEqual({ a: '1' });
  });

  it('decodes escapes: \\t \\n \\r \\f, \\uXXXX, escaped separators in keys, others drop the backslash', () => {
    expect(parse('k\\ ey\\:x\\=y = v\\tw\\nx\\u0041\\q')).toEqual({ 'k ey:x=y': 'v\tw\nxAq' });
  });

  it('accepts a key with no value', () => {
    expect(parse('lonely\nempty=')).toEqual({ lonely: '', empty: '' });
  });

  it('handles CR, LF and CRLF line ends', () => {
    expect(parse('a=1\r\nb=2\rc=3\n')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('lets the last duplicate win and reports all lines', () => {
    const p = parseProperties('a=1\nb=2\na=3');
    expect(p.values.get('a')).toBe('3');
    expect(p.lines.get('a')).toBe(3);
    expect(p.duplicates.get('a')).toEqual([1, 3]);
  });

  it('records the first physical line of a continued logical line', () => {
    const p = parseProperties('\n\na = 1,\\\n 2\nb = 3');
    expect(p.lines.get('a')).toBe(3);
    expect(p.lines.get('b')).toBe(5);
  });

  it('rejects a malformed \\u escape with its line number', () => {
    expect(() => parseProperties('ok=1\nbad = \\u12G4', 'f.properties')).toThrow(ConfigError);
    expect(() => parseProperties('ok=1\nbad = \\u12G4')).toThrow(/line 2/);
  });
});
