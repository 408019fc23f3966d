/**
 * Generates docs/configuration.md from the key table (src/config/keys/key-table.ts).
 *   node scripts/gen-config-docs.ts            # write the file
 *   node scripts/gen-config-docs.ts --check    # exit 1 if the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { KEY_TABLE, type KeyDefinition, type KeyScope } from '../src/config/keys/key-table.ts';

export const DOC_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const SECTIONS: [KeyScope, string, string][] = [
  ['mm2', 'MirrorMakerConfig keys', 'Top-level keys of the dedicated-mode driver itself.'],
  [
    'connector',
    'Connector keys',
    'MirrorSourceConfig (S), MirrorCheckpointConfig (C), MirrorHeartbeatConfig (H) and Connect ConnectorConfig keys. Top level applies to every route; `S->T.<key>` to one route.',
  ],
  ['route-only', 'Route-only keys', 'Keys Java reads outside every ConfigDef: effective only as `S->T.<key>`.'],
  [
    'worker',
    'Worker keys',
    'Connect worker keys of each route runtime, given per target cluster (`T.<key>`); some also at top level (prefix rule).',
  ],
  [
    'client',
    'Client connection keys',
    'Per cluster (`A.<key>`), per client (`A.producer.<key>`) or at top level (all clusters).',
  ],
];

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const CONNECTOR_LETTER = { source: 'S', checkpoint: 'C', heartbeat: 'H' } as const;

function row(k: KeyDefinition): string {
  const dflt = k.required ? '(required)' : k.default === null ? '' : k.default === '' ? '(empty)' : `\`${k.default}\``;
  const where = k.connectors.map((c) => CONNECTOR_LETTER[c]).join('');
  const java = `${yesNo(k.java.topLevel)} / ${yesNo(k.java.cluster)} / ${yesNo(k.java.route)}`;
  const type = k.type + (k.validator ? ` ${k.validator.description}` : '');
  return `| \`${k.name}\` | ${cell(type)} | ${cell(dflt)} | ${where} | ${java} | ${k.appliance}${k.secret ? ', secret' : ''} | ${cell(k.documentation)} |`;
}

const QUIRKS = `## Java quirks kept / fixed

Kept (a file behaves as under Java MM2; \`mm2 config lint\` and start-up warnings point them out):

- \`S->T.enabled\` is read twice by Java: MirrorMakerConfig decides whether the route gets a herder with \`Boolean.parseBoolean\` on the raw text (anything but \`true\`, any case, no surrounding blanks, is false), and the connectors read it through ConfigDef, which trims and accepts only true/false. So \`true \` (trailing blank) still replicates when the route emits heartbeats (the default) and does not run at all when its heartbeats are off; mm2 does the same and warns. \`yes\` is false for MirrorMakerConfig and fails connector validation in Java (no heartbeats either); mm2 runs it as heartbeat-only.
- Every ordered pair of clusters gets a route while heartbeats are on (\`emit.heartbeats.enabled\`, default true): disabled pairs run heartbeats only.
- Top-level keys that are not connector ConfigDef keys are dropped from connector configs: a top-level \`use.defaults.from\`, \`exactly.once.support\`, \`consumer.*\`/\`producer.*\`/\`admin.*\`, \`offset.flush.interval.ms\` have no effect. Use \`S->T.<key>\` or \`T.<key>\`.
- Top-level \`offset.storage*\`, \`config.storage*\`, \`status.storage*\`, \`*.converter*\`, \`task*\`, \`worker*\`, \`replication.policy*\` keys override the target cluster's own values in worker configs.
- Cluster-level security keys beat top-level ones; \`A.producer.<key>\` beats both.
- \`S->T.producer.*\` only configures the offset-syncs producer; the producer writing replicated records takes \`T.producer.*\` or \`S->T.producer.override.*\`.
- Connector configs keep \`\${provider:…}\` placeholders; worker and client configs are resolved. A placeholder whose key a readable file lacks stays as written. Relative provider paths resolve against the working directory.
- \`mm2.properties\` is read as ISO-8859-1, like \`Properties.load(InputStream)\`: write non-ASCII characters as \`\\uXXXX\`. Provider files are read as UTF-8.
- An alias listed twice in \`clusters\` counts once.

Fixed (stricter than Java, so mistakes fail at start instead of at run time):

- \`--clusters\` naming an alias not declared in \`clusters\` is an error (Java ignores it unless no route remains, then fails with \`No source->target replication flows.\`).
- Connector keys are type-checked for every route at start (Java's Connect validates them only when it creates the connector and logs a failure).
- Placeholders are resolved everywhere at start for the runtime's own use, so an unreadable provider file is a start-up error even in a connector key.
- Java regular expressions are translated to JavaScript; what cannot be translated exactly (class intersections, \`(?x)\`, Unicode blocks, \`\\G\`…) is rejected instead of silently meaning something else.
- Route order follows the declaration order of \`clusters\` (Java uses hash-set order).

Defaults follow Apache Kafka 4.1.2. Note \`topics.exclude\` defaults to \`mm2.*\\.internal,.*\\.replica,__.*\` there (older versions: \`.*[\\-\\.]internal,…\`).

## Cross-check with Java

\`test/integration/config-java-crosscheck.test.ts\` runs Kafka 4.1.2's own \`MirrorMakerConfig\` (\`test/java/config-dump\`, built by \`node scripts/java-config-dump.ts\`) on the fixture and example files and requires \`mm2 config show --json\` to agree key for key. Accepted differences: secret values are shown as \`[hidden]\`; config-provider values are shown as written (\`\${file:...}\`) where Java's dump prints client and worker values resolved; routes whose \`enabled\` is not a boolean (see above).
`;

/** The document, formatted with the repository's prettier settings so `format:check` stays clean. */
export async function renderConfigDocs(): Promise<string> {
  const parts = [
    '# Configuration reference',
    '',
    '<!-- Generated by scripts/gen-config-docs.ts from src/config/keys/key-table.ts. Do not edit. -->',
    '',
    'mirrormaker-ts reads the same `mm2.properties` as Java\'s `connect-mirror-maker`. Column "Java (top / cluster / route)" says whether Java MM2 in dedicated mode honours the key unprefixed, as `<alias>.<key>`, and as `S->T.<key>`. Column "here" says what this appliance does: honoured, accepted (no effect here, no error), unsupported (warning or error when it matters).',
    '',
  ];
  for (const [scope, title, intro] of SECTIONS) {
    parts.push(
      `## ${title}`,
      '',
      intro,
      '',
      '| Key | Type | Default | Connectors | Java (top / cluster / route) | here | Meaning |',
      '|---|---|---|---|---|---|---|',
    );
    for (const k of KEY_TABLE.filter((d) => d.scope === scope)) parts.push(row(k));
    parts.push('');
  }
  parts.push(QUIRKS);
  const options = (await resolveConfig(DOC_PATH)) ?? {};
  return format(parts.join('\n'), { ...options, filepath: DOC_PATH });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await renderConfigDocs();
  if (process.argv.includes('--check')) {
    const current = readFileSync(DOC_PATH, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/configuration.md is stale: run node scripts/gen-config-docs.ts\n');
      process.exit(1);
    }
  } else {
    writeFileSync(DOC_PATH, text);
  }
}
