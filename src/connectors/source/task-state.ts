/** Connect's task and connector states, as the status API and metrics report them. */
export type WorkState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED';

export interface WorkStatus {
  state: WorkState;
  /** Set when FAILED: what went wrong (never a secret). */
  trace?: string;
}
