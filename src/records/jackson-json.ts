/*
 * The few JSON shapes Kafka Connect's JsonConverter writes for MM2's source partitions and offsets,
 * serialized exactly as Jackson's `writeValueAsBytes` would: compact, UTF-8, integers as digits,
 * object keys in the order given (callers pass Java's HashMap iteration order).
 */

/** A JSON value this writer can emit byte-for-byte like Jackson. */
export type JacksonValue = string | bigint | number | boolean | null | readonly JacksonValue[] | JacksonObject;

/** An object whose entries are written in exactly this order. */
export interface JacksonObject {
  readonly entries: readonly (readonly [string, JacksonValue])[];
}

const HEX = '0123456789ABCDEF';
const NAMED_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

function unicodeEscape(code: number): string {
  return `\\u${HEX[(code >> 12) & 15]}${HEX[(code >> 8) & 15]}${HEX[(code >> 4) & 15]}${HEX[code & 15]}`;
}

/**
 * A JSON string literal as Jackson writes it: `"` and `\` escaped, control characters below 0x20
 * as `\b \t \n \f \r` or `\u00XX` with **uppercase** hex (JSON.stringify uses lowercase), `/` and
 * non-ASCII left as they are. An unpaired surrogate, which Jackson refuses to write, is escaped as
 * `\uDXXX` so that the output stays valid JSON and round-trips.
 */
export function jacksonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const named = NAMED_ESCAPES[code];
    if (named !== undefined) {
      out += named;
    } else if (code < 0x20) {
      out += unicodeEscape(code);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else {
        out += unicodeEscape(code);
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += unicodeEscape(code);
    } else {
      out += text[i]!;
    }
  }
  return out + '"';
}

/** Compact JSON text of `value`, Jackson-style. Numbers must be integers (Connect writes Long/Integer). */
export function jacksonStringify(value: JacksonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return jacksonString(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isSafeInteger(value)) throw new RangeError(`only safe integers can be written, got ${value}`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (isJacksonArray(value)) return `[${value.map(jacksonStringify).join(',')}]`;
  return `{${value.entries.map(([k, v]) => `${jacksonString(k)}:${jacksonStringify(v)}`).join(',')}}`;
}

function isJacksonArray(value: readonly JacksonValue[] | JacksonObject): value is readonly JacksonValue[] {
  return Array.isArray(value);
}

/** The UTF-8 bytes of {@link jacksonStringify}. */
export function jacksonBytes(value: JacksonValue): Buffer {
  return Buffer.from(jacksonStringify(value), 'utf8');
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * JSON.parse that keeps integers exact: every integer literal becomes a bigint (Connect reads JSON
 * integers as Java Long), other numbers stay numbers. Relies on the reviver's `context.source`
 * (JSON.parse source text access, Node 22+). Throws SyntaxError on invalid JSON.
 */
export function parseJsonWithBigInts(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => {
    if (typeof value === 'number' && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  };
  return JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown);
}
