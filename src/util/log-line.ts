/**
 * What happens to a serialized log line before it is written (pino's `hooks.streamWrite`): each
 * key kept once, and, for a person at a terminal, one readable line instead of JSON.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Index just past the string literal whose opening quote is at `open`. */
function endOfString(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
  }
}

/**
 * One serialized pino line with each top-level key once, the innermost value kept. pino writes a
 * child's bindings after its parent's, and the log call's own fields after all bindings
 * (lib/tools.js `asJson`), so re-binding `route` in a child, or logging `{ cluster }` on a logger
 * bound to a cluster, repeats the key — which JSON.parse tolerates (last wins) but strict JSON
 * consumers reject. Keeping the last occurrence keeps the innermost value, what JSON.parse would
 * read. A single scan of the top level; the line is rebuilt only when a key repeats. Values are
 * copied as written (no parse and re-serialize, which would round big integers).
 */
export function withUniqueKeys(line: string): string {
  if (line.charCodeAt(0) !== OPEN_BRACE) return line;
  const members: { key: string; start: number; end: number }[] = [];
  let duplicated = false;
  const seen = new Set<string>();
  let i = 1;
  while (i < line.length && line.charCodeAt(i) === QUOTE) {
    const keyEnd = endOfString(line, i);
    const key = line.slice(i, keyEnd);
    // keyEnd is the ':' in pino's compact output; the value runs to the next top-level ',' or '}'.
    let j = keyEnd + 1;
    let depth = 0;
    for (; j < line.length; j++) {
      const c = line.charCodeAt(j);
      if (c === QUOTE) j = endOfString(line, j) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACKET) depth--;
      else if (c === CLOSE_BRACE) {
        if (depth === 0) break;
        depth--;
      } else if (c === COMMA && depth === 0) break;
    }
    members.push({ key, start: i, end: j });
    if (seen.has(key)) duplicated = true;
    else seen.add(key);
    if (line.charCodeAt(j) !== COMMA) {
      i = j;
      break;
    }
    i = j + 1;
  }
  if (!duplicated || line.charCodeAt(i) !== CLOSE_BRACE) return line;
  const last = new Map<string, number>();
  members.forEach((m, index) => last.set(m.key, index));
  const kept = members.filter((m, index) => last.get(m.key) === index).map((m) => line.slice(m.start, m.end));
  return `{${kept.join(',')}${line.slice(i)}`;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
/** Shown in the prefix (`[route connector task]`) or not at all. */
const CONTEXT_KEYS = ['route', 'connector', 'task'];
const OMITTED_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', ...CONTEXT_KEYS]);

function displayValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/**
 * A JSON log line as `12:00:01.250 WARN  [A->B MirrorSourceConnector 0] message key=value`, with an
 * error's stack indented below. For display only: numbers beyond 2^53 may print rounded.
 */
export function prettyLogLine(line: string): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof fields['level'] === 'number' ? fields['level'] : 30;
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  const colour = LEVEL_COLOURS[level];
  const time = typeof fields['time'] === 'number' ? new Date(fields['time']).toISOString().slice(11, 23) : '';
  const context = CONTEXT_KEYS.filter((k) => fields[k] !== undefined).map((k) => String(fields[k]));
  const rest = Object.entries(fields)
    .filter(([k, v]) => !OMITTED_KEYS.has(k) && v !== undefined)
    .map(([k, v]) => ` ${k}=${displayValue(v)}`)
    .join('');
  const err = fields['err'] as { stack?: unknown; message?: unknown } | string | undefined;
  const errText =
    err === undefined ? '' : typeof err === 'string' ? err : String(err.stack ?? err.message ?? JSON.stringify(err));
  return [
    `${time} ${colour ? `${colour}${name}\x1b[0m` : name} ${context.length > 0 ? `[${context.join(' ')}] ` : ''}`,
    `${String(fields['msg'] ?? '')}${rest}`,
    errText ? `\n    ${errText.replaceAll('\n', '\n    ')}` : '',
    '\n',
  ].join('');
}
