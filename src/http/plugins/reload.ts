import type { FastifyPluginAsync } from 'fastify';
import type { ErrorBody } from '../errors.ts';

/** A problem with the file, where to edit it. */
export interface ReloadProblemView {
  code: string;
  message: string;
  key?: string;
  line?: number;
  file?: string;
}

/** What a reload did, as the runtime reports it (the port the plugin calls; http/ does not import the runtime). */
export type ReloadOutcomeView =
  | {
      outcome: 'applied';
      changed: { added: string[]; removed: string[]; restarted: string[]; unchanged: string[] };
      restartedBecause: Record<string, readonly string[]>;
      needsRestart: string[];
      failed: { route: string; error: string }[];
      warnings: ReloadProblemView[];
    }
  | { outcome: 'invalid'; errors: ReloadProblemView[] }
  | { outcome: 'busy' };

export interface ReloadPort {
  /** Re-reads the file and applies the difference; `busy` while another reload runs. */
  reload(): Promise<ReloadOutcomeView>;
}

/**
 * `POST /reload`: re-read the configuration file and apply what changed (docs/runbooks/operating.md).
 * 200 `{"changed":{"added","removed","restarted","unchanged"},"restartedBecause","needsRestart","failed","warnings"}`;
 * 400 with the errors and their lines when the file is invalid (nothing changed); 409 while
 * another reload runs. Connect's error shape (`error_code`, `message`) for 400 and 409.
 */
export function reloadPlugin(port: ReloadPort): FastifyPluginAsync {
  return async (app) => {
    app.post('/reload', async (_request, reply) => {
      const result = await port.reload();
      if (result.outcome === 'busy') {
        const body: ErrorBody = {
          error_code: 409,
          code: 'ERR_RELOAD_IN_PROGRESS',
          message: 'a reload is already running; try again when it is done',
        };
        return reply.code(409).send(body);
      }
      if (result.outcome === 'invalid') {
        const where = (e: ReloadProblemView): string => (e.line !== undefined ? `line ${e.line}: ` : '');
        const body: ErrorBody & { errors: ReloadProblemView[] } = {
          error_code: 400,
          code: 'ERR_CONFIG',
          message: `the configuration file is invalid, nothing changed: ${result.errors.map((e) => where(e) + e.message).join('; ')}`,
          errors: result.errors,
        };
        return reply.code(400).send(body);
      }
      const { outcome: _outcome, ...body } = result;
      return reply.code(200).send(body);
    });
  };
}
