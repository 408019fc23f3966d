/**
 * Reverse checkpointing (the idea of KIP-1098): where a consumer group that ran on the target T of
 * a route S->T must resume on S. Java's checkpoints only go forward (a group of S to T); a group
 * that consumed the remote copy on T has positions on T that nothing translates back. The S->T
 * offset syncs say where each copied record landed, so they answer it in reverse.
 *
 * Everything here is pure: offset syncs (with their `mm2ts.run-start`, when written by us) in,
 * positions out. Rules (docs/runbooks/failback.md, "How positions are translated back"):
 * - a position `t` on T (the next record the group would read) maps to the S offset of the record
 *   whose copy sits at `t`; if `t` is just past a copy of S record `u`, to `u + 1`;
 * - exact when proved: a sync `(u, d)` at `t` (d = t), a run `[s, u]` copied to `[d-(u-s), d]`
 *   covering `t` (`d-(u-s) <= t <= d+1`), or a record-by-record match of the two logs (see
 *   {@link matchAfter});
 * - otherwise the greatest sync `(u, d)` below `t` gives `u + 1`: a lower bound. Resuming there
 *   may re-read up to `t - d - 1` records (the copies between `d` and `t`) but never skips one:
 *   a failback must not lose records. The upper bound (`u + t - d`) is what a pure offset
 *   difference would give, and it can skip records when S had gaps or T holds duplicates.
 */

/** One offset sync of one partition: upstream record `upstream` was copied at `downstream`. */
export interface PartitionSync {
  readonly upstream: bigint;
  readonly downstream: bigint;
  /** The sync's run start (`mm2ts.run-start` header), when it has one. */
  readonly runStart?: bigint;
}

/** A translated position and how much is known about it. */
export type PositionTranslation =
  | {
      readonly kind: 'exact';
      readonly offset: bigint;
      /** What proved it: a sync at the position, a run covering it, or matched records. */
      readonly by: 'sync' | 'run' | 'match';
    }
  | {
      readonly kind: 'lower-bound';
      readonly offset: bigint;
      /** Records the group may re-read at most (the copies between the sync and the position). */
      readonly maxReread: bigint;
    }
  | { readonly kind: 'untranslatable'; readonly reason: string };

/** Syncs in the order they were read; keeps them sorted for lookups (stable under repeats). */
export function sortedByDownstream(syncs: readonly PartitionSync[]): PartitionSync[] {
  return [...syncs].sort((a, b) => (a.downstream < b.downstream ? -1 : a.downstream > b.downstream ? 1 : 0));
}

/**
 * Reverse translation through one partition's S->T syncs: the S offset where a group positioned
 * at `t` on T resumes. `syncs` may come in any order and may repeat.
 */
export function reverseTranslate(syncs: readonly PartitionSync[], t: bigint): PositionTranslation {
  if (syncs.length === 0) return { kind: 'untranslatable', reason: 'no offset syncs for the partition' };
  let best: PositionTranslation | undefined;
  let below: PartitionSync | undefined;
  for (const s of syncs) {
    if (s.downstream === t) return { kind: 'exact', offset: s.upstream, by: 'sync' };
    if (s.runStart !== undefined && s.runStart <= s.upstream) {
      const first = s.downstream - (s.upstream - s.runStart);
      if (first <= t && t <= s.downstream + 1n) {
        const offset = t - (s.downstream - s.upstream);
        // Several runs can cover t (a re-send after a crash copies records again, later): the
        // smallest S offset is the one that cannot skip a record.
        if (best === undefined || best.kind !== 'exact' || offset < best.offset) {
          best = { kind: 'exact', offset, by: 'run' };
        }
      }
    }
    if (s.downstream < t && (below === undefined || s.downstream > below.downstream)) below = s;
  }
  if (best !== undefined) return best;
  if (below === undefined) {
    return { kind: 'untranslatable', reason: `position ${t} is before the oldest offset sync kept for the partition` };
  }
  if (t === below.downstream + 1n) return { kind: 'exact', offset: below.upstream + 1n, by: 'sync' };
  return { kind: 'lower-bound', offset: below.upstream + 1n, maxReread: t - below.downstream - 1n };
}

/**
 * Forward translation through one partition's syncs (Java's rule plus our exact runs, as
 * `OffsetSyncStore.translate` does from its retained history): where a group positioned at `g`
 * upstream resumes downstream. Used for T's own topics, which flow back through T->S.
 */
export function forwardTranslate(syncs: readonly PartitionSync[], g: bigint): PositionTranslation {
  if (syncs.length === 0) return { kind: 'untranslatable', reason: 'no offset syncs for the partition' };
  let exact: bigint | undefined;
  let below: PartitionSync | undefined;
  for (const s of syncs) {
    if (s.runStart !== undefined && s.runStart <= g && g <= s.upstream + 1n) {
      const offset = s.downstream - s.upstream + g;
      // The largest proved answer re-reads least; every covering run is a proof.
      if (exact === undefined || offset > exact) exact = offset;
    }
    // Newest of equal upstream offsets: the later copy (a re-send) re-reads less.
    if (s.upstream <= g && (below === undefined || s.upstream >= below.upstream)) below = s;
  }
  if (below === undefined) {
    if (exact !== undefined) return { kind: 'exact', offset: exact, by: 'run' };
    return { kind: 'untranslatable', reason: `offset ${g} is before the oldest offset sync kept for the partition` };
  }
  const java = below.downstream + (below.upstream === g ? 0n : 1n);
  if (exact !== undefined && exact >= java) return { kind: 'exact', offset: exact, by: 'run' };
  if (below.upstream === g || below.upstream + 1n === g) return { kind: 'exact', offset: java, by: 'sync' };
  return { kind: 'lower-bound', offset: java, maxReread: g - below.upstream - 1n };
}

/** The fields of a record that a copy keeps (MM2 copies key, value, headers and timestamp). */
export interface ComparableRecord {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { key: string; value: Buffer | null }[];
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** True when `copy` can be the mirror's copy of `original`. */
export function sameRecord(original: ComparableRecord, copy: ComparableRecord): boolean {
  if (original.timestamp !== copy.timestamp) return false;
  if (!sameBytes(original.key, copy.key) || !sameBytes(original.value, copy.value)) return false;
  if (original.headers.length !== copy.headers.length) return false;
  return original.headers.every((h, i) => h.key === copy.headers[i]!.key && sameBytes(h.value, copy.headers[i]!.value));
}

/** Where the records after an anchor sync stop matching (see {@link matchAfter}). */
export interface MatchResult {
  /** Pairs `[T offset, S offset]` of matched records, in order (the anchor sync first). */
  readonly pairs: readonly (readonly [bigint, bigint])[];
  /** First T position after the last matched copy: where records S does not hold begin on T. */
  readonly targetBoundary: bigint;
  /** First S offset after the last matched original: where records that never reached T begin. */
  readonly sourceBoundary: bigint;
}

/**
 * Extends an anchor sync `(u, d)` record by record: the S records after `u` and the T records
 * after `d` are compared in order while they are the same record (key, value, headers,
 * timestamp). The mirror copies S's records in order, so the matched prefix is what was copied
 * after the last sync — the records Java's rules left without a sync (up to `offset.lag.max`, or
 * everything since the last position flush). It stops at the first difference: on T, records
 * written there (not copies); on S, records that never reached T.
 */
export function matchAfter(
  anchor: PartitionSync,
  sourceAfter: readonly ComparableRecord[],
  targetAfter: readonly ComparableRecord[],
): MatchResult {
  const pairs: [bigint, bigint][] = [[anchor.downstream, anchor.upstream]];
  let i = 0;
  while (i < sourceAfter.length && i < targetAfter.length && sameRecord(sourceAfter[i]!, targetAfter[i]!)) {
    pairs.push([targetAfter[i]!.offset, sourceAfter[i]!.offset]);
    i++;
  }
  const [lastT, lastS] = pairs[pairs.length - 1]!;
  return { pairs, targetBoundary: lastT + 1n, sourceBoundary: lastS + 1n };
}

/**
 * {@link reverseTranslate} improved by a {@link matchAfter} result: a position among the matched
 * copies (or right after them) is exact; one past them is untranslatable (records written on T
 * that S does not hold: they are not on S until something copies them).
 */
export function reverseTranslateMatched(
  syncs: readonly PartitionSync[],
  match: MatchResult | undefined,
  t: bigint,
): PositionTranslation {
  if (match !== undefined) {
    const [anchorT] = match.pairs[0]!;
    if (t > anchorT) {
      for (const [pt, ps] of match.pairs) if (pt >= t) return { kind: 'exact', offset: ps, by: 'match' };
      if (t === match.targetBoundary) return { kind: 'exact', offset: match.sourceBoundary, by: 'match' };
      return {
        kind: 'untranslatable',
        reason: `position ${t} is past the last record copied from the source (${match.targetBoundary - 1n} on the target)`,
      };
    }
  }
  return reverseTranslate(syncs, t);
}
