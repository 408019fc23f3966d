import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplicationState } from './replication-state.ts';

/**
 * The local folder of the disaster-recovery commands (`--state-dir`, default `mm2-dr`):
 * `audit.jsonl` (every change), `journal.json` (operations in progress) and
 * `source-ends-<S>.json` (S's end offsets as last seen, so that with S lost the unreplicated
 * records can still be bounded from below).
 */
export interface StateDir {
  readonly auditFile: string;
  readonly journalFile: string;
  /** S's end offsets as last seen by a command run from this folder (`topic:partition` → offset). */
  lastSeenSourceEnds(source: string): Map<string, bigint>;
  /** Records the end offsets of a measurement in which S answered. */
  rememberSourceEnds(source: string, state: ReplicationState): Promise<void>;
}

export function stateDir(dir: string): StateDir {
  const endsFile = (source: string): string => join(dir, `source-ends-${source}.json`);
  return {
    auditFile: join(dir, 'audit.jsonl'),
    journalFile: join(dir, 'journal.json'),
    lastSeenSourceEnds: (source) => {
      const file = endsFile(source);
      if (!existsSync(file)) return new Map();
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { ends?: Record<string, string> };
        return new Map(Object.entries(parsed.ends ?? {}).map(([k, v]) => [k, BigInt(v)]));
      } catch {
        return new Map();
      }
    },
    rememberSourceEnds: async (source, state) => {
      if (!state.sourceReachable) return;
      const ends: Record<string, string> = {};
      for (const p of state.partitions)
        if (p.sourceEnd !== null) ends[`${p.sourceTopic}:${p.partition}`] = p.sourceEnd.toString();
      await mkdir(dir, { recursive: true });
      await writeFile(endsFile(source), `${JSON.stringify({ at: new Date(state.at).toISOString(), ends }, null, 2)}\n`);
    },
  };
}
