/**
 * The HTTP edge shared by the master and the agent: one fastify instance with
 * - every request body read as raw bytes (each endpoint applies Mesos' own
 *   Content-Type rules, which differ from fastify's defaults),
 * - a body size limit answered with 413 and a message that says the limit,
 * - MesoscaleError → its HTTP status with the error's message as a plain-text
 *   body (Mesos answers errors as text/plain), anything else → 500,
 * - the Mesos process-id prefix (`/master/state` ≡ `/state`) via `prefixes`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { MesoscaleError } from '../lib/errors.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    // Per-request logs at info level would drown the component logs.
    loggerInstance: options.logger.child({ component: 'http' }, { level: 'warn' }),
    bodyLimit,
    // Long-lived streams (scheduler SUBSCRIBE, agent link) must not time out.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: false,
    // Streams (executor and scheduler SUBSCRIBE, the agent link) never end by
    // themselves; close() must not wait for them.
    forceCloseConnections: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof MesoscaleError && err.httpStatus !== undefined) {
      void reply.code(err.httpStatus).type('text/plain; charset=utf-8').send(err.message);
      return;
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      void reply.code(413).type('text/plain; charset=utf-8').send(`Request body is larger than the limit of ${bodyLimit} bytes`);
      return;
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      void reply.code(err.statusCode).type('text/plain; charset=utf-8').send(err.message);
      return;
    }
    req.log.error({ err }, 'request failed');
    void reply.code(500).type('text/plain; charset=utf-8').send(`Internal error: ${err.message}`);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('text/plain; charset=utf-8').send(`No such endpoint: ${req.method} ${req.url.split('?')[0]}`);
  });
  return app as unknown as FastifyInstance;
}

/** The raw request body (empty when none was sent). */
export function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Register a GET route under its plain path and each Mesos process prefix (e.g. `/master`). */
export function routeWithPrefixes(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  path: string,
  prefixes: readonly string[],
  handler: (req: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  for (const p of ['', ...prefixes]) app.route({ method, url: `${p}${path}`, handler: handler as never });
}

/** Send a JSON body the way Mesos' legacy endpoints do, honouring `?jsonp=`. */
export function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const jsonp = (req.query as Record<string, string | undefined>).jsonp;
  const text = JSON.stringify(body);
  if (jsonp !== undefined && /^[A-Za-z_$][\w$.]*$/.test(jsonp)) {
    return reply.type('text/javascript').send(`${jsonp}(${text});`);
  }
  return reply.type('application/json').send(text);
}
