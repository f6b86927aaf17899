// POST /api/v1/auth/login {username, password} → {token, expiresAt}; POST /api/v1/auth/logout; GET /api/v1/me.
import { Router } from 'express';
import { z } from 'zod';
import { RuongError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import type { Registry } from '../../core/registry/registry.js';
import { bearerToken, createRateLimiter, currentUser, requireUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';

export const LoginBody = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export function authRoutes(deps: { registry: Registry; metrics: Metrics; sessionTtlMs: number }): Router {
  const router = Router();
  const limiter = createRateLimiter({ max: 10, windowMs: 60_000 });

  router.post('/auth/login', async (req, res) => {
    limiter.hit(req.ip ?? 'unknown');
    const body = parseOr400(LoginBody, req.body, 'body');
    const user = await deps.registry.verifyPassword(body.username, body.password);
    if (!user) {
      deps.metrics.httpLoginFailures.inc();
      throw new RuongError('UNAUTHORIZED', 'wrong username or password');
    }
    const session = deps.registry.createSession(user.id, deps.sessionTtlMs);
    res.json({ token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), user: { username: user.username, role: user.role, language: user.language } });
  });

  router.post('/auth/logout', requireUser(deps.registry), (req, res) => {
    const token = bearerToken(req);
    if (token) deps.registry.endSession(token);
    res.status(204).end();
  });

  router.get('/me', requireUser(deps.registry), (req, res) => {
    const user = currentUser(req);
    const coop = deps.registry.cooperative(user.cooperativeId);
    res.json({ username: user.username, displayName: user.displayName, role: user.role, language: user.language, cooperative: coop });
  });
  return router;
}
