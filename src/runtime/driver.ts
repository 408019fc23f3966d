import type { LoadedConfig } from '../config/index.ts';
import type { Logger } from '../util/logger.ts';
import { RouteRuntime, type RouteCollaborators, type RouteStatus, type WorkerPolicy } from './route-runtime.ts';

/**
 * The dedicated-mode driver (Java's `MirrorMaker`): one route runtime per selected route S->T
 * (the `--clusters` choice was applied when the config was loaded). Routes start in the
 * background and keep trying until they run, each on its own: a route whose cluster is down never
 * holds back the others, and is never forgotten. Only a route that can never start (a
 * configuration error its start found) is given up; when every route is in that case, start
 * fails, as Java's driver does.
 */
export class Driver {
  private readonly routes: RouteRuntime[];
  private readonly logger: Logger;
  private stopped: Promise<void> | undefined;

  constructor(config: LoadedConfig, collaborators: RouteCollaborators, logger: Logger, policy: WorkerPolicy = {}) {
    this.logger = logger;
    this.routes = config.routes.map((r) => new RouteRuntime(r, collaborators, logger, policy));
  }

  /**
   * Starts every route; resolves once each has made its first attempt (those that failed go on
   * retrying in the background). Throws when no route can ever start.
   */
  async start(): Promise<void> {
    this.logger.info({ routes: this.routes.map((r) => r.route.name) }, 'starting MirrorMaker');
    await Promise.all(this.routes.map((r) => r.start().started));
    const fatal = this.routes.map((r) => r.fatalError).filter((e) => e !== undefined);
    if (this.routes.length > 0 && fatal.length === this.routes.length) throw fatal[0];
    this.logger.info('MirrorMaker started');
  }

  /** The route runtimes currently running (a reload may replace entries: ask again, do not keep the list). */
  runtimes(): readonly RouteRuntime[] {
    return this.routes;
  }

  status(): RouteStatus[] {
    return this.routes.map((r) => r.status());
  }

  /** Stops every route (drains in-flight records and stores positions), also while they are starting; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.logger.info('stopping MirrorMaker');
      await Promise.allSettled(this.routes.map((r) => r.stop()));
      this.logger.info('MirrorMaker stopped');
    })();
    return this.stopped;
  }
}
