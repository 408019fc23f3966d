import type { ParseArgsOptionsConfig } from 'node:util';
import { readPropertiesFile } from '../../config/index.ts';
import { ArgumentError } from '../io.ts';

/*
 * Options shared by the commands that talk to one cluster (`dump`, `translate`, `topology`):
 * where the cluster is and how to reach it, in the words of Kafka's own tools.
 */

export const CLUSTER_OPTIONS = {
  bootstrap: { type: 'string' },
  'command-config': { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const POLICY_OPTIONS = {
  policy: { type: 'string' },
  separator: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Runs node:util's `parseArgs` (called by `parse`) and turns its errors (unknown option, missing
 * value) into ArgumentErrors, which the commands report with their usage text.
 */
export function parseOrUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    // node:util's messages already name the option; drop its remediation sentence about `--`.
    throw new ArgumentError((err as Error).message.split('. To specify')[0] ?? String(err));
  }
}

/** `--timeout-ms` as a non-negative integer, or `fallback`. */
export function timeoutArg(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ArgumentError(`--timeout-ms ${raw}: expected a whole number of milliseconds >= 0`);
  }
  return n;
}

/** `--max` as a positive integer, or undefined. */
export function maxArg(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new ArgumentError(`--max ${raw}: expected a whole number >= 1`);
  return n;
}

/** A required string option. */
export function required(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value.trim() === '')
    throw new ArgumentError(`missing --${name} (e.g. --${name} ${example})`);
  return value.trim();
}

/** Short names accepted by `--policy`, next to the Java class names. */
const POLICY_SHORT_NAMES: Readonly<Record<string, string>> = {
  default: 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
  identity: 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
};

/**
 * The Java client properties for the cluster: `--command-config` (a Java .properties file, as
 * Kafka's tools take it: security settings, possibly `replication.policy.*`), then `--bootstrap`,
 * `--policy` and `--separator`, which win. Throws ArgumentError for a missing --bootstrap and
 * ConfigError for an unreadable file.
 */
export function clientProperties(values: {
  bootstrap?: string | undefined;
  'command-config'?: string | undefined;
  policy?: string | undefined;
  separator?: string | undefined;
}): Map<string, string> {
  const bootstrap = required(values.bootstrap, 'bootstrap', 'localhost:9092');
  const props = new Map<string, string>();
  const file = values['command-config'];
  if (file !== undefined) for (const [k, v] of readPropertiesFile(file).values) props.set(k, v);
  props.set('bootstrap.servers', bootstrap);
  if (values.policy !== undefined) {
    props.set('replication.policy.class', POLICY_SHORT_NAMES[values.policy.toLowerCase()] ?? values.policy);
  }
  if (values.separator !== undefined) {
    if (values.separator === '') throw new ArgumentError('--separator must not be empty');
    props.set('replication.policy.separator', values.separator);
  }
  return props;
}

/** JSON with bigint values written as JSON numbers (exact; `JSON.stringify` cannot write bigints). */
export function toJson(value: unknown, indent?: number): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${marker}${v}`;
      if (v instanceof Set) return [...(v as Set<unknown>)];
      if (v instanceof Map) return Object.fromEntries(v as Map<string, unknown>);
      return v;
    },
    indent,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** Left-aligned columns, for the text tables of `translate`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
