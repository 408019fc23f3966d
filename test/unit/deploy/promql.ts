/**
 * Just enough of PromQL's lexical structure to list the metric names an expression reads, so the
 * shipped alerts and dashboard can be checked against what the appliance exports. Not a parser:
 * promtool validates the syntax; this only has to find every bare metric name.
 */

/** PromQL words that are not metric names when they are not followed by `(`. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Metric names read by `expr` (Grafana's `$variables` may appear in label matchers and ranges). */
export function metricNames(expr: string): Set<string> {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  // An identifier not glued to a number, `$` or `.`, and not a function or aggregation (those are
  // followed by `(`). `(?![\w:])` stops backtracking into a shorter prefix of a function name.
  for (const m of bare.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1]!;
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return names;
}

/**
 * A Grafana query as the PromQL it stands for: `label_values(selector, label)` is its selector,
 * and Grafana's variables become values Prometheus accepts (`$__range` etc. as durations,
 * `$var` / `${var}` as a regex matching anything).
 */
export function grafanaToPromql(query: string): string {
  const labelValues = /^\s*label_values\(\s*(.*?)\s*(?:,\s*[a-zA-Z_]\w*\s*)?\)\s*$/s.exec(query);
  const expr = labelValues ? labelValues[1]! : query;
  return expr.replace(/\$__(?:rate_interval|interval|range)\b/g, '5m').replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, '.*');
}
