import { describe, expect, it } from 'vitest';
import { CauseTracker } from '../../../src/connect/cause-tracker.ts';

describe('CauseTracker', () => {
  it('says to log a failure when its cause changes, and a recovery once', () => {
    let now = 1_000;
    const causes = new CauseTracker(() => now);
    expect(causes.failed('fetch', 'connection refused')).toBe(true);
    now = 2_000;
    expect(causes.failed('fetch', 'connection refused')).toBe(false);
    expect(causes.failed('fetch', 'NOT_LEADER_OR_FOLLOWER')).toBe(true);
    expect(causes.oldest()).toEqual({ since: 1_000, cause: 'NOT_LEADER_OR_FOLLOWER' });
    expect(causes.succeeded('fetch')).toBe(true);
    expect(causes.succeeded('fetch')).toBe(false);
    expect(causes.oldest()).toBeUndefined();
    expect(causes.failed('fetch', 'connection refused')).toBe(true);
  });

  it('keeps operations apart and reports the one failing longest', () => {
    let now = 0;
    const causes = new CauseTracker(() => now);
    causes.failed('produce', 'a');
    now = 5;
    causes.failed('fetch', 'b');
    expect(causes.oldest()).toEqual({ since: 0, cause: 'a' });
    causes.succeeded('produce');
    expect(causes.oldest()).toEqual({ since: 5, cause: 'b' });
  });
});
