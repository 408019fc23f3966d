import { RecordFormatError } from '../util/errors.ts';

/*
 * Kafka's "protocol types" (org.apache.kafka.common.protocol.types.Type) as MM2 uses them for its
 * own records: big-endian INT16/INT32/INT64 and STRING (INT16 length + UTF-8), written back to back.
 * Reading is as lenient as Java's Schema.read (trailing bytes are not checked); every underflow or
 * invalid length becomes a RecordFormatError, Java's SchemaException.
 */

const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** The largest byte length a STRING can have (Java's `Short.MAX_VALUE`). */
export const MAX_STRING_BYTES = INT16_MAX;

// Java's String.getBytes(UTF_8) writes '?' for an unpaired surrogate, where Node would write U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The bytes Java's `String.getBytes(StandardCharsets.UTF_8)` produces for `text`. */
export function javaUtf8(text: string): Buffer {
  return Buffer.from(text.replace(LONE_SURROGATE, '?'), 'utf8');
}

type Field =
  | { readonly type: 'INT16'; readonly value: number }
  | { readonly type: 'INT32'; readonly value: number }
  | { readonly type: 'INT64'; readonly value: bigint }
  | { readonly type: 'STRING'; readonly value: string };

/**
 * Encodes the given fields in order into a buffer of exactly their size.
 * Throws RecordFormatError if a value is out of its type's range (as Java's SchemaException would,
 * or where Java's static types would not even allow the value).
 */
export function writeFields(fields: readonly Field[], what: string): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    switch (field.type) {
      case 'INT16': {
        checkInt(field.value, INT16_MIN, INT16_MAX, 'INT16', what);
        const b = Buffer.alloc(2);
        b.writeInt16BE(field.value);
        parts.push(b);
        break;
      }
      case 'INT32': {
        checkInt(field.value, INT32_MIN, INT32_MAX, 'INT32', what);
        const b = Buffer.alloc(4);
        b.writeInt32BE(field.value);
        parts.push(b);
        break;
      }
      case 'INT64': {
        if (typeof field.value !== 'bigint' || field.value < INT64_MIN || field.value > INT64_MAX) {
          throw new RecordFormatError(`${what}: ${String(field.value)} is not an INT64`, { type: 'INT64' });
        }
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(field.value);
        parts.push(b);
        break;
      }
      case 'STRING': {
        if (typeof field.value !== 'string') {
          throw new RecordFormatError(`${what}: ${String(field.value)} is not a String`, { type: 'STRING' });
        }
        const bytes = javaUtf8(field.value);
        if (bytes.length > MAX_STRING_BYTES) {
          throw new RecordFormatError(
            `${what}: string length ${bytes.length} is larger than the maximum string length ${MAX_STRING_BYTES}`,
            { type: 'STRING', length: bytes.length },
          );
        }
        const len = Buffer.alloc(2);
        len.writeInt16BE(bytes.length);
        parts.push(len, bytes);
        break;
      }
    }
  }
  return Buffer.concat(parts);
}

function checkInt(value: number, min: number, max: number, type: string, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RecordFormatError(`${what}: ${String(value)} is not an ${type}`, { type });
  }
}

/**
 * Reads protocol-type fields from the start of a buffer, in order. Each read checks that enough
 * bytes remain; bytes left over at the end are simply not read (Java ignores them too).
 */
export class FieldReader {
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private readonly what: string;
  private position = 0;

  constructor(buffer: Uint8Array, what: string) {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.what = what;
  }

  /** How many bytes have been read so far. */
  get offset(): number {
    return this.position;
  }

  int16(field: string): number {
    this.require(2, field);
    const value = this.view.getInt16(this.position);
    this.position += 2;
    return value;
  }

  int32(field: string): number {
    this.require(4, field);
    const value = this.view.getInt32(this.position);
    this.position += 4;
    return value;
  }

  int64(field: string): bigint {
    this.require(8, field);
    const value = this.view.getBigInt64(this.position);
    this.position += 8;
    return value;
  }

  string(field: string): string {
    const length = this.int16(field);
    if (length < 0) {
      throw new RecordFormatError(
        `${this.what}: error reading field '${field}': string length ${length} cannot be negative`,
        {
          field,
        },
      );
    }
    this.require(length, field);
    const text = Buffer.from(this.buffer.buffer, this.buffer.byteOffset + this.position, length).toString('utf8');
    this.position += length;
    return text;
  }

  private require(bytes: number, field: string): void {
    if (this.buffer.byteLength - this.position < bytes) {
      throw new RecordFormatError(
        `${this.what}: error reading field '${field}': needs ${bytes} bytes at position ${this.position}, ` +
          `only ${this.buffer.byteLength - this.position} remain`,
        { field, position: this.position },
      );
    }
  }
}
