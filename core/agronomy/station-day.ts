// One local day of a weather station → the day's weather and its FAO-56 daily ET0 (docs/agronomy.md §1, §6,
// §7): ONE function for the rules' 05:30 run (rules/daily-weather.ts, whose ET0 the advice uses) and the
// dashboard's daily bars (GET /api/v1/fields/:id/daily), so the chart shows the ET0 the advice used.
// - A complete day (≥ 90 % of the expected records in every ET0 metric) runs Penman-Monteith (Eq. 6) on the
//   measured extremes, the mean wind and the Rs sum.
// - An incomplete day takes FAO-56's estimated path from the temperature extremes only (Rs from the
//   temperature range Eq. 50, ea from Tmin Eq. 48, u2 = 2 m/s) and is labelled `incomplete_day`: partial-day
//   humidity, wind and radiation sums are biased.
// - A day whose temperature readings miss the afternoon or the pre-dawn hours has no valid Tmax/Tmin: no
//   ET0 at all (`day_not_representative`) — never an ET0 from a few night hours.
// - Unknown elevation: Hargreaves (Eq. 52), as et0Daily decides.
import { aggregateDay, inferIntervalMs, localDate, type DailyWeather, type StationReading } from './daily-aggregation.js';
import { et0Daily, type DailyEt0Input, type Et0Method } from './et0-daily.js';
import { dayOfYear } from './units.js';

/** A station's reporting interval when it cannot be inferred from the day's timestamps. */
export const DEFAULT_STATION_INTERVAL_MS = 10 * 60_000;
/** A station at or below this elevation is taken as coastal: kRs 0.19 in Eq. 50 [judg]. */
export const COASTAL_MAX_ELEVATION_M = 10;
/** Local hours [from, to) in which the day's maximum and minimum temperatures fall (docs/agronomy.md §7) [judg]. */
export const AFTERNOON_HOURS: readonly [number, number] = [12, 18];
export const PRE_DAWN_HOURS: readonly [number, number] = [0, 8];

export interface StationSite {
  readonly latitudeDeg: number | null;
  readonly elevationM: number | null;
}

export interface StationDayEt0 {
  readonly day: DailyWeather;
  readonly et0Mm: number | null;
  /** penman-monteith | penman-monteith-estimated | hargreaves | none */
  readonly et0Method: Et0Method | 'none';
  /** Estimated inputs (rs_from_temperature_range, ea_from_tmin, u2_default) and day labels (incomplete_day,
   * day_not_representative, no_latitude). */
  readonly estimated: readonly string[];
}

/** True when the air temperature was read both in the afternoon and before dawn (valid Tmax and Tmin). */
export function representativeTemperatureDay(readings: readonly StationReading[], utcOffsetMinutes: number): boolean {
  const hours = readings
    .filter((r) => r.metric === 'air_temperature' && Number.isFinite(r.value))
    .map((r) => new Date(r.ts + utcOffsetMinutes * 60_000).getUTCHours());
  const within = ([from, to]: readonly [number, number]) => hours.some((h) => h >= from && h < to);
  return within(AFTERNOON_HOURS) && within(PRE_DAWN_HOURS);
}

/**
 * The weather and daily ET0 of `date` (local) from one station's readings of that day; undefined when the
 * station read no air temperature that day.
 */
export function stationDayEt0(
  site: StationSite, date: string, readings: readonly StationReading[], utcOffsetMinutes = 420,
): StationDayEt0 | undefined {
  const own = readings.filter((r) => localDate(r.ts, utcOffsetMinutes) === date);
  const temps = own.filter((r) => r.metric === 'air_temperature').map((r) => r.ts);
  if (temps.length === 0) return undefined;
  const expectedIntervalMs = inferIntervalMs(temps) ?? DEFAULT_STATION_INTERVAL_MS;
  const day = aggregateDay(date, own, { expectedIntervalMs, utcOffsetMinutes });
  const none = (label: string): StationDayEt0 => ({ day, et0Mm: null, et0Method: 'none', estimated: [label] });
  if (day.tmaxC === undefined || day.tminC === undefined) return none('day_not_representative');
  if (site.latitudeDeg === null) return none('no_latitude');
  if (!day.complete && !representativeTemperatureDay(own, utcOffsetMinutes)) return none('day_not_representative');
  const input: DailyEt0Input = {
    latitudeDeg: site.latitudeDeg, elevationM: site.elevationM ?? undefined, dayOfYear: dayOfYear(date),
    tmaxC: day.tmaxC, tminC: day.tminC,
    coastal: site.elevationM !== null && site.elevationM <= COASTAL_MAX_ELEVATION_M,
    // Partial-day humidity, wind and radiation sums are biased: an incomplete day uses the temperature extremes only.
    ...(day.complete && { rhmaxPct: day.rhmaxPct, rhminPct: day.rhminPct, windMs: day.windMeanMs, rsMJ: day.rsMJ }),
  };
  const et0 = et0Daily(input);
  return { day, et0Mm: et0.et0Mm, et0Method: et0.method, estimated: [...et0.estimated, ...(day.complete ? [] : ['incomplete_day'])] };
}
