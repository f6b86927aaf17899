// The season's water account (issue 17; docs/water-account.md) of a field and of a farm, as JSON and as CSV:
// irrigations (count, mm, m³), pump hours, rain, ET0 and crop ET, irrigations advised vs done, per local day in
// Vietnam and in total. The range is local days (Asia/Ho_Chi_Minh): `from`/`to`, by default from the field's
// planting date when it is at most 366 days ago, else the last 120 days, to today; a farm's default starts at the
// earliest of its fields'. Rain and ET0 are the /daily endpoint's (fieldDays: the same station, the same
// FAO-56 function, the advice's own ET0 for the day it used); the sums are core/agronomy/water-account*.ts.
// Reads like every field/farm read: each role of the cooperative, a farmer only on their own farms (else 404).
import { Router, type Response } from 'express';
import { z } from 'zod';
import { localDate } from '../../core/agronomy/daily-aggregation.js';
import { farmWaterAccount } from '../../core/agronomy/water-account-farm.js';
import {
  PUMP_STATE_MAX_HOLD_MS, fieldWaterAccount, localMidnightOf, type WaterAccount, type WaterAccountDay, type WaterAccountTotals,
} from '../../core/agronomy/water-account.js';
import { addDays, daysBetween, isIsoDate } from '../../core/agronomy/units.js';
import type { AlertService } from '../../core/alerts/alert-service.js';
import { RuongError } from '../../core/errors.js';
import type { FieldRecord } from '../../core/registry/directory-writes.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams } from '../schemas.js';
import { farmOr404, fieldOr404 } from '../scope.js';
import { waterAccountCsv } from '../water-account-csv.js';
import type { AdviceReader } from './advice.js';
import { fieldDays, stationCache, type StationCache } from './field-daily.js';

const VN_OFFSET_MIN = 420; // Asia/Ho_Chi_Minh, no daylight saving
const DAY = 86_400_000;
/** Default season without a (recent) planting date, and the longest range, in days [judg]. */
export const WATER_ACCOUNT_DAYS = { fallback: 120, max: 366 } as const;
/** Alerts that advise irrigating: the soil-water rule's and the AWD rule's re-flooding. */
export const IRRIGATE_ALERT_KINDS: ReadonlySet<string> = new Set(['irrigate', 'awd_irrigate']);

const LocalDay = z.iso.date().describe('YYYY-MM-DD, a local day in Vietnam (Asia/Ho_Chi_Minh)');
export const WaterAccountQuery = z.strictObject({
  from: LocalDay.optional().describe('first day; default the planting date (≤ 366 days ago), else 120 days ago'),
  to: LocalDay.optional().describe('last day, at most today; default today'),
});
export const WaterAccountCsvQuery = WaterAccountQuery.extend({
  lang: z.enum(['en', 'vi']).default('en').describe('column names: en (snake_case) or vi (Vietnamese, with a UTF-8 BOM)'),
});

const n = z.number();
const DayOut = z.object({
  date: z.string(), irrigations: n.int(), irrigationMm: n, irrigationM3: n.nullable().describe('null: the field has no area'),
  pumpHours: n.describe('hours a pump of the field was on (pump-hours when several)'),
  rainMm: n.nullable().describe('null: no rain measurement that day'), et0Mm: n.nullable(), kc: n.nullable(),
  etcMm: n.nullable().describe('crop ET = Kc·ET0 (FAO-56 Eq. 56)'), advised: n.nullable().describe('irrigate alerts opened that day'),
});
const TotalsOut = z.object({
  days: n.int(), irrigations: n.int(), irrigationMm: n, irrigationM3: n.nullable(), pumpHours: n, pumps: n.int(), rainMm: n, rainDays: n.int(),
  et0Mm: n, et0Days: n.int(), etcMm: n, etDays: n.int(), advised: n.nullable(), done: n.int().describe('irrigation events recorded'),
});
const Range = { from: z.string(), to: z.string(), season: z.enum(['query', 'planting_date', 'last_120_days']) };
export const FieldWaterAccountOut = z.object({
  fieldId: z.string(), name: z.string(), farmId: z.string(), crop: z.string(), areaHa: n.nullable(), plantingDate: z.string().nullable(), ...Range,
  totals: TotalsOut, bySource: z.record(z.string(), z.object({ count: n.int(), mm: n })), days: z.array(DayOut),
});
export const FarmWaterAccountOut = z.object({
  farmId: z.string(), name: z.string(), ...Range, areaHa: n.describe('area of the fields the mm means weigh'),
  mm: z.string().describe('how the farm\'s mm figures are formed'), unweightedFields: z.array(z.string()),
  fields: z.array(z.object({ fieldId: z.string(), name: z.string(), crop: z.string(), areaHa: n.nullable(), totals: TotalsOut })),
  totals: TotalsOut, days: z.array(DayOut),
});

const p = { params: IdParams, tag: 'irrigation' } as const;
export const waterAccountEndpoints: readonly Endpoint[] = [
  { ...p, method: 'get', path: '/fields/:id/water-account', query: WaterAccountQuery, response: FieldWaterAccountOut, summary: 'The field\'s season water account: irrigations (count, mm, m³), pump hours, rain, ET, irrigations advised vs done, per day and in total' },
  { ...p, method: 'get', path: '/fields/:id/water-account.csv', query: WaterAccountCsvQuery, produces: 'text/csv', summary: 'The field\'s season water account as CSV: one row per day and a total row' },
  { ...p, method: 'get', path: '/farms/:id/water-account', query: WaterAccountQuery, response: FarmWaterAccountOut, summary: 'The farm\'s season water account: the sum over its fields (m³ and hours add; mm is the area-weighted mean)' },
  { ...p, method: 'get', path: '/farms/:id/water-account.csv', query: WaterAccountCsvQuery, produces: 'text/csv', summary: 'The farm\'s season water account as CSV: one row per day and a total row' },
];

interface Deps {
  registry: Registry; store: ReadingStore; advice?: AdviceReader | undefined; alerts?: AlertService | undefined; now?: (() => number) | undefined;
}
interface Season { from: string; to: string; season: 'query' | 'planting_date' | 'last_120_days' }

/** A field's own season start: its planting date when at most 366 days before `to`, else 120 days back. */
function defaultStart(planted: string | null, to: string): Pick<Season, 'from' | 'season'> {
  if (planted && isIsoDate(planted) && planted <= to && daysBetween(planted, to) < WATER_ACCOUNT_DAYS.max) return { from: planted, season: 'planting_date' };
  return { from: addDays(to, 1 - WATER_ACCOUNT_DAYS.fallback), season: 'last_120_days' };
}

function seasonOf(fields: readonly FieldRecord[], q: z.infer<typeof WaterAccountQuery>, now: number): Season {
  const today = localDate(now, VN_OFFSET_MIN);
  const to = q.to ?? today;
  if (to > today) throw new RuongError('BAD_REQUEST', `to: ${to} is after today (${today})`);
  const starts = fields.map((f) => defaultStart(f.plantingDate, to)).sort((a, b) => (a.from < b.from ? -1 : 1));
  const dflt = starts[0] ?? defaultStart(null, to);
  const s: Season = q.from ? { from: q.from, to, season: 'query' } : { ...dflt, to };
  if (s.from > to) throw new RuongError('BAD_REQUEST', `from: ${s.from} is after to (${to})`);
  if (daysBetween(s.from, to) >= WATER_ACCOUNT_DAYS.max) throw new RuongError('BAD_REQUEST', `from: at most ${WATER_ACCOUNT_DAYS.max} days from to`);
  return s;
}

async function accountOf(deps: Deps, user: User, field: FieldRecord, s: Season, now: number, cache: StationCache): Promise<WaterAccount> {
  const startMs = localMidnightOf(s.from, VN_OFFSET_MIN);
  const dayEndMs = localMidnightOf(s.to, VN_OFFSET_MIN) + DAY;
  const endMs = Math.min(now, dayEndMs);
  const [weather, pumpReadings] = await Promise.all([
    fieldDays(deps, user, field, startMs, endMs, cache),
    deps.store.query({ cooperativeId: user.cooperativeId, fieldId: field.id, metric: 'pump_on', from: startMs - PUMP_STATE_MAX_HOLD_MS, to: endMs }),
  ]);
  const irrigations = await deps.registry.irrigationsOfField(user.cooperativeId, field.id, startMs, dayEndMs, 10_000);
  // the field's newest 1,000 alerts (a season has far fewer), those advising irrigation opened in the range
  const alerts = deps.alerts ? await deps.alerts.list({ cooperativeId: user.cooperativeId, fieldId: field.id, limit: 1000 }) : undefined;
  const advisedAt = alerts?.filter((a) => IRRIGATE_ALERT_KINDS.has(a.kind) && a.openedAt >= startMs && a.openedAt < dayEndMs).map((a) => a.openedAt) ?? null;
  return fieldWaterAccount({
    field, from: s.from, to: s.to, endMs, utcOffsetMin: VN_OFFSET_MIN, weather: weather.days, irrigations, pumpReadings, advisedAt,
  });
}

const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
const dayOut = (d: WaterAccountDay) => ({
  ...d, irrigationMm: r2(d.irrigationMm)!, irrigationM3: r2(d.irrigationM3), pumpHours: r2(d.pumpHours)!, rainMm: r2(d.rainMm), et0Mm: r2(d.et0Mm),
  kc: d.kc === null ? null : Math.round(d.kc * 1000) / 1000, etcMm: r2(d.etcMm),
});
const totalsOut = (t: WaterAccountTotals) => ({
  ...t, irrigationMm: r2(t.irrigationMm)!, irrigationM3: r2(t.irrigationM3), pumpHours: r2(t.pumpHours)!, rainMm: r2(t.rainMm)!, et0Mm: r2(t.et0Mm)!, etcMm: r2(t.etcMm)!,
});

function sendCsv(res: Response, name: string, s: Season, days: readonly WaterAccountDay[], totals: WaterAccountTotals, lang: 'en' | 'vi'): void {
  res.set({
    'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="water-account_${name}_${s.from}_${s.to}.csv"`, 'Cache-Control': 'no-store',
  });
  res.send(waterAccountCsv(days, totals, lang));
}

async function farmAccount(deps: Deps, user: User, farmId: string, q: z.infer<typeof WaterAccountQuery>, now: number) {
  const farm = await farmOr404(deps.registry, user, farmId);
  const fields = (await deps.registry.fieldRecords(user)).filter((f) => f.farmId === farm.id);
  const s = seasonOf(fields, q, now);
  const cache = stationCache();
  const accounts = await Promise.all(fields.map(async (f) => ({ field: f, account: await accountOf(deps, user, f, s, now, cache) })));
  const sum = farmWaterAccount(accounts.map(({ field, account }) => ({ fieldId: field.id, areaHa: field.areaHa, account })));
  return { farm, fields, s, accounts, sum };
}

export function waterAccountRoutes(deps: Deps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  const fieldAccount = async (user: User, id: string, q: z.infer<typeof WaterAccountQuery>) => {
    const field = await fieldOr404(deps.registry, user, id);
    const t = now();
    const s = seasonOf([field], q, t);
    return { field, s, account: await accountOf(deps, user, field, s, t, stationCache()) };
  };

  router.get('/fields/:id/water-account', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(WaterAccountQuery, req.query, 'query');
    const { field, s, account } = await fieldAccount(currentUser(req), id, q);
    res.json({
      fieldId: field.id, name: field.name, farmId: field.farmId, crop: field.crop, areaHa: field.areaHa, plantingDate: field.plantingDate, ...s,
      totals: totalsOut(account.totals), bySource: Object.fromEntries(Object.entries(account.bySource).map(([k, v]) => [k, { ...v, mm: r2(v.mm)! }])),
      days: account.days.map(dayOut),
    });
  });

  router.get('/fields/:id/water-account.csv', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const { lang, ...q } = parseOr400(WaterAccountCsvQuery, req.query, 'query');
    const { field, s, account } = await fieldAccount(currentUser(req), id, q);
    sendCsv(res, field.id, s, account.days, account.totals, lang);
  });

  router.get('/farms/:id/water-account', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(WaterAccountQuery, req.query, 'query');
    const { farm, s, accounts, sum } = await farmAccount(deps, currentUser(req), id, q, now());
    res.json({
      farmId: farm.id, name: farm.name, ...s, areaHa: r2(sum.weightedAreaHa)!, unweightedFields: sum.unweightedFields,
      mm: 'irrigation, rain, ET0 and crop ET in mm are the means over the fields weighted by their area (fields without an area are left out of them); counts, m³ and pump hours are sums',
      fields: accounts.map(({ field, account }) => ({ fieldId: field.id, name: field.name, crop: field.crop, areaHa: field.areaHa, totals: totalsOut(account.totals) })),
      totals: totalsOut(sum.totals), days: sum.days.map(dayOut),
    });
  });

  router.get('/farms/:id/water-account.csv', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const { lang, ...q } = parseOr400(WaterAccountCsvQuery, req.query, 'query');
    const { farm, s, sum } = await farmAccount(deps, currentUser(req), id, q, now());
    sendCsv(res, farm.id, s, sum.days, sum.totals, lang);
  });
  return router;
}
