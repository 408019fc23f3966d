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
