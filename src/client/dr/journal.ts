import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DrError } from './errors.ts';

/**
 * One operation as the journal keeps it: what it planned when it started and which of its steps
 * are done. A run interrupted between steps (Ctrl-C, a crash, a broker error) is resumed by the
 * next run with the same operation id: the steps done are not repeated and the remaining ones use
 * the plan recorded at the start, not a new one.
 */
export interface JournalEntry {
  readonly operation: string;
  /** The command, e.g. `failover`. */
  readonly kind: string;
  readonly startedAt: string;
  /** Set once every step is done; a completed operation is not resumed (a new run starts afresh). */
  completedAt?: string;
  /** The plan as JSON (bigints as strings), for the resuming run. */
  readonly plan: unknown;
  /** Step ids done, in order. */
  readonly done: string[];
}

/** A journal of operations keyed by operation id, in one JSON file. */
export interface Journal {
  /** The operation if it was started and not completed: the run to resume. */
  inProgress(operation: string): JournalEntry | undefined;
  /** Records the start of `operation` with its plan (replacing a completed entry of the same id). */
  begin(operation: string, kind: string, plan: unknown): Promise<JournalEntry>;
  /** Records that `step` of `operation` is done (durably, before the next step starts). */
  markDone(operation: string, step: string): Promise<void>;
  complete(operation: string): Promise<void>;
}

/** The plan stored in the journal: JSON with bigints turned into strings, read back with {@link BigInt}. */
export function journalPlan(plan: unknown): unknown {
  return JSON.parse(JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}

/**
 * Opens (or starts) the journal in `file`. Every change rewrites the file through a temporary file
 * and a rename, so a crash leaves the old or the new journal, never half of one.
 */
export async function openJournal(file: string): Promise<Journal> {
  const entries = new Map<string, JournalEntry>();
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new DrError(
        'ERR_DR_STATE',
        `journal ${file} is not valid JSON (${(err as Error).message}); move it away to start afresh`,
        { file },
      );
    }
    for (const entry of (parsed as { operations?: JournalEntry[] }).operations ?? [])
      entries.set(entry.operation, entry);
  }
  const save = async (): Promise<void> => {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ operations: [...entries.values()] }, null, 2)}\n`);
    await rename(tmp, file);
  };
  const entryOf = (operation: string): JournalEntry => {
    const entry = entries.get(operation);
    if (entry === undefined)
      throw new DrError('ERR_DR_STATE', `operation ${operation} was never begun in ${file}`, { file });
    return entry;
  };
  return {
    inProgress: (operation) => {
      const entry = entries.get(operation);
      return entry !== undefined && entry.completedAt === undefined ? entry : undefined;
    },
    begin: async (operation, kind, plan) => {
      const entry: JournalEntry = {
        operation,
        kind,
        startedAt: new Date().toISOString(),
        plan: journalPlan(plan),
        done: [],
      };
      entries.set(operation, entry);
      await save();
      return entry;
    },
    markDone: async (operation, step) => {
      const entry = entryOf(operation);
      if (!entry.done.includes(step)) entry.done.push(step);
      await save();
    },
    complete: async (operation) => {
      entryOf(operation).completedAt = new Date().toISOString();
      await save();
    },
  };
}

/** A journal kept in memory only: for runs that must leave nothing behind (the drill). */
export function memoryJournal(): Journal {
  const entries = new Map<string, JournalEntry>();
  return {
    inProgress: () => undefined,
    begin: (operation, kind, plan) => {
      const entry: JournalEntry = {
        operation,
        kind,
        startedAt: new Date().toISOString(),
        plan: journalPlan(plan),
        done: [],
      };
      entries.set(operation, entry);
      return Promise.resolve(entry);
    },
    markDone: (operation, step) => {
      entries.get(operation)?.done.push(step);
      return Promise.resolve();
    },
    complete: (operation) => {
      const entry = entries.get(operation);
      if (entry !== undefined) entry.completedAt = new Date().toISOString();
      return Promise.resolve();
    },
  };
}
