import { setTimeout as sleep } from 'node:timers/promises';
import { executeFailover, openAudit, openJournal, planFailover, type FailoverPlan } from '../../client/dr/index.ts';
import { ArgumentError } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { toJson } from './cluster-args.ts';
import { DR_EXIT, formatPlan, parseDrArgs, withRoute } from './dr-status.ts';

const USAGE =
  'failover <mm2.properties> --from S --to T [--groups REGEX] [--wait-lag SECONDS] [--force] [--execute] ' +
  '[--json] [--state-dir DIR] [--timeout-ms N]';

const EXTRA = {
  'wait-lag': { type: 'string' },
  force: { type: 'boolean' },
  execute: { type: 'boolean' },
} as const;

/**
 * True when nothing is left to wait for: no partition lags, every group's checkpoint is its S
 * position, and each translation is exact or re-reads nothing (a lower bound right after a group
 * caught up becomes exact once the mirror's next offset-sync arrives).
 */
function drained(plan: FailoverPlan): boolean {
  return (
    plan.sourceReachable &&
    plan.replication.partitions.every((p) => p.lagRecords === 0n) &&
    plan.groups.every((g) =>
      g.partitions.every(
        (p) =>
          p.sourceCommitted === null || (p.sourceCommitted === p.checkpointUpstream && (p.exact || p.reread === 0n)),
      ),
    )
  );
}

/**
 * `mm2 failover`: moves consumer groups from S to T. Prints the plan (preflight checks, lag and
 * loss per partition, per group and partition the offset it would commit on T, exact or lower
 * bound, re-reads, the topics to subscribe to) and changes nothing unless --execute. With
 * --execute and every check passing it commits the translated offsets on T (forward only unless
 * --force), auditing every change in <state-dir>/audit.jsonl and the compacted topic
 * mm2-dr-audit.internal on T, journaled so that an interrupted run resumes.
 */
export const failover: Subcommand = {
  path: ['failover'],
  usage: USAGE,
  summary: 'move consumer groups from S to T at their translated offsets (a plan unless --execute)',
  run: async (argv, io) => {
    let parsed: ReturnType<typeof parseDrArgs>;
    let waitLagMs = 0;
    try {
      parsed = parseDrArgs(argv, EXTRA);
      const raw = parsed.values['wait-lag'] as string | undefined;
      if (raw !== undefined) {
        const n = Number(raw);
        if (!Number.isFinite(n) || n < 0)
          throw new ArgumentError(`--wait-lag ${raw}: expected a number of seconds >= 0`);
        waitLagMs = n * 1000;
      }
    } catch (err) {
      io.err(`mm2 failover: ${(err as Error).message}\nusage: mm2 ${USAGE}`);
      return DR_EXIT.usage;
    }
    const { args, values } = parsed;
    const force = values['force'] === true;
    const execute = values['execute'] === true;
    return withRoute(args, 'failover', io, async (route) => {
      const plan = async (): Promise<FailoverPlan> =>
        planFailover(route, {
          ...(args.groups !== undefined ? { groups: args.groups } : {}),
          force,
          sourceTimeoutMs: args.sourceTimeoutMs,
          lastSeenSourceEnds: args.state.lastSeenSourceEnds(args.from),
        });
      let current = await plan();
      // --wait-lag: give replication and the checkpoints up to that long to catch up, showing progress.
      const deadline = Date.now() + waitLagMs;
      while (waitLagMs > 0 && !drained(current) && current.sourceReachable && Date.now() < deadline) {
        const lag = current.replication.partitions.reduce((n, p) => n + (p.lagRecords ?? 0n), 0n);
        const partitions = current.groups.flatMap((g) => g.partitions).filter((p) => p.sourceCommitted !== null);
        const behind = partitions.filter((p) => p.sourceCommitted !== p.checkpointUpstream).length;
        const inexact = partitions.filter((p) => !p.exact && p.reread !== 0n).length;
        io.err(
          `waiting: ${lag} record(s) not replicated, ${behind} group partition(s) without a current checkpoint, ` +
            `${inexact} translated as a lower bound; ${Math.ceil((deadline - Date.now()) / 1000)}s left`,
        );
        await sleep(1_000);
        current = await plan();
      }
      await args.state.rememberSourceEnds(args.from, current.replication);
      if (!execute || current.refused) {
        if (args.json) io.out(toJson({ executed: false, plan: current }, 2));
        else {
          for (const line of formatPlan(current, { actions: true })) io.out(line);
          io.out('');
          io.out(
            current.refused
              ? `REFUSED: ${current.checks.filter((c) => c.status === 'fail').length} check(s) failed; nothing was changed.`
              : `Plan only: nothing was changed. Run again with --execute to commit these offsets on ${args.to}.`,
          );
        }
        return current.refused ? DR_EXIT.refused : DR_EXIT.ok;
      }
      const audit = await openAudit({
        file: args.state.auditFile,
        cluster: route.targetCluster,
        replicationFactor: route.route.settings.checkpointsTopicReplicationFactor,
      });
      try {
        const journal = await openJournal(args.state.journalFile);
        const result = await executeFailover(route, current, { audit, journal, force, progress: (l) => io.err(l) });
        if (args.json) io.out(toJson({ executed: true, plan: current, result }, 2));
        else {
          for (const line of formatPlan(current, { actions: true })) io.out(line);
          io.out('');
          const total = current.groups.flatMap((g) => g.partitions);
          const reread = total.every((p) => p.reread !== null)
            ? String(total.reduce((n, p) => n + (p.reread ?? 0n), 0n))
            : 'unknown';
          io.out(
            `EXECUTED operation ${result.operation}${result.resumed ? ' (resumed)' : ''}: committed ${result.committed.length} group(s) on ${args.to}` +
              (result.alreadyDone.length > 0 ? `, ${result.alreadyDone.length} done by the earlier run` : '') +
              `; re-read on resume: ${reread} record(s); audit: ${args.state.auditFile} and topic mm2-dr-audit.internal on ${args.to}`,
          );
        }
        return DR_EXIT.ok;
      } finally {
        await audit.close();
      }
    });
  },
};
