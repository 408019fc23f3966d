import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as mm2 } from '../../src/cli/mm2.ts';
import { HIDDEN } from '../../src/config/index.ts';
import { KEYS_BY_NAME } from '../../src/config/keys/key-table.ts';
import { javaConfigDump } from '../../scripts/java-config-dump.ts';

/**
 * Runs Apache Kafka 4.1.2's own MirrorMakerConfig (test/java/config-dump) on fixture files and
 * checks that `mm2 config show --json` derives the same routes and the same connector, client and
 * worker configs, key for key. Documented differences (docs/configuration.md, "Java quirks kept /
 * fixed") are listed in DIFFERENCES.
 */

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));
const example = (name: string): string => fileURLToPath(new URL(`../../config/${name}`, import.meta.url));

const FILES = [
  fixture('precedence.properties'),
  fixture('syntax.properties'),
  fixture('security.properties'),
  fixture('providers.properties'),
  example('book-dedicated.properties'),
  example('book-dr-identity.properties'),
  example('book-geo-bidirectional.properties'),
  example('demo.properties'),
];

/**
 * Where the two may differ on purpose:
 * - secrets: shown as [hidden] by mm2 (Java prints them): any value may be hidden.
 * - `S->T.enabled = yes`: Java's connectors then fail validation (no clients); mm2 runs the route as
 *   heartbeat-only and warns. Java's dump reports `<Connector>.error` entries for that route.
 * - config-provider values: mm2 shows the `${provider:...}` placeholder as written where Java's dump
 *   prints the resolved client and worker values.
 */
const DIFFERENCES = [
  'secret values hidden',
  'clients of routes whose enabled is not a boolean',
  'provider placeholders shown as written',
];

function hasJava(): boolean {
  try {
    execFileSync('mvn', ['-v'], { stdio: 'ignore' });
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;

async function tsView(file: string): Promise<Json> {
  let out = '';
  const code = await mm2(['config', 'show', file, '--json'], { out: (l) => (out += l), err: () => {} });
  expect(code).toBe(0);
  return JSON.parse(out) as Json;
}

function compareMaps(
  where: string,
  java: Record<string, string | null>,
  ts: Record<string, string>,
  problems: string[],
): void {
  for (const k of new Set([...Object.keys(java), ...Object.keys(ts)])) {
    const j = java[k];
    const t = ts[k];
    if ((t === HIDDEN || t?.includes('${')) && j !== undefined) continue;
    if (j !== t) problems.push(`${where} ${k}: java=${JSON.stringify(j)} ts=${JSON.stringify(t)}`);
  }
}

describe.runIf(hasJava())('Java cross-check: mm2 config show --json agrees with Java MirrorMakerConfig', () => {
  let javaByFile: Record<string, Json>;
  beforeAll(() => {
    javaByFile = javaConfigDump(...FILES) as Record<string, Json>;
  }, 180_000);

  it.each(FILES)('%s', { timeout: 180_000 }, async (file) => {
    const java = javaByFile[file]!;
    expect(java['error']).toBeUndefined();
    const ts = await tsView(file);
    expect([...(ts['clusters'] as string[])].sort()).toEqual(java['clusters']);
    expect([...(ts['clusterPairs'] as string[])].sort()).toEqual(java['clusterPairs']);
    const problems: string[] = [];
    const javaRoutes = java['routes'] as Record<string, Json>;
    const tsRoutes = ts['routes'] as Record<string, Json>;
    for (const [name, jr] of Object.entries(javaRoutes)) {
      const tr = tsRoutes[name];
      expect(tr, name).toBeDefined();
      for (const [c, cfg] of Object.entries(jr['connectors'] as Json)) {
        compareMaps(
          `${name} ${c}`,
          cfg as Record<string, string>,
          (tr!['connectors'] as Json)[c] as Record<string, string>,
          problems,
        );
      }
      for (const [c, cfg] of Object.entries(jr['clients'] as Json)) {
        if (typeof cfg === 'string') continue; // Java failed to build this connector (DIFFERENCES)
        compareMaps(
          `${name} client ${c}`,
          cfg as Record<string, string>,
          (tr!['clients'] as Json)[c] as Record<string, string>,
          problems,
        );
      }
      compareMaps(
        `${name} worker`,
        jr['worker'] as Record<string, string>,
        tr!['worker'] as Record<string, string>,
        problems,
      );
    }
    for (const [alias, cfg] of Object.entries(java['clientConfigs'] as Json)) {
      compareMaps(
        `clientConfig ${alias}`,
        cfg as Record<string, string>,
        (ts['clientConfigs'] as Json)[alias] as Record<string, string>,
        problems,
      );
    }
    expect(problems, `differences beyond ${DIFFERENCES.join('; ')}`).toEqual([]);
  });

  it('the key table has Java 4.1.2 types and defaults for every ConfigDef key', { timeout: 180_000 }, () => {
    const defs = javaConfigDump('--keys') as Record<string, Record<string, { type: string; default?: string | null }>>;
    const problems: string[] = [];
    for (const [configDef, keys] of Object.entries(defs)) {
      for (const [name, k] of Object.entries(keys)) {
        const ours = KEYS_BY_NAME.get(name);
        if (!ours) {
          problems.push(`${configDef}: ${name} missing from the key table`);
          continue;
        }
        if (ours.type !== k.type.toLowerCase()) problems.push(`${name}: type ${ours.type}, Java ${k.type}`);
        if ('default' in k && (k.default ?? null) !== ours.default)
          problems.push(`${name}: default ${ours.default}, Java ${k.default}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
