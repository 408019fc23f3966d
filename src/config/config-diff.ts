import type { RouteConfig } from './load.ts';
import type { SourcedMap } from './mirror-maker-config.ts';

/**
 * What a new version of the file changes for the routes a node runs. A route's behaviour is fully
 * given by its resolved connector configs (its own keys, both clusters' client settings, the
 * policy keys, placeholders resolved: a secret rotated in a provider file counts) and its worker
 * config (offsets store, flush interval, the target's client settings), so two versions of a route
 * with equal resolved values run the same and need no restart. Values are compared, not where they
 * came from: moving `topics` from a top-level line to `A->B.topics` with the same value changes nothing.
 */
export interface RouteDifference {
  /** Routes only the new file has, in its declaration order. */
  readonly added: readonly string[];
  /** Routes only the old file had. */
  readonly removed: readonly string[];
  /** Routes in both whose resolved settings differ, with the file keys (never values) that made the difference. */
  readonly restarted: readonly { route: string; keys: readonly string[] }[];
  readonly unchanged: readonly string[];
}

/** The settings of a route as comparable `scope:key` → value entries, each with the file key it came from. */
function routeEntries(route: RouteConfig): Map<string, { value: string; origin: string }> {
  const out = new Map<string, { value: string; origin: string }>();
  const add = (scope: string, m: SourcedMap): void => {
    for (const [k, v] of m) out.set(`${scope}:${k}`, { value: v.value, origin: v.origin || k });
  };
  for (const [kind, m] of Object.entries(route.resolvedConnectors)) add(kind, m);
  add('worker', route.worker);
  out.set('route:enabled', { value: String(route.enabled), origin: `${route.name}.enabled` });
  return out;
}

/** The file keys whose values differ between two versions of one route (empty: same settings). */
export function changedRouteKeys(before: RouteConfig, after: RouteConfig): string[] {
  const a = routeEntries(before);
  const b = routeEntries(after);
  const keys = new Set<string>();
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === undefined || old.value !== v.value) keys.add(v.origin);
  }
  for (const [k, v] of a) if (!b.has(k)) keys.add(v.origin);
  return [...keys].sort();
}

/**
 * Compares the routes of two loads. `routeWide` names top-level keys that changed and apply to
 * every route without being part of its configs (the worker policy of the process): each route
 * in both versions is then restarted, with those keys as the reason.
 */
export function diffRoutes(
  before: readonly RouteConfig[],
  after: readonly RouteConfig[],
  routeWide: readonly string[] = [],
): RouteDifference {
  const old = new Map(before.map((r) => [r.name, r]));
  const now = new Set(after.map((r) => r.name));
  const added: string[] = [];
  const restarted: { route: string; keys: string[] }[] = [];
  const unchanged: string[] = [];
  for (const route of after) {
    const previous = old.get(route.name);
    if (!previous) {
      added.push(route.name);
      continue;
    }
    const keys = [...new Set([...changedRouteKeys(previous, route), ...routeWide])].sort();
    if (keys.length > 0) restarted.push({ route: route.name, keys });
    else unchanged.push(route.name);
  }
  const removed = before.filter((r) => !now.has(r.name)).map((r) => r.name);
  return { added, removed, restarted, unchanged };
}

/** Top-level keys (as written in the file) whose raw value differs, for the keys `select` accepts. */
export function changedTopLevelKeys(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  select: (key: string) => boolean,
): string[] {
  const keys = new Set<string>();
  for (const [k, v] of after) if (select(k) && before.get(k) !== v) keys.add(k);
  for (const k of before.keys()) if (select(k) && !after.has(k)) keys.add(k);
  return [...keys].sort();
}
