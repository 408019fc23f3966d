import { RecordFormatError } from '../util/errors.ts';
import { FieldReader, writeFields } from './protocol-types.ts';

/** The only value version Java writes; readers accept any version and parse it as this one. */
export const HEARTBEAT_VERSION = 0;

/**
 * One record of the `heartbeats` topic (Java `Heartbeat`). `timestamp` is epoch milliseconds as the
 * record's INT64, kept as a bigint so that any record round-trips exactly; use
 * `heartbeatAt(source, target, Date.now())` to build one from a JS time.
 */
export interface Heartbeat {
  readonly sourceClusterAlias: string;
  readonly targetClusterAlias: string;
  readonly timestamp: bigint;
}

/** A heartbeat for the route `source->target` at `epochMillis` (an integer number of ms). */
export function heartbeatAt(sourceClusterAlias: string, targetClusterAlias: string, epochMillis: number): Heartbeat {
  return { sourceClusterAlias, targetClusterAlias, timestamp: BigInt(Math.trunc(epochMillis)) };
}

/** The heartbeat record key: `sourceClusterAlias` STRING, `targetClusterAlias` STRING. */
export function encodeHeartbeatKey(heartbeat: Heartbeat): Buffer {
  return writeFields(
    [
      { type: 'STRING', value: heartbeat.sourceClusterAlias },
      { type: 'STRING', value: heartbeat.targetClusterAlias },
    ],
    'Heartbeat key',
  );
}

/** The heartbeat record value: header `version` INT16 (0), then `timestamp` INT64. */
export function encodeHeartbeatValue(heartbeat: Heartbeat): Buffer {
  return writeFields(
    [
      { type: 'INT16', value: HEARTBEAT_VERSION },
      { type: 'INT64', value: heartbeat.timestamp },
    ],
    'Heartbeat value',
  );
}

/**
 * Decodes a heartbeat record as Java's `Heartbeat.deserializeRecord`: value first (any version
 * accepted), then key; trailing bytes ignored. Throws RecordFormatError when malformed.
 */
export function decodeHeartbeat(key: Uint8Array | null, value: Uint8Array | null): Heartbeat {
  if (value === null) throw new RecordFormatError('Heartbeat record has no value (tombstone)');
  if (key === null) throw new RecordFormatError('Heartbeat record has no key');
  const valueReader = new FieldReader(value, 'Heartbeat value');
  valueReader.int16('version');
  const timestamp = valueReader.int64('timestamp');
  const keyReader = new FieldReader(key, 'Heartbeat key');
  const sourceClusterAlias = keyReader.string('sourceClusterAlias');
  const targetClusterAlias = keyReader.string('targetClusterAlias');
  return { sourceClusterAlias, targetClusterAlias, timestamp };
}

/** Java's `Heartbeat.toString()`, as printed by `HeartbeatFormatter`. */
export function formatHeartbeat(heartbeat: Heartbeat): string {
  return (
    `Heartbeat{sourceClusterAlias=${heartbeat.sourceClusterAlias}, ` +
    `targetClusterAlias=${heartbeat.targetClusterAlias}, timestamp=${heartbeat.timestamp}}`
  );
}
