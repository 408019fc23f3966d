import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../util/logger.ts';
import { MirrorError, isMirrorError } from '../util/errors.ts';

/**
 * An error a route raises on purpose, with the HTTP status to answer. Later plugins (connectors,
 * status) throw these; their messages are shown to the client, so they must never carry secrets.
 */
export class HttpError extends MirrorError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.statusCode = statusCode;
  }
}

/**
 * The JSON body of every error response: Connect's REST shape (`error_code` = HTTP status,
 * `message`) plus our stable string `code`, so clients branch on the kind without parsing text.
 */
export interface ErrorBody {
  error_code: number;
  code: string;
  message: string;
}

/**
 * Answers every error as {@link ErrorBody}. Client errors (4xx, mostly Fastify's own: bad
 * content type, body too large, validation) keep their message; server errors keep it only when
 * it is one of ours (MirrorError messages are written to be safe to show), otherwise the client
 * gets a generic text and the details go to the log, where redaction applies.
 */
export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    const status = statusOf(err);
    const ours = isMirrorError(err);
    const fastifyCode = (err as Partial<FastifyError>).code;
    const code = ours
      ? err.code
      : typeof fastifyCode === 'string'
        ? fastifyCode
        : status >= 500
          ? 'ERR_INTERNAL'
          : 'ERR_REQUEST';
    const message = status < 500 || ours ? err.message : 'internal server error';
    // The path only: a query string may carry anything.
    const path = request.url.split('?')[0] ?? '';
    if (status >= 500) logger.error({ err, method: request.method, path }, 'HTTP request failed');
    else logger.debug({ code, method: request.method, path }, 'HTTP request rejected');
    const body: ErrorBody = { error_code: status, code, message };
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error_code: 404,
      code: 'ERR_NOT_FOUND',
      message: `no resource at ${request.method} ${request.url.split('?')[0] ?? ''}`,
    };
    void reply.code(404).type('application/json; charset=utf-8').send(body);
  });
}

function statusOf(err: unknown): number {
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599 ? s : 500;
}
