import { ADMIN_CONFIG_NAMES, CONSUMER_CONFIG_NAMES, PRODUCER_CONFIG_NAMES } from './keys/kafka-client-keys.ts';
import { KEY_TABLE, KEYS_BY_NAME } from './keys/key-table.ts';

/**
 * "Did you mean" for keys under a route prefix (`S->T.topcs`) or a client prefix
 * (`eu.producer.acks2`). Java accepts any key under those prefixes (connectors and clients ignore
 * what they do not read), so a key is only reported when it is unknown AND within a small edit
 * distance of a known one: a custom key of a plugin is left alone, a typo of a known key is not.
 */

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How many edits still count as a typo: none for short names, where a near miss is often another word. */
function typoBudget(name: string): number {
  if (name.length <= 4) return 0;
  return name.length <= 10 ? 1 : 2;
}

/** The closest of `known` to `name` if it is near enough to be a typo of it; else undefined. */
export function closestKnownKey(name: string, known: Iterable<string>): string | undefined {
  const budget = typoBudget(name);
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const k of known) {
    if (Math.abs(k.length - name.length) > budget) continue;
    const dist = editDistance(name, k);
    if (dist < bestDistance || (dist === bestDistance && best !== undefined && k < best)) {
      best = k;
      bestDistance = dist;
    }
  }
  return best !== undefined && bestDistance <= budget ? best : undefined;
}

const CLIENT_CONFIG_NAMES: Readonly<Record<'producer' | 'consumer' | 'admin', ReadonlySet<string>>> = {
  producer: PRODUCER_CONFIG_NAMES,
  consumer: CONSUMER_CONFIG_NAMES,
  admin: ADMIN_CONFIG_NAMES,
};

const CLIENT_PREFIX = /^(producer|consumer|admin)\.(.+)$/;
/** Client prefixes a route key may carry: `[source.|target.]producer.`, `producer.override.` and the like. */
const ROUTE_CLIENT_PREFIX = /^((?:source\.|target\.)?(producer|consumer|admin)\.(?:override\.)?)(.+)$/;
/**
 * Namespaces under a route whose keys belong to plugins or Connect's own machinery (transforms,
 * converters, providers, cluster-level settings handed to the connector): never second-guessed.
 */
const ROUTE_OPEN_NAMESPACES = [
  'transforms.',
  'predicates.',
  'config.providers.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'source.cluster.',
  'target.cluster.',
];

export interface KeySuggestion {
  /** The known key the operator probably meant, with the same prefix as the key written. */
  readonly suggestion: string;
}

/** `<client>.<name>` under a cluster prefix (`eu.` stripped): a suggestion if `name` looks like a typo. */
export function suggestClusterClientKey(rest: string): KeySuggestion | undefined {
  const m = CLIENT_PREFIX.exec(rest);
  if (!m) return undefined;
  const [, client = 'producer', name = ''] = m;
  return suggestClientKey(`${client}.`, client as keyof typeof CLIENT_CONFIG_NAMES, name);
}

/** A key under a route prefix (`S->T.` stripped): a suggestion if it looks like a typo of a known key. */
export function suggestRouteKey(rest: string): KeySuggestion | undefined {
  if (KEYS_BY_NAME.has(rest)) return undefined;
  const client = ROUTE_CLIENT_PREFIX.exec(rest);
  if (client) {
    const [, prefix = '', kind = 'producer', name = ''] = client;
    return suggestClientKey(prefix, kind as keyof typeof CLIENT_CONFIG_NAMES, name);
  }
  if (ROUTE_OPEN_NAMESPACES.some((p) => rest.startsWith(p))) return undefined;
  const near = closestKnownKey(
    rest,
    KEY_TABLE.map((k) => k.name),
  );
  return near !== undefined ? { suggestion: near } : undefined;
}

function suggestClientKey(
  prefix: string,
  client: keyof typeof CLIENT_CONFIG_NAMES,
  name: string,
): KeySuggestion | undefined {
  const known = CLIENT_CONFIG_NAMES[client];
  if (known.has(name)) return undefined;
  const near = closestKnownKey(name, known);
  return near !== undefined ? { suggestion: `${prefix}${near}` } : undefined;
}
