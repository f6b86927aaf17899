// Alerts of the caller's cooperative (a farmer: their own farms): list with filters, one alert, acknowledge
// and resolve. Another tenant's alert is a 404, never a 403; viewers may read but not change (403).
// The lifecycle itself lives in core/alerts (the rules engine opens and auto-resolves the same records).
import { Router } from 'express';
import { z } from 'zod';
import { AlertStatus, Severity, type Alert } from '../../core/alerts/alert-types.js';
import type { AlertService } from '../../core/alerts/alert-service.js';
import { RuongError } from '../../core/errors.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { Id, IdParams } from '../schemas.js';

export const AlertsQuery = z.strictObject({
  status: AlertStatus.optional(),
  fieldId: Id.optional(),
  severity: Severity.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

export const AlertChangeBody = z.strictObject({ comment: z.string().trim().min(1).max(500).optional() });
export type AlertChangeBody = z.infer<typeof AlertChangeBody>;

const AlertParams = IdParams;

export const AlertOut = z.object({
  id: z.string(), ruleId: z.string(), kind: z.string(), severity: Severity, status: AlertStatus,
  fieldId: z.string().nullable(), farmId: z.string().nullable(), deviceId: z.string().nullable(),
  openedAt: z.string(), acknowledgedAt: z.string().nullable(), resolvedAt: z.string().nullable(),
  text: z.object({ vi: z.string(), en: z.string() }),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).describe('the numbers that justify the alert: reading, threshold, ET0, depletion …'),
  updatedAt: z.string(), acknowledgedBy: z.string().nullable(), ackComment: z.string().nullable(), resolvedBy: z.string().nullable().describe('a user id, or "auto"'),
  resolveReason: z.string().nullable(), escalationLevel: z.number().int(), escalatedAt: z.string().nullable(),
});
export type AlertOut = z.infer<typeof AlertOut>;

const WRITERS = ['admin', 'technician', 'farmer'] as const;

export const alertEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/alerts', tag: 'alerts', summary: 'Alerts, newest first (filter by status, field, severity)', query: AlertsQuery, response: z.object({ alerts: z.array(AlertOut) }) },
  { method: 'get', path: '/alerts/:id', tag: 'alerts', summary: 'One alert with the numbers that justify it', params: AlertParams, response: AlertOut },
  { method: 'post', path: '/alerts/:id/ack', tag: 'alerts', summary: 'Acknowledge an alert (open → acknowledged)', params: AlertParams, body: AlertChangeBody, response: AlertOut, roles: WRITERS },
  { method: 'post', path: '/alerts/:id/resolve', tag: 'alerts', summary: 'Resolve an alert by hand', params: AlertParams, body: AlertChangeBody, response: AlertOut, roles: WRITERS },
];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The wire shape of an alert (the dashboard's contract). */
export function alertJson(a: Alert): AlertOut {
  return {
    id: a.id, ruleId: a.ruleId, kind: a.kind, severity: a.severity, status: a.status, fieldId: a.fieldId, farmId: a.farmId,
    deviceId: a.deviceId, openedAt: new Date(a.openedAt).toISOString(), acknowledgedAt: iso(a.acknowledgedAt), resolvedAt: iso(a.resolvedAt),
    text: a.text, values: a.values, updatedAt: new Date(a.updatedAt).toISOString(), acknowledgedBy: a.acknowledgedBy, ackComment: a.ackComment,
    resolvedBy: a.resolvedBy, resolveReason: a.resolveReason, escalationLevel: a.escalationLevel, escalatedAt: iso(a.escalatedAt),
  };
}

function mayChange(user: User): void {
  if (user.role === 'viewer') throw new RuongError('FORBIDDEN', 'viewers may read alerts but not change them');
}

export function alertRoutes(deps: { registry: Registry; alerts: AlertService }): Router {
  const router = Router();

  router.get('/alerts', async (req, res) => {
    const user = currentUser(req);
    const q = parseOr400(AlertsQuery, req.query, 'query');
    if (q.fieldId !== undefined && !await deps.registry.field(user, q.fieldId)) throw new RuongError('NOT_FOUND', `field ${q.fieldId} not found`);
    res.json({ alerts: (await deps.alerts.listFor(user, q)).map(alertJson) });
  });

  router.get('/alerts/:id', async (req, res) => {
    const { id } = parseOr400(AlertParams, req.params, 'params');
    res.json(alertJson(await deps.alerts.getFor(currentUser(req), id)));
  });

  router.post('/alerts/:id/ack', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(AlertParams, req.params, 'params');
    const body = parseOr400(AlertChangeBody, req.body ?? {}, 'body');
    await deps.alerts.getFor(user, id); // 404 before 403: another tenant's alert does not exist
    mayChange(user);
    res.json(alertJson(await deps.alerts.acknowledge(user, id, body.comment)));
  });

  router.post('/alerts/:id/resolve', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(AlertParams, req.params, 'params');
    const body = parseOr400(AlertChangeBody, req.body ?? {}, 'body');
    await deps.alerts.getFor(user, id);
    mayChange(user);
    res.json(alertJson(await deps.alerts.resolve(user, id, body.comment)));
  });

  return router;
}
