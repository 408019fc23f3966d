/**
 * Kafka's zigzag varint (int32) and varlong (int64) encodings, read and written in place with an
 * explicit position, so decoding a record allocates nothing but the record itself.
 *
 * Varlongs are handled as JS numbers: exact up to 2^53, which covers every real timestamp delta.
 */
import { RecordBatchError } from './errors.ts';

/** A read position into a buffer. One per decode call; the reads advance `pos`. */
export class ByteReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Zigzag varint, at most 5 bytes (Java ByteUtils.readVarint). */
  varint(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw truncated(this.pos);
      const b = buf[this.pos++] as number;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28)
        throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'varint longer than 5 bytes', { at: this.pos });
    }
    return (value >>> 1) ^ -(value & 1);
  }

  /** Zigzag varlong, at most 10 bytes (Java ByteUtils.readVarlong); exact while |value| <= 2^53. */
  varlong(): number {
    const buf = this.buf;
    // The first 4 bytes (28 bits) with 32-bit integer ops; the rest, rarely present, with doubles.
    let low = 0;
    let shift = 0;
    let b: number;
    do {
      if (this.pos >= this.end) throw truncated(this.pos);
      b = buf[this.pos++] as number;
      low |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 28);
    if ((b & 0x80) === 0) return (low >>> 1) ^ -(low & 1);
    let high = 0;
    let mul = 1;
    do {
      if (this.pos >= this.end) throw truncated(this.pos);
      if (shift >= 70)
        throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'varlong longer than 10 bytes', { at: this.pos });
      b = buf[this.pos++] as number;
      high += (b & 0x7f) * mul;
      mul *= 128;
      shift += 7;
    } while (b & 0x80);
    const unsigned = high * 0x10000000 + low;
    return low & 1 ? -(unsigned + 1) / 2 : unsigned / 2;
  }

  /** Length-prefixed bytes (varint length, -1 = null) as a view into the buffer (no copy). */
  bytesOrNull(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    const start = this.pos;
    if (len > this.end - start) throw truncated(start);
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  /**
   * Skips length-prefixed bytes (varint length, -1 = null) and returns their length; the bytes
   * start at `pos` before the call plus the varint's size. No view is made.
   */
  skipBytesOrNull(): number {
    const len = this.varint();
    if (len < 0) return -1;
    if (len > this.end - this.pos) throw truncated(this.pos);
    this.pos += len;
    return len;
  }

  /** Skips what {@link string} reads, with the same checks, without making the string. */
  skipString(): void {
    const len = this.varint();
    if (len < 0) throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'null header key', { at: this.pos });
    if (len > this.end - this.pos) throw truncated(this.pos);
    this.pos += len;
  }

  /** Varint-length-prefixed UTF-8 string; a negative length is invalid (Java rejects null header keys). */
  string(): string {
    const len = this.varint();
    if (len < 0) throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'null header key', { at: this.pos });
    const start = this.pos;
    if (len > this.end - start) throw truncated(start);
    this.pos = start + len;
    return len <= 32 ? shortString(this.buf, start, start + len) : this.buf.toString('utf8', start, start + len);
  }
}

/**
 * Header keys are short and nearly always ASCII: building them char by char is about twice as fast
 * as a native utf8 slice call; anything non-ASCII takes the exact UTF-8 path.
 */
function shortString(buf: Buffer, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    out += String.fromCharCode(c);
  }
  return out;
}

/** UTF-8 byte length of a string, without a native call when it is ASCII (header keys). */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Write a string as UTF-8 at `pos` (its length already known); returns the position after it. */
export function writeUtf8(buf: Buffer, pos: number, s: string, byteLength: number): number {
  if (byteLength !== s.length) return pos + buf.write(s, pos, byteLength, 'utf8');
  for (let i = 0; i < byteLength; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + byteLength;
}

function truncated(at: number): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'record data ends inside a field', { at });
}

/** Bytes the zigzag varint encoding of `value` (int32) takes. */
export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Bytes the zigzag varlong encoding of `value` takes (a safe integer). */
export function sizeOfVarlong(value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Write a zigzag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Write a zigzag varlong (a safe integer) at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}
