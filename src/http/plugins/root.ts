import type { FastifyPluginAsync } from 'fastify';

export interface RootInfo {
  version: string;
  /** The source commit of this build, when known. */
  commit?: string;
}

/** `GET /`: what is running, like Kafka Connect's root resource (`{version, commit}`). */
export function rootPlugin(info: RootInfo): FastifyPluginAsync {
  const body: RootInfo = info.commit ? { version: info.version, commit: info.commit } : { version: info.version };
  return async (app) => {
    app.get('/', async () => body);
  };
}
