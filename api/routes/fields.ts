// Fields: list, read, create, update, delete, latest values and the soil reference lines of the charts.
// Every lookup is scoped (api/scope.ts): another tenant's field is a 404, never a 403. Viewers may not write
// (403); farmers may change only fields of their own farms; deleting is for admins and technicians.
import { Router } from 'express';
import { z } from 'zod';
import type { Registry } from '../../core/registry/registry.js';
import { metricSpec } from '../../core/telemetry/metrics.js';
import { awdChartLine, salinityChartLine, soilChartLines } from '../chart-lines.js';
import { WRITERS, currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { LatestCache } from '../latest-cache.js';
import type { AdviceReader } from './advice.js';
import type { Endpoint } from '../openapi.js';
import { FieldCreate, FieldOut, FieldUpdate, IdParams, LatestOut, iso } from '../schemas.js';
import { farmOr404, fieldOr404, fieldOut } from '../scope.js';

export const SoilOut = z.object({
  fieldId: z.string(), crop: z.string(), soilTexture: z.string().nullable(),
  soil: z.object({
    texture: z.string(), thetaFcPct: z.number(), thetaWpPct: z.number(),
    depletionFraction: z.number().nullable().describe('p of the soil-water rule: Table 22 adjusted for ETc = Kc·ET0, or the rule\'s own'),
    depletionFractionTable: z.number().nullable().describe('p of FAO-56 Table 22 for the crop'),
    et0Mm: z.number().nullable().describe('the ET0 (mm/day) of the field\'s advice that adjusted p; null when p is not adjusted'),
    rootDepthM: z.number().nullable().describe('Zr: the rule\'s, else the crop\'s minimum of Table 22'),
    tawMm: z.number().nullable(), rawMm: z.number().nullable().describe('the depletion at which the soil-water rule says irrigate'),
    rawLinePct: z.number().nullable().describe('water content at which depletion reaches RAW: θFC − p·(θFC − θWP)'),
    from: z.enum(['rule', 'tables']).describe('rule: the parameters the soil-water rule reported with the field\'s advice'),
  }).nullable().describe('core/agronomy/field-soil-water.ts, the function of the soil-water rule; null when the texture is unknown'),
  salinity: z.object({ okPermil: z.number(), maxPermil: z.number(), basis: z.string(), maxDsPerM: z.number() }).nullable(),
  awdThresholdCm: z.number().nullable().describe('re-irrigate at or below this field-tube level (rice only)'),
  source: z.string(),
});

export const fieldEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/fields', tag: 'fields', summary: 'Fields the caller may see', response: z.object({ fields: z.array(FieldOut) }) },
  { method: 'post', path: '/fields', tag: 'fields', summary: 'Create a field', body: FieldCreate, response: FieldOut, status: 201, roles: WRITERS },
  { method: 'get', path: '/fields/:id', tag: 'fields', summary: 'One field', params: IdParams, response: FieldOut },
  { method: 'patch', path: '/fields/:id', tag: 'fields', summary: 'Change a field', params: IdParams, body: FieldUpdate, response: FieldOut, roles: WRITERS },
  { method: 'delete', path: '/fields/:id', tag: 'fields', summary: 'Delete a field without devices', params: IdParams, status: 204, roles: ['admin', 'technician'] },
  { method: 'get', path: '/fields/:id/latest', tag: 'readings', summary: 'Latest value per device and metric', params: IdParams, response: LatestOut },
  { method: 'get', path: '/fields/:id/soil', tag: 'fields', summary: 'Reference lines: θFC, θWP, RAW line, salinity limit, AWD threshold', params: IdParams, response: SoilOut },
];

const location = (loc: { coordinates: [number, number] } | null | undefined) =>
  loc === undefined ? {} : { lat: loc?.coordinates[1] ?? null, lon: loc?.coordinates[0] ?? null };

export function fieldRoutes(deps: { registry: Registry; latest: LatestCache; advice?: AdviceReader | undefined; now?: (() => number) | undefined }): Router {
  const router = Router();
  const { registry } = deps;
  const now = deps.now ?? Date.now;

  router.get('/fields', async (req, res) => {
    const user = currentUser(req);
    res.json({ fields: await Promise.all((await registry.fieldRecords(user)).map((f) => fieldOut(registry, f))) });
  });

  router.post('/fields', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'creating a field');
    const body = parseOr400(FieldCreate, req.body, 'body');
    await farmOr404(registry, user, body.farmId);
    const { location: loc, ...rest } = body;
    const id = await registry.createFieldRecord({ ...rest, ...location(loc) });
    res.status(201).json(await fieldOut(registry, await fieldOr404(registry, user, id)));
  });

  router.get('/fields/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    res.json(await fieldOut(registry, await fieldOr404(registry, currentUser(req), id)));
  });

  router.patch('/fields/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'changing a field');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(FieldUpdate, req.body, 'body');
    await fieldOr404(registry, user, id);
    if (body.farmId !== undefined) await farmOr404(registry, user, body.farmId);
    const { location: loc, ...rest } = body;
    const updated = await registry.updateField(user, id, { ...rest, ...location(loc) });
    res.json(await fieldOut(registry, updated ?? await fieldOr404(registry, user, id)));
  });

  router.delete('/fields/:id', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    await fieldOr404(registry, user, id);
    requireRole(user, ['admin', 'technician'], 'deleting a field');
    await registry.deleteField(user, id);
    res.status(204).end();
  });

  router.get('/fields/:id/latest', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const field = await fieldOr404(registry, user, id);
    const latest = await deps.latest.latest(user.cooperativeId, { fieldId: field.id });
    res.json({
      fieldId: field.id,
      readings: latest.map((r) => ({ deviceId: r.deviceId, metric: r.metric, ts: iso(r.ts), value: r.value, unit: metricSpec(r.metric)?.unit ?? null, flags: r.flags ?? [] })),
    });
  });

  router.get('/fields/:id/soil', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const field = await fieldOr404(registry, user, id);
    const advice = deps.advice ? await deps.advice.advice(user.cooperativeId, field.id) : undefined;
    res.json({
      fieldId: field.id, crop: field.crop, soilTexture: field.soilTexture,
      soil: soilChartLines(field, advice, now()),
      salinity: salinityChartLine(field.crop),
      awdThresholdCm: awdChartLine(field.crop, advice),
      source: 'docs/agronomy.md: FAO-56 Tables 19 and 22, Eqs. 82–83 with p adjusted for ETc (the soil-water rule\'s function); IRRI safe AWD; delta extension-office salinity limits (‰ on the g/L TDS basis)',
    });
  });
  return router;
}
