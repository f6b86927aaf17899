// Bearer-token authentication and login rate limiting. Tokens are random; only their hash is stored.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RuongError } from '../core/errors.js';
import type { User } from '../core/registry/types.js';

export interface AuthRegistry {
  userForToken(token: string): User | undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  return header.slice('Bearer '.length).trim() || undefined;
}

export function requireUser(registry: AuthRegistry): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    const user = token ? registry.userForToken(token) : undefined;
    if (!user) {
      next(new RuongError('UNAUTHORIZED', 'a valid bearer token is required (POST /api/v1/auth/login)'));
      return;
    }
    req.user = user;
    next();
  };
}

export function currentUser(req: Request): User {
  if (!req.user) throw new RuongError('UNAUTHORIZED');
  return req.user;
}

/** Fixed-window limiter keyed by client address: at most `max` attempts per `windowMs`. */
export function createRateLimiter(opts: { max: number; windowMs: number; now?: () => number }) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const now = opts.now ?? Date.now;
  return {
    /** Throws RATE_LIMITED when the key is over its budget. */
    hit(key: string): void {
      const t = now();
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.resetAt <= t) hits.delete(k);
      const entry = hits.get(key);
      if (!entry || entry.resetAt <= t) {
        hits.set(key, { count: 1, resetAt: t + opts.windowMs });
        return;
      }
      entry.count++;
      if (entry.count > opts.max) {
        throw new RuongError('RATE_LIMITED', `too many login attempts; retry in ${Math.ceil((entry.resetAt - t) / 1000)} s`);
      }
    },
  };
}
