// Farms of the caller's cooperative: list, read, create (admin, technician), update (farmers their own),
// delete (admin, technician; only an empty farm). Another tenant's farm is a 404.
import { Router } from 'express';
import { z } from 'zod';
import type { Registry } from '../../core/registry/registry.js';
import { WRITERS, currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { FarmCreate, FarmOut, FarmUpdate, IdParams } from '../schemas.js';
import { farmOr404, farmOut } from '../scope.js';

const MANAGERS = ['admin', 'technician'] as const;

export const farmEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/farms', tag: 'farms', summary: 'Farms the caller may see', response: z.object({ farms: z.array(FarmOut) }) },
  { method: 'post', path: '/farms', tag: 'farms', summary: 'Create a farm', body: FarmCreate, response: FarmOut, status: 201, roles: MANAGERS },
  { method: 'get', path: '/farms/:id', tag: 'farms', summary: 'One farm', params: IdParams, response: FarmOut },
  { method: 'patch', path: '/farms/:id', tag: 'farms', summary: 'Change a farm', params: IdParams, body: FarmUpdate, response: FarmOut, roles: WRITERS },
  { method: 'delete', path: '/farms/:id', tag: 'farms', summary: 'Delete a farm without fields', params: IdParams, status: 204, roles: MANAGERS },
];

const location = (loc: { coordinates: [number, number] } | null | undefined) =>
  loc === undefined ? {} : { lat: loc?.coordinates[1] ?? null, lon: loc?.coordinates[0] ?? null };

export function farmRoutes(deps: { registry: Registry }): Router {
  const router = Router();
  const { registry } = deps;

  router.get('/farms', async (req, res) => {
    res.json({ farms: (await registry.farms(currentUser(req))).map(farmOut) });
  });

  router.post('/farms', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'creating a farm');
    const body = parseOr400(FarmCreate, req.body, 'body');
    const loc = body.location ?? undefined;
    const id = await registry.createFarm({
      cooperativeId: user.cooperativeId, name: body.name, province: body.province ?? undefined,
      lat: loc?.coordinates[1], lon: loc?.coordinates[0], elevationM: body.elevationM ?? undefined,
    });
    res.status(201).json(farmOut(await farmOr404(registry, user, id)));
  });

  router.get('/farms/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    res.json(farmOut(await farmOr404(registry, currentUser(req), id)));
  });

  router.patch('/farms/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'changing a farm');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(FarmUpdate, req.body, 'body');
    await farmOr404(registry, user, id);
    const { location: loc, ...rest } = body;
    await registry.updateFarm(user, id, { ...rest, ...location(loc) });
    res.json(farmOut(await farmOr404(registry, user, id)));
  });

  router.delete('/farms/:id', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    await farmOr404(registry, user, id);
    requireRole(user, MANAGERS, 'deleting a farm');
    await registry.deleteFarm(user, id);
    res.status(204).end();
  });
  return router;
}
