import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureCompactedTopic } from '../../connect/internal-topics.ts';
import type { KafkaCluster, RecordSink } from '../../kafka/port.ts';
import { silentLogger } from '../../util/logger.ts';

/** The compacted topic on the target cluster that keeps the audit records next to the data they describe. */
export const DEFAULT_AUDIT_TOPIC = 'mm2-dr-audit.internal';

/**
 * One change (or decision) a disaster-recovery command made. `key` identifies what changed
 * (e.g. `<operation>/<group>/<topic>-<partition>`): in the compacted topic the newest record per
 * key survives, so a resumed operation overwrites, never duplicates, what it redid.
 */
export interface AuditEntry {
  readonly key: string;
  /** The operation id (see journal.ts) the change belongs to. */
  readonly operation: string;
  /** What happened, e.g. `commit`, `skip`, `start`, `done`. */
  readonly action: string;
  /** Anything else worth keeping; bigints are written as JSON numbers. */
  readonly [field: string]: unknown;
}

/** Where audit records go: always a JSON-lines file; with `cluster`, also a compacted topic there. */
export interface AuditOptions {
  /** JSON-lines file, appended to (created with its directory when missing). */
  readonly file: string;
  /** The cluster of the audit topic (the failover's target); absent: file only. */
  readonly cluster?: KafkaCluster;
  /** Default {@link DEFAULT_AUDIT_TOPIC}; created compacted with 1 partition when missing. */
  readonly topic?: string;
  /** Replication factor used when the topic is created (-1: the broker default). */
  readonly replicationFactor?: number;
}

/** An open audit trail. `append` resolves once the entry is in the file (and acknowledged by the topic). */
export interface Audit {
  append(entry: AuditEntry): Promise<void>;
  close(): Promise<void>;
}

/** `JSON.stringify` that writes bigints as exact JSON numbers. */
export function auditJson(value: unknown): string {
  const marker = '\u0000bigint:';
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v)).replace(
    /"\\u0000bigint:(-?\d+)"/g,
    '$1',
  );
}

/**
 * Opens the audit trail: every entry is one line `{"at":<ISO time>,...entry}` in `file` and, when
 * a cluster is given, a record keyed by `entry.key` in the compacted topic. The file is written
 * first, so a change is on local disk even when the topic write fails (the failure is thrown: a
 * command stops rather than change what it cannot record).
 */
export async function openAudit(options: AuditOptions): Promise<Audit> {
  await mkdir(dirname(options.file), { recursive: true });
  let sink: RecordSink | undefined;
  const topic = options.topic ?? DEFAULT_AUDIT_TOPIC;
  if (options.cluster !== undefined) {
    const admin = await options.cluster.admin();
    try {
      await ensureCompactedTopic(
        admin,
        { name: topic, partitions: 1, replicationFactor: options.replicationFactor ?? -1 },
        silentLogger(),
      );
    } finally {
      await admin.close();
    }
    sink = await options.cluster.recordSink();
  }
  return {
    append: async (entry) => {
      const line = auditJson({ at: new Date().toISOString(), ...entry });
      await appendFile(options.file, `${line}\n`);
      if (sink !== undefined) {
        await sink.send(topic, [
          { partition: 0, key: Buffer.from(entry.key), value: Buffer.from(line), timestamp: Date.now(), headers: [] },
        ]);
      }
    },
    close: async () => {
      await sink?.close();
    },
  };
}
