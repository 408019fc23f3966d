import type { LoadedConfig } from '../config/index.ts';
import type { Logger } from '../util/logger.ts';
import { RouteRuntime, type RouteCollaborators, type RouteStatus } from './route-runtime.ts';

/**
 * The dedicated-mode driver (Java's `MirrorMaker`): one route runtime per selected route S->T
 * (the `--clusters` choice was applied when the config was loaded). Starts them all, stops them
 * all; a route that fails to start is logged and the others keep running, as Java keeps its
 * other herders.
 */
export class Driver {
  private readonly routes: RouteRuntime[];
  private readonly logger: Logger;
  private stopped: Promise<void> | undefined;

  constructor(config: LoadedConfig, collaborators: RouteCollaborators, logger: Logger) {
    this.logger = logger;
    this.routes = config.routes.map((r) => new RouteRuntime(r, collaborators, logger));
  }

  async start(): Promise<void> {
    this.logger.info({ routes: this.routes.map((r) => r.route.name) }, 'starting MirrorMaker');
    const results = await Promise.allSettled(this.routes.map((r) => r.start()));
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.error({ route: this.routes[i]!.route.name, err: String(result.reason) }, 'route failed to start');
      }
    });
    if (results.every((r) => r.status === 'rejected') && results.length > 0) {
      throw (results[0] as PromiseRejectedResult).reason;
    }
    this.logger.info('MirrorMaker started');
  }

  status(): RouteStatus[] {
    return this.routes.map((r) => r.status());
  }

  async flush(): Promise<void> {
    await Promise.all(this.routes.map((r) => r.flush()));
  }

  /** Stops every route (drains in-flight records and stores positions); idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.logger.info('stopping MirrorMaker');
      await Promise.allSettled(this.routes.map((r) => r.stop()));
      this.logger.info('MirrorMaker stopped');
    })();
    return this.stopped;
  }
}
