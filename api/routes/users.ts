// Users of the cooperative and API keys for integrations — admins only. Another cooperative's user or key
// is a 404. A new user's login names the cooperative unless it is the installation's first (accounts.ts
// loginName), so whether a username is free never depends on another cooperative. An admin cannot delete or demote themselves (a cooperative must keep an admin who can log in).
import { Router } from 'express';
import { z } from 'zod';
import { isPrimaryKeyViolation, isUniqueViolation } from '../../core/db/sql-errors.js';
import { RuongError } from '../../core/errors.js';
import type { UserRecord } from '../../core/registry/accounts.js';
import type { Registry } from '../../core/registry/registry.js';
import { currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { ApiKeyCreate, ApiKeyOut, IdParams, UserCreate, UserOut, UserUpdate, iso } from '../schemas.js';

const ADMIN = ['admin'] as const;
const ApiKeyCreated = ApiKeyOut.extend({ key: z.string().describe('shown once; send as `Authorization: Bearer rk_…` or `X-API-Key: rk_…`') });

export const userEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/users', tag: 'accounts', summary: 'Users of the cooperative', response: z.object({ users: z.array(UserOut) }), roles: ADMIN },
  { method: 'post', path: '/users', tag: 'accounts', summary: 'Create a user (farmers get their farms)', body: UserCreate, response: UserOut, status: 201, roles: ADMIN },
  { method: 'get', path: '/users/:id', tag: 'accounts', summary: 'One user', params: IdParams, response: UserOut, roles: ADMIN },
  { method: 'patch', path: '/users/:id', tag: 'accounts', summary: 'Change a user; a new role, password or farms ends their sessions', params: IdParams, body: UserUpdate, response: UserOut, roles: ADMIN },
  { method: 'delete', path: '/users/:id', tag: 'accounts', summary: 'Delete a user', params: IdParams, status: 204, roles: ADMIN },
  { method: 'get', path: '/api-keys', tag: 'accounts', summary: 'API keys of the cooperative (never the keys themselves)', response: z.object({ apiKeys: z.array(ApiKeyOut) }), roles: ADMIN },
  { method: 'post', path: '/api-keys', tag: 'accounts', summary: 'Issue an API key scoped to this cooperative and a role', body: ApiKeyCreate, response: ApiKeyCreated, status: 201, roles: ADMIN },
  { method: 'delete', path: '/api-keys/:id', tag: 'accounts', summary: 'Revoke an API key', params: IdParams, status: 204, roles: ADMIN },
];

const userOut = (u: UserRecord) => ({ ...u, createdAt: iso(u.createdAt) });

export function userRoutes(deps: { registry: Registry }): Router {
  const router = Router();
  const { registry } = deps;
  router.use(['/users', '/api-keys'], (req, _res, next) => {
    requireRole(currentUser(req), ADMIN, 'managing users and API keys');
    next();
  });

  async function userOr404(cooperativeId: string, id: string): Promise<UserRecord> {
    const user = await registry.userOfCooperative(cooperativeId, id);
    if (!user) throw new RuongError('NOT_FOUND', `user ${id} not found`);
    return user;
  }

  router.get('/users', async (req, res) => {
    res.json({ users: (await registry.usersOfCooperative(currentUser(req).cooperativeId)).map(userOut) });
  });

  router.post('/users', async (req, res) => {
    const me = currentUser(req);
    const body = parseOr400(UserCreate, req.body, 'body');
    // The cooperative is part of a login (`name@cooperative-id`, README "Users and logins"): a name is "taken"
    // only inside the caller's own cooperative, so the answer never tells whether another one has it.
    if (body.username.includes('@')) throw new RuongError('BAD_REQUEST', 'invalid body: username: must not contain "@" (the login adds @cooperative-id itself)', { issues: [{ field: 'username', message: 'must not contain "@"' }] });
    await registry.checkFarms(me.cooperativeId, body.farmIds);
    const username = await registry.loginName(me.cooperativeId, body.username);
    let id: string;
    try {
      id = await registry.createUser({ ...body, username, displayName: body.displayName ?? undefined, cooperativeId: me.cooperativeId });
    } catch (err) {
      if (isUniqueViolation(err) && !isPrimaryKeyViolation(err)) throw new RuongError('CONFLICT', `username: ${body.username} is taken in your cooperative`);
      throw err;
    }
    res.status(201).json(userOut(await userOr404(me.cooperativeId, id)));
  });

  router.get('/users/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    res.json(userOut(await userOr404(currentUser(req).cooperativeId, id)));
  });

  router.patch('/users/:id', async (req, res) => {
    const me = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(UserUpdate, req.body, 'body');
    await userOr404(me.cooperativeId, id);
    if (id === me.id && body.role !== undefined && body.role !== 'admin') throw new RuongError('CONFLICT', 'role: you cannot remove your own admin role');
    const updated = await registry.updateUser(me.cooperativeId, id, body);
    res.json(userOut(updated ?? await userOr404(me.cooperativeId, id)));
  });

  router.delete('/users/:id', async (req, res) => {
    const me = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    await userOr404(me.cooperativeId, id);
    if (id === me.id) throw new RuongError('CONFLICT', 'you cannot delete yourself');
    await registry.deleteUser(me.cooperativeId, id);
    res.status(204).end();
  });

  router.get('/api-keys', async (req, res) => {
    const keys = await registry.apiKeys(currentUser(req).cooperativeId);
    res.json({ apiKeys: keys.map((k) => ({ ...k, createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) })) });
  });

  router.post('/api-keys', async (req, res) => {
    const body = parseOr400(ApiKeyCreate, req.body, 'body');
    const { key, record } = await registry.createApiKey(currentUser(req).cooperativeId, body.name, body.role);
    res.status(201).json({ ...record, createdAt: iso(record.createdAt), lastUsedAt: null, revokedAt: null, key });
  });

  router.delete('/api-keys/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    if (!await registry.revokeApiKey(currentUser(req).cooperativeId, id)) throw new RuongError('NOT_FOUND', `API key ${id} not found`);
    res.status(204).end();
  });
  return router;
}
