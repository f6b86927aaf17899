// Yesterday's weather at a farm, from its station's readings in the ReadingStore (docs/agronomy.md §6): local-day
// aggregation (extremes, means, Rs = Σ W/m²·Δt, rain sum; < 90 % of the records = incomplete), then daily
// FAO-56 ET0. A complete day runs Penman-Monteith on the measured inputs; an incomplete day (or a station
// without humidity, wind or radiation) takes FAO-56's estimated path from the temperature extremes — Rs from
// the temperature range (Eq. 50), ea from Tmin (Eq. 48), u2 = 2 m/s — and says so in `et0Method`/`estimated`.
import type { Farm } from '../core/registry/types.js';
import type { ReadingStore, RawPoint } from '../core/store/reading-store.js';
import { STATION_METRICS, type StationReading } from '../core/agronomy/daily-aggregation.js';
import { stationDayEt0 } from '../core/agronomy/station-day.js';
import { noWeather } from './engine.js';
import type { DailyWeatherSummary, DeviceInfo } from './evaluation.js';
import { VIETNAM_UTC_OFFSET_MIN, localMidnight } from './field-agronomy.js';

const DAY_MS = 86_400_000;

async function stationReadings(store: ReadingStore, cooperativeId: string, deviceId: string, from: number): Promise<StationReading[]> {
  const out: StationReading[] = [];
  for (const metric of STATION_METRICS) {
    const points: RawPoint[] = await store.query({ cooperativeId, deviceId, metric, from, to: from + DAY_MS, everyMs: undefined });
    for (const p of points) out.push({ ts: p.ts, metric, value: p.value });
  }
  return out;
}

/**
 * The weather of `date` (local) at the first of the farm's stations that measured air temperature; the day's
 * ET0 by core/agronomy/station-day.ts, the function GET /fields/:id/daily shows it with.
 */
export async function dailyWeather(store: ReadingStore, farm: Farm, stations: readonly DeviceInfo[], date: string): Promise<DailyWeatherSummary> {
  const from = localMidnight(date);
  for (const station of stations) {
    const readings = await stationReadings(store, farm.cooperativeId, station.id, from);
    const r = stationDayEt0({ latitudeDeg: farm.lat, elevationM: farm.elevationM }, date, readings, VIETNAM_UTC_OFFSET_MIN);
    if (!r) continue;
    const { day } = r;
    return {
      date, complete: day.complete, coverage: day.coverage, tmaxC: day.tmaxC ?? null, tminC: day.tminC ?? null, tmeanC: day.tmeanC ?? null,
      rhminPct: day.rhminPct ?? null, windMeanMs: day.windMeanMs ?? null, rainMm: day.rainMm ?? null, stationId: station.id,
      et0Mm: r.et0Mm, et0Method: r.et0Method, estimated: r.estimated,
    };
  }
  return { ...noWeather(date), coverage: 0 };
}
