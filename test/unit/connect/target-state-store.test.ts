import { describe, expect, it } from 'vitest';
import { decodeTargetState, encodeTargetState } from '../../../src/connect/target-state-store.ts';

describe("target-state records (Kafka Connect's KafkaConfigBackingStore format)", () => {
  it('writes the JSON converter bytes of TARGET_STATE_V1; STOPPED falls back to PAUSED in `state`', () => {
    const paused = encodeTargetState('MirrorSourceConnector', 'PAUSED');
    expect(paused.key.toString()).toBe('target-state-MirrorSourceConnector');
    expect(paused.value.toString()).toBe('{"state":"PAUSED","state.v2":"PAUSED"}');
    expect(encodeTargetState('MirrorSourceConnector', 'STOPPED').value.toString()).toBe(
      '{"state":"PAUSED","state.v2":"STOPPED"}',
    );
    expect(encodeTargetState('MirrorSourceConnector', 'STARTED').value.toString()).toBe(
      '{"state":"STARTED","state.v2":"STARTED"}',
    );
  });

  it('reads what Connect writes: state.v2 wins, old records have only state, a tombstone deletes, other records are not target states', () => {
    const key = Buffer.from('target-state-MirrorCheckpointConnector');
    expect(decodeTargetState(key, Buffer.from('{"state":"PAUSED","state.v2":"STOPPED"}'))).toEqual({
      connector: 'MirrorCheckpointConnector',
      state: 'STOPPED',
    });
    expect(decodeTargetState(key, Buffer.from('{"state":"PAUSED"}'))?.state).toBe('PAUSED');
    expect(decodeTargetState(key, null)).toEqual({ connector: 'MirrorCheckpointConnector', state: null });
    expect(decodeTargetState(Buffer.from('connector-MirrorSourceConnector'), Buffer.from('{}'))).toBeUndefined();
    expect(decodeTargetState(key, Buffer.from('{"state":"DANCING"}'))).toBeUndefined();
    expect(decodeTargetState(key, Buffer.from('not json'))).toBeUndefined();
  });
});
