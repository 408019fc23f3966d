/**
 * Java's `Pattern.compile(Pattern.quote(separator)).split(text)` (limit 0): split on the literal
 * separator, keep a leading empty string, drop trailing empty strings. A text without the
 * separator gives `[text]`; `""` gives `[""]`. An empty separator splits between UTF-16 units, as
 * Java's empty pattern does (no leading empty string for a zero-width match at position 0).
 */
export function javaSplitLiteral(text: string, separator: string): string[] {
  if (text.length === 0) return [''];
  const parts =
    separator.length === 0 ? Array.from({ length: text.length }, (_, i) => text[i]!) : text.split(separator);
  if (parts.length === 1) return parts;
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end);
}
