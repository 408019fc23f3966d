/** Decides whether a name (topic, group, config property) matches a configured pattern list. */
export interface NameMatcher {
  matches(name: string): boolean;
}

/** A matcher that matches nothing: what Java uses for an empty pattern list (e.g. `topics=`). */
export const MATCH_NOTHING: NameMatcher = { matches: () => false };

/**
 * Compiles a list of JS regular-expression sources the way Java's `MirrorUtils.compilePatternList`
 * compiles its list: joined with `|` and matched against the **whole** name (`Matcher.matches()`).
 * An empty list matches nothing. Sources must already be JS syntax (a translator from Java's
 * dialect lives in src/config/); they are compiled with the `u` flag so `.` spans code points as
 * in Java. Throws SyntaxError for an invalid source.
 */
export function compileNameMatcher(sources: readonly string[], flags = 'u'): NameMatcher {
  if (sources.length === 0) return MATCH_NOTHING;
  const regex = new RegExp(`^(?:${sources.join('|')})$`, flags.replace(/[gy]/g, ''));
  return { matches: (name) => regex.test(name) };
}
