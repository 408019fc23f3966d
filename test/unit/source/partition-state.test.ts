import { describe, expect, it } from 'vitest';
import { PartitionState } from '../../../src/connectors/source/partition-state.ts';

describe('PartitionState (MirrorSourceTaskTest vectors)', () => {
  it('emits syncs by Java rules with offset.lag.max=50', () => {
    const state = new PartitionState(50n);
    expect(state.update(0n, 100n)).toBe(true); // first record of this task's lifetime
    expect(state.shouldSyncOffsets).toBe(true);
    state.reset();
    expect(state.shouldSyncOffsets).toBe(false);
    expect(state.update(2n, 102n)).toBe(true); // upstream offset skipped
    state.reset();
    expect(state.update(3n, 152n)).toBe(false);
    state.reset();
    expect(state.update(4n, 153n)).toBe(true); // translation would be one past the sync: too stale
    state.reset();
    expect(state.update(5n, 154n)).toBe(false);
    state.reset();
    expect(state.update(6n, 203n)).toBe(false);
    state.reset();
    expect(state.update(7n, 204n)).toBe(true);
    state.reset();
    expect(state.update(2n, 206n)).toBe(true); // upstream reset
    state.reset();
    expect(state.update(3n, 207n)).toBe(false);
    state.reset();
    expect(state.update(4n, 3n)).toBe(true); // downstream reset
    state.reset();
    expect(state.update(5n, 4n)).toBe(false);
    expect(state.update(7n, 6n)).toBe(true);
    expect(state.update(7n, 6n)).toBe(true);
    expect(state.update(8n, 7n)).toBe(true); // the flag is sticky until reset
    expect(state.update(10n, 57n)).toBe(true);
    state.reset();
    expect(state.update(11n, 58n)).toBe(false);
    expect(state.shouldSyncOffsets).toBe(false);
  });

  it('emits a sync for every record with offset.lag.max=0', () => {
    const state = new PartitionState(0n);
    const records: [bigint, bigint][] = [
      [0n, 100n],
      [2n, 102n],
      [3n, 153n],
      [4n, 154n],
      [5n, 155n],
      [6n, 207n],
      [2n, 208n],
      [3n, 209n],
      [4n, 3n],
      [5n, 4n],
      [7n, 6n],
      [7n, 6n],
      [8n, 7n],
      [10n, 57n],
      [11n, 58n],
    ];
    for (const [upstream, downstream] of records) {
      expect(state.update(upstream, downstream)).toBe(true);
      state.reset();
    }
  });

  it('records the downstream offset of the last sync', () => {
    const state = new PartitionState(10n);
    state.update(0n, 5n);
    state.reset();
    state.update(1n, 6n);
    expect(state.lastSyncDownstreamOffset).toBe(5n);
    expect(state.previousUpstreamOffset).toBe(1n);
    expect(state.previousDownstreamOffset).toBe(6n);
  });
});
