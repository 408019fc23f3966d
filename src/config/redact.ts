import { isSecretKey } from './keys/key-table.ts';
import type { SourcedValue } from './mirror-maker-config.ts';

export const HIDDEN = '[hidden]';

/**
 * Display view of a config map with secrets replaced by `[hidden]`: keys typed PASSWORD in Java or
 * named like secrets, and every value that came from a config provider (`providerKeys`).
 */
export function redacted(
  m: ReadonlyMap<string, SourcedValue>,
  providerKeys: ReadonlySet<string>,
): Record<string, string> {
  const entries = [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([k, v]) => [
      k,
      isSecretKey(k) || isSecretKey(v.origin) || providerKeys.has(v.origin || k) ? HIDDEN : v.value,
    ]),
  );
}
