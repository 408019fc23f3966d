import { describe, expect, it } from 'vitest';
import { connectorStatusKey, encodeStatus, taskStatusKey } from '../../../src/connect/status-store.ts';

describe("status records (Kafka Connect's KafkaStatusBackingStore format)", () => {
  it('keys and the JSON converter bytes of STATUS_SCHEMA_V0 (trace null when absent)', () => {
    expect(connectorStatusKey('MirrorSourceConnector')).toBe('status-connector-MirrorSourceConnector');
    expect(taskStatusKey('MirrorSourceConnector', 3)).toBe('status-task-MirrorSourceConnector-3');
    expect(encodeStatus({ state: 'PAUSED' }, 'host-1', 0).toString()).toBe(
      '{"state":"PAUSED","trace":null,"worker_id":"host-1","generation":0}',
    );
    expect(encodeStatus({ state: 'FAILED', trace: 'Error: no\n  at x' }, 'h', 2).toString()).toBe(
      '{"state":"FAILED","trace":"Error: no\\n  at x","worker_id":"h","generation":2}',
    );
  });
});
