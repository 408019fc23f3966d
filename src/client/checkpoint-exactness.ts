import type { RecordHeader } from '../kafka/port.ts';

/**
 * Whether a checkpoint record proves that its downstream offset is the exact position of its
 * upstream offset (a caught-up group re-reads nothing after failover), rather than a lower bound
 * (the group may re-read some records, never skip one).
 *
 * Java's Checkpoint bytes carry no such fact, and Java MM2's translation is only proven exact in
 * special cases it does not record, so every checkpoint is reported `exact: false` today.
 *
 * Extension point: when the checkpoint runtime marks exact translations — with a record header,
 * so the key and value bytes stay Java-compatible and Java readers ignore the marker — decode that
 * header here. Every library result (`TranslatedOffset.exact`) and `mm2 translate` pick it up.
 */
export function isExactCheckpoint(_headers: readonly RecordHeader[]): boolean {
  return false;
}
