import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import {
  openDrRoute,
  planFailover,
  stateDir,
  type DrRoute,
  type FailoverPlan,
  type StateDir,
} from '../../client/dr/index.ts';
import { isMirrorError } from '../../util/errors.ts';
import { ArgumentError, type CliIo } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { parseOrUsageError, required, table, toJson } from './cluster-args.ts';

/*
 * `mm2 dr status`, and what `mm2 failover` and `mm2 drill` share with it: arguments, the plan
 * printed as text, exit codes.
 */

/** Exit codes of `mm2 dr status`, `mm2 failover` and `mm2 drill` (docs/runbooks/failover.md). */
export const DR_EXIT = {
  /** Done (or, without --execute, the plan printed and it would pass). */
  ok: 0,
  /** Refused: a preflight check failed; nothing was changed. (`dr status`: not safe to fail over now.) */
  refused: 1,
  /** An error: the file, an alias, a cluster that does not answer, a failure while executing. */
  error: 2,
  /** Usage error (as every `mm2` command). */
  usage: 255,
} as const;

export const DR_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  groups: { type: 'string' },
  json: { type: 'boolean' },
  'state-dir': { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export interface DrArgs {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly groups: string | undefined;
  readonly json: boolean;
  readonly state: StateDir;
  readonly sourceTimeoutMs: number;
}

/** Parses `<mm2.properties> --from S --to T [...]` plus `extra` options; the values of those are returned too. */
export function parseDrArgs<E extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  extra: E,
): { args: DrArgs; values: Record<string, string | boolean | undefined> } {
  const parsed = parseOrUsageError(() =>
    parseArgs({ args: [...argv], options: { ...DR_OPTIONS, ...extra }, strict: true, allowPositionals: true }),
  );
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length !== 1) throw new ArgumentError('expected one mm2.properties file');
  const groups = values['groups'] as string | undefined;
  if (groups !== undefined) {
    try {
      new RegExp(groups);
    } catch (err) {
      throw new ArgumentError(`--groups ${groups}: not a valid regular expression (${(err as Error).message})`);
    }
  }
  const timeout = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
  if (!Number.isSafeInteger(timeout) || timeout < 1)
    throw new ArgumentError(
      `--timeout-ms ${String(values['timeout-ms'])}: expected a whole number of milliseconds >= 1`,
    );
  return {
    args: {
      file: parsed.positionals[0]!,
      from: required(values['from'] as string | undefined, 'from', 'A'),
      to: required(values['to'] as string | undefined, 'to', 'B'),
      groups,
      json: values['json'] === true,
      state: stateDir((values['state-dir'] as string | undefined) ?? 'mm2-dr'),
      sourceTimeoutMs: timeout,
    },
    values,
  };
}

const text = (v: bigint | number | null | undefined, none = '-'): string =>
  v === null || v === undefined ? none : String(v);
const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;
const time = (ms: number | null): string => (ms === null ? 'unknown' : new Date(ms).toISOString());

/** The plan as text: checks, replication per partition, groups per partition, topics to subscribe. */
export function formatPlan(plan: FailoverPlan, options: { actions: boolean }): string[] {
  const out: string[] = [];
  out.push(
    `Route ${plan.source} -> ${plan.target} (${plan.policy}), groups '${plan.groupsPattern}', operation ${plan.operation}`,
  );
  out.push('');
  out.push('PREFLIGHT');
  for (const c of plan.checks) out.push(`  ${c.status.toUpperCase().padEnd(4)}  ${c.check.padEnd(12)} ${c.message}`);
  out.push('');
  out.push(
    `REPLICATION ${plan.source} -> ${plan.target}${plan.sourceReachable ? '' : ` (${plan.source} unreachable: lag is a lower bound from what ${plan.target} and earlier runs know)`}`,
  );
  out.push(
    ...table(
      ['TOPIC', 'PARTITION', 'SOURCE-END', 'REPLICATED-TO', 'LAG-RECORDS', 'LAG-SECONDS', 'RECOVERY-POINT'],
      plan.replication.partitions.map((p) => [
        p.sourceTopic,
        String(p.partition),
        text(p.sourceEnd, 'unknown'),
        text(p.replicatedTo, 'unknown'),
        p.lagRecords === null ? 'unknown' : `${p.lagIsLowerBound ? '>=' : ''}${p.lagRecords}`,
        p.lagSeconds === null ? 'unknown' : p.lagSeconds.toFixed(1),
        time(p.recoveryPoint),
      ]),
    ).map((l) => `  ${l}`),
  );
  out.push('');
  out.push('GROUPS');
  for (const g of plan.groups) {
    out.push(`  ${g.group}: on ${plan.source} ${g.sourceState ?? 'unknown'}, on ${plan.target} ${g.targetState}`);
    out.push(
      ...table(
        [
          'TOPIC',
          'PARTITION',
          'SOURCE-OFFSET',
          'CHECKPOINT',
          'TARGET-OFFSET',
          'NEW-OFFSET',
          'EXACT',
          'RE-READ',
          'CHECKPOINT-AGE',
          ...(options.actions ? ['ACTION'] : []),
        ],
        g.partitions.map((p) => [
          p.remoteTopic,
          String(p.partition),
          text(p.sourceCommitted),
          text(p.checkpointUpstream),
          text(p.targetCommitted),
          text(p.translated),
          p.exact ? 'exact' : 'lower-bound',
          text(p.reread, 'unknown'),
          seconds(p.checkpointAgeMs),
          ...(options.actions ? [p.action] : []),
        ]),
      ).map((l) => `    ${l}`),
    );
    const reread = g.partitions.every((p) => p.reread !== null)
      ? String(g.partitions.reduce((n, p) => n + (p.reread ?? 0n), 0n))
      : 'unknown';
    out.push(`    re-read if it resumes on ${plan.target} now: ${reread} record(s)`);
  }
  out.push('');
  out.push(`SUBSCRIBE ON ${plan.target} (${plan.policy})`);
  for (const g of plan.groups) out.push(`  ${g.group}: ${g.subscribe.join(', ')}`);
  return out;
}

/** Reports an error of a dr command and gives its exit code. */
export function drErrorExit(err: unknown, command: string, io: CliIo): number {
  io.err(`mm2 ${command}: ${isMirrorError(err) || err instanceof Error ? err.message : String(err)}`);
  return DR_EXIT.error;
}

/** Opens the route and runs `body`, closing the clients afterwards; errors become exit 2. */
export async function withRoute(
  args: DrArgs,
  command: string,
  io: CliIo,
  body: (route: DrRoute) => Promise<number>,
): Promise<number> {
  let route: DrRoute;
  try {
    route = openDrRoute(args.file, args.from, args.to);
  } catch (err) {
    return drErrorExit(err, command, io);
  }
  try {
    return await body(route);
  } catch (err) {
    return drErrorExit(err, command, io);
  } finally {
    await route.close();
  }
}

const USAGE = 'dr status <mm2.properties> --from S --to T [--groups REGEX] [--json] [--state-dir DIR] [--timeout-ms N]';

/**
 * `mm2 dr status`: is it safe to fail over from S to T now? Replication lag and recovery point
 * per partition; per group the offsets on S and T, the translated offset, exact or lower bound,
 * re-reads, checkpoint age and where the group is active. Changes nothing on the clusters (it
 * remembers S's end offsets in --state-dir, for a later run with S lost). Exit 0: a failover now
 * would pass its preflight; 1: it would be refused; 2: error.
 */
export const drStatus: Subcommand = {
  path: ['dr', 'status'],
  usage: USAGE,
  summary:
    'is it safe to fail over S->T now? replication lag, recovery point, per group translated offsets and re-reads',
  run: async (argv, io) => {
    let parsed: ReturnType<typeof parseDrArgs>;
    try {
      parsed = parseDrArgs(argv, {});
    } catch (err) {
      io.err(`mm2 dr status: ${(err as Error).message}\nusage: mm2 ${USAGE}`);
      return DR_EXIT.usage;
    }
    const { args } = parsed;
    return withRoute(args, 'dr status', io, async (route) => {
      const plan = await planFailover(route, {
        ...(args.groups !== undefined ? { groups: args.groups } : {}),
        sourceTimeoutMs: args.sourceTimeoutMs,
        lastSeenSourceEnds: args.state.lastSeenSourceEnds(args.from),
      });
      await args.state.rememberSourceEnds(args.from, plan.replication);
      if (args.json) io.out(toJson(plan, 2));
      else for (const line of formatPlan(plan, { actions: false })) io.out(line);
      return plan.refused ? DR_EXIT.refused : DR_EXIT.ok;
    });
  },
};
