/**
 * The bytes of a Prometheus text exposition, written straight into one growing buffer. A scrape at
 * 8,000 partitions is ~1.7 MB of ~15,000 lines: built as strings, each line was a few short-lived
 * strings, the family a rope of them, the scrape a join of the families and then its UTF-8 copy
 * for the socket; a fifth of the scrape was garbage collection
 * (docs/benchmarks/2026-12-02-scrape-bytes.md). Here label texts and metric names are encoded
 * once and copied, values are written as ASCII, and each line is one call.
 */
export class ExpositionWriter {
  private buf: Buffer;
  private pos = 0;

  /** `expectedBytes`: the previous scrape's size is a good guess; the buffer doubles when it is not. */
  constructor(expectedBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, expectedBytes));
  }

  get length(): number {
    return this.pos;
  }

  /** Bytes encoded once by the caller (a label text, a metric name). */
  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * One sample line, newline first: `start` (newline and metric name), `labels` (`{…}` or empty),
   * a space and the value. One call per line: the first scrape runs before V8 has optimized
   * anything, and calls are what the interpreter pays for.
   */
  sample(start: Uint8Array, labels: Uint8Array, value: number): void {
    // A number is at most 24 characters (`-1.2345678901234567e-308`).
    this.reserve(start.length + labels.length + 25);
    const buf = this.buf;
    buf.set(start, this.pos);
    buf.set(labels, this.pos + start.length);
    this.pos += start.length + labels.length;
    buf[this.pos++] = 0x20;
    this.value(value);
  }

  /** One byte (a space, a newline). */
  byte(value: number): void {
    this.reserve(1);
    this.buf[this.pos++] = value;
  }

  /** Any text (prom-client's own rendering of a metric), as UTF-8. */
  text(text: string): void {
    this.reserve(Buffer.byteLength(text, 'utf8'));
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /**
   * A sample value exactly as prom-client writes it (`getValueAsString`: `${value}`, with its
   * `Nan`, `+Inf` and `-Inf` spellings). Safe integers, most values of a scrape, are written as
   * digits with no string in between; other numbers' texts are ASCII, a byte per character. (One
   * `Buffer.write` per value instead cost the default level's scrape a third more, once optimized.)
   */
  value(value: number): void {
    if (Number.isSafeInteger(value)) {
      // 16 digits and a sign cover every safe integer.
      this.reserve(17);
      if (value < 0) {
        this.buf[this.pos++] = 0x2d;
        value = -value;
      }
      let digits = 1;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      let at = this.pos + digits;
      this.pos = at;
      do {
        this.buf[--at] = 0x30 + (value % 10);
        value = Math.floor(value / 10);
      } while (value > 0);
      return;
    }
    const text = value === value ? (Number.isFinite(value) ? `${value}` : value < 0 ? '-Inf' : '+Inf') : 'Nan';
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** The exposition written so far (a view of the writer's buffer; the writer is done with it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
