// HTTP boundary: every error becomes a JSON body {error: {code, message, details?}}.
// Bad input is a 4xx that names the field; only a genuine bug is a 500 (logged once, no details leaked).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { RuongError, isRuongError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

/** Parses with zod; a failure is a 400 whose message names each bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'body' | 'params'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  const message = `invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`;
  throw new RuongError('BAD_REQUEST', message, { issues });
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new RuongError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (isRuongError(err)) {
      if (err.code === 'RATE_LIMITED' && typeof err.details?.retryAfterS === 'number') res.set('Retry-After', String(err.details.retryAfterS));
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    // body-parser errors (malformed JSON, too large) carry a 4xx status and `type`.
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (err as { type?: string }).type;
      const message = type === 'entity.parse.failed' ? 'body is not valid JSON' : type === 'entity.too.large' ? 'body is too large' : (err as Error).message;
      res.status(status).json({ error: { code: 'BAD_REQUEST', message } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  };
}
