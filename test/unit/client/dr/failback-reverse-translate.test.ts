import { describe, expect, it } from 'vitest';
import {
  forwardTranslate,
  matchAfter,
  reverseTranslate,
  reverseTranslateMatched,
  type ComparableRecord,
} from '../../../../src/client/dr/reverse-translate.ts';

const rec = (offset: bigint, v: string): ComparableRecord => ({
  offset,
  timestamp: 1_000,
  key: null,
  value: Buffer.from(v),
  headers: [],
});

describe('reverse checkpointing (reverseTranslate)', () => {
  // S records 0..49 copied to T 10..59 (T had 10 records before), as one run.
  const run = [{ upstream: 49n, downstream: 59n, runStart: 0n }];
  // The same copies as Java writes them: no run start, syncs every 20 records.
  const java = [
    { upstream: 0n, downstream: 10n },
    { upstream: 20n, downstream: 30n },
    { upstream: 40n, downstream: 50n },
  ];

  it('is exact at a sync, right after one, and wherever a run covers the position', () => {
    expect(reverseTranslate(java, 30n)).toEqual({ kind: 'exact', offset: 20n, by: 'sync' });
    expect(reverseTranslate(java, 31n)).toEqual({ kind: 'exact', offset: 21n, by: 'sync' });
    expect(reverseTranslate(run, 10n)).toEqual({ kind: 'exact', offset: 0n, by: 'run' });
    expect(reverseTranslate(run, 35n)).toEqual({ kind: 'exact', offset: 25n, by: 'run' });
    expect(reverseTranslate(run, 60n)).toEqual({ kind: 'exact', offset: 50n, by: 'run' });
  });

  it('between Java syncs gives the lower bound u + 1 and how many records it may re-read', () => {
    expect(reverseTranslate(java, 45n)).toEqual({ kind: 'lower-bound', offset: 21n, maxReread: 14n });
  });

  it('is untranslatable before the oldest sync and without syncs', () => {
    expect(reverseTranslate(java, 5n).kind).toBe('untranslatable');
    expect(reverseTranslate([], 5n).kind).toBe('untranslatable');
  });

  it('takes the smaller S offset when a re-send copied records twice (never skips)', () => {
    // S 0..9 at T 0..9, then a crash re-sent S 5..9 at T 10..14: T 12 is a copy of S 7, and of nothing before.
    const twice = [
      { upstream: 9n, downstream: 9n, runStart: 0n },
      { upstream: 9n, downstream: 14n, runStart: 5n },
    ];
    expect(reverseTranslate(twice, 10n)).toEqual({ kind: 'exact', offset: 5n, by: 'run' });
  });

  it('past the last sync, matched records are exact and the first record only T has is the boundary', () => {
    const anchor = { upstream: 40n, downstream: 50n };
    const s = [rec(41n, 'a'), rec(42n, 'b'), rec(43n, 'c-only-on-S')];
    const t = [rec(51n, 'a'), rec(52n, 'b'), rec(53n, 'x-written-on-T')];
    const match = matchAfter(anchor, s, t);
    expect(match.targetBoundary).toBe(53n);
    expect(match.sourceBoundary).toBe(43n);
    expect(reverseTranslateMatched(java, match, 52n)).toEqual({ kind: 'exact', offset: 42n, by: 'match' });
    expect(reverseTranslateMatched(java, match, 53n)).toEqual({ kind: 'exact', offset: 43n, by: 'match' });
    expect(reverseTranslateMatched(java, match, 54n).kind).toBe('untranslatable');
    // Without the comparison the same position would be a lower bound.
    expect(reverseTranslate(java, 53n)).toEqual({ kind: 'lower-bound', offset: 41n, maxReread: 2n });
  });
});

describe('forwardTranslate (T records copied back by T->S)', () => {
  it('follows Java (d + 1 past a sync) and is exact where a run covers the offset', () => {
    const java = [{ upstream: 10n, downstream: 100n }];
    expect(forwardTranslate(java, 10n)).toEqual({ kind: 'exact', offset: 100n, by: 'sync' });
    expect(forwardTranslate(java, 11n)).toEqual({ kind: 'exact', offset: 101n, by: 'sync' });
    expect(forwardTranslate(java, 15n)).toEqual({ kind: 'lower-bound', offset: 101n, maxReread: 4n });
    const run = [{ upstream: 20n, downstream: 110n, runStart: 10n }];
    expect(forwardTranslate(run, 15n)).toEqual({ kind: 'exact', offset: 105n, by: 'run' });
    expect(forwardTranslate(run, 21n)).toEqual({ kind: 'exact', offset: 111n, by: 'run' });
    expect(forwardTranslate(run, 5n).kind).toBe('untranslatable');
  });
});
