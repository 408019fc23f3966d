/** Task config key listing a checkpoint task's consumer groups. */
export const TASK_ASSIGNED_GROUPS_CONFIG = 'task.assigned.groups';

/**
 * Java's `MirrorCheckpointConnector.taskConfigs` split (Connect's `ConnectorUtils.groupPartitions`):
 * `min(maxTasks, #groups)` tasks, groups cut into contiguous chunks in the given order, the first
 * `#groups % n` chunks one longer. No groups, or maxTasks < 1, gives no tasks.
 */
export function assignGroupsContiguously(groups: readonly string[], maxTasks: number): string[][] {
  const taskCount = Math.min(Math.max(0, Math.trunc(maxTasks)), groups.length);
  if (taskCount === 0) return [];
  const perTask = Math.floor(groups.length / taskCount);
  const leftover = groups.length - perTask * taskCount;
  const tasks: string[][] = [];
  let assigned = 0;
  for (let task = 0; task < taskCount; task++) {
    const size = task < leftover ? perTask + 1 : perTask;
    tasks.push(groups.slice(assigned, assigned + size));
    assigned += size;
  }
  return tasks;
}
