/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches (magic 2).
 * node:zlib's crc32 is the IEEE CRC-32, a different polynomial.
 *
 * Two implementations: `@node-rs/crc32` (Rust, SSE4.2/ARMv8 CRC instructions, prebuilt N-API
 * binaries) for anything of 1 KiB or more, and a JS table loop for small inputs, where the N-API
 * call costs more than the work. Measured on the project machine (scripts/bench/codec-bench.ts):
 * JS ~0.5–0.9 GB/s; native ~4.3 GB/s at 16 KB and ~5.4 GB/s at 900 KB, but slower than JS at 200 B.
 * CRC-32C was 12 % of the mirror's CPU in the backlog-drain profile before the native path.
 *
 * JS: slicing-by-16: sixteen 256-entry tables (16 KiB) let the loop consume 16 bytes per iteration.
 * Int32Array tables keep every value a 32-bit integer in V8 (no heap numbers). Measured on the
 * project machine: ~1.4x a slicing-by-8 Uint32Array version, ~3x a byte-at-a-time table.
 * Check value: "123456789" -> 0xE3069283.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

const POLY = 0x82f63b78;
/** From this many bytes on, the native implementation wins (below, the N-API call dominates). */
const NATIVE_MIN_BYTES = 1024;

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 16 }, () => new Int32Array(256));
  const t0 = tables[0] as Int32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number;
    for (let s = 1; s < 16; s++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8);
      (tables[s] as Int32Array)[n] = c;
    }
  }
  return tables;
}

// Separate constants rather than one array of tables: the hot loop then indexes typed arrays directly.
const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = buildTables() as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/** CRC-32C of `data[start, end)`, as an unsigned 32-bit number. `crc` continues a previous value. */
export function crc32c(input: Uint8Array, start = 0, end = input.length, crc = 0): number {
  if (end - start >= NATIVE_MIN_BYTES) {
    const view = Buffer.from(input.buffer, input.byteOffset + start, end - start);
    return nativeCrc32c(view, crc) >>> 0;
  }
  return crc32cJs(input, start, end, crc);
}

/** The JS table loop: exported so tests can check both implementations against each other. */
export function crc32cJs(input: Uint8Array, start = 0, end = input.length, crc = 0): number {
  // Loop over a plain Uint8Array view so the hot loop sees one array type whatever the caller
  // passes (Buffer or Uint8Array); a noisy measurement had Buffer element loads slower.
  const data = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  // Non-null assertions: every index below is in range by construction (i + 15 < end, bytes < 256).
  let c = ~crc | 0;
  let i = start;
  const end16 = end - 15;
  while (i < end16) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      T15[lo & 0xff]! ^
      T14[(lo >>> 8) & 0xff]! ^
      T13[(lo >>> 16) & 0xff]! ^
      T12[lo >>> 24]! ^
      T11[data[i + 4]!]! ^
      T10[data[i + 5]!]! ^
      T9[data[i + 6]!]! ^
      T8[data[i + 7]!]! ^
      T7[data[i + 8]!]! ^
      T6[data[i + 9]!]! ^
      T5[data[i + 10]!]! ^
      T4[data[i + 11]!]! ^
      T3[data[i + 12]!]! ^
      T2[data[i + 13]!]! ^
      T1[data[i + 14]!]! ^
      T0[data[i + 15]!]!;
    i += 16;
  }
  while (i < end) c = T0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC arithmetic modulo the CRC-32C polynomial (reflected bit order), as zlib's `crc32_combine`
 * does it for CRC-32: lets a checksum be updated for a few changed bytes without reading the rest.
 * `multModP(a, b)` is a·b mod P; `X_POW_2N[k]` is x^(2^k) mod P.
 */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

const X_POW_2N: number[] = (() => {
  const table = new Array<number>(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let n = 1; n < 32; n++) table[n] = p = multModP(p, p);
  return table;
})();

/** x^(8·bytes) mod P: what appending `bytes` zero bytes multiplies a raw CRC by. */
function zeroBytesFactor(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8 bits per byte = 2^3
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(X_POW_2N[k & 31]!, p);
  }
  return p;
}

/**
 * The CRC-32C of a message after bytes `[start, start + before.length)` changed from `before` to
 * `after`, given its old CRC and that `zerosAfter` bytes follow the changed range (the rest is
 * unchanged). CRCs are linear: crc(M') = crc(M) ^ rawcrc(M ^ M'), and M ^ M' is the delta of the
 * changed range followed by zeros, whose raw CRC is the delta's times x^(8·zerosAfter). Costs
 * O(changed bytes + log(zerosAfter)), whatever the message length: a pass-through batch's CRC is
 * updated for its rewritten producer fields without hashing its records again.
 */
export function crc32cPatched(oldCrc: number, before: Uint8Array, after: Uint8Array, zerosAfter: number): number {
  if (before.length !== after.length) throw new RangeError('crc32cPatched: the changed ranges differ in length');
  const delta = new Uint8Array(before.length);
  let changed = false;
  for (let i = 0; i < delta.length; i++) {
    delta[i] = before[i]! ^ after[i]!;
    if (delta[i] !== 0) changed = true;
  }
  if (!changed) return oldCrc >>> 0;
  // Raw CRC (initial 0, no final complement) of the delta: crc32cJs starts from ~crc and complements at the end.
  const raw = ~crc32cJs(delta, 0, delta.length, 0xffffffff) >>> 0;
  return (oldCrc ^ multModP(zeroBytesFactor(zerosAfter), raw)) >>> 0;
}
