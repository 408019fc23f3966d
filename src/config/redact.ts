import { isSecretKey } from './keys/key-table.ts';
import type { SourcedValue } from './mirror-maker-config.ts';

export const HIDDEN = '[hidden]';

/**
 * Display view of a config map, as Connect shows configs: secret keys (typed PASSWORD in Java,
 * `sasl.jaas.config`, key material) become `[hidden]`; a value that came from a config provider is
 * shown as written (`rawValue` of its origin key, e.g. `${file:/etc/secrets.properties:bootstrap}`),
 * never resolved, so a provider-held secret under an ordinary key stays out of the output.
 */
export function redacted(
  m: ReadonlyMap<string, SourcedValue>,
  providerKeys: ReadonlySet<string>,
  rawValue: (originKey: string) => string | undefined,
): Record<string, string> {
  const entries = [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([k, v]) => {
      if (isSecretKey(k) || isSecretKey(v.origin)) return [k, HIDDEN];
      const origin = v.origin || k;
      // Connector configs keep placeholders (Java resolves them in the worker): already as written.
      if (!providerKeys.has(origin) || hasPlaceholder(v.value)) return [k, v.value];
      // A resolved value: show what the file says; hidden if that is not at hand.
      return [k, rawValue(origin) ?? HIDDEN];
    }),
  );
}

/** Whether a value still holds a `${provider:[path:]key}` placeholder. */
const hasPlaceholder = (value: string): boolean => /\$\{[^}]*\}/.test(value);
