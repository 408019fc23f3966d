import { describe, expect, it } from 'vitest';
import { assignGroupsContiguously } from '../../../src/connectors/checkpoint/group-assignment.ts';

describe('checkpoint task assignment', () => {
  it('cuts groups into contiguous chunks, the first ones one longer', () => {
    expect(assignGroupsContiguously(['a', 'b', 'c', 'd', 'e'], 3)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(assignGroupsContiguously(['a', 'b'], 5)).toEqual([['a'], ['b']]);
    expect(assignGroupsContiguously([], 3)).toEqual([]);
    expect(assignGroupsContiguously(['a'], 0)).toEqual([]);
  });
});
