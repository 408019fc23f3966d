import type { RouteCollaborators, RouteConnectorStatus, RouteStatus } from './route-runtime.ts';

const SOURCE = 'MirrorSourceConnector';
const CHECKPOINT = 'MirrorCheckpointConnector';
const HEARTBEAT = 'MirrorHeartbeatConnector';

/**
 * A route's status with start counters, so an operator (and a test) can see that a reload left a
 * route alone: `starts` and `startedAt` on the route (how many times this process started a
 * runtime for it, and when the current one started), `starts` on each connector (instances
 * built: the first start, every retried start, a restart). The counters belong to the route name
 * and survive a reload that replaces the route, so a replaced route shows one more. Each source
 * task's `starts` and `startedAt` come from the task group that builds it
 * (src/connect/task-group.ts), counted where the task starts.
 */
export type CountedRouteStatus = RouteStatus & {
  starts: number;
  startedAt: string;
  connectors: (RouteConnectorStatus & { starts?: number })[];
};

export class StartCounts {
  private routeStarts = 0;
  private lastStart = new Date();
  private readonly connectors = new Map<string, number>();

  routeStarted(): void {
    this.routeStarts++;
    this.lastStart = new Date();
  }

  connectorStarted(name: string): void {
    this.connectors.set(name, (this.connectors.get(name) ?? 0) + 1);
  }

  /** `status` with the counters added (new optional fields of the /status JSON). */
  decorate(status: RouteStatus): CountedRouteStatus {
    return {
      ...status,
      starts: this.routeStarts,
      startedAt: this.lastStart.toISOString(),
      connectors: status.connectors.map((c) => {
        const starts = this.connectors.get(c.name);
        return starts === undefined ? c : { ...c, starts };
      }),
    };
  }
}

/**
 * The route's collaborators, counting the connector instances the route builds through them:
 * every source connector instance asks for its topic synchronizer, every checkpoint and heartbeat
 * connector instance is built by its collaborator.
 */
export function countingCollaborators(c: RouteCollaborators, counts: StartCounts): RouteCollaborators {
  const { heartbeats, checkpoints } = c;
  return {
    ...c,
    topicSync: (args) => {
      counts.connectorStarted(SOURCE);
      return c.topicSync(args);
    },
    ...(heartbeats
      ? {
          heartbeats: (args) => {
            counts.connectorStarted(HEARTBEAT);
            return heartbeats(args);
          },
        }
      : {}),
    ...(checkpoints
      ? {
          checkpoints: (args) => {
            counts.connectorStarted(CHECKPOINT);
            return checkpoints(args);
          },
        }
      : {}),
  };
}
