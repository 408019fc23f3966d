import { describe, expect, it } from 'vitest';
import { ConfigError, MirrorError, isMirrorError } from '../../src/util/errors.ts';

describe('MirrorError', () => {
  it('carries a code and details and is recognisable', () => {
    const err = new ConfigError('bad value for key offset.lag.max', { key: 'offset.lag.max', line: 3 });
    expect(err).toBeInstanceOf(MirrorError);
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.name).toBe('ConfigError');
    expect(err.details).toEqual({ key: 'offset.lag.max', line: 3 });
    expect(isMirrorError(err)).toBe(true);
    expect(isMirrorError(new Error('x'))).toBe(false);
  });
});
