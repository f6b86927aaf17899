// POST /api/v1/auth/login {username, password} → {token, expiresAt}; POST /api/v1/auth/logout; GET /api/v1/me.
import { Router } from 'express';
import { z } from 'zod';
import { RuongError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import type { Registry } from '../../core/registry/registry.js';
import { Role } from '../../core/registry/type-schemas.js';
import { bearerToken, createRateLimiter, currentUser, requireUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';

export const LoginBody = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

const UserBrief = z.object({ username: z.string(), role: Role, language: z.string() });
export const LoginOut = z.object({ token: z.string(), expiresAt: z.string(), user: UserBrief });
export const MeOut = z.object({
  username: z.string(), displayName: z.string().nullable(), role: Role, language: z.string(), farmIds: z.array(z.string()),
  cooperative: z.object({ id: z.string(), name: z.string(), province: z.string().nullable() }).nullable(),
});

export const authEndpoints: readonly Endpoint[] = [
  { method: 'post', path: '/auth/login', tag: 'auth', summary: 'Log in; returns a session token that expires. Over 10 attempts a minute from one client address, or 10 failures in 15 min for one username from one address: 429 with Retry-After (seconds)', body: LoginBody, response: LoginOut, public: true },
  { method: 'post', path: '/auth/logout', tag: 'auth', summary: 'End this session', status: 204 },
  { method: 'get', path: '/me', tag: 'auth', summary: 'The caller, their role and cooperative', response: MeOut },
];

export function authRoutes(deps: { registry: Registry; metrics: Metrics; sessionTtlMs: number; now?: (() => number) | undefined }): Router {
  const router = Router();
  // Two budgets, both answered with 429 + Retry-After: attempts per client address (one host guessing many
  // accounts), and failures per (username, client address) — the lock-out of one account from one host.
  // Not per username alone: a stranger guessing from elsewhere must not lock the owner out of their account
  // (OWASP Authentication Cheat Sheet, "account lockout" denial of service). A success does not reset the
  // failures. Client address = req.ip (the peer, or X-Forwarded-For only when the peer is a loopback proxy).
  const byAddress = createRateLimiter({ max: 10, windowMs: 60_000, now: deps.now });
  const byUserAtAddress = createRateLimiter({ max: 10, windowMs: 15 * 60_000, now: deps.now });

  router.post('/auth/login', async (req, res) => {
    const address = req.ip ?? 'unknown';
    byAddress.hit(address);
    const body = parseOr400(LoginBody, req.body, 'body');
    const userKey = `${body.username.trim().toLowerCase()}\n${address}`;
    byUserAtAddress.check(userKey);
    const user = await deps.registry.verifyPassword(body.username, body.password);
    if (!user) {
      deps.metrics.httpLoginFailures.inc();
      byUserAtAddress.hit(userKey);
      throw new RuongError('UNAUTHORIZED', 'wrong username or password');
    }
    const session = await deps.registry.createSession(user.id, deps.sessionTtlMs);
    res.json({ token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), user: { username: user.username, role: user.role, language: user.language } });
  });

  router.post('/auth/logout', requireUser(deps.registry), async (req, res) => {
    const token = bearerToken(req);
    if (token) await deps.registry.endSession(token);
    res.status(204).end();
  });

  router.get('/me', requireUser(deps.registry), async (req, res) => {
    const user = currentUser(req);
    const coop = await deps.registry.cooperative(user.cooperativeId) ?? null;
    res.json({ username: user.username, displayName: user.displayName, role: user.role, language: user.language, farmIds: user.farmIds, cooperative: coop });
  });
  return router;
}
