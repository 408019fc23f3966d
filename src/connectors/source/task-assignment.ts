import { formatTopicPartition, type TopicPartition } from '../../records/topic-partition.ts';

/** Task config key listing a source task's partitions (`t-0,t-1`). */
export const TASK_ASSIGNED_PARTITIONS_CONFIG = 'task.assigned.partitions';
/** Task config key holding the task's index. */
export const TASK_INDEX_CONFIG = 'task.index';

/**
 * Java's `MirrorSourceConnector.taskConfigs` split: `min(maxTasks, #partitions)` tasks, partitions
 * dealt round-robin in the given order (partition i goes to task `i % n`). No partitions, or
 * maxTasks < 1, gives no tasks.
 */
export function assignPartitionsRoundRobin(
  partitions: readonly TopicPartition[],
  maxTasks: number,
): TopicPartition[][] {
  const taskCount = Math.min(Math.max(0, Math.trunc(maxTasks)), partitions.length);
  const tasks: TopicPartition[][] = Array.from({ length: taskCount }, () => []);
  partitions.forEach((tp, i) => tasks[i % taskCount]!.push(tp));
  return tasks;
}

/** The `task.assigned.partitions` value for a task: Java's comma-joined `TopicPartition.toString()`. */
export function formatAssignedPartitions(partitions: readonly TopicPartition[]): string {
  return partitions.map(formatTopicPartition).join(',');
}

/** True when two task shares hold the same partitions (in any order). */
export function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(formatTopicPartition));
  return b.every((tp) => keys.has(formatTopicPartition(tp)));
}

/**
 * Scale-out's split of a member's partitions into at most `maxTasks` tasks, sticky: a task whose
 * partitions are all still assigned keeps exactly them (so it keeps running, see
 * src/connect/task-group.ts `sameShare`); the partitions of tasks that lost one and the new ones
 * go to new tasks while there is room under `maxTasks`, else to the smallest tasks.
 */
export function assignPartitionsSticky(
  previous: readonly (readonly TopicPartition[])[],
  partitions: readonly TopicPartition[],
  maxTasks: number,
): TopicPartition[][] {
  const wanted = new Set(partitions.map(formatTopicPartition));
  const kept = previous
    .filter((share) => share.length > 0 && share.every((tp) => wanted.has(formatTopicPartition(tp))))
    .map((share) => [...share]);
  const placed = new Set(kept.flat().map(formatTopicPartition));
  const free = partitions.filter((tp) => !placed.has(formatTopicPartition(tp)));
  const limit = Math.min(Math.max(0, Math.trunc(maxTasks)), partitions.length);
  const room = Math.max(0, limit - kept.length);
  const fresh: TopicPartition[][] = room > 0 ? assignPartitionsRoundRobin(free, room) : [];
  const tasks = [...kept, ...fresh];
  if (room === 0)
    for (const tp of free) {
      const smallest = tasks.reduce((a, b) => (b.length < a.length ? b : a));
      smallest.push(tp);
    }
  return tasks;
}
