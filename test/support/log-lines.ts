/**
 * Strict reading of the appliance's log output: one JSON object per line, no key twice in any
 * object. JSON.parse keeps the last of two equal keys without a word, and log shippers that parse
 * strictly reject the line, so duplicates are found here by a scan of our own.
 */

export type LogLine = Record<string, unknown>;

/** Every non-empty line of `text` parsed; throws naming the first offending line (1-based) and why. */
export function parseLogLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const fail = (why: string): never => {
      throw new Error(`log line ${index + 1} ${why}: ${line}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      fail(`is not JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('is not a JSON object');
    const duplicate = firstDuplicateKey(line);
    if (duplicate !== undefined) fail(`repeats the key ${duplicate}`);
    lines.push(value as LogLine);
  });
  return lines;
}

/**
 * The first key that appears twice in one object anywhere in `json` (already known to be valid
 * JSON), as its JSON text, e.g. `"route"`; undefined if none does.
 */
export function firstDuplicateKey(json: string): string | undefined {
  // One set of keys per open object, undefined for an open array.
  const open: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = open.at(-1);
      if (expectKey && keys) {
        // Compared unescaped: "a" and "\u0061" are the same key.
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return JSON.stringify(key);
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(undefined);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open.at(-1) !== undefined;
    }
  }
  return undefined;
}
