// Bearer-token authentication and login rate limiting. Tokens are random; only their hash is stored.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RuongError } from '../core/errors.js';
import type { User } from '../core/registry/types.js';

export interface AuthRegistry {
  userForToken(token: string): Promise<User | undefined>;
  userForApiKey?(key: string): Promise<User | undefined>;
}

/** API keys for integrations start with this prefix (core/registry/accounts.ts). */
export const API_KEY_PREFIX = 'rk_';

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
  // Express 5 forwards a rejected promise from a handler to the error middleware.
  return async (req: Request, _res: Response, next: NextFunction) => {
    const user = await principal(registry, req);
    if (!user) {
      next(new RuongError('UNAUTHORIZED', 'a valid bearer token or API key is required (POST /api/v1/auth/login)'));
      return;
    }
    req.user = user;
    next();
  };
}

/** The caller: a session token or an API key (`Authorization: Bearer rk_…` or `X-API-Key: rk_…`). */
export async function principal(registry: AuthRegistry, req: Request): Promise<User | undefined> {
  const headerKey = req.headers['x-api-key'];
  const token = bearerToken(req) ?? (typeof headerKey === 'string' ? headerKey.trim() : undefined);
  if (!token) return undefined;
  if (token.startsWith(API_KEY_PREFIX)) return await registry.userForApiKey?.(token);
  return await registry.userForToken(token);
}

/** Throws FORBIDDEN (403) unless the caller has one of the roles. */
export function requireRole(user: User, roles: readonly User['role'][], what: string): void {
  if (!roles.includes(user.role)) throw new RuongError('FORBIDDEN', `${what} needs the role ${roles.join(' or ')}; you are ${user.role}`);
}

/** Roles that may change farms and fields (farmers only their own; viewers never). */
export const WRITERS: readonly User['role'][] = ['admin', 'technician', 'farmer'];

export function currentUser(req: Request): User {
  if (!req.user) throw new RuongError('UNAUTHORIZED');
  return req.user;
}

/** Fixed-window limiter: at most `max` hits per key per `windowMs` (keys: client address, username + address). */
export function createRateLimiter(opts: { max: number; windowMs: number; now?: () => number }) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const now = opts.now ?? Date.now;
  // RFC 9110 §10.2.3: Retry-After in whole seconds; the HTTP boundary (api/http-errors.ts) sends it as a header.
  const overBudget = (entry: { count: number; resetAt: number }, t: number) => {
    const retryAfterS = Math.max(1, Math.ceil((entry.resetAt - t) / 1000));
    return new RuongError('RATE_LIMITED', `too many login attempts; retry in ${retryAfterS} s`, { retryAfterS });
  };
  return {
    /** Counts a hit; throws RATE_LIMITED when the key is over its budget. */
    hit(key: string): void {
      const t = now();
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.resetAt <= t) hits.delete(k);
      const entry = hits.get(key);
      if (!entry || entry.resetAt <= t) {
        hits.set(key, { count: 1, resetAt: t + opts.windowMs });
        return;
      }
      entry.count++;
      if (entry.count > opts.max) throw overBudget(entry, t);
    },
    /** Throws RATE_LIMITED when the key has used its budget, without counting. */
    check(key: string): void {
      const t = now();
      const entry = hits.get(key);
      if (entry && entry.resetAt > t && entry.count >= opts.max) throw overBudget(entry, t);
    },
  };
}
