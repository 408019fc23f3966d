import type { ConsumedRecord } from '../../kafka/port.ts';
import {
  decodeCheckpoint,
  decodeHeartbeat,
  decodeOffsetSync,
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  formatCheckpoint,
  formatHeartbeat,
  formatOffsetSync,
} from '../../records/index.ts';

/*
 * What `mm2 dump` prints for one record: Java's formatter text (`OffsetSyncFormatter`,
 * `CheckpointFormatter`, `HeartbeatFormatter` print the record's toString()) or one JSON object.
 */

export const DUMP_TYPES = ['offset-sync', 'checkpoint', 'heartbeat', 'source-offset'] as const;
export type DumpType = (typeof DUMP_TYPES)[number];

export function isDumpType(value: string): value is DumpType {
  return (DUMP_TYPES as readonly string[]).includes(value);
}

/**
 * The record type a topic holds, judged by MM2's naming with any one-character separator:
 * `mm2-offset-syncs.B.internal`, `A.checkpoints.internal`, `heartbeats` / `A.heartbeats`,
 * `mm2-offsets.A.internal`. Undefined when the name does not tell.
 */
export function inferDumpType(topic: string): DumpType | undefined {
  if (/^mm2-offset-syncs.+internal$/.test(topic)) return 'offset-sync';
  if (/.checkpoints.internal$/.test(topic)) return 'checkpoint';
  if (/^(.+[^A-Za-z0-9])?heartbeats$/.test(topic)) return 'heartbeat';
  if (/^mm2-offsets.+internal$/.test(topic) || /(^|[^A-Za-z0-9])connect-offsets$/.test(topic)) return 'source-offset';
  return undefined;
}

/** One decoded record; `text` is Java's toString form, `json` the structured form. */
export interface DumpedRecord {
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/**
 * Decodes `record` as `type`. Throws RecordFormatError when the bytes are not such a record.
 * Source offsets have no Java formatter: their text is the key's JSON, a tab, and the value's JSON
 * (`null` for a tombstone), as `kafka-console-consumer --property print.key=true` shows them.
 */
export function dumpRecord(type: DumpType, record: ConsumedRecord): DumpedRecord {
  const at = { partition: record.partition, offset: record.offset, timestamp: record.timestamp };
  switch (type) {
    case 'offset-sync': {
      const s = decodeOffsetSync(record.key, record.value);
      return {
        text: formatOffsetSync(s),
        json: {
          ...at,
          offsetSync: {
            topic: s.topicPartition.topic,
            partition: s.topicPartition.partition,
            upstreamOffset: s.upstreamOffset,
            downstreamOffset: s.downstreamOffset,
          },
        },
      };
    }
    case 'checkpoint': {
      const c = decodeCheckpoint(record.key, record.value);
      return {
        text: formatCheckpoint(c),
        json: {
          ...at,
          checkpoint: {
            consumerGroupId: c.consumerGroupId,
            topic: c.topicPartition.topic,
            partition: c.topicPartition.partition,
            upstreamOffset: c.upstreamOffset,
            downstreamOffset: c.downstreamOffset,
            metadata: c.metadata,
          },
        },
      };
    }
    case 'heartbeat': {
      const h = decodeHeartbeat(record.key, record.value);
      return { text: formatHeartbeat(h), json: { ...at, heartbeat: { ...h } } };
    }
    case 'source-offset': {
      const key = decodeSourceOffsetKey(record.key);
      const offset = decodeSourceOffsetValue(record.value);
      const valueText = record.value === null ? 'null' : record.value.toString('utf8');
      return {
        text: `${record.key?.toString('utf8') ?? ''}\t${valueText}`,
        json: { ...at, sourceOffset: { connector: key.connectorName, partition: key.partition, offset } },
      };
    }
  }
}
