// Daily weather of a field for the ET0 and rain bars, per local day in Vietnam (UTC+7, no daylight saving):
// rain sums and the daily ET0 as the advice computes it — core/agronomy/station-day.ts, the function of the
// rules' 05:30 run (rules/daily-weather.ts): FAO-56 Penman-Monteith on a complete station day, FAO-56's
// estimated path from the temperature extremes (labelled `estimate`, with its method and estimated inputs) on
// an incomplete one, nothing when the temperatures miss the afternoon or the pre-dawn hours or the day is still
// running. The day whose ET0 today's advice used shows that value. Readings come from a weather station on the
// field, else one on the same farm; latitude and elevation are the farm's (the field's latitude without one).
// Each day also carries the irrigation recorded on the field (issue 17: the sum of the events' depths by local start
// day, core/registry/irrigation-events.ts), drawn as bars beside the rain.
import { Router } from 'express';
import { z } from 'zod';
import { STATION_METRICS, localDate, type StationReading } from '../../core/agronomy/daily-aggregation.js';
import { stationDayEt0 } from '../../core/agronomy/station-day.js';
import type { Registry } from '../../core/registry/registry.js';
import type { FieldRecord } from '../../core/registry/directory-writes.js';
import type { User } from '../../core/registry/types.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams } from '../schemas.js';
import { fieldOr404 } from '../scope.js';
import type { AdviceReader } from './advice.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN_OFFSET_MIN = 420; // Asia/Ho_Chi_Minh
const VN_OFFSET_MS = VN_OFFSET_MIN * 60_000;

export const DailyQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(92).default(14) });
export const DailyOut = z.object({
  fieldId: z.string(), stationId: z.string().nullable(), method: z.string(),
  days: z.array(z.object({
    date: z.string(), rainMm: z.number().nullable(),
    irrigationMm: z.number().describe('irrigation recorded on the field that day (events by local start day), mm applied'),
    tminC: z.number().nullable(), tmaxC: z.number().nullable(),
    hours: z.number().describe('hours with a temperature reading'),
    coverage: z.number().describe('the lowest share of expected records among the ET0 metrics (≥ 0.9 = complete)'),
    et0Mm: z.number().nullable(),
    et0Method: z.string().describe('penman-monteith | penman-monteith-estimated | hargreaves | none'),
    estimate: z.boolean().describe('true unless Penman-Monteith ran on a complete day of measured inputs'),
    estimated: z.array(z.string()).describe('estimated inputs and day labels: rs_from_temperature_range, ea_from_tmin, u2_default, incomplete_day, day_not_representative, day_in_progress'),
    usedByAdvice: z.boolean().describe('the ET0 of this day is the one today\'s advice used'),
  })),
});

export const dailyEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/fields/:id/daily', tag: 'readings', summary: 'Daily rain, recorded irrigation and the advice\'s ET0 (FAO-56 Penman-Monteith, estimates labelled) per local day, for the bars of the field chart', params: IdParams, query: DailyQuery, response: DailyOut },
];

async function weatherStation(registry: Registry, user: User, fieldId: string, farmId: string): Promise<string | undefined> {
  const own = (await registry.devicesOfField(fieldId)).find((d) => d.kind === 'weather_station' && d.revokedAt === null);
  if (own) return own.id;
  for (const f of (await registry.fieldRecords(user)).filter((x) => x.farmId === farmId)) {
    const d = (await registry.devicesOfField(f.id)).find((x) => x.kind === 'weather_station' && x.revokedAt === null);
    if (d) return d.id;
  }
  return undefined;
}

/** The station's raw readings of the range, grouped by local date. */
async function stationReadings(store: ReadingStore, cooperativeId: string, station: string, from: number, to: number): Promise<Map<string, StationReading[]>> {
  const byDate = new Map<string, StationReading[]>();
  const dates = new Map<number, string>(); // local day number → date: one date string per day, not per reading
  const dateOf = (ts: number) => {
    const day = Math.floor((ts + VN_OFFSET_MS) / DAY);
    let date = dates.get(day);
    if (date === undefined) dates.set(day, date = localDate(ts, VN_OFFSET_MIN));
    return date;
  };
  const perMetric = await Promise.all(STATION_METRICS.map((metric) => store.query({ cooperativeId, deviceId: station, metric, from, to, everyMs: undefined })));
  STATION_METRICS.forEach((metric, k) => {
    for (const p of perMetric[k] ?? []) {
      const date = dateOf(p.ts);
      const list = byDate.get(date);
      if (list) list.push({ ts: p.ts, metric, value: p.value }); else byDate.set(date, [{ ts: p.ts, metric, value: p.value }]);
    }
  });
  return byDate;
}

const round = (x: number) => Math.round(x * 100) / 100;

export interface DayOut {
  date: string; rainMm: number | null; irrigationMm: number; tminC: number | null; tmaxC: number | null; hours: number; coverage: number;
  et0Mm: number | null; et0Method: string; estimate: boolean; estimated: string[]; usedByAdvice: boolean;
}

function dayOut(date: string, readings: readonly StationReading[], site: { latitudeDeg: number | null; elevationM: number | null }, today: string): DayOut {
  const r = stationDayEt0(site, date, readings, VN_OFFSET_MIN);
  const rain = readings.filter((x) => x.metric === 'rain');
  const hours = new Set(readings.filter((x) => x.metric === 'air_temperature').map((x) => Math.floor(x.ts / HOUR))).size;
  const base = {
    date, rainMm: rain.length ? round(rain.reduce((s, x) => s + Math.max(0, x.value), 0)) : null, irrigationMm: 0,
    tminC: r?.day.tminC ?? null, tmaxC: r?.day.tmaxC ?? null, hours, coverage: round(r?.day.coverage ?? 0), usedByAdvice: false,
  };
  if (!r) return { ...base, et0Mm: null, et0Method: 'none', estimate: false, estimated: [] };
  if (date === today) return { ...base, et0Mm: null, et0Method: 'none', estimate: false, estimated: ['day_in_progress'] };
  const measured = r.et0Method === 'penman-monteith';
  return { ...base, et0Mm: r.et0Mm === null ? null : round(r.et0Mm), et0Method: r.et0Method, estimate: r.et0Mm !== null && !measured, estimated: [...r.estimated] };
}

/** A station's readings by local date and its computed days, shared by the fields of one request (a farm's fields share its station). */
export interface StationCache {
  readonly readings: Map<string, Promise<Map<string, StationReading[]>>>;
  readonly days: Map<string, DayOut>;
}
export const stationCache = (): StationCache => ({ readings: new Map(), days: new Map() });

/**
 * The /daily rows of a field for the local days from `from` (a local midnight) to `to` (epoch ms, exclusive): the
 * day's rain, recorded irrigation and the advice's ET0. Also what the season's water account reads its rain and
 * ET0 from (api/routes/water-account.ts), so both show the same numbers.
 */
export async function fieldDays(
  deps: { registry: Registry; store: ReadingStore; advice?: AdviceReader | undefined }, user: User, field: FieldRecord, from: number, to: number,
  cache: StationCache = stationCache(),
): Promise<{ station: string | undefined; days: DayOut[] }> {
  const farm = await deps.registry.farm(user, field.farmId);
  const site = { latitudeDeg: farm?.lat ?? field.lat ?? null, elevationM: farm?.elevationM ?? null };
  const station = await weatherStation(deps.registry, user, field.id, field.farmId);
  const today = localDate(to, VN_OFFSET_MIN);
  const key = `${station}:${from}:${to}`;
  if (station && !cache.readings.has(key)) cache.readings.set(key, stationReadings(deps.store, user.cooperativeId, station, from, to));
  const byDate = station ? await cache.readings.get(key)! : new Map<string, StationReading[]>();
  const used = (deps.advice ? await deps.advice.advice(user.cooperativeId, field.id) : undefined)?.et0 ?? null;
  const irrigated = new Map<string, number>();
  for (const e of await deps.registry.irrigationsOfField(user.cooperativeId, field.id, from, to + DAY)) {
    const date = localDate(e.startAt, VN_OFFSET_MIN);
    irrigated.set(date, (irrigated.get(date) ?? 0) + e.depthMm);
  }
  const out: DayOut[] = [];
  for (let t = from; t < to; t += DAY) {
    const date = localDate(t, VN_OFFSET_MIN);
    const dayKey = `${key}:${site.latitudeDeg}:${site.elevationM}:${date}`;
    const weather = cache.days.get(dayKey) ?? dayOut(date, byDate.get(date) ?? [], site, today);
    cache.days.set(dayKey, weather);
    const d = { ...weather, irrigationMm: round(irrigated.get(date) ?? 0) };
    // The advice's own figure for the day it used (a reading that came in after 05:30 may have moved the recomputed one).
    out.push(used?.date === date
      ? { ...d, et0Mm: round(used.mm), et0Method: used.method, estimate: used.method !== 'penman-monteith', estimated: [...used.estimated], usedByAdvice: true }
      : d);
  }
  return { station, days: out };
}

export function dailyRoutes(deps: { registry: Registry; store: ReadingStore; advice?: AdviceReader | undefined; now?: (() => number) | undefined }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.get('/fields/:id/daily', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const { days } = parseOr400(DailyQuery, req.query, 'query');
    const field = await fieldOr404(deps.registry, user, id);
    const to = now();
    const from = Math.floor((to + VN_OFFSET_MS) / DAY) * DAY - VN_OFFSET_MS - (days - 1) * DAY; // local midnight
    const { station, days: out } = await fieldDays(deps, user, field, from, to);
    res.json({
      fieldId: field.id, stationId: station ?? null,
      method: 'FAO-56 daily ET0 as the advice computes it (core/agronomy/station-day.ts): Penman-Monteith (Eq. 6) on a complete station day; estimates labelled',
      days: out,
    });
  });
  return router;
}
