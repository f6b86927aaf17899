// The season's water account of one field (issue 17; definitions in docs/water-account.md): per local day in
// Vietnam (UTC+7) and in total — irrigations recorded (count, mm, m³), pump hours from the `pump_on` state
// readings, rain and crop ET from the same daily weather the /daily endpoint and the water balance use, and the
// irrigations advised (irrigate alerts opened) against those done (irrigation events recorded). Pure: the caller
// reads the registry and the reading store; this module only adds up. The farm's sum: water-account-farm.ts.
import { kcOnDay } from './crops.js';
import { cropSpecOf } from './field-soil-water.js';
import { localDate } from './daily-aggregation.js';
import { addDays, daysBetween, isIsoDate, parseIsoDate } from './units.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * A pump's state counts until its next reading, at most this long: the longest run a controller accepts on one
 * command (240 min, docs/architecture.md "Pumps and valves"). A controller gone silent while on is not counted as
 * running beyond that.
 */
export const PUMP_STATE_MAX_HOLD_MS = 240 * 60_000;

/** A day of weather as the /daily endpoint computes it (core/agronomy/station-day.ts): null = no data. */
export interface AccountWeatherDay {
  readonly date: string;
  readonly rainMm: number | null;
  readonly et0Mm: number | null;
}

export interface AccountIrrigation {
  readonly startAt: number;
  readonly depthMm: number;
  /** As recorded (mm × area × 10 at the time, or what a flow meter gave); null when the field had no area. */
  readonly volumeM3: number | null;
  readonly source: string;
}

/** A `pump_on` reading (0 = off, 1 = on) of one pump controller. */
export interface PumpStateReading {
  readonly deviceId: string;
  readonly ts: number;
  readonly value: number;
}

export interface AccountField {
  readonly crop: string;
  readonly plantingDate: string | null;
  readonly areaHa: number | null;
}

export interface WaterAccountInput {
  readonly field: AccountField;
  /** First and last local day of the account, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  readonly to: string;
  /** Epoch ms where the account stops (now, or the end of `to`): a pump's state is not carried past it. */
  readonly endMs: number;
  readonly utcOffsetMin: number;
  readonly weather: readonly AccountWeatherDay[];
  readonly irrigations: readonly AccountIrrigation[];
  /** From PUMP_STATE_MAX_HOLD_MS before the first day (the state the first day starts in) to `endMs`. */
  readonly pumpReadings: readonly PumpStateReading[];
  /** When each irrigate alert of the field was opened; null when alerts are unknown here. */
  readonly advisedAt: readonly number[] | null;
}

export interface WaterAccountDay {
  readonly date: string;
  readonly irrigations: number;
  readonly irrigationMm: number;
  readonly irrigationM3: number | null;
  readonly pumpHours: number;
  readonly rainMm: number | null;
  readonly et0Mm: number | null;
  readonly kc: number | null;
  readonly etcMm: number | null;
  readonly advised: number | null;
}

export interface WaterAccountTotals {
  readonly days: number;
  readonly irrigations: number;
  readonly irrigationMm: number;
  readonly irrigationM3: number | null;
  readonly pumpHours: number;
  /** Pump controllers that reported a state in the range. */
  readonly pumps: number;
  readonly rainMm: number;
  /** Days with a rain measurement (the others count as unknown, not as dry). */
  readonly rainDays: number;
  readonly et0Mm: number;
  /** Days with an ET0. */
  readonly et0Days: number;
  readonly etcMm: number;
  /** Days with a crop ET (an ET0 and a known Kc). */
  readonly etDays: number;
  readonly advised: number | null;
  readonly done: number;
}

export interface WaterAccount {
  readonly days: readonly WaterAccountDay[];
  readonly totals: WaterAccountTotals;
  readonly bySource: Readonly<Record<string, { readonly count: number; readonly mm: number }>>;
}

/** Local midnight (epoch ms) of a `YYYY-MM-DD` date at a fixed UTC offset. */
export function localMidnightOf(date: string, utcOffsetMin: number): number {
  return parseIsoDate(date) - utcOffsetMin * 60_000;
}

/** The local dates from `from` to `to` inclusive. */
export function datesOf(from: string, to: string): string[] {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new RangeError(`not YYYY-MM-DD dates: ${from}, ${to}`);
  const n = daysBetween(from, to);
  return Array.from({ length: Math.max(0, n + 1) }, (_, i) => addDays(from, i));
}

/**
 * Hours each local day that some pump was on, summed over pumps (two pumps on for an hour = 2 h): each reading's
 * state holds until the device's next reading, at most `maxHoldMs`, and never past `endMs`.
 */
export function pumpHoursByDay(
  readings: readonly PumpStateReading[], startMs: number, endMs: number, utcOffsetMin: number, maxHoldMs = PUMP_STATE_MAX_HOLD_MS,
): Map<string, number> {
  const byDevice = new Map<string, PumpStateReading[]>();
  for (const r of readings) {
    const list = byDevice.get(r.deviceId);
    if (list) list.push(r); else byDevice.set(r.deviceId, [r]);
  }
  const hours = new Map<string, number>();
  const off = utcOffsetMin * 60_000;
  for (const list of byDevice.values()) {
    list.sort((a, b) => a.ts - b.ts); // a copy: the caller's readings are left as given
    list.forEach((r, i) => {
      if (!(r.value >= 0.5)) return; // off (0) adds nothing
      const next = list[i + 1]?.ts ?? Infinity;
      let a = Math.max(r.ts, startMs);
      const b = Math.min(next, r.ts + maxHoldMs, endMs);
      while (a < b) { // split at local midnights
        const dayEnd = Math.floor((a + off) / DAY_MS) * DAY_MS - off + DAY_MS;
        const cut = Math.min(b, dayEnd);
        const date = localDate(a, utcOffsetMin);
        hours.set(date, (hours.get(date) ?? 0) + (cut - a) / HOUR_MS);
        a = cut;
      }
    });
  }
  return hours;
}

/** Kc of the field's crop on a date (FAO-56 Eq. 66 via kcOnDay, as the water balance uses it); null when unknown. */
export function kcOn(field: AccountField, date: string): number | null {
  const spec = cropSpecOf(field.crop);
  if (!spec?.kc) return null;
  if (!spec.stageDays) return kcOnDay(spec, 0).kc; // a perennial: one Kc whatever the planting date
  if (!field.plantingDate || !isIsoDate(field.plantingDate)) return null;
  const days = daysBetween(field.plantingDate, date);
  return days < 0 ? null : kcOnDay(spec, days).kc;
}

const volumeOf = (e: AccountIrrigation, areaHa: number | null): number | null =>
  e.volumeM3 ?? (areaHa !== null && areaHa > 0 ? e.depthMm * areaHa * 10 : null); // 1 mm over 1 ha = 10 m³

const addNullable = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/** The account of one field over [from, to] (local days). */
export function fieldWaterAccount(input: WaterAccountInput): WaterAccount {
  const { field, utcOffsetMin: off } = input;
  const dates = datesOf(input.from, input.to);
  const startMs = localMidnightOf(input.from, off);
  const weather = new Map(input.weather.map((d) => [d.date, d]));
  const pump = pumpHoursByDay(input.pumpReadings, startMs, input.endMs, off);
  const irrigated = new Map<string, AccountIrrigation[]>();
  for (const e of input.irrigations) {
    const date = localDate(e.startAt, off);
    const list = irrigated.get(date);
    if (list) list.push(e); else irrigated.set(date, [e]);
  }
  const advised = new Map<string, number>();
  for (const at of input.advisedAt ?? []) advised.set(localDate(at, off), (advised.get(localDate(at, off)) ?? 0) + 1);

  const days = dates.map((date): WaterAccountDay => {
    const events = irrigated.get(date) ?? [];
    const w = weather.get(date);
    const kc = kcOn(field, date);
    const et0Mm = w?.et0Mm ?? null;
    return {
      date, irrigations: events.length, irrigationMm: events.reduce((s, e) => s + e.depthMm, 0),
      irrigationM3: events.reduce<number | null>((s, e) => addNullable(s, volumeOf(e, field.areaHa)), 0),
      pumpHours: pump.get(date) ?? 0, rainMm: w?.rainMm ?? null, et0Mm, kc,
      etcMm: kc !== null && et0Mm !== null ? kc * et0Mm : null, // ETc = Kc·ET0, FAO-56 Eq. 56
      advised: input.advisedAt === null ? null : advised.get(date) ?? 0,
    };
  });
  const bySource: Record<string, { count: number; mm: number }> = {};
  for (const d of dates) {
    for (const e of irrigated.get(d) ?? []) {
      const s = bySource[e.source] ?? { count: 0, mm: 0 };
      bySource[e.source] = { count: s.count + 1, mm: s.mm + e.depthMm };
    }
  }
  const pumps = new Set(input.pumpReadings.filter((r) => r.ts < input.endMs).map((r) => r.deviceId)).size;
  return { days, totals: totalsOf(days, pumps), bySource };
}

/** Sums of the days: m³ and hours add; mm add over the days of one field. */
export function totalsOf(days: readonly WaterAccountDay[], pumps: number): WaterAccountTotals {
  const sum = (f: (d: WaterAccountDay) => number | null) => days.reduce((s, d) => s + (f(d) ?? 0), 0);
  const known = (f: (d: WaterAccountDay) => number | null) => days.filter((d) => f(d) !== null).length;
  const irrigations = sum((d) => d.irrigations);
  return {
    days: days.length, irrigations, irrigationMm: sum((d) => d.irrigationMm),
    irrigationM3: days.some((d) => d.irrigationM3 === null) ? null : sum((d) => d.irrigationM3),
    pumpHours: sum((d) => d.pumpHours), pumps,
    rainMm: sum((d) => d.rainMm), rainDays: known((d) => d.rainMm),
    et0Mm: sum((d) => d.et0Mm), et0Days: known((d) => d.et0Mm), etcMm: sum((d) => d.etcMm), etDays: known((d) => d.etcMm),
    advised: days.some((d) => d.advised === null) ? null : sum((d) => d.advised), done: irrigations,
  };
}
