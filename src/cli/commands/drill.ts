import { openAudit, runDrill, type DrillReport } from '../../client/dr/index.ts';
import type { Subcommand } from '../mm2.ts';
import { table, toJson } from './cluster-args.ts';
import { DR_EXIT, parseDrArgs, withRoute } from './dr-status.ts';

const USAGE = 'drill <mm2.properties> --from S --to T [--groups REGEX] [--json] [--state-dir DIR] [--timeout-ms N]';

function formatDrill(report: DrillReport): string[] {
  const out = [`Drill ${report.source} -> ${report.target}`, '', 'PREFLIGHT'];
  for (const c of report.checks) out.push(`  ${c.status.toUpperCase().padEnd(4)}  ${c.check.padEnd(12)} ${c.message}`);
  if (report.refused) return [...out, '', 'REFUSED: the drill needs the checks above to pass; nothing was changed.'];
  out.push('', 'RECOVERY POINT');
  out.push(
    ...table(
      ['TOPIC', 'PARTITION', 'LAG-RECORDS', 'LAG-SECONDS', 'RECOVERY-POINT'],
      report.recovery.map((p) => [
        p.sourceTopic,
        String(p.partition),
        p.lagRecords === null ? 'unknown' : String(p.lagRecords),
        p.lagSeconds === null ? 'unknown' : p.lagSeconds.toFixed(1),
        p.recoveryPoint === null ? 'unknown' : new Date(p.recoveryPoint).toISOString(),
      ]),
    ).map((l) => `  ${l}`),
  );
  out.push('', 'GROUPS');
  for (const g of report.groups) {
    out.push(`  ${g.group} (rehearsed as ${g.drillGroup})`);
    out.push(
      ...table(
        ['TOPIC', 'PARTITION', 'SOURCE-OFFSET', 'DRILL-OFFSET', 'EXACT', 'RE-READ', 'MISSING', 'NOTE'],
        g.partitions.map((p) => [
          p.remoteTopic,
          String(p.partition),
          p.sourceCommitted === null ? '-' : String(p.sourceCommitted),
          p.drillOffset === null ? '-' : String(p.drillOffset),
          p.exact ? 'exact' : 'lower-bound',
          p.reread === null ? 'unknown' : String(p.reread),
          p.missing === null ? 'unknown' : String(p.missing),
          p.note ?? '',
        ]),
      ).map((l) => `    ${l}`),
    );
  }
  out.push(
    '',
    `RESULT: missing ${report.totals.missing ?? 'unknown'}, re-read ${report.totals.reread ?? 'unknown'} record(s), ` +
      `time to fail over ${(report.timeToFailoverMs / 1000).toFixed(1)}s; removed ${report.removed.join(', ') || 'nothing'}`,
  );
  return out;
}

/**
 * `mm2 drill`: a failover rehearsal without an outage. Exit 0: nothing would be missing; 1:
 * refused, or records would be missing (or could not be checked); 2: error.
 */
export const drill: Subcommand = {
  path: ['drill'],
  usage: USAGE,
  summary: 'rehearse a failover: <group>.drill groups on T at the translated offsets, checked against S, then removed',
  run: async (argv, io) => {
    let parsed: ReturnType<typeof parseDrArgs>;
    try {
      parsed = parseDrArgs(argv, {});
    } catch (err) {
      io.err(`mm2 drill: ${(err as Error).message}\nusage: mm2 ${USAGE}`);
      return DR_EXIT.usage;
    }
    const { args } = parsed;
    return withRoute(args, 'drill', io, async (route) => {
      const audit = await openAudit({ file: args.state.auditFile });
      try {
        const report = await runDrill(route, {
          ...(args.groups !== undefined ? { groups: args.groups } : {}),
          sourceTimeoutMs: args.sourceTimeoutMs,
          audit,
          progress: (l) => io.err(l),
        });
        if (args.json) io.out(toJson(report, 2));
        else for (const line of formatDrill(report)) io.out(line);
        return report.refused || report.totals.missing !== 0n ? DR_EXIT.refused : DR_EXIT.ok;
      } finally {
        await audit.close();
      }
    });
  },
};
