import type { RecordHeader } from '../kafka/port.ts';
import { hasExactCheckpointHeader } from '../records/index.ts';

/**
 * Whether a checkpoint record proves that its downstream offset is the exact position of its
 * upstream offset (a caught-up group re-reads nothing after failover), rather than a lower bound
 * (the group may re-read some records, never skip one).
 *
 * Java's Checkpoint bytes carry no such fact; our checkpoint runtime marks exact translations
 * with the `mm2ts.exact` header (src/records/checkpoint-exact.ts), so the key and value bytes
 * stay Java-compatible. Checkpoints written by Java MM2, or for translations that are only a
 * lower bound, have no header and read as `exact: false`. Every library result
 * (`TranslatedOffset.exact`) and `mm2 translate` use this.
 */
export function isExactCheckpoint(headers: readonly RecordHeader[]): boolean {
  return hasExactCheckpointHeader(headers);
}
