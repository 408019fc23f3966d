import { parseArgs } from 'node:util';
import { beforeDeadline } from '../../client/deadline.ts';
import { toKafkaClientSettings } from '../../config/index.ts';
import { CompactedLog } from '../../connect/compacted-log.ts';
import { AbortedError } from '../../connect/retry.ts';
import { openKafkaCluster } from '../../kafka/index.ts';
import type { KafkaCluster } from '../../kafka/port.ts';
import { isMirrorError } from '../../util/errors.ts';
import { ArgumentError, EXIT, usageErrorExit, type CliIo } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import {
  CLUSTER_OPTIONS,
  clientProperties,
  maxArg,
  parseOrUsageError,
  required,
  timeoutArg,
  toJson,
} from './cluster-args.ts';
import { DUMP_TYPES, dumpRecord, inferDumpType, isDumpType, type DumpType } from './dump-format.ts';

interface DumpArgs {
  readonly props: Map<string, string>;
  readonly topic: string;
  readonly type: DumpType;
  readonly fromBeginning: boolean;
  readonly json: boolean;
  readonly max: number | undefined;
  readonly timeoutMs: number;
}

const USAGE =
  'dump --bootstrap HOST:PORT --topic T [--type offset-sync|checkpoint|heartbeat|source-offset] ' +
  '[--from-beginning] [--max N] [--json] [--command-config client.properties]';

export function parseDumpArgs(argv: readonly string[]): DumpArgs {
  const values = parseOrUsageError(
    () =>
      parseArgs({
        args: [...argv],
        options: {
          ...CLUSTER_OPTIONS,
          topic: { type: 'string' },
          type: { type: 'string' },
          'from-beginning': { type: 'boolean' },
          max: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }).values,
  );
  const topic = required(values.topic, 'topic', 'mm2-offset-syncs.B.internal');
  let type: DumpType;
  if (values.type !== undefined) {
    if (!isDumpType(values.type)) {
      throw new ArgumentError(`--type ${values.type}: expected one of ${DUMP_TYPES.join(', ')}`);
    }
    type = values.type;
  } else {
    const inferred = inferDumpType(topic);
    if (inferred === undefined) {
      throw new ArgumentError(
        `cannot tell the record type from the topic name '${topic}': pass --type ${DUMP_TYPES.join('|')}`,
      );
    }
    type = inferred;
  }
  return {
    props: clientProperties(values),
    topic,
    type,
    fromBeginning: values['from-beginning'] === true,
    json: values.json === true,
    max: maxArg(values.max),
    timeoutMs: timeoutArg(values['timeout-ms'], 30_000),
  };
}

/** SIGINT/SIGTERM end a following dump when the caller gave no signal of its own. */
function processSignal(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/**
 * `mm2 dump`: prints the records of an MM2 topic as Java's formatters do (or JSON lines). Like a
 * console consumer: without --from-beginning it starts at the end and follows until Ctrl-C; with
 * --from-beginning it stops at the end of the topic as it was when the dump started; --max N
 * stops after N records either way.
 */
export const dump: Subcommand = {
  path: ['dump'],
  usage: USAGE,
  summary: "print offset-syncs, checkpoints, heartbeats or source offsets as Java's formatters do",
  async run(argv, io) {
    let args: DumpArgs;
    try {
      args = parseDumpArgs(argv);
    } catch (err) {
      return usageErrorExit(err, 'dump', USAGE, io);
    }
    const { settings, problems } = toKafkaClientSettings(args.props);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      for (const p of errors) io.err(`ERROR ${p.message}`);
      return EXIT.fatal;
    }
    const cluster = openKafkaCluster({ ...settings, clientId: settings.clientId || 'mm2-dump' });
    const stop = io.signal === undefined ? processSignal() : undefined;
    try {
      return await runDump(cluster, args, io, io.signal ?? stop!.signal);
    } catch (err) {
      io.err(`ERROR ${isMirrorError(err) || err instanceof Error ? err.message : String(err)}`);
      return EXIT.fatal;
    } finally {
      stop?.release();
      await cluster.close();
    }
  },
};

async function runDump(cluster: KafkaCluster, args: DumpArgs, io: CliIo, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + args.timeoutMs;
  const admin = await cluster.admin();
  const topics = await beforeDeadline(admin.listTopics(), deadline, 'listing topics');
  if (!topics.includes(args.topic)) {
    const similar = topics.filter((t) => inferDumpType(t) !== undefined);
    io.err(
      `ERROR topic '${args.topic}' does not exist on ${args.props.get('bootstrap.servers')}; ` +
        `MM2 topics there: ${similar.length === 0 ? 'none' : similar.join(', ')}`,
    );
    return EXIT.fatal;
  }
  const source = await cluster.recordSource({ maxWaitMs: 500 });
  const done = new AbortController();
  let printed = 0;
  let undecodable = 0;
  const log = new CompactedLog({
    topic: args.topic,
    source,
    admin,
    // With --from-beginning the dump ends at the end the topic had when it started.
    from: args.fromBeginning ? 'beginning' : 'end',
    onRecord: (record) => {
      if (done.signal.aborted) return;
      try {
        const dumped = dumpRecord(args.type, record);
        io.out(args.json ? toJson(dumped.json) : dumped.text);
      } catch (err) {
        if (!isMirrorError(err)) throw err;
        undecodable++;
        io.err(`WARN partition ${record.partition} offset ${record.offset}: not a ${args.type} record: ${err.message}`);
      }
      printed++;
      if (args.max !== undefined && printed >= args.max) done.abort();
    },
    // Following: a broker away for the timeout ends the dump with an error naming the topic.
    stallTimeoutMs: args.timeoutMs,
    signal: AbortSignal.any([signal, done.signal]),
  });
  try {
    if (args.fromBeginning) await log.readToEnd();
    else await log.tail();
  } catch (err) {
    // Ctrl-C or --max reached: the dump ends normally.
    if (!(err instanceof AbortedError)) throw err;
  } finally {
    await source.close();
  }
  if (args.max !== undefined && printed >= args.max) return EXIT.ok;
  if (undecodable > 0) io.err(`WARN ${undecodable} record(s) could not be decoded as ${args.type}`);
  return EXIT.ok;
}
