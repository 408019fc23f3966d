/**
 * Writer and reader for Kafka's protocol types, used for the few requests the adapter frames
 * itself (Fetch v11 and v13, Metadata v4 and v12, Produce v7, IncrementalAlterConfigs v0). The
 * compact types, UUIDs and tagged fields are those of flexible versions (KIP-482): lengths as
 * unsigned varints of length + 1 (0 for null), and a tagged-field section ending each structure,
 * which we always write empty and skip when reading.
 */
export class ProtocolWriter {
  private buf: Buffer;
  private at = 0;
  /** Finished pieces, in order: views of earlier buffers and referenced (not copied) byte arrays. */
  private readonly done: Buffer[] = [];
  private doneBytes = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /**
   * Writes `v` as Kafka BYTES without copying it: the length goes into the current buffer and `v`
   * itself becomes a piece of {@link chunks}, written to the socket as it is (record batches of a
   * produce request are large; copying them into the request was ~5 % of the mirror's CPU).
   */
  bytesRef(v: Buffer): this {
    this.int32(v.length);
    this.done.push(this.buf.subarray(0, this.at), v);
    this.doneBytes += this.at + v.length;
    this.buf = Buffer.allocUnsafe(256);
    this.at = 0;
    return this;
  }

  /** The request body as pieces to write in order (no copies). */
  chunks(): Buffer[] {
    return this.at > 0 ? [...this.done, this.buf.subarray(0, this.at)] : [...this.done];
  }

  /** Total body bytes. */
  get length(): number {
    return this.doneBytes + this.at;
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.at = this.buf.writeInt8(v, this.at);
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.at = this.buf.writeInt16BE(v, this.at);
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.at = this.buf.writeInt32BE(v, this.at);
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.at = this.buf.writeBigInt64BE(v, this.at);
    return this;
  }

  string(v: string): this {
    const len = Buffer.byteLength(v, 'utf8');
    this.int16(len);
    this.ensure(len);
    this.at += this.buf.write(v, this.at, 'utf8');
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.ensure(v.length);
    this.at += v.copy(this.buf, this.at);
    return this;
  }

  array<T>(items: readonly T[], write: (item: T, w: this) => void): this {
    this.int32(items.length);
    for (const item of items) write(item, this);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** Unsigned varint (flexible versions' lengths and tag counts). */
  uvarint(v: number): this {
    this.ensure(5);
    let rest = v >>> 0;
    while (rest >= 0x80) {
      this.buf[this.at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.at++] = rest;
    return this;
  }

  compactString(v: string): this {
    const len = Buffer.byteLength(v, 'utf8');
    this.uvarint(len + 1);
    this.ensure(len);
    this.at += this.buf.write(v, this.at, 'utf8');
    return this;
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.uvarint(0) : this.compactString(v);
  }

  compactArray<T>(items: readonly T[], write: (item: T, w: this) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) write(item, this);
    return this;
  }

  /** A 16-byte UUID (a topic id). */
  uuid(v: Buffer): this {
    if (v.length !== 16) throw new RangeError(`a UUID has 16 bytes, got ${v.length}`);
    this.ensure(16);
    this.at += v.copy(this.buf, this.at);
    return this;
  }

  /** An empty tagged-field section (we never send tagged fields). */
  noTags(): this {
    return this.uvarint(0);
  }

  /** The encoded bytes in the duck-typed shape kafkajs's connection accepts for a request body. */
  toKafkajsEncoder(): { buf: Buffer; buffer: Buffer } {
    const out = this.done.length === 0 ? this.buf.subarray(0, this.at) : Buffer.concat(this.chunks());
    return { buf: out, buffer: out };
  }
}

export class ProtocolReader {
  private at = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  get offset(): number {
    return this.at;
  }

  int8(): number {
    const v = this.buf.readInt8(this.at);
    this.at += 1;
    return v;
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new RangeError('unexpected null string');
    const v = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return v;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const v = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return v;
  }

  /** A view into the response buffer (no copy). */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const v = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return v;
  }

  array<T>(read: (r: this) => T): T[] {
    const n = this.int32();
    if (n < 0) return [];
    const items: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) items[i] = read(this);
    return items;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new RangeError('varint runs past the end of the response');
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new RangeError('varint longer than 5 bytes');
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const v = this.buf.toString('utf8', this.at, this.at + n - 1);
    this.at += n - 1;
    return v;
  }

  compactString(): string {
    const v = this.compactNullableString();
    if (v === null) throw new RangeError('unexpected null string');
    return v;
  }

  /** A compact array; null (length 0) reads as null. */
  compactNullableArray<T>(read: (r: this) => T): T[] | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const items: T[] = new Array<T>(n - 1);
    for (let i = 0; i < n - 1; i++) items[i] = read(this);
    return items;
  }

  compactArray<T>(read: (r: this) => T): T[] {
    return this.compactNullableArray(read) ?? [];
  }

  /** Compact BYTES or RECORDS as a view into the response buffer (no copy). */
  compactBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const v = this.buf.subarray(this.at, this.at + n - 1);
    this.at += n - 1;
    return v;
  }

  /** A 16-byte UUID as a view into the response buffer. */
  uuid(): Buffer {
    const v = this.buf.subarray(this.at, this.at + 16);
    if (v.length !== 16) throw new RangeError('UUID runs past the end of the response');
    this.at += 16;
    return v;
  }

  /** Skips a tagged-field section (fields we do not read). */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      // Read first: `this.at += this.uvarint()` would add to the offset from before the size.
      const size = this.uvarint();
      this.at += size;
    }
  }
}
