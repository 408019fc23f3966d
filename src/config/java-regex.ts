import { ConfigError } from '../util/errors.ts';
import { parseJavaList } from './keys/key-types.ts';

/**
 * Java regular expressions → JavaScript. MM2's `topics`, `groups`, their excludes and
 * `config.properties.exclude` are Java regexes, joined with `|` and matched against the whole name
 * (facts §7). Constructs with an exact JS equivalent are rewritten; the others are rejected with the
 * reason, so a pattern never silently means something else than it did under Java.
 *
 * Translated: `\Q…\E`; possessive quantifiers and atomic groups (`(?=(X))\N` emulation); inline
 * flags `(?i)` `(?s)` `(?m)` anywhere and scoped `(?i:…)` (JS regexp modifiers); `\A` `\z` `\Z`;
 * `\h` `\e` `\a` `\0oct` `\x{h}`; POSIX `\p{Alpha}`-style classes (ASCII, as Java's default) and
 * Unicode `\p{L}`/`\p{IsLatin}`/`\p{IsAlphabetic}`-style properties (with the `u` flag).
 * Rejected: class intersection/union (`&&`, nested `[`), `(?x)` comments mode, `(?d)`/`(?U)`,
 * `\G` `\R` `\X` `\b{g}`, Unicode blocks `\p{InX}`, java.lang.Character classes `\p{javaX}`.
 */

export type JavaRegexTranslation = { ok: true; source: string; flags: string } | { ok: false; reason: string };

const POSIX_CLASSES: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

const UNICODE_BINARY: Record<string, string> = {
  Alphabetic: 'Alphabetic',
  Ideographic: 'Ideographic',
  Letter: 'L',
  Lowercase: 'Lowercase',
  Uppercase: 'Uppercase',
  Titlecase: 'Lt',
  Punctuation: 'P',
  Control: 'Cc',
  White_Space: 'White_Space',
  WhiteSpace: 'White_Space',
  Digit: 'Nd',
  Hex_Digit: 'Hex_Digit',
  HexDigit: 'Hex_Digit',
  Noncharacter_Code_Point: 'Noncharacter_Code_Point',
  Assigned: 'Assigned',
  Emoji: 'Emoji',
};

const GENERAL_CATEGORY = /^(L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?|LC|L&)$/;

/** What `\p{name}` / `\P{name}` means in JS, or why it cannot be translated. */
function unicodeProperty(name: string): { posix: string } | { property: string } | { error: string } {
  const posix = POSIX_CLASSES[name];
  if (posix !== undefined) return { posix };
  if (name.startsWith('In') || name.startsWith('block=') || name.startsWith('blk=')) {
    return { error: `Unicode block \\p{${name}} has no JavaScript equivalent` };
  }
  if (name.startsWith('java')) return { error: `java.lang.Character class \\p{${name}} has no JavaScript equivalent` };
  let n = name;
  if (n.startsWith('Is')) n = n.slice(2);
  if (n.startsWith('general_category=') || n.startsWith('gc=')) n = n.slice(n.indexOf('=') + 1);
  if (n.startsWith('script=') || n.startsWith('sc=')) return { property: `Script=${n.slice(n.indexOf('=') + 1)}` };
  if (GENERAL_CATEGORY.test(n)) return { property: n === 'L&' ? 'LC' : n };
  const binary = UNICODE_BINARY[n];
  if (binary !== undefined) return { property: binary };
  // `\p{IsLatin}`: a script name. Accept only what JS knows.
  try {
    new RegExp(`\\p{Script=${n}}`, 'u');
    return { property: `Script=${n}` };
  } catch {
    return { error: `\\p{${name}} is not a Unicode property JavaScript knows` };
  }
}

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/-'.split(''));

function escapeLiteral(c: string): string {
  return SYNTAX_CHARS.has(c) ? `\\${c}` : c;
}

function hexEscape(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

class Untranslatable extends Error {}

interface Group {
  /** Output index where the group's content starts (for a scoped flag group closing). */
  openModifiers: number;
}

/**
 * Translates one Java regex. The result is a JS source without anchors; `flags` holds the flags of
 * a leading `(?i)`-style group plus `u` when a Unicode property is used.
 */
export function translateJavaRegex(java: string): JavaRegexTranslation {
  try {
    return { ok: true, ...translate(java) };
  } catch (err) {
    if (err instanceof Untranslatable) return { ok: false, reason: err.message };
    throw err;
  }
}

function translate(java: string): { source: string; flags: string } {
  let out = '';
  let unicode = false;
  let i = 0;
  let lastAtomStart = -1; // output index of the atom a following quantifier applies to
  let captureCount = 0;
  let usesNumericBackref = false;
  let emulatedAtomic = false;
  const groups: Group[] = [{ openModifiers: 0 }];
  const leadingFlags = new Set<string>();

  const fail = (what: string): never => {
    throw new Untranslatable(what);
  };

  const readEscape = (inClass: boolean): string => {
    // At java[i] === '\\'
    const c = java.charAt(i + 1);
    if (c === '') fail('trailing backslash');
    i += 2;
    if (/[dDwWsS]/.test(c)) return `\\${c}`;
    if (c === 'b' || c === 'B') {
      if (inClass) fail(`\\${c} inside a character class`);
      if (java.charAt(i) === '{') fail('\\b{...} boundaries have no JavaScript equivalent');
      return `\\${c}`;
    }
    if (c === 't') return '\\t';
    if (c === 'n') return '\\n';
    if (c === 'r') return '\\r';
    if (c === 'f') return '\\f';
    if (c === 'a') return '\\x07';
    if (c === 'e') return '\\x1b';
    if (c === 'h')
      return inClass
        ? ' \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000'
        : '[ \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]';
    if (c === 'H') {
      if (inClass) fail('\\H inside a character class');
      return '[^ \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]';
    }
    if (c === 'A') {
      if (inClass) fail('\\A inside a character class');
      return '^';
    }
    if (c === 'z' || c === 'Z') {
      if (inClass) fail(`\\${c} inside a character class`);
      return c === 'z' ? '$' : '(?=\\n?$)';
    }
    if (c === 'G' || c === 'R' || c === 'X' || c === 'N') fail(`\\${c} has no JavaScript equivalent`);
    if (c === 'c') {
      const ctl = java.charAt(i);
      if (ctl === '') fail('\\c must be followed by a character');
      i++;
      return hexEscape(ctl.charCodeAt(0) ^ 64);
    }
    if (c === '0') {
      const m = /^[0-7]{1,3}/.exec(java.slice(i));
      if (!m) fail('illegal octal escape \\0');
      let digits = m![0];
      if (digits.length === 3 && parseInt(digits, 8) > 0o377) digits = digits.slice(0, 2);
      i += digits.length;
      return hexEscape(parseInt(digits, 8));
    }
    if (c === 'x') {
      if (java.charAt(i) === '{') {
        const end = java.indexOf('}', i);
        const hex = end < 0 ? '' : java.slice(i + 1, end);
        if (!/^[0-9a-fA-F]+$/.test(hex)) fail('illegal hexadecimal escape \\x{...}');
        i = end + 1;
        const code = parseInt(hex, 16);
        if (code > 0xffff) unicode = true;
        return hexEscape(code);
      }
      const hex = java.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('illegal hexadecimal escape \\x');
      i += 2;
      return `\\x${hex}`;
    }
    if (c === 'u') {
      const hex = java.slice(i, i + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('illegal Unicode escape \\u');
      i += 4;
      return `\\u${hex}`;
    }
    if (c === 'p' || c === 'P') {
      let name: string;
      if (java.charAt(i) === '{') {
        const end = java.indexOf('}', i);
        if (end < 0) fail(`unclosed \\${c}{`);
        name = java.slice(i + 1, end);
        i = end + 1;
      } else {
        name = java.charAt(i);
        i++;
      }
      const prop = unicodeProperty(name);
      if ('error' in prop) return fail(prop.error);
      if ('posix' in prop) {
        if (c === 'P' && inClass) fail(`\\P{${name}} inside a character class`);
        return inClass ? prop.posix : `[${c === 'P' ? '^' : ''}${prop.posix}]`;
      }
      unicode = true;
      return `\\${c}{${prop.property}}`;
    }
    if (c === 'k') {
      const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(java.slice(i));
      if (!m) fail('\\k must be followed by <name>');
      i += m![0].length;
      return `\\k${m![0]}`;
    }
    if (/[1-9]/.test(c)) {
      if (inClass) fail('back reference inside a character class');
      usesNumericBackref = true;
      return `\\${c}`;
    }
    if (c === 'Q') {
      const end = java.indexOf('\\E', i);
      const quoted = end < 0 ? java.slice(i) : java.slice(i, end);
      i = end < 0 ? java.length : end + 2;
      return [...quoted].map(escapeLiteral).join('');
    }
    if (c === 'E') return '';
    if (/[a-zA-Z]/.test(c)) fail(`illegal/unsupported escape sequence \\${c}`);
    return inClass
      ? c === ']' || c === '\\' || c === '^' || c === '-' || c === '['
        ? `\\${c}`
        : escapeLiteral(c)
      : escapeLiteral(c);
  };

  const readClass = (): string => {
    // At java[i] === '['
    let cls = '[';
    i++;
    if (java.charAt(i) === '^') {
      cls += '^';
      i++;
    }
    let first = true;
    for (;;) {
      const c = java.charAt(i);
      if (c === '') fail('unclosed character class');
      if (c === ']' && !first) {
        i++;
        break;
      }
      if (c === '[') fail('nested character classes (union) are not supported; list the characters in one class');
      if (c === '&' && java.charAt(i + 1) === '&') fail('character class intersection (&&) is not supported');
      if (c === '\\') {
        cls += readEscape(true);
      } else {
        cls += c === ']' ? '\\]' : c === '/' ? '\\/' : c;
        i++;
      }
      first = false;
    }
    return cls + ']';
  };

  const applyQuantifier = (): void => {
    // A quantifier at java[i]; lastAtomStart points at the atom in `out`.
    const start = i;
    const c = java.charAt(i);
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(java.slice(i));
      if (!m) fail(`illegal repetition near '${java.slice(i, i + 10)}'`);
      i += m![0].length;
    } else {
      i++;
    }
    if (lastAtomStart < 0) fail(`dangling meta character '${c}'`);
    const quantifier = java.slice(start, i);
    const mode = java.charAt(i);
    if (mode === '?') {
      out += quantifier + '?';
      i++;
    } else if (mode === '+') {
      // Possessive: X*+ ≡ (?>X*) ≡ (?=(?<g>X*))\k<g> (a lookahead does not backtrack into its match)
      i++;
      captureCount++;
      emulatedAtomic = true;
      const atom = out.slice(lastAtomStart);
      out =
        out.slice(0, lastAtomStart) +
        `(?:(?=(?<mm2atomic${captureCount}>${atom}${quantifier}))\\k<mm2atomic${captureCount}>)`;
    } else {
      out += quantifier;
    }
    lastAtomStart = -1;
  };

  const groupStack: { outStart: number; atomic: boolean; capture: number; modifierCloses: number }[] = [];

  while (i < java.length) {
    const c = java.charAt(i);
    if (c === '\\') {
      const before = out.length;
      const piece = readEscape(false);
      out += piece;
      lastAtomStart = piece === '' || piece === '^' || piece === '$' ? -1 : before;
      continue;
    }
    if (c === '[') {
      const before = out.length;
      out += readClass();
      lastAtomStart = before;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      applyQuantifier();
      continue;
    }
    if (c === '(') {
      const rest = java.slice(i);
      const flagsOnly = /^\(\?([a-zA-Z]*)(-([a-zA-Z]*))?\)/.exec(rest);
      const flagsScoped = /^\(\?([a-zA-Z]*)(-([a-zA-Z]*))?:/.exec(rest);
      const m = flagsOnly ?? flagsScoped;
      if (m && (m[1] !== '' || m[3] !== undefined)) {
        const on = m[1] ?? '';
        const off = m[3] ?? '';
        for (const f of on + off) {
          if (f === 'x') fail('(?x) comments mode is not supported; remove the whitespace and comments');
          if (f === 'u' || f === 'U' || f === 'd') {
            if (f === 'u') continue;
            fail(`inline flag (?${f}) has no JavaScript equivalent`);
          }
          if (!'ims'.includes(f)) fail(`unknown inline flag (?${f})`);
        }
        const jsOn = on.replace(/u/g, '');
        const jsOff = off.replace(/u/g, '');
        i += m[0].length;
        if (flagsOnly) {
          // Java: applies to the rest of the enclosing group. At the very start: whole-pattern flags.
          if (out === '' && groupStack.length === 0 && jsOff === '') {
            for (const f of jsOn) leadingFlags.add(f);
          } else if (jsOn !== '' || jsOff !== '') {
            out += `(?${jsOn}${jsOff ? `-${jsOff}` : ''}:`;
            const top = groupStack[groupStack.length - 1];
            if (top) top.modifierCloses++;
            else groups[0]!.openModifiers++;
          }
          lastAtomStart = -1;
        } else {
          groupStack.push({ outStart: out.length, atomic: false, capture: 0, modifierCloses: 0 });
          out += jsOn || jsOff ? `(?${jsOn}${jsOff ? `-${jsOff}` : ''}:` : '(?:';
        }
        continue;
      }
      if (rest.startsWith('(?>')) {
        captureCount++;
        emulatedAtomic = true;
        groupStack.push({ outStart: out.length, atomic: true, capture: captureCount, modifierCloses: 0 });
        out += `(?:(?=(?<mm2atomic${captureCount}>`;
        i += 3;
        continue;
      }
      const special = /^\(\?(:|=|!|<=|<!|<([a-zA-Z][a-zA-Z0-9]*)>)/.exec(rest);
      if (rest.startsWith('(?') && !special) fail(`unknown group construct near '${rest.slice(0, 6)}'`);
      if (!special || special[2] !== undefined) captureCount++;
      groupStack.push({ outStart: out.length, atomic: false, capture: 0, modifierCloses: 0 });
      const opener = special ? special[0] : '(';
      out += opener;
      i += opener.length;
      lastAtomStart = -1;
      continue;
    }
    if (c === ')') {
      const g = groupStack.pop();
      if (!g) fail("unmatched closing ')'");
      out += ')'.repeat(g!.modifierCloses);
      out += g!.atomic ? `))\\k<mm2atomic${g!.capture}>)` : ')';
      lastAtomStart = g!.outStart;
      i++;
      continue;
    }
    if (c === '|') {
      out += '|';
      lastAtomStart = -1;
      i++;
      continue;
    }
    if (c === '^' || c === '$') {
      out += c;
      lastAtomStart = -1;
      i++;
      continue;
    }
    const before = out.length;
    out += c === '/' ? '\\/' : c === ']' || c === '}' ? `\\${c}` : c;
    lastAtomStart = before;
    i++;
  }
  if (groupStack.length > 0) fail("unclosed group '('");
  out += ')'.repeat(groups[0]!.openModifiers);
  if (emulatedAtomic && usesNumericBackref) {
    fail('possessive quantifiers or atomic groups together with numbered back references are not supported');
  }
  const flags = [...leadingFlags].sort().join('') + (unicode ? 'u' : '');
  try {
    new RegExp(out, flags);
  } catch (err) {
    fail(String((err as Error).message).replace(/^Invalid regular expression: /, ''));
  }
  return { source: out, flags };
}

/** A compiled Java pattern list: matches a whole name, as Java's `Matcher.matches()`. */
export interface NameMatcher {
  /** The Java source as configured (list elements joined with `|`), for display. */
  readonly javaPattern: string | null;
  matches(name: string): boolean;
}

/** Never matches: what Java does for an empty list (no pattern at all). */
const MATCHES_NOTHING: NameMatcher = { javaPattern: null, matches: () => false };

/**
 * Compiles a MM2 pattern list (`topics`, `groups`, `*.exclude`, `config.properties.exclude`):
 * split on `\s*,\s*`, joined with `|`, full match. Throws a ConfigError naming the key, line and value.
 */
export function compilePatternList(value: string, where: { key: string; line?: number; file?: string }): NameMatcher {
  const items = parseJavaList(value);
  if (items.length === 0) return MATCHES_NOTHING;
  const javaPattern = items.join('|');
  const translated = translateJavaRegex(javaPattern);
  if (!translated.ok) {
    const at = where.line !== undefined ? ` (line ${where.line})` : '';
    throw new ConfigError(
      `Invalid regular expression for ${where.key}${at}: '${value}': ${translated.reason}. ` +
        'Expected a comma-separated list of Java regular expressions.',
      {
        key: where.key,
        value,
        ...(where.line !== undefined ? { line: where.line } : {}),
        ...(where.file ? { file: where.file } : {}),
      },
    );
  }
  const re = new RegExp(`^(?:${translated.source})$`, translated.flags);
  return { javaPattern, matches: (name) => re.test(name) };
}
