import { readFileSync } from 'node:fs';
import { ConfigError } from '../util/errors.ts';

/**
 * A parsed Java `.properties` file: the key/value pairs exactly as `java.util.Properties.load`
 * produces them (last duplicate wins), plus the line each key was last defined on, so every later
 * message can point at the line the operator has to edit.
 */
export interface PropertiesFile {
  /** Keys in first-definition order; values as Java sees them (no trimming of trailing blanks). */
  readonly values: ReadonlyMap<string, string>;
  /** 1-based line of the (last) definition of each key: the first physical line of its logical line. */
  readonly lines: ReadonlyMap<string, number>;
  /** Path the text came from, when it came from a file. */
  readonly file?: string;
  /** Keys defined more than once, with every line they appear on (for lint). */
  readonly duplicates: ReadonlyMap<string, readonly number[]>;
}

// Java's whitespace for .properties: space, tab, form feed (not newline, which ends a line).
const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\f';

interface LogicalLine {
  text: string;
  line: number;
}

/**
 * Splits text into logical lines as Java's `Properties.LineReader` does: comment and blank lines
 * dropped, a line ending in an odd number of backslashes continued on the next physical line with
 * that line's leading whitespace removed. `#`/`!` only start a comment at the start of a natural
 * line, never on a continuation line; a comment line is never continued.
 */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  let current: string | undefined;
  let startLine = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    let start = 0;
    while (start < raw.length && isBlank(raw.charAt(start))) start++;
    const body = raw.slice(start);
    if (current === undefined) {
      if (body.length === 0) continue;
      if (body.startsWith('#') || body.startsWith('!')) continue;
      current = '';
      startLine = i + 1;
    } else if (body.length === 0) {
      // A continuation onto an empty line ends the logical line there.
      out.push({ text: current, line: startLine });
      current = undefined;
      continue;
    }
    let trailing = 0;
    while (trailing < body.length && body.charAt(body.length - 1 - trailing) === '\\') trailing++;
    if (trailing % 2 === 1) {
      current += body.slice(0, -1);
      // Java drops a dangling backslash at end of input.
      if (i === physical.length - 1) {
        out.push({ text: current, line: startLine });
        current = undefined;
      }
    } else {
      out.push({ text: current + body, line: startLine });
      current = undefined;
    }
  }
  if (current !== undefined && current.length > 0) out.push({ text: current, line: startLine });
  return out;
}

/** Java's `loadConvert`: backslash escapes and `\uXXXX`. */
function unescape(s: string, line: number, file: string | undefined): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= s.length) break;
    const e = s.charAt(i);
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError(
          `Malformed \\uxxxx encoding on line ${line}${file ? ` of ${file}` : ''}: '\\u${hex}' is not four hexadecimal digits`,
          { line, ...(file ? { file } : {}) },
        );
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'r') out += '\r';
    else if (e === 'n') out += '\n';
    else if (e === 'f') out += '\f';
    else out += e;
  }
  return out;
}

/** Splits one logical line into raw key and value as Java's `Properties.load0` does. */
function splitKeyValue(text: string): { key: string; value: string } {
  let keyLen = 0;
  let valueStart = text.length;
  let hasSeparator = false;
  let precedingBackslash = false;
  while (keyLen < text.length) {
    const c = text.charAt(keyLen);
    if ((c === '=' || c === ':') && !precedingBackslash) {
      valueStart = keyLen + 1;
      hasSeparator = true;
      break;
    }
    if (isBlank(c) && !precedingBackslash) {
      valueStart = keyLen + 1;
      break;
    }
    precedingBackslash = c === '\\' ? !precedingBackslash : false;
    keyLen++;
  }
  while (valueStart < text.length) {
    const c = text.charAt(valueStart);
    if (!isBlank(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { key: text.slice(0, keyLen), value: text.slice(valueStart) };
}

/** Parses `.properties` text with `java.util.Properties.load` semantics. */
export function parseProperties(text: string, file?: string): PropertiesFile {
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  const seen = new Map<string, number[]>();
  for (const logical of logicalLines(text)) {
    const { key: rawKey, value: rawValue } = splitKeyValue(logical.text);
    const key = unescape(rawKey, logical.line, file);
    const value = unescape(rawValue, logical.line, file);
    values.set(key, value);
    lines.set(key, logical.line);
    const at = seen.get(key);
    if (at) at.push(logical.line);
    else seen.set(key, [logical.line]);
  }
  const duplicates = new Map([...seen].filter(([, at]) => at.length > 1));
  return { values, lines, duplicates, ...(file !== undefined ? { file } : {}) };
}

/**
 * Reads a `.properties` file. `encoding` defaults to ISO-8859-1, which is what Java's
 * `Properties.load(InputStream)` (used by `connect-mirror-maker`) assumes; FileConfigProvider files
 * are read as UTF-8 (it uses a Reader).
 */
export function readPropertiesFile(path: string, encoding: 'latin1' | 'utf8' = 'latin1'): PropertiesFile {
  let text: string;
  try {
    text = readFileSync(path, encoding);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`Cannot read configuration file ${path}: ${reason}`, { file: path });
  }
  return parseProperties(text, path);
}
