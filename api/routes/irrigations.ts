// Irrigation events of a field (issue 17): POST records what was irrigated — depth in mm and/or volume in m³
// (converted with the field's area), start, duration, source — and GET lists them. Scoped like every field
// route (api/scope.ts): another tenant's field, or a field outside a farmer's farms, is a 404. Writers are
// admins, technicians and farmers on their own fields; viewers read only (403). The rules engine feeds the
// depths into the FAO-56 water balance (docs/agronomy.md §2): at once when it runs in this process
// (`irrigationRecorded`, cli/irrigation-trigger.ts), else at its next minute check.
import { Router } from 'express';
import { z } from 'zod';
import { IRRIGATION_BOUNDS, type IrrigationEvent } from '../../core/registry/irrigation-events.js';
import { IrrigationSource } from '../../core/registry/irrigation-schemas.js';
import type { Registry } from '../../core/registry/registry.js';
import { WRITERS, currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { DAY_MS, IdParams, Instant, iso } from '../schemas.js';
import { fieldOr404 } from '../scope.js';

/** Sources a caller of the API may state; `sms` is the inbound webhook's own. */
const ApiSource = IrrigationSource.exclude(['sms']);

export const IrrigationCreate = z.strictObject({
  startAt: z.union([z.number().int().min(0), Instant]).optional().describe('when the water started: RFC 3339 or epoch ms; default now'),
  durationMin: z.number().positive().max(IRRIGATION_BOUNDS.maxDurationMin).optional().describe('minutes the water ran'),
  depthMm: z.number().positive().max(IRRIGATION_BOUNDS.maxDepthMm).optional().describe('depth applied over the field, mm (gross, as pumped)'),
  volumeM3: z.number().positive().max(IRRIGATION_BOUNDS.maxVolumeM3).optional().describe('volume applied, m³; with the field\'s area 1 mm·ha = 10 m³'),
  source: ApiSource.default('api').describe('farmer_report (the field page), api, pump_telemetry, valve_telemetry, flow_meter, command'),
  note: z.string().trim().max(300).optional(),
  externalId: z.string().min(1).max(200).optional().describe('your id of the event: the same id of the same source is recorded once'),
}).refine((b) => b.depthMm !== undefined || b.volumeM3 !== undefined, { message: 'give depthMm or volumeM3 (or both)', path: ['depthMm'] });

export const IrrigationsQuery = z.strictObject({
  from: Instant.optional().describe('events that started at or after; default 30 days ago'),
  to: Instant.optional().describe('events that started before; default now + 1 day'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const IrrigationOut = z.object({
  id: z.string(), fieldId: z.string(), startAt: z.string(), durationMin: z.number().nullable(),
  depthMm: z.number().describe('depth applied, mm'), volumeM3: z.number().nullable().describe('m³; null when the field has no area'),
  source: IrrigationSource, recordedBy: z.string().describe('user id, API key id or phone number'), note: z.string().nullable(),
  externalId: z.string().nullable(), createdAt: z.string(),
});
export const IrrigationsOut = z.object({ fieldId: z.string(), totalMm: z.number(), irrigations: z.array(IrrigationOut) });

export const irrigationEndpoints: readonly Endpoint[] = [
  {
    method: 'post', path: '/fields/:id/irrigations', tag: 'irrigation', params: IdParams, body: IrrigationCreate, response: IrrigationOut, status: 201, roles: WRITERS,
    summary: 'Record an irrigation of the field (depth mm and/or volume m³); it feeds the water balance and resolves an irrigate alert once depletion is back under RAW',
  },
  { method: 'get', path: '/fields/:id/irrigations', tag: 'irrigation', summary: 'Irrigations of the field, newest first', params: IdParams, query: IrrigationsQuery, response: IrrigationsOut },
];

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export function irrigationOut(e: IrrigationEvent): z.infer<typeof IrrigationOut> {
  return {
    id: e.id, fieldId: e.fieldId, startAt: iso(e.startAt)!, durationMin: e.durationMin, depthMm: round(e.depthMm)!, volumeM3: round(e.volumeM3),
    source: e.source, recordedBy: e.recordedBy, note: e.note, externalId: e.externalId, createdAt: iso(e.createdAt)!,
  };
}

export function irrigationRoutes(deps: { registry: Registry; now?: (() => number) | undefined; irrigationRecorded?: (() => void) | undefined }): Router {
  const router = Router();
  const { registry } = deps;
  const now = deps.now ?? Date.now;

  router.post('/fields/:id/irrigations', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'recording an irrigation');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(IrrigationCreate, req.body, 'body');
    const field = await fieldOr404(registry, user, id);
    const t = now();
    const { event, created } = await registry.recordIrrigation(user.cooperativeId, field.id, {
      startAt: body.startAt ?? t, durationMin: body.durationMin, depthMm: body.depthMm, volumeM3: body.volumeM3, source: body.source,
      recordedBy: user.id, note: body.note, externalId: body.externalId,
    }, t);
    if (created) deps.irrigationRecorded?.();
    res.status(created ? 201 : 200).json(irrigationOut(event));
  });

  router.get('/fields/:id/irrigations', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(IrrigationsQuery, req.query, 'query');
    const field = await fieldOr404(registry, user, id);
    const t = now();
    const list = await registry.irrigationsOfField(user.cooperativeId, field.id, q.from ?? t - 30 * DAY_MS, q.to ?? t + DAY_MS, q.limit);
    res.json({ fieldId: field.id, totalMm: round(list.reduce((s, e) => s + e.depthMm, 0)), irrigations: list.map(irrigationOut) });
  });

  return router;
}
