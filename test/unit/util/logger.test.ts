import { describe, expect, it } from 'vitest';
import { createLogger, LOG_LEVELS, parseLogLevel, type Logger } from '../../../src/util/logger.ts';
import { prettyLogLine, withUniqueKeys } from '../../../src/util/log-line.ts';
import { isMirrorError } from '../../../src/util/errors.ts';
import { parseLogLines } from '../../support/log-lines.ts';

/** A logger writing into memory, and the lines it wrote, parsed strictly. */
function memoryLogger(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const logger = createLogger({ level, destination: { write: (line: string) => void (text += line) } });
  return { logger, lines: () => parseLogLines(text) };
}

describe('createLogger: one JSON object per line, each key once', () => {
  it('keeps the innermost value when children and the log call repeat keys', () => {
    const { logger, lines } = memoryLogger();
    const route = logger.child({ route: 'A->B', cluster: 'A' });
    const connector = route.child({ route: 'A->B', connector: 'MirrorSourceConnector' });
    const task = connector.child({ connector: 'MirrorSourceConnector', task: 0, cluster: 'B' });
    task.info('task line');
    task.warn({ task: 1, cluster: 'C', err: new Error('boom') }, 'call fields win');
    connector.info({ route: 'B->A' }, 'connector line');
    const [first, second, third] = lines();
    expect(first).toMatchObject({ route: 'A->B', connector: 'MirrorSourceConnector', task: 0, cluster: 'B' });
    expect(second).toMatchObject({ task: 1, cluster: 'C', msg: 'call fields win', err: { message: 'boom' } });
    expect(third).toMatchObject({ route: 'B->A', msg: 'connector line' });
  });
  it('censors secrets as before', () => {
    const { logger, lines } = memoryLogger();
    logger.child({ client: { 'sasl.jaas.config': 'secret' } }).info({ password: 'pw' }, 'x');
    const text = JSON.stringify(lines());
    expect(text).not.toContain('secret');
    expect(text).not.toContain('pw');
  });
});

describe('withUniqueKeys', () => {
  it('drops earlier copies of a top-level key, values copied as written', () => {
    expect(withUniqueKeys('{"a":1,"b":{"a":2,"c":[1,{"d":"}"}]},"a":12345678901234567890}\n')).toBe(
      '{"b":{"a":2,"c":[1,{"d":"}"}]},"a":12345678901234567890}\n',
    );
    expect(withUniqueKeys('{"msg":"say \\"a\\",\\"a\\":","a":"x,y","a":"z"}\n')).toBe(
      '{"msg":"say \\"a\\",\\"a\\":","a":"z"}\n',
    );
  });
  it('returns a line without repeats unchanged (the same string)', () => {
    const line = '{"level":30,"time":1,"pid":2,"route":"A->B","msg":"m"}\n';
    expect(withUniqueKeys(line)).toBe(line);
    expect(withUniqueKeys('not json\n')).toBe('not json\n');
  });
});

describe('LOG_LEVEL', () => {
  it('an unknown level is a config error listing the valid levels', () => {
    expect(() => parseLogLevel('bogus')).toThrow(
      "LOG_LEVEL = 'bogus' is not a log level; valid levels: fatal, error, warn, info, debug, trace, silent",
    );
    try {
      parseLogLevel('bogus');
    } catch (err) {
      expect(isMirrorError(err) && err.code).toBe('ERR_CONFIG');
    }
  });
  it('accepts every pino level, in any case', () => {
    for (const level of LOG_LEVELS) expect(parseLogLevel(level.toUpperCase())).toBe(level);
    expect(createLogger({ level: 'WARN', destination: 2 }).level).toBe('warn');
  });
});

describe('readable lines for a terminal', () => {
  it('level, time, [route connector task], message, the other fields, the error stack indented', () => {
    let text = '';
    const logger = createLogger({ pretty: true, destination: { write: (l: string) => void (text += l) } });
    const err = new Error('boom');
    logger
      .child({ route: 'A->B' })
      .child({ connector: 'MirrorSourceConnector', task: 0 })
      .warn({ topic: 'orders', note: 'two words', err }, 'produce failed');
    const [first, ...stack] = text.trimEnd().split('\n');
    expect(first?.slice(12)).toBe(
      ' \x1b[33mWARN \x1b[0m [A->B MirrorSourceConnector 0] produce failed topic=orders note="two words"',
    );
    expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} /);
    expect(stack[0]).toBe('    Error: boom');
  });
  it('passes a line that is not JSON through', () => {
    expect(prettyLogLine('plain\n')).toBe('plain\n');
    expect(prettyLogLine('{"level":30,"time":0,"msg":"m"}\n')).toBe('00:00:00.000 INFO  m\n');
  });
});
