import { parseArgs } from 'node:util';
import { MirrorClient, type TranslatedOffset } from '../../client/index.ts';
import { EXIT, usageErrorExit, type CliIo } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import {
  CLUSTER_OPTIONS,
  POLICY_OPTIONS,
  clientProperties,
  parseOrUsageError,
  required,
  table,
  timeoutArg,
  toJson,
} from './cluster-args.ts';

interface TranslateArgs {
  readonly props: Map<string, string>;
  readonly source: string;
  readonly group: string | undefined;
  readonly json: boolean;
  readonly timeoutMs: number;
}

const USAGE =
  'translate --bootstrap HOST:PORT --source ALIAS [--group G] [--policy default|identity|CLASS] ' +
  '[--separator S] [--json] [--timeout-ms N] [--command-config client.properties]';

export function parseTranslateArgs(argv: readonly string[]): TranslateArgs {
  const values = parseOrUsageError(
    () =>
      parseArgs({
        args: [...argv],
        options: { ...CLUSTER_OPTIONS, ...POLICY_OPTIONS, source: { type: 'string' }, group: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }).values,
  );
  return {
    props: clientProperties(values),
    source: required(values.source, 'source', 'A'),
    group: values.group,
    json: values.json === true,
    timeoutMs: timeoutArg(values['timeout-ms'], 60_000),
  };
}

interface Row {
  readonly group: string;
  readonly offset: TranslatedOffset;
}

/**
 * `mm2 translate`: the local positions of a remote group (or of every group with --group
 * omitted), from the checkpoints on the cluster at --bootstrap — `RemoteClusterUtils.translateOffsets`
 * on the command line. Unlike Java's call it fails (exit 2) rather than print a partial answer
 * when the checkpoints topic cannot be read to its end within --timeout-ms, and when --group has
 * no checkpoints (Java returns an empty map). EXACT is `yes` only when the checkpoint proves its
 * OFFSET exact (`TranslatedOffset.exact`: a failover there re-reads nothing); `no` means a lower
 * bound: resuming there may re-read records, never skips one.
 */
export const translate: Subcommand = {
  path: ['translate'],
  usage: USAGE,
  summary:
    "a remote group's offsets translated to this cluster, from MM2's checkpoints " +
    '(EXACT yes: a failover there re-reads nothing; no: a lower bound, may re-read, never skips)',
  run: (argv, io) => runTranslate(argv, io, (props) => new MirrorClient(props)),
};

/** {@link translate} with the client made by `openClient` (tests pass one over an in-memory cluster). */
export async function runTranslate(
  argv: readonly string[],
  io: CliIo,
  openClient: (props: Map<string, string>) => MirrorClient,
): Promise<number> {
  let args: TranslateArgs;
  let client: MirrorClient;
  try {
    args = parseTranslateArgs(argv);
    client = openClient(args.props);
  } catch (err) {
    return usageErrorExit(err, 'translate', USAGE, io);
  }
  try {
    for (const w of client.configWarnings) io.err(`WARN ${w}`);
    const snapshot = await client.checkpoints(args.source, { timeoutMs: args.timeoutMs });
    if (!snapshot.complete) {
      io.err(`ERROR ${snapshot.topic} was not read to its end within ${args.timeoutMs} ms; try a larger --timeout-ms`);
      return EXIT.fatal;
    }
    const rows: Row[] = [];
    for (const [group, offsets] of snapshot.groups) {
      if (args.group !== undefined && group !== args.group) continue;
      const sorted = [...offsets.values()].sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
      for (const offset of sorted) rows.push({ group, offset });
    }
    if (snapshot.skipped > 0) io.err(`WARN ${snapshot.skipped} record(s) of ${snapshot.topic} are not checkpoints`);
    if (rows.length === 0 && args.group !== undefined) {
      const known = [...snapshot.groups.keys()];
      io.err(
        `ERROR no checkpoints for group '${args.group}' from cluster '${args.source}' in ${snapshot.topic}; ` +
          (known.length > 0
            ? `groups with checkpoints there: ${known.join(', ')}`
            : 'no group has checkpoints there yet') +
          ` (see them all with: mm2 dump --bootstrap ... --topic ${snapshot.topic} --from-beginning)`,
      );
      return EXIT.fatal;
    }
    if (rows.length === 0) io.err(`no checkpoints in ${snapshot.topic}`);
    if (args.json) {
      io.out(
        toJson(
          rows.map(({ group, offset }) => ({ group, ...offset })),
          2,
        ),
      );
    } else if (rows.length > 0) {
      const lines = table(
        ['GROUP', 'TOPIC', 'PARTITION', 'OFFSET', 'UPSTREAM-OFFSET', 'EXACT', 'METADATA'],
        rows.map(({ group, offset: o }) => [
          group,
          o.topic,
          String(o.partition),
          String(o.downstreamOffset),
          String(o.upstreamOffset),
          o.exact ? 'yes' : 'no',
          o.metadata,
        ]),
      );
      for (const line of lines) io.out(line);
    }
    return EXIT.ok;
  } catch (err) {
    io.err(`ERROR ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.fatal;
  } finally {
    await client.close();
  }
}
