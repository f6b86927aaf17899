// Daily weather of a field for the ET0 and rain bars: rain sums and Hargreaves ET0 (FAO-56 Eq. 52, an estimate
// labelled as such — the rules engine's advice carries the Penman-Monteith figure) per local day in Vietnam
// (UTC+7, no daylight saving). Readings come from a weather station on the field, else one on the same farm.
// A day with temperature in fewer than 22 of its 24 hours (~90 %, agronomy.md) gets no ET0.
import { Router } from 'express';
import { z } from 'zod';
import { hargreavesEt0 } from '../../core/agronomy-tables.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams } from '../schemas.js';
import { fieldOr404 } from '../scope.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN_OFFSET_MS = 7 * HOUR; // Asia/Ho_Chi_Minh
const MIN_HOURS_FOR_ET0 = 22;

export const DailyQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(92).default(14) });
export const DailyOut = z.object({
  fieldId: z.string(), stationId: z.string().nullable(), method: z.string(),
  days: z.array(z.object({
    date: z.string(), rainMm: z.number().nullable(), tminC: z.number().nullable(), tmaxC: z.number().nullable(),
    hours: z.number().describe('hours with a temperature reading'), et0Mm: z.number().nullable(),
  })),
});

export const dailyEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/fields/:id/daily', tag: 'readings', summary: 'Daily rain and Hargreaves ET0 per local day, for the bars of the field chart', params: IdParams, query: DailyQuery, response: DailyOut },
];

function weatherStation(registry: Registry, user: User, fieldId: string, farmId: string): string | undefined {
  const own = registry.devicesOfField(fieldId).find((d) => d.kind === 'weather_station' && d.revokedAt === null);
  if (own) return own.id;
  for (const f of registry.fieldRecords(user).filter((x) => x.farmId === farmId)) {
    const d = registry.devicesOfField(f.id).find((x) => x.kind === 'weather_station' && x.revokedAt === null);
    if (d) return d.id;
  }
  return undefined;
}

const localDate = (ms: number) => new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);

function dayOfYear(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Math.floor((t - Date.UTC(new Date(t).getUTCFullYear(), 0, 1)) / DAY) + 1;
}

interface Day { rain: number | null; tmin: number; tmax: number; hours: number }

/** Hourly windows of the station folded into local days: rain sums, temperature extremes, hours covered. */
async function stationDays(store: ReadingStore, cooperativeId: string, station: string | undefined, from: number, to: number): Promise<Map<string, Day>> {
  const byDate = new Map<string, Day>();
  for (let t = from; t < to; t += DAY) byDate.set(localDate(t), { rain: null, tmin: Infinity, tmax: -Infinity, hours: 0 });
  if (!station) return byDate;
  const q = { cooperativeId, deviceId: station, from, to, everyMs: HOUR } as const;
  const [temps, rains] = await Promise.all([store.query({ ...q, metric: 'air_temperature' }), store.query({ ...q, metric: 'rain' })]);
  for (const w of temps) {
    const d = byDate.get(localDate(w.ts));
    if (!d) continue;
    d.tmin = Math.min(d.tmin, w.min);
    d.tmax = Math.max(d.tmax, w.max);
    d.hours++;
  }
  for (const w of rains) {
    const d = byDate.get(localDate(w.ts));
    if (d) d.rain = (d.rain ?? 0) + w.sum;
  }
  return byDate;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function dailyRoutes(deps: { registry: Registry; store: ReadingStore; now?: (() => number) | undefined }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.get('/fields/:id/daily', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const { days } = parseOr400(DailyQuery, req.query, 'query');
    const field = fieldOr404(deps.registry, user, id);
    const lat = field.lat ?? deps.registry.farm(user, field.farmId)?.lat ?? null;
    const station = weatherStation(deps.registry, user, field.id, field.farmId);
    const to = now();
    const from = Math.floor((to + VN_OFFSET_MS) / DAY) * DAY - VN_OFFSET_MS - (days - 1) * DAY; // local midnight
    const byDate = await stationDays(deps.store, user.cooperativeId, station, from, to);
    res.json({
      fieldId: field.id, stationId: station ?? null, method: 'hargreaves (FAO-56 Eq. 52), estimate',
      days: [...byDate].map(([date, d]) => ({
        date, rainMm: d.rain === null ? null : round(d.rain),
        tminC: d.hours ? d.tmin : null, tmaxC: d.hours ? d.tmax : null, hours: d.hours,
        et0Mm: d.hours >= MIN_HOURS_FOR_ET0 && lat !== null ? round(hargreavesEt0(d.tmax, d.tmin, lat, dayOfYear(date))) : null,
      })),
    });
  });
  return router;
}
