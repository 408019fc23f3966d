/**
 * Java ConfigDef value types and their parsers. Each parser follows `ConfigDef.parseType` exactly
 * (trim, then parse) so a value accepted here is accepted by Java and the other way round.
 */

export type KeyType = 'string' | 'int' | 'long' | 'short' | 'double' | 'boolean' | 'list' | 'class' | 'password';

/** The value of a typed key after parsing. Longs stay exact as bigint only where needed: MM2 longs are small. */
export type ParsedValue = string | number | boolean | readonly string[] | null;

export type ParseResult = { ok: true; value: ParsedValue } | { ok: false; expected: string };

const INT_RANGE: Record<'int' | 'short' | 'long', [bigint, bigint]> = {
  short: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  long: [-9223372036854775808n, 9223372036854775807n],
};

// Java's Integer/Long/Short.parseX: optional sign, ASCII digits only.
const JAVA_INTEGER = /^[+-]?\d+$/;
// Java's Double.parseDouble accepts more (hex floats, NaN, Infinity, trailing d/f); this covers what
// operators write and rejects what Java rejects.
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[dDfF]?)$/;

/** Java LIST parsing: trimmed; empty means the empty list; else split on `\s*,\s*` keeping empty items. */
export function parseJavaList(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*,\s*/);
}

export function parseValue(type: KeyType, raw: string): ParseResult {
  const trimmed = raw.trim();
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return { ok: true, value: true };
      if (lower === 'false') return { ok: true, value: false };
      return { ok: false, expected: 'true or false' };
    }
    case 'short':
    case 'int':
    case 'long': {
      const [min, max] = INT_RANGE[type];
      if (!JAVA_INTEGER.test(trimmed)) return { ok: false, expected: `a whole number (Java ${type})` };
      const big = BigInt(trimmed);
      if (big < min || big > max) return { ok: false, expected: `a Java ${type} between ${min} and ${max}` };
      return { ok: true, value: Number(big) };
    }
    case 'double':
      if (!JAVA_DOUBLE.test(trimmed)) return { ok: false, expected: 'a number (Java double)' };
      return { ok: true, value: Number(trimmed.replace(/[dDfF]$/, '')) };
    case 'list':
      return { ok: true, value: parseJavaList(raw) };
    case 'class':
    case 'string':
    case 'password':
      return { ok: true, value: trimmed };
  }
}

/** A value check beyond the type, as Java's ConfigDef validators do. `check` returns what would be valid, or undefined. */
export interface Validator {
  readonly description: string;
  check(value: ParsedValue): string | undefined;
}

export function atLeast(min: number): Validator {
  return {
    description: `[${min},...]`,
    check: (v) => (typeof v === 'number' && v < min ? `a value of at least ${min}` : undefined),
  };
}

/** Java's `ConfigDef.Range.between`: from `min` to `max`, both included. */
export function between(min: number, max: number): Validator {
  return {
    description: `[${min},...,${max}]`,
    check: (v) => (typeof v === 'number' && (v < min || v > max) ? `a value from ${min} to ${max}` : undefined),
  };
}

export function oneOf(options: readonly string[], caseInsensitive = false): Validator {
  const accepted = caseInsensitive ? options.map((o) => o.toLowerCase()) : options;
  return {
    description: `${caseInsensitive ? '(case insensitive) ' : ''}[${options.join(', ')}]`,
    check: (v) => {
      if (v === null) return undefined;
      const s = caseInsensitive ? String(v).toLowerCase() : String(v);
      return accepted.includes(s) ? undefined : `one of ${options.join(', ')}`;
    },
  };
}
