// Device health (last seen, battery, signal) and the latest values of every field the caller may see, both
// from the latest-value cache; dead letters for technicians. A device is "online" when its newest reading
// is younger than offlineAfterMs (the rules engine raises the offline alert; this is only the dashboard's dot).
import { Router } from 'express';
import { z } from 'zod';
import type { Registry } from '../../core/registry/registry.js';
import { metricSpec } from '../../core/telemetry/metrics.js';
import { currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { LatestCache } from '../latest-cache.js';
import type { Endpoint } from '../openapi.js';
import { Limit, iso } from '../schemas.js';
import { visibleDevices } from '../scope.js';

export const DeviceHealthOut = z.object({
  devices: z.array(z.object({
    id: z.string(), name: z.string(), kind: z.string(), fieldId: z.string(), fieldName: z.string(), farmId: z.string(), farmName: z.string(),
    revoked: z.boolean(), lastSeen: z.string().nullable(), online: z.boolean(),
    battery: z.number().nullable().describe('%'), rssi: z.number().nullable().describe('dBm'),
  })),
  offlineAfterMs: z.number(),
});
const LatestAllOut = z.object({
  readings: z.array(z.object({ fieldId: z.string(), deviceId: z.string(), metric: z.string(), ts: z.string(), value: z.number(), unit: z.string().nullable() })),
});
const DeadLettersQuery = z.strictObject({ limit: Limit(1000, 100) });
const DeadLettersOut = z.object({
  deadLetters: z.array(z.object({
    id: z.number(), receivedAt: z.number(), deviceId: z.string().nullable(), topic: z.string(), code: z.string(), reason: z.string(), payload: z.string().nullable(),
  })),
});

export const healthEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/device-health', tag: 'devices', summary: 'Every visible device with last seen, battery and signal', response: DeviceHealthOut },
  { method: 'get', path: '/latest', tag: 'readings', summary: 'Latest value per device and metric of every visible field', response: LatestAllOut },
  { method: 'get', path: '/dead-letters', tag: 'operations', summary: 'Rejected input with its reason, newest first', query: DeadLettersQuery, response: DeadLettersOut, roles: ['admin', 'technician'] },
];

export function healthRoutes(deps: { registry: Registry; latest: LatestCache; offlineAfterMs: number; now?: (() => number) | undefined }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.get('/device-health', async (req, res) => {
    const user = currentUser(req);
    const devices = await visibleDevices(deps.registry, user);
    const readings = await deps.latest.latest(user.cooperativeId, { deviceIds: new Set(devices.map((d) => d.device.id)) });
    const seen = new Map<string, { ts: number; battery: number | null; rssi: number | null }>();
    for (const r of readings) {
      const s = seen.get(r.deviceId) ?? { ts: 0, battery: null, rssi: null };
      s.ts = Math.max(s.ts, r.ts);
      if (r.metric === 'battery') s.battery = r.value;
      if (r.metric === 'rssi') s.rssi = r.value;
      seen.set(r.deviceId, s);
    }
    const t = now();
    res.json({
      offlineAfterMs: deps.offlineAfterMs,
      devices: devices.map(({ device: d, field: f }) => {
        const s = seen.get(d.id);
        return {
          id: d.id, name: d.name, kind: d.kind, fieldId: f.id, fieldName: f.name, farmId: f.farmId, farmName: f.farmName,
          revoked: d.revokedAt !== null, lastSeen: s ? iso(s.ts) : null, online: s !== undefined && d.revokedAt === null && t - s.ts < deps.offlineAfterMs,
          battery: s?.battery ?? null, rssi: s?.rssi ?? null,
        };
      }),
    });
  });

  router.get('/latest', async (req, res) => {
    const user = currentUser(req);
    const fields = new Set((await deps.registry.fieldRecords(user)).map((f) => f.id));
    const all = await deps.latest.latest(user.cooperativeId);
    const readings = all.filter((r) => fields.has(r.fieldId))
      .map((r) => ({ fieldId: r.fieldId, deviceId: r.deviceId, metric: r.metric, ts: iso(r.ts), value: r.value, unit: metricSpec(r.metric)?.unit ?? null }));
    res.json({ readings });
  });

  router.get('/dead-letters', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, ['admin', 'technician'], 'dead letters');
    const { limit } = parseOr400(DeadLettersQuery, req.query, 'query');
    res.json({ deadLetters: await deps.registry.deadLetters(user.cooperativeId, limit) });
  });
  return router;
}
