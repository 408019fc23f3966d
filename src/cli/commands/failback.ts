import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadMirrorMakerConfig, toKafkaClientSettings, valuesOf, type RouteConfig } from '../../config/index.ts';
import { openAudit, type Audit } from '../../client/dr/audit.ts';
import { executeFailback, type AuditSink } from '../../client/dr/failback-execute.ts';
import {
  planFailback,
  type FailbackPlan,
  type FailbackSetup,
  type PartitionPlan,
} from '../../client/dr/failback-plan.ts';
import { openKafkaCluster, type KafkaCluster, type KafkaClientSettings } from '../../kafka/index.ts';
import { loadReplicationPolicy } from '../../policy/index.ts';
import { describeError, isMirrorError } from '../../util/errors.ts';
import { silentLogger } from '../../util/logger.ts';
import { ArgumentError, EXIT, usageErrorExit, type CliIo } from '../io.ts';
import type { Subcommand } from '../mm2.ts';
import { parseOrUsageError, table, timeoutArg, toJson } from './cluster-args.ts';

const USAGE =
  'failback <mm2.properties> --from T --to S [--groups REGEX] [--execute] [--wait SECONDS] [--json] ' +
  '[--audit-log FILE] [--timeout-ms N]';

/**
 * Exit codes of `mm2 failback` (docs/runbooks/failback.md):
 * 0 the plan was printed (no --execute) or everything was applied;
 * 1 refused: a precondition does not hold (listed); nothing was changed;
 * 2 error (configuration, cluster unreachable, a group became active during --execute);
 * 3 applied in part: some groups are pending (T->S has not copied what they read yet): run again;
 * 255 usage error.
 */
export const FAILBACK_EXIT = { ok: 0, refused: 1, error: EXIT.fatal, pending: 3, usage: EXIT.usage } as const;

interface FailbackArgs {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly groups: RegExp;
  readonly execute: boolean;
  readonly json: boolean;
  readonly auditLog: string;
  readonly timeoutMs: number;
  /** How long to wait for pending groups (T->S still copying what they read) before the plan is final. */
  readonly waitMs: number;
}

export function parseFailbackArgs(argv: readonly string[]): FailbackArgs {
  const { values, positionals } = parseOrUsageError(() =>
    parseArgs({
      args: [...argv],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        groups: { type: 'string' },
        execute: { type: 'boolean' },
        json: { type: 'boolean' },
        'audit-log': { type: 'string' },
        'timeout-ms': { type: 'string' },
        wait: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (positionals.length !== 1) throw new ArgumentError('expected exactly one <mm2.properties> file');
  if (values.from === undefined) throw new ArgumentError('missing --from T (the cluster applications ran on)');
  if (values.to === undefined) throw new ArgumentError('missing --to S (the cluster they return to)');
  if (values.from === values.to) throw new ArgumentError('--from and --to name the same cluster');
  let groups: RegExp;
  try {
    groups = new RegExp(`^(?:${values.groups ?? '.*'})$`, 'u');
  } catch (err) {
    throw new ArgumentError(`--groups is not a valid regular expression: ${describeError(err)}`);
  }
  return {
    file: positionals[0]!,
    from: values.from,
    to: values.to,
    groups,
    execute: values.execute === true,
    json: values.json === true,
    auditLog: values['audit-log'] ?? 'mm2-failback-audit.jsonl',
    timeoutMs: timeoutArg(values['timeout-ms'], 60_000),
    waitMs: waitArg(values.wait),
  };
}

function waitArg(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ArgumentError(`--wait ${raw}: expected a whole number of seconds >= 0`);
  return n * 1_000;
}

/** Dependencies a test can replace. */
export interface FailbackDeps {
  openCluster(settings: KafkaClientSettings): KafkaCluster;
  /** Where the changes are recorded: the JSON-lines file and, by default, the DR audit topic on `cluster`. */
  audit(file: string, target: { cluster: KafkaCluster; operation: string }): AuditSink & { close?(): Promise<void> };
}

/**
 * The DR commands' shared audit trail (src/client/dr/audit.ts: the JSON-lines file plus the
 * compacted `mm2-dr-audit.internal` topic on the cluster the groups return to), opened at the
 * first change so a plan that changes nothing creates nothing.
 */
function sharedAudit(
  file: string,
  target: { cluster: KafkaCluster; operation: string },
): AuditSink & {
  close(): Promise<void>;
} {
  let opened: Promise<Audit> | undefined;
  return {
    append: async (entry) => {
      opened ??= openAudit({ file, cluster: target.cluster });
      const e = entry as { action?: unknown; group?: unknown; route?: unknown };
      const subject = typeof e.group === 'string' ? e.group : typeof e.route === 'string' ? e.route : '';
      const action = typeof e.action === 'string' ? e.action : 'change';
      await (
        await opened
      ).append({ ...entry, key: `${target.operation}/${action}/${subject}`, operation: target.operation, action });
    },
    close: async () => {
      await (await opened)?.close();
    },
  };
}

/** Pause between plans while waiting for pending groups. */
const WAIT_STEP_MS = 1_000;

const DEFAULT_DEPS: FailbackDeps = { openCluster: (s) => openKafkaCluster(s), audit: sharedAudit };

/**
 * `mm2 failback`: return applications from T (where they ran after a failover) to S. Prints the
 * plan; with --execute applies it (T->S start positions for identity naming, then group offsets
 * on S). See docs/runbooks/failback.md.
 */
export const failback: Subcommand = {
  path: ['failback'],
  usage: USAGE,
  summary:
    'return consumer groups from T to S after a failover: positions translated back (reverse checkpointing), ' +
    'T->S start positions for identity naming; a plan unless --execute. ' +
    'Exit 0 done, 1 refused (nothing changed), 2 error, 3 pending (run again once T->S copied)',
  run: (argv, io) => runFailback(argv, io),
};

export async function runFailback(
  argv: readonly string[],
  io: CliIo,
  deps: FailbackDeps = DEFAULT_DEPS,
): Promise<number> {
  let args: FailbackArgs;
  try {
    args = parseFailbackArgs(argv);
  } catch (err) {
    return usageErrorExit(err, 'failback', USAGE, io);
  }
  const opened: KafkaCluster[] = [];
  try {
    const setup = resolveSetup(args, (settings) => {
      const c = deps.openCluster(settings);
      opened.push(c);
      return c;
    });
    if (!args.json) io.err(`reading ${args.from} and ${args.to} (groups, offset syncs, logs after the last syncs)...`);
    let plan = await planFailback(setup);
    // Pending groups read records T->S has not copied yet: with --wait, plan again until it has.
    const waitUntil = Date.now() + args.waitMs;
    for (;;) {
      const pending = plan.groups.filter((g) => g.action === 'pending').map((g) => g.group);
      if (plan.refusals.length > 0 || pending.length === 0 || Date.now() >= waitUntil) break;
      io.err(
        `waiting for ${args.from}->${args.to} to copy what ${pending.join(', ')} read ` +
          `(${Math.ceil((waitUntil - Date.now()) / 1_000)} s left)...`,
      );
      await sleep(WAIT_STEP_MS);
      plan = await planFailback(setup);
    }
    if (args.json && !args.execute) io.out(toJson(plan, 2));
    if (!args.json) for (const line of formatPlan(plan)) io.out(line);
    if (plan.refusals.length > 0) {
      if (!args.json) io.out('Refused: nothing was changed.');
      else if (args.execute) io.out(toJson({ plan, executed: false }, 2));
      return FAILBACK_EXIT.refused;
    }
    if (!args.execute) {
      if (!args.json) io.out('Plan only: nothing was changed. Run again with --execute to apply it.');
      return plan.groups.some((g) => g.action === 'pending') ? FAILBACK_EXIT.pending : FAILBACK_EXIT.ok;
    }
    const audit = deps.audit(args.auditLog, {
      cluster: setup.clusters.get(args.to)!,
      operation: `failback:${args.from}->${args.to}`,
    });
    const outcome = await executeFailback(
      plan,
      {
        reverseOffsets: setup.reverseOffsets,
        timeoutMs: args.timeoutMs,
        logger: setup.logger,
        toCluster: setup.clusters.get(args.to)!,
        fromCluster: setup.clusters.get(args.from)!,
      },
      audit,
    ).finally(() => audit.close?.());
    if (args.json) {
      io.out(toJson({ plan, executed: true, outcome }, 2));
    } else {
      io.out(
        `Applied: ${outcome.startPositionsSet} start position(s) of ${args.from}->${args.to} set, ` +
          `offsets of ${outcome.groupsCommitted.length} group(s) committed on ${args.to}` +
          (outcome.groupsCommitted.length > 0 ? ` (${outcome.groupsCommitted.join(', ')})` : '') +
          `; audit: ${args.auditLog}`,
      );
      if (outcome.groupsPending.length > 0) {
        io.out(
          `Pending: ${outcome.groupsPending.join(', ')} (not on ${args.to} yet). Start or wait for ${args.from}->${args.to}, then run this command again.`,
        );
      }
    }
    return outcome.groupsPending.length > 0 ? FAILBACK_EXIT.pending : FAILBACK_EXIT.ok;
  } catch (err) {
    if (err instanceof ArgumentError) {
      io.err(`REFUSED ${err.message}`);
      return FAILBACK_EXIT.refused;
    }
    io.err(`ERROR ${isMirrorError(err) || err instanceof Error ? err.message : String(err)}`);
    return FAILBACK_EXIT.error;
  } finally {
    for (const c of opened) await c.close().catch(() => undefined);
  }
}

function resolveSetup(args: FailbackArgs, open: (settings: KafkaClientSettings) => KafkaCluster): FailbackSetup {
  const loaded = loadMirrorMakerConfig(args.file);
  for (const alias of [args.from, args.to]) {
    if (!loaded.clusters.includes(alias)) {
      throw new ArgumentError(
        `unknown cluster alias '${alias}': ${args.file} declares clusters = ${loaded.clusters.join(', ')}`,
      );
    }
  }
  const route = (source: string, target: string): RouteConfig | undefined =>
    loaded.routes.find((r) => r.source === source && r.target === target);
  const forwardRoute = route(args.to, args.from);
  const reverseRoute = route(args.from, args.to);
  const settingsOf = forwardRoute ?? reverseRoute;
  const policy = loadReplicationPolicy(settingsOf !== undefined ? valuesOf(settingsOf.resolvedConnectors.source) : {});
  const clusters = new Map<string, KafkaCluster>();
  for (const alias of [args.from, args.to]) {
    const props = new Map(Object.entries(valuesOf(loaded.clusterClientConfigs.get(alias)!)));
    const { settings, problems } = toKafkaClientSettings(props);
    const fatal = problems.find((p) => p.severity === 'error');
    if (fatal !== undefined) throw new ArgumentError(`cluster '${alias}': ${fatal.message}`);
    clusters.set(alias, open({ ...settings, clusterAlias: alias }));
  }
  // Java MirrorSourceConfig.offsetSyncsTopic: named after the cluster it is not on.
  const syncsOf = (r: RouteConfig | undefined, source: string, target: string) => {
    const onTarget = r?.settings.offsetSyncsTopicLocation === 'target';
    return onTarget
      ? { topic: policy.offsetSyncsTopic(source), cluster: target }
      : { topic: policy.offsetSyncsTopic(target), cluster: source };
  };
  return {
    from: args.from,
    to: args.to,
    policy,
    clusters,
    forwardSyncs: syncsOf(forwardRoute, args.to, args.from),
    reverseRouteSyncs: syncsOf(reverseRoute, args.from, args.to),
    reverseOffsets: {
      topic: reverseRoute?.settings.worker.offsetStorageTopic ?? `mm2-offsets.${args.from}.internal`,
      partitions: reverseRoute?.settings.worker.offsetStoragePartitions ?? 25,
      replicationFactor: reverseRoute?.settings.worker.offsetStorageReplicationFactor ?? -1,
    },
    reverseRouteEnabled: reverseRoute?.enabled === true,
    forwardRouteEnabled: forwardRoute?.enabled === true,
    reverseTopics: topicFilter(reverseRoute),
    forwardTopics: topicFilter(forwardRoute),
    groups: args.groups,
    timeoutMs: args.timeoutMs,
    logger: silentLogger(),
  };
}

/** A route's `topics` / `topics.exclude` (the default topic filter); everything without a route. */
function topicFilter(route: RouteConfig | undefined): (topic: string) => boolean {
  if (route === undefined) return () => true;
  const { topics, topicsExclude } = route.settings;
  return (topic) => topics.matches(topic) && !topicsExclude.matches(topic);
}

function describeTranslation(p: PartitionPlan): [offset: string, exact: string, reread: string] {
  const t = p.translation;
  if (t.kind === 'exact') return [String(t.offset), 'yes', '0'];
  if (t.kind === 'lower-bound') return [String(t.offset), 'lower bound', `<=${t.maxReread}`];
  return ['-', p.status === 'pending' ? 'pending' : 'no', '-'];
}

/** The plan as an operator reads it. */
export function formatPlan(plan: FailbackPlan): string[] {
  const out: string[] = [];
  out.push(
    `Failback ${plan.from} -> ${plan.to} (${plan.naming} naming)` +
      (plan.naming === 'prefix'
        ? `: positions on ${plan.to}.<topic> on ${plan.from} go back to <topic> on ${plan.to}; ${plan.from}'s own topics resume on ${plan.from}.<topic> on ${plan.to}`
        : `: same topic names; ${plan.from}->${plan.to} starts where ${plan.to}'s copies end`),
  );
  out.push(
    `Offset syncs read: ${plan.forwardSyncs.topic} on ${plan.forwardSyncs.cluster} (${plan.forwardSyncs.syncs}), ` +
      `${plan.reverseRouteSyncs.topic} on ${plan.reverseRouteSyncs.cluster} (${plan.reverseRouteSyncs.syncs})`,
  );
  for (const g of plan.groups) {
    out.push('');
    out.push(
      `Group ${g.group} (on ${plan.from}: ${g.stateOnFrom}, on ${plan.to}: ${g.stateOnTo}): ` +
        (g.action === 'commit'
          ? `commit on ${plan.to}, re-reads ${g.maxReread === 0n ? '0' : `at most ${g.maxReread}`}`
          : g.action === 'pending'
            ? `pending (not on ${plan.to} yet)`
            : 'refused'),
    );
    const rows = g.partitions.map((p) => {
      const [offset, exact, reread] = describeTranslation(p);
      return [p.fromTopic, String(p.partition), String(p.fromOffset), p.toTopic, offset, exact, reread];
    });
    for (const line of table(
      [`TOPIC ON ${plan.from}`, 'PARTITION', 'OFFSET', `TOPIC ON ${plan.to}`, 'OFFSET', 'EXACT', 'RE-READ'],
      rows,
    )) {
      out.push(`  ${line}`);
    }
    for (const s of g.skipped) out.push(`  skipped ${s.topic}-${s.partition}: ${s.reason}`);
  }
  if (plan.startPositions.length > 0) {
    out.push('');
    out.push(`Start positions of ${plan.from}->${plan.to} (what ${plan.to} already holds is not copied back):`);
    for (const line of table(
      [`TOPIC`, 'PARTITION', `START ON ${plan.from}`, 'STORED', 'ACTION'],
      plan.startPositions.map((p) => [
        p.topic,
        String(p.partition),
        String(p.start),
        p.stored === undefined ? '-' : String(p.stored + 1n),
        p.action,
      ]),
    )) {
      out.push(`  ${line}`);
    }
  }
  if (plan.neverReached.length > 0) {
    out.push('');
    out.push(
      `Records written on ${plan.to} that never reached ${plan.from} (kept on ${plan.to}, not copied anywhere):`,
    );
    for (const n of plan.neverReached)
      out.push(`  ${n.topic}-${n.partition}: offsets ${n.from}..${n.to - 1n} (${n.records})`);
  }
  if (plan.refusals.length > 0) {
    out.push('');
    for (const r of plan.refusals) out.push(`REFUSED ${r.code}: ${r.message}`);
  }
  return out;
}
