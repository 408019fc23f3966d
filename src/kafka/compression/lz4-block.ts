/**
 * The LZ4 block format's decoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md),
 * writing into a buffer the caller owns.
 *
 * Why our own: lz4-napi hands back every decompressed block in a fresh native buffer that only a
 * garbage collection frees; a drain of Java's 16 KiB lz4 batches made ~70 MB of them wait for
 * one, and they fragment malloc's heap (docs/benchmarks/2026-12-01-lz4-into.md). Decoding here
 * writes a batch's records straight into the fetched partition's pooled section memory
 * (section-arena.ts): no native buffer, no copy. On 16 KiB batches of event-like data it costs
 * ~11 µs a batch, lz4-napi's decoder plus the copy 11–43 µs depending on the collections its
 * output buffers cause; the drains ran as fast and 1 KB lz4 peaked 45–60 MB lower.
 *
 * Every read is checked against the block's end and every write against `limit`: a corrupt or
 * hostile block throws {@link Lz4BlockError}, never reads or writes out of bounds.
 */

/** A block that is not valid LZ4 (the frame decoder names the codec in its error). */
export class Lz4BlockError extends Error {}

/** Matches at least this long that do not overlap what they write are copied by one native call. */
const LONG_MATCH = 64;

/** Literal runs longer than this are copied by one native call (shorter: a few 4-byte words). */
const SHORT_LITERALS = 16;

/**
 * Decodes the block `src[from, to)` into `dst` from `at`, writing nothing at or past `limit`;
 * returns where the decoded bytes end. Matches may reach back to `at` only (an independent block).
 *
 * Short literal runs and matches are copied in 4-byte words, the last word running past the run
 * (LZ4's own "wild copy"): the bytes written past a run's end are always overwritten by the next
 * run before anything reads them, a match only reads bytes before the one it is writing, and the
 * words stop short of `limit` (the byte-by-byte forms take over near it). The average sequence of
 * a JSON-like 16 KiB batch is ~3 literals and a ~20-byte match: per-byte loops cost 60 % more.
 */
export function decodeLz4Block(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  at: number,
  limit: number,
): number {
  if (to > src.length || limit > dst.length) throw new Lz4BlockError('block bounds outside the buffers');
  const srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const dstView = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  let s = from;
  let d = at;
  for (;;) {
    if (s >= to) throw new Lz4BlockError('block ends inside a sequence');
    const token = src[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let more: number;
      do {
        if (s >= to) throw new Lz4BlockError('block ends inside a literal length');
        more = src[s++]!;
        literals += more;
      } while (more === 255);
    }
    if (s + literals > to) throw new Lz4BlockError('literals run past the end of the block');
    if (d + literals > limit) throw new Lz4BlockError('decoded block is larger than its frame allows');
    if (literals <= SHORT_LITERALS && d + SHORT_LITERALS <= limit && s + SHORT_LITERALS <= src.length) {
      dstView.setUint32(d, srcView.getUint32(s));
      dstView.setUint32(d + 4, srcView.getUint32(s + 4));
      if (literals > 8) {
        dstView.setUint32(d + 8, srcView.getUint32(s + 8));
        dstView.setUint32(d + 12, srcView.getUint32(s + 12));
      }
    } else if (literals <= SHORT_LITERALS) for (let i = 0; i < literals; i++) dst[d + i] = src[s + i]!;
    else dst.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    // The last sequence of a block is literals only.
    if (s === to) return d;
    if (s + 2 > to) throw new Lz4BlockError('block ends inside a match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    let length = token & 15;
    if (length === 15) {
      let more: number;
      do {
        if (s >= to) throw new Lz4BlockError('block ends inside a match length');
        more = src[s++]!;
        length += more;
      } while (more === 255);
    }
    length += 4; // MINMATCH
    const match = d - offset;
    if (offset === 0 || match < at) throw new Lz4BlockError('match offset points before the block');
    if (d + length > limit) throw new Lz4BlockError('decoded block is larger than its frame allows');
    if (length >= LONG_MATCH && offset >= length) dst.copyWithin(d, match, match + length);
    // A word read at match + i ends before d + i once offset >= 4: only bytes already final.
    else if (offset >= 4 && d + length + 4 <= limit)
      for (let i = 0; i < length; i += 4) dstView.setUint32(d + i, dstView.getUint32(match + i));
    // An overlapping match (offset < 4 repeats what it is writing) or one near the limit: in order.
    else for (let i = 0; i < length; i++) dst[d + i] = dst[match + i]!;
    d += length;
  }
}

/**
 * The most bytes a block of `compressed` bytes can decode to: each input byte yields at most 255
 * (a match length's extension byte), and a first sequence of 3 bytes up to 19.
 */
export function lz4BlockOutputBound(compressed: number): number {
  return compressed * 255 + 19;
}
