/**
 * Kafka Connect's connector and task states, as its status API (`GET /connectors/{name}/status`)
 * and the state metrics report them. RESTARTING is KIP-745's transient state between a restart
 * request and the unit running again.
 */
export type WorkState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED' | 'RESTARTING';

export const WORK_STATES: readonly WorkState[] = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPED', 'RESTARTING'];

export interface WorkStatus {
  state: WorkState;
  /** Set when FAILED: what went wrong (never a secret). */
  trace?: string;
}

/** A task's entry in a connector's status (Connect's `tasks[]`); connectors add what the task owns. */
export interface TaskStatusEntry extends WorkStatus {
  id: number;
  /**
   * Ours, not Connect's: a RUNNING task whose work keeps failing with a retriable error (a broker
   * down, a topic gone) — for how long, and the latest cause. Readiness reports it once it lasts.
   */
  retrying?: { forMs: number; cause: string };
}

/** A connector's status (Connect's `GET /connectors/{name}/status`, without the worker id). */
export interface ConnectorStatusEntry extends WorkStatus {
  name: string;
  tasks: TaskStatusEntry[];
}
