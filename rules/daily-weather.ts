// Yesterday's weather at a farm, from its station's readings in the ReadingStore (agronomy.md §6): local-day
// aggregation (extremes, means, Rs = Σ W/m²·Δt, rain sum; < 90 % of the records = incomplete), then daily
// FAO-56 ET0. A complete day runs Penman-Monteith on the measured inputs; an incomplete day (or a station
// without humidity, wind or radiation) takes FAO-56's estimated path from the temperature extremes — Rs from
// the temperature range (Eq. 50), ea from Tmin (Eq. 48), u2 = 2 m/s — and says so in `et0Method`/`estimated`.
import type { Farm } from '../core/registry/types.js';
import type { ReadingStore, RawPoint } from '../core/store/reading-store.js';
import { STATION_METRICS, aggregateDay, inferIntervalMs, type StationReading } from '../core/agronomy/daily-aggregation.js';
import { et0Daily, type DailyEt0Input } from '../core/agronomy/et0-daily.js';
import { dayOfYear } from '../core/agronomy/units.js';
import { noWeather } from './engine.js';
import type { DailyWeatherSummary, DeviceInfo } from './evaluation.js';
import { VIETNAM_UTC_OFFSET_MIN, localMidnight } from './field-agronomy.js';

const DAY_MS = 86_400_000;
const DEFAULT_INTERVAL_MS = 10 * 60_000;
/** A station below this elevation and near the sea takes kRs 0.19 (FAO-56 Eq. 50, coastal) [judg]. */
const COASTAL_MAX_ELEVATION_M = 10;

async function stationReadings(store: ReadingStore, cooperativeId: string, deviceId: string, from: number): Promise<StationReading[]> {
  const out: StationReading[] = [];
  for (const metric of STATION_METRICS) {
    const points: RawPoint[] = await store.query({ cooperativeId, deviceId, metric, from, to: from + DAY_MS, everyMs: undefined });
    for (const p of points) out.push({ ts: p.ts, metric, value: p.value });
  }
  return out;
}

/** The weather of `date` (local) at the first of the farm's stations that measured air temperature. */
export async function dailyWeather(store: ReadingStore, farm: Farm, stations: readonly DeviceInfo[], date: string): Promise<DailyWeatherSummary> {
  const from = localMidnight(date);
  for (const station of stations) {
    const readings = await stationReadings(store, farm.cooperativeId, station.id, from);
    const temps = readings.filter((r) => r.metric === 'air_temperature').map((r) => r.ts);
    if (temps.length === 0) continue;
    const expectedIntervalMs = inferIntervalMs(temps) ?? DEFAULT_INTERVAL_MS;
    const day = aggregateDay(date, readings, { expectedIntervalMs, utcOffsetMinutes: VIETNAM_UTC_OFFSET_MIN });
    const base = {
      date, complete: day.complete, coverage: day.coverage, tmaxC: day.tmaxC ?? null, tminC: day.tminC ?? null, tmeanC: day.tmeanC ?? null,
      rhminPct: day.rhminPct ?? null, windMeanMs: day.windMeanMs ?? null, rainMm: day.rainMm ?? null, stationId: station.id,
    };
    if (day.tmaxC === undefined || day.tminC === undefined || farm.lat === null) {
      return { ...base, et0Mm: null, et0Method: 'none', estimated: [] };
    }
    const input: DailyEt0Input = {
      latitudeDeg: farm.lat, elevationM: farm.elevationM ?? undefined, dayOfYear: dayOfYear(date), tmaxC: day.tmaxC, tminC: day.tminC,
      coastal: farm.elevationM !== null && farm.elevationM <= COASTAL_MAX_ELEVATION_M,
      // Partial-day humidity, wind and radiation sums are biased: an incomplete day uses the temperature extremes only.
      ...(day.complete && { rhmaxPct: day.rhmaxPct, rhminPct: day.rhminPct, windMs: day.windMeanMs, rsMJ: day.rsMJ }),
    };
    const et0 = et0Daily(input);
    const estimated = [...et0.estimated, ...(day.complete ? [] : ['incomplete_day'])];
    return { ...base, et0Mm: et0.et0Mm, et0Method: et0.method, estimated };
  }
  return { ...noWeather(date), coverage: 0 };
}
