import { describe, expect, it } from 'vitest';
import { firstDuplicateKey, parseLogLines } from '../../support/log-lines.ts';

describe('parseLogLines', () => {
  it('parses one JSON object per line, skipping blank lines', () => {
    expect(parseLogLines('{"level":30,"msg":"a"}\n\n{"level":40,"msg":"b","n":[1,{"x":2}]}\n')).toEqual([
      { level: 30, msg: 'a' },
      { level: 40, msg: 'b', n: [1, { x: 2 }] },
    ]);
  });
  it('throws naming the line that is not JSON or not an object', () => {
    expect(() => parseLogLines('{"a":1}\nWARN B->A.enabled (line 19): read as false')).toThrow(
      /log line 2 is not JSON.*WARN B->A.enabled/,
    );
    expect(() => parseLogLines('[1,2]')).toThrow(/log line 1 is not a JSON object/);
  });
  it('throws on a repeated key, which JSON.parse would silently collapse', () => {
    const line = '{"level":30,"route":"A->B","connector":"x","connector":"x","route":"A->B","msg":"m"}';
    expect(JSON.parse(line)).toHaveProperty('route');
    expect(() => parseLogLines(line)).toThrow(/log line 1 repeats the key "connector"/);
  });
});

describe('firstDuplicateKey', () => {
  it('looks into nested objects and arrays of objects, not across them', () => {
    expect(firstDuplicateKey('{"a":{"b":1,"b":2}}')).toBe('"b"');
    expect(firstDuplicateKey('{"a":[{"b":1},{"b":2}],"b":3}')).toBeUndefined();
    expect(firstDuplicateKey('{"a":[{"b":1,"c":{},"b":2}]}')).toBe('"b"');
  });
  it('reads keys as JSON strings: escapes, and quotes, commas and braces inside values', () => {
    expect(firstDuplicateKey('{"a":"x\\",\\"a\\":{","b":"}"}')).toBeUndefined();
    expect(firstDuplicateKey('{"a":1,"\\u0061":2}')).toBe('"a"');
    expect(firstDuplicateKey('{"k\\\\":1,"k":2}')).toBeUndefined();
  });
});
