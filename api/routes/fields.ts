// Fields and their readings. Every lookup goes through registry.field(user, id), which is scoped to
// the caller's cooperative (and a farmer's own farms): another tenant's field is a 404, never a 403.
import { Router } from 'express';
import { z } from 'zod';
import { RuongError } from '../../core/errors.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { metricCatalogue, metricSpec, parseMetricKey } from '../../core/telemetry/metrics.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';

const MAX_RAW_POINTS = 10_000;
const DAY_MS = 86_400_000;

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };
/** `15m`, `1h`, `1d`, `30s` or a number of milliseconds. */
const Duration = z
  .string()
  .regex(/^(\d+)(ms|s|m|h|d)?$/, 'must be a duration like 15m, 1h, 1d or milliseconds')
  .transform((s) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s)!;
    return Number(m[1]) * (m[2] && m[2] !== 'ms' ? durationUnits[m[2]]! : 1);
  })
  .refine((ms) => ms >= 1000 && ms <= 366 * DAY_MS, 'must be between 1s and 366d');

/** An RFC 3339 time or epoch milliseconds. */
const Instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
], { error: 'must be an RFC 3339 time or epoch milliseconds' });

export const ReadingsQuery = z
  .strictObject({
    metric: z.string().refine((m) => parseMetricKey(m) !== undefined, 'is not a known metric'),
    from: Instant.optional(),
    to: Instant.optional(),
    every: Duration.optional(),
    device: z.string().max(64).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: 'from must be before to', path: ['from'] });
export type ReadingsQuery = z.infer<typeof ReadingsQuery>;

const FieldParams = z.object({ id: z.string().min(1).max(100) });

export function fieldRoutes(deps: { registry: Registry; store: ReadingStore; now?: () => number }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  function fieldOr404(user: User, id: string) {
    const field = deps.registry.field(user, id);
    if (!field) throw new RuongError('NOT_FOUND', `field ${id} not found`);
    return field;
  }

  router.get('/fields', (req, res) => {
    const user = currentUser(req);
    const fields = deps.registry.fields(user).map((f) => ({ ...f, devices: deps.registry.devicesOfField(f.id).map((d) => ({ id: d.id, kind: d.kind, name: d.name, revoked: d.revokedAt !== null })) }));
    res.json({ fields });
  });

  router.get('/fields/:id', (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(FieldParams, req.params, 'params');
    const field = fieldOr404(user, id);
    res.json({ ...field, devices: deps.registry.devicesOfField(field.id) });
  });

  router.get('/fields/:id/latest', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(FieldParams, req.params, 'params');
    const field = fieldOr404(user, id);
    const latest = await deps.store.latest({ cooperativeId: user.cooperativeId, fieldId: field.id });
    res.json({
      fieldId: field.id,
      readings: latest.map((r) => ({ deviceId: r.deviceId, metric: r.metric, ts: new Date(r.ts).toISOString(), value: r.value, unit: metricSpec(r.metric)?.unit ?? null, flags: r.flags ?? [] })),
    });
  });

  router.get('/fields/:id/readings', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(FieldParams, req.params, 'params');
    const q = parseOr400(ReadingsQuery, req.query, 'query');
    const field = fieldOr404(user, id);
    const to = q.to ?? now();
    const from = q.from ?? to - DAY_MS;
    const base = { cooperativeId: user.cooperativeId, fieldId: field.id, deviceId: q.device, metric: q.metric, from, to };
    const unit = metricSpec(q.metric)?.unit ?? null;
    if (q.every === undefined) {
      const points = await deps.store.query({ ...base, everyMs: undefined, limit: MAX_RAW_POINTS + 1 });
      const truncated = points.length > MAX_RAW_POINTS;
      res.json({ fieldId: field.id, metric: q.metric, unit, from: new Date(from).toISOString(), to: new Date(to).toISOString(), truncated, points: points.slice(0, MAX_RAW_POINTS) });
      return;
    }
    const windows = await deps.store.query({ ...base, everyMs: q.every });
    res.json({ fieldId: field.id, metric: q.metric, unit, from: new Date(from).toISOString(), to: new Date(to).toISOString(), everyMs: q.every, points: windows });
  });

  router.get('/catalogue', (_req, res) => {
    res.json({ metrics: metricCatalogue });
  });

  router.get('/dead-letters', (req, res) => {
    const user = currentUser(req);
    if (user.role !== 'admin' && user.role !== 'technician') throw new RuongError('FORBIDDEN', 'dead letters are for technicians and admins');
    const limit = parseOr400(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }), req.query, 'query').limit;
    res.json({ deadLetters: deps.registry.deadLetters(user.cooperativeId, limit) });
  });
  return router;
}
