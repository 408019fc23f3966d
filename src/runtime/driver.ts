import type { LoadedConfig, RouteConfig, RouteDifference } from '../config/index.ts';
import type { Logger } from '../util/logger.ts';
import { fencedCollaborators, type RouteFence } from './membership-fence.ts';
import type { SourceTaskMetrics } from '../connectors/source/source-task-ports.ts';
import { samePartitions } from '../connectors/source/task-assignment.ts';
import type { TopicPartition } from '../records/index.ts';
import { RouteRuntime, type RouteCollaborators, type RouteShare, type WorkerPolicy } from './route-runtime.ts';
import { StartCounts, countingCollaborators, type CountedRouteStatus } from './start-counts.ts';

/** A route's status with how often the process started it and its connectors and tasks (see start-counts.ts). */
export type DriverRouteStatus = CountedRouteStatus;

/** The worker settings of the file (types were checked when it was loaded). */
export function workerPolicyOf(config: LoadedConfig): WorkerPolicy {
  const values = config.properties.values;
  const number = (key: string, fallback: number): number => Number(values.get(key)?.trim() || fallback);
  const autoRestart = values.get('mm2ts.task.auto.restart.enabled')?.trim().toLowerCase() === 'true';
  return autoRestart
    ? {
        autoRestart: {
          initialMs: number('mm2ts.task.auto.restart.backoff.ms', 10_000),
          maxMs: number('mm2ts.task.auto.restart.backoff.max.ms', 600_000),
        },
      }
    : {};
}

/** Top-level keys that shape {@link workerPolicyOf}: a change restarts every route with the new policy. */
export const WORKER_POLICY_KEYS: readonly string[] = [
  'mm2ts.task.auto.restart.enabled',
  'mm2ts.task.auto.restart.backoff.ms',
  'mm2ts.task.auto.restart.backoff.max.ms',
];

interface RouteEntry {
  readonly runtime: RouteRuntime;
  readonly starts: StartCounts;
  readonly started: Promise<void>;
}

/** What scale-out (src/runtime/membership.ts) hooks into the routes it gates. */
export interface ScaleOutHooks {
  /** When a route may still write its positions, checkpoint offsets and offset-syncs. */
  fence(route: string): RouteFence;
  /** The flow unit of `route` listed these source partitions (at its start, and when they changed). */
  listed(route: string, partitions: readonly TopicPartition[]): void;
  /** The route's source task metrics, wrapped to measure the load per partition. */
  meter(route: string, metrics: SourceTaskMetrics | undefined): SourceTaskMetrics;
}

/** A route a reload started that can never run (e.g. its replication policy class does not load). */
export interface RouteStartFailure {
  route: string;
  error: string;
}

/**
 * The dedicated-mode driver (Java's `MirrorMaker`): one route runtime per selected route S->T
 * (the `--clusters` choice was applied when the config was loaded). Routes start in the
 * background and keep trying until they run, each on its own: a route whose cluster is down never
 * holds back the others, and is never forgotten. Only a route that can never start (a
 * configuration error its start found) is given up; when every route is in that case, start
 * fails, as Java's driver does.
 *
 * A reload ({@link apply}) replaces only the routes whose resolved settings changed; the others
 * keep their runtime, so their connectors and tasks run on untouched (Java needs a restart of
 * every node for any change).
 */
export class Driver {
  private entries: RouteEntry[] = [];
  private readonly collaborators: RouteCollaborators;
  private readonly logger: Logger;
  private policy: WorkerPolicy;
  private initial: readonly RouteConfig[];
  private begun = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** With scale-out (src/runtime/membership.ts): the routes this process runs and its share of each; undefined: all. */
  private gate: ReadonlyMap<string, RouteShare> | undefined;
  /** The routes of the file as last applied, assigned here or not. */
  private routes: readonly RouteConfig[];
  /** Reloads and assignment changes run one after the other. */
  private serial: Promise<unknown> = Promise.resolve();
  /** With scale-out: the fence, the partition listings and the load meter. */
  private hooks: ScaleOutHooks | undefined;

  constructor(config: LoadedConfig, collaborators: RouteCollaborators, logger: Logger, policy: WorkerPolicy = {}) {
    this.logger = logger;
    this.collaborators = collaborators;
    this.policy = policy;
    this.initial = config.routes;
    this.routes = config.routes;
  }

  /** Runs only the shares of the routes it is given (see {@link assign}); until then, none. */
  gateRoutes(hooks?: ScaleOutHooks): void {
    this.gate ??= new Map();
    this.hooks = hooks;
  }

  private admitted(route: RouteConfig): boolean {
    return this.gate === undefined || this.gate.has(route.name);
  }

  /**
   * Scale-out: runs exactly the shares given (routes of the file as last applied). Stops the routes
   * no longer given first (each drains and stores its positions and offset-syncs, as at a stop),
   * reshapes the kept ones (only tasks whose partitions moved stop, see RouteRuntime.reshare),
   * then starts the new ones (in the background); resolves when the stops and the reshaping completed.
   */
  assign(shares: ReadonlyMap<string, RouteShare>): Promise<void> {
    const run = this.serial.then(async () => {
      this.gate = shares;
      if (!this.begun || this.stopping) return;
      const leaving = this.entries.filter((e) => !shares.has(e.runtime.route.name));
      const kept = this.entries.filter((e) => shares.has(e.runtime.route.name));
      await Promise.allSettled([
        ...leaving.map((e) => e.runtime.stop()),
        ...kept.map((e) => {
          const share = shares.get(e.runtime.route.name)!;
          const now = e.runtime.currentShare;
          const same = now && now.flow === share.flow && samePartitions(now.partitions, share.partitions);
          return same ? undefined : e.runtime.reshare(share);
        }),
      ]);
      if (this.stopping) return;
      const running = new Set(this.entries.map((e) => e.runtime.route.name));
      const starting = this.routes
        .filter((r) => shares.has(r.name) && !running.has(r.name))
        .map((r) => this.startRoute(r, new StartCounts()));
      this.entries = [...kept, ...starting];
      // Not waiting for the new routes' first attempts: the member rejoins sooner (a rebalance
      // waits for every member), and a route stopped while it starts stops cleanly.
    });
    this.serial = run.catch(() => {});
    return run;
  }

  /**
   * Starts every route; resolves once each has made its first attempt (those that failed go on
   * retrying in the background). Throws when no route can ever start.
   */
  async start(): Promise<void> {
    this.logger.info({ routes: this.initial.map((r) => r.name) }, 'starting MirrorMaker');
    if (this.stopping) return;
    this.begun = true;
    this.entries = this.initial.filter((r) => this.admitted(r)).map((r) => this.startRoute(r, new StartCounts()));
    await Promise.all(this.entries.map((e) => e.started));
    const fatal = this.entries.map((e) => e.runtime.fatalError).filter((e) => e !== undefined);
    if (this.entries.length > 0 && fatal.length === this.entries.length) throw fatal[0];
    this.logger.info('MirrorMaker started');
  }

  private startRoute(route: RouteConfig, starts: StartCounts): RouteEntry {
    starts.routeStarted();
    const counted = countingCollaborators(this.collaborators, starts);
    const hooks = this.hooks;
    const share = this.gate?.get(route.name);
    const runtime = new RouteRuntime(
      route,
      hooks
        ? {
            ...fencedCollaborators(counted, hooks.fence(route.name)),
            metrics: hooks.meter(route.name, counted.metrics),
          }
        : counted,
      this.logger,
      this.policy,
      share ? { share, onListed: (partitions) => hooks?.listed(route.name, partitions) } : undefined,
    );
    return { runtime, starts, started: runtime.start().started };
  }

  /** The route runtimes currently running (a reload may replace entries: ask again, do not keep the list). */
  runtimes(): readonly RouteRuntime[] {
    return this.entries.map((e) => e.runtime);
  }

  status(): DriverRouteStatus[] {
    return this.entries.map((e) => e.starts.decorate(e.runtime.status()));
  }

  /**
   * Applies a reload: stops the removed and the changed routes (each drains and stores its
   * positions, as at a stop, so the new version resumes where the old one stopped), then starts
   * the added and changed ones from `config` with `policy`. Routes in `difference.unchanged` keep
   * running untouched. Resolves once the started routes made their first attempt; returns those
   * that can never start. A stop of the driver meanwhile wins: nothing more is started.
   */
  apply(config: LoadedConfig, difference: RouteDifference, policy: WorkerPolicy): Promise<RouteStartFailure[]> {
    const run = this.serial.then(() => this.applyNow(config, difference, policy));
    this.serial = run.catch(() => {});
    return run;
  }

  private async applyNow(
    config: LoadedConfig,
    difference: RouteDifference,
    policy: WorkerPolicy,
  ): Promise<RouteStartFailure[]> {
    if (this.stopping) return [];
    this.routes = config.routes;
    if (!this.begun) {
      // Reloaded before start: nothing runs yet, start runs the new version.
      this.initial = config.routes;
      this.policy = policy;
      return [];
    }
    const replaced = new Set([...difference.removed, ...difference.restarted.map((r) => r.route)]);
    const leaving = this.entries.filter((e) => replaced.has(e.runtime.route.name));
    await Promise.allSettled(leaving.map((e) => e.runtime.stop()));
    if (this.stopping) return [];
    this.policy = policy;
    const current = new Map(this.entries.map((e) => [e.runtime.route.name, e]));
    const starting: RouteEntry[] = [];
    this.entries = config.routes
      .filter((r) => this.admitted(r))
      .map((route) => {
        const kept = current.get(route.name);
        if (kept && !replaced.has(route.name)) return kept;
        // A replaced route keeps counting where its previous version stopped.
        const entry = this.startRoute(route, kept?.starts ?? new StartCounts());
        starting.push(entry);
        return entry;
      });
    await Promise.all(starting.map((e) => e.started));
    return starting.flatMap((e) => {
      const err = e.runtime.fatalError;
      return err === undefined
        ? []
        : [{ route: e.runtime.route.name, error: err instanceof Error ? err.message : String(err) }];
    });
  }

  /** Stops every route (drains in-flight records and stores positions), also while they are starting; idempotent. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      this.logger.info('stopping MirrorMaker');
      await Promise.allSettled(this.entries.map((e) => e.runtime.stop()));
      this.logger.info('MirrorMaker stopped');
    })();
    return this.stopped;
  }
}
