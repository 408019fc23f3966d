/**
 * `mm2`: the operator tool. A table of subcommands (`config show`, `config lint`, `dump`, `translate`,
 * `topology`, `dr status`, `failover`, `drill`, `failback`, `acls`), each `(argv, io) => exit code`. The bin is mm2-bin.ts.
 */
import { acls } from './commands/acls.ts';
import { configCheck } from './commands/config-check.ts';
import { configLint } from './commands/config-lint.ts';
import { configShow } from './commands/config-show.ts';
import { drill } from './commands/drill.ts';
import { drStatus } from './commands/dr-status.ts';
import { dump } from './commands/dump.ts';
import { failback } from './commands/failback.ts';
import { failover } from './commands/failover.ts';
import { topology } from './commands/topology.ts';
import { translate } from './commands/translate.ts';
import { EXIT, processIo, type CliIo } from './io.ts';
import { packageVersion } from '../util/version.ts';

export interface Subcommand {
  /** Words after `mm2`, e.g. ['config', 'show']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const SUBCOMMANDS: Subcommand[] = [
  configShow,
  configLint,
  configCheck,
  dump,
  translate,
  topology,
  drStatus,
  failover,
  drill,
  failback,
  acls,
];

function usage(): string {
  return [
    'usage: mm2 <command> [options]',
    '',
    'commands:',
    // A usage too long for the column goes on its own line, the summary under the column.
    ...SUBCOMMANDS.flatMap((c) =>
      c.usage.length <= 52
        ? [`  ${c.usage.padEnd(52)} ${c.summary}`]
        : [`  ${c.usage}`, `  ${''.padEnd(52)} ${c.summary}`],
    ),
  ].join('\n');
}

/**
 * What each option of the subcommands means. A command's help lists the options its usage line
 * names, so a new option needs a line here (the help test checks every command's options have one).
 */
export const OPTION_HELP: Readonly<Record<string, string>> = {
  '--clusters': 'serve only the routes whose target is one of these aliases (as connect-mirror-maker --clusters)',
  '--json': 'print JSON instead of text',
  '--bootstrap': 'the cluster to read, host:port[,host:port...]',
  '--command-config': 'a client properties file (security settings), as Kafka tools take',
  '--timeout-ms': 'give up reaching the cluster after this many milliseconds',
  '--topic': 'the topic to read',
  '--type': 'the record format; inferred from the topic name when omitted',
  '--from-beginning': 'read from the start of the topic and stop at its end, instead of following new records',
  '--max': 'stop after N records',
  '--source': 'the alias of the cluster the group was replicated from',
  '--group': 'only this consumer group (all groups with checkpoints when omitted)',
  '--policy': 'the replication policy naming remote topics: default, identity or a class name',
  '--separator': 'the replication policy separator (default .)',
  '--from': 'the alias of the cluster the groups leave (S)',
  '--to': 'the alias of the cluster the groups move to (T)',
  '--groups': 'regular expression of the consumer groups (whole name; default all with checkpoints)',
  '--state-dir': 'folder of the audit file, journal and last seen source end offsets (default mm2-dr)',
  '--wait-lag': 'wait up to this many seconds for replication and checkpoints to catch up, showing progress',
  '--force': 'proceed with the source lost, groups active on the target, offsets moved backwards',
  '--execute': 'make the changes (without it: print the plan, change nothing)',
  '--audit-log': 'failback: append a JSON line per change to this file',
  '--wait': 'failback: plan again every second, up to this many seconds, while groups are pending',
};

/** `mm2 <command> --help`: the command's usage, what it does, and its options. */
export function commandHelp(c: Subcommand): string {
  const options = [...new Set(c.usage.match(/--[a-z][a-z-]*/g) ?? [])];
  return [
    `usage: mm2 ${c.usage}`,
    '',
    c.summary,
    '',
    'options:',
    ...options.map((o) => `  ${o.padEnd(18)} ${OPTION_HELP[o] ?? ''}`.trimEnd()),
    `  ${'-h, --help'.padEnd(18)} show this help and exit`,
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') {
    io.out(usage());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version') {
    io.out(packageVersion());
    return EXIT.ok;
  }
  const command = SUBCOMMANDS.find((c) => c.path.every((word, i) => argv[i] === word));
  if (!command) {
    io.err(`mm2: unknown command '${argv.slice(0, 2).join(' ')}'`);
    io.err(usage());
    return EXIT.usage;
  }
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  return command.run(rest, io);
}

/** `mm2` as a program (the bin runs this): exits with the command's code once output is flushed. */
export async function runMm2(argv: readonly string[]): Promise<void> {
  const code = await main(argv);
  process.exitCode = code;
  // A timed-out connect keeps retrying inside the Kafka client after close() (its retrier is not
  // cancellable) and would hold the tool open for ~20 s: exit once stdout and stderr are flushed.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
