import { describe, expect, it } from 'vitest';
import { assignPartitionsSticky, samePartitions } from '../../../src/connectors/source/task-assignment.ts';
import type { TopicPartition } from '../../../src/records/index.ts';

const tp = (partition: number): TopicPartition => ({ topic: 't', partition });
const names = (tasks: TopicPartition[][]): number[][] => tasks.map((t) => t.map((p) => p.partition));

describe('assignPartitionsSticky (a scale-out member splits its partitions into tasks)', () => {
  it('starts with a round-robin split under maxTasks', () => {
    expect(names(assignPartitionsSticky([], [0, 1, 2, 3, 4].map(tp), 2))).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
  });

  it('keeps every task whose partitions are all still assigned; a lost partition changes only its task', () => {
    const before = [[tp(0)], [tp(1)], [tp(2)], [tp(3)]];
    expect(names(assignPartitionsSticky(before, [0, 1, 3].map(tp), 4))).toEqual([[0], [1], [3]]);
    // A new partition gets a task of its own while there is room.
    expect(names(assignPartitionsSticky(before, [0, 1, 2, 3, 7].map(tp), 8))).toEqual([[0], [1], [2], [3], [7]]);
  });

  it('without room, new partitions join the smallest tasks', () => {
    const before = [[tp(0), tp(2)], [tp(1)]];
    expect(names(assignPartitionsSticky(before, [0, 1, 2, 5].map(tp), 2))).toEqual([
      [0, 2],
      [1, 5],
    ]);
  });

  it('compares shares as sets', () => {
    expect(samePartitions([tp(1), tp(0)], [tp(0), tp(1)])).toBe(true);
    expect(samePartitions([tp(1)], [tp(0), tp(1)])).toBe(false);
  });
});
