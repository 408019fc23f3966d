/**
 * What the connectors API (src/http/plugins/connectors.ts) needs of the running appliance, in
 * Kafka Connect's REST shapes (`ConnectorStateInfo`, `ConnectorInfo`, `TaskInfo`, KIP-875's
 * `ConnectorOffsets`). The runtime implements it (src/runtime/connector-control.ts); http/ never
 * sees a route runtime. Methods throw {@link HttpError}s for what the caller did wrong (404, 409,
 * 400) with a message that says what would be valid.
 */

/** One connector of one flow, as the API names it. */
export interface ConnectorRef {
  /** The global name: `<source>-><target>.<Java connector name>`, e.g. `A->B.MirrorSourceConnector`. */
  name: string;
  source: string;
  target: string;
  /** Java's name inside the flow (`MirrorSourceConnector`, …), as in the flow's internal topics. */
  connector: string;
}

/** Connect's `ConnectorStateInfo.AbstractState`. */
export interface UnitState {
  state: string;
  worker_id: string;
  trace?: string;
}

/** Connect's `ConnectorStateInfo`. */
export interface ConnectorStateInfo {
  name: string;
  connector: UnitState;
  tasks: (UnitState & { id: number })[];
  type: 'source';
}

/** Connect's `ConnectorInfo`. */
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: { connector: string; task: number }[];
  type: 'source';
}

/** Connect's `TaskInfo`. */
export interface TaskInfo {
  id: { connector: string; task: number };
  config: Record<string, string>;
}

/** KIP-875's `ConnectorOffset`: a source partition and its offset (null: delete it). */
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

/** KIP-745's restart options. */
export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

export interface ConnectorsPort {
  /** Every connector of every running flow, in flow order. */
  list(): ConnectorRef[];
  status(ref: ConnectorRef): ConnectorStateInfo;
  info(ref: ConnectorRef): ConnectorInfo;
  tasks(ref: ConnectorRef): TaskInfo[];
  pause(ref: ConnectorRef): Promise<void>;
  resume(ref: ConnectorRef): Promise<void>;
  stop(ref: ConnectorRef): Promise<void>;
  /**
   * KIP-745: undefined when only the connector was restarted (answered 204); otherwise the state
   * with RESTARTING where a restart was started (answered 202; it completes in the background).
   */
  restart(ref: ConnectorRef, request: RestartRequest): Promise<ConnectorStateInfo | undefined>;
  restartTask(ref: ConnectorRef, task: number): Promise<void>;
  offsets(ref: ConnectorRef): Promise<ConnectorOffset[]>;
  /** Only while STOPPED (409 otherwise). */
  alterOffsets(ref: ConnectorRef, offsets: ConnectorOffset[]): Promise<void>;
  /** Only while STOPPED (409 otherwise). */
  resetOffsets(ref: ConnectorRef): Promise<void>;
}

/** Connect's `PluginInfo`. */
export interface PluginInfo {
  class: string;
  type: 'source';
  version: string;
}

/** Connect's `LoggerLevel`. */
export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

/** Log levels at run time (`/admin/loggers`, KIP-495). */
export interface LoggersPort {
  levels(): Record<string, LoggerLevel>;
  /** Sets `name`'s level (a Connect/log4j or pino level name); returns the loggers changed. */
  setLevel(name: string, level: string): string[];
}
