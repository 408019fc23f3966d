/**
 * Disaster recovery: plan, execute and rehearse moving consumer groups from S to T
 * (`mm2 dr status`, `mm2 failover`, `mm2 drill`), with the audit and the journal other DR
 * commands share:
 *
 * - `openAudit({ file, cluster?, topic? })` → `{ append(entry), close() }`: one JSON line per
 *   change in `file`, and with `cluster` a record keyed by `entry.key` in the compacted topic
 *   (default `mm2-dr-audit.internal`). `entry` is `{ key, operation, action, ...anything }`.
 * - `openJournal(file)` → `{ inProgress(op), begin(op, kind, plan), markDone(op, step),
 *   complete(op) }`: operations keyed by an operation id (`operationId(kind, route, groups)` is
 *   stable across re-runs), so a re-run resumes an interrupted one instead of repeating it.
 * - `stateDir(dir)` names the files (`audit.jsonl`, `journal.json`) under `--state-dir`.
 */
export * from './errors.ts';
export * from './audit.ts';
export * from './journal.ts';
export * from './dr-route.ts';
export * from './replication-state.ts';
export * from './plan.ts';
export * from './execute.ts';
export * from './drill.ts';
export * from './state-dir.ts';
export * from './verify-resume.ts';
export * from './acl-check.ts';
