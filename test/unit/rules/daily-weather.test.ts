// Yesterday's ET0 from the farm station's readings in the (SQLite) ReadingStore: a complete local day runs
// Penman-Monteith on measured inputs; an incomplete one takes FAO-56's estimated path and says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Farm } from '../../../core/registry/types.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createSqliteStore } from '../../../core/store/sqlite-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { aggregateDay } from '../../../core/agronomy/daily-aggregation.js';
import { et0Daily } from '../../../core/agronomy/et0-daily.js';
import { dailyWeather } from '../../../rules/daily-weather.js';
import { deviceInfo } from './helpers.js';

const farm: Farm = { id: 'farm', cooperativeId: 'coop', name: 'Farm', province: null, lat: 12.82, lon: 108.08, elevationM: 520 };
const station = deviceInfo({ id: 'wx', kind: 'weather_station', farmId: 'farm' });
const DATE = '2026-03-01';
const START = Date.parse(`${DATE}T00:00:00+07:00`);

function day(deviceId: string, keep: (i: number) => boolean): StoredReading[] {
  const out: StoredReading[] = [];
  for (let i = 0; i < 144; i++) {
    if (!keep(i)) continue;
    const ts = START + i * 600_000;
    const h = i / 6;
    const sun = Math.max(0, Math.sin((Math.PI * (h - 6)) / 12));
    const values: Record<string, number> = {
      air_temperature: 24 + 8 * Math.sin((Math.PI * (h - 9)) / 12), air_humidity: 70 - 20 * Math.sin((Math.PI * (h - 9)) / 12),
      wind_speed: 2.2, solar_radiation: 850 * sun, rain: i === 100 ? 3.2 : 0,
    };
    for (const [metric, value] of Object.entries(values)) out.push({ deviceId, metric, ts, value, fieldId: 'f', farmId: 'farm', cooperativeId: 'coop' });
  }
  return out;
}

describe('daily weather and ET0 from the station', () => {
  let dir: string;
  let store: ReadingStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-daily-'));
    store = createSqliteStore({ path: join(dir, 'r.db') });
    await store.setup();
    await store.write([...day('wx', () => true), ...day('wx-half', (i) => i % 2 === 0 && i < 100)]);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a complete day: Penman-Monteith on the measured extremes, mean wind and Rs sum', async () => {
    const w = await dailyWeather(store, farm, [station], DATE);
    expect(w).toMatchObject({ date: DATE, complete: true, et0Method: 'penman-monteith', estimated: [], stationId: 'wx', rainMm: 3.2 });
    expect(w.tmaxC).toBeCloseTo(32, 1);
    expect(w.tminC).toBeCloseTo(16, 1);
    const agg = aggregateDay(DATE, day('wx', () => true).map((r) => ({ ts: r.ts, metric: r.metric as 'rain', value: r.value })), { expectedIntervalMs: 600_000 });
    const expected = et0Daily({ latitudeDeg: 12.82, elevationM: 520, dayOfYear: 60, tmaxC: agg.tmaxC!, tminC: agg.tminC!, rhmaxPct: agg.rhmaxPct, rhminPct: agg.rhminPct, windMs: agg.windMeanMs, rsMJ: agg.rsMJ });
    expect(w.et0Mm).toBeCloseTo(expected.et0Mm, 9);
    expect(w.et0Mm!).toBeGreaterThan(3);
    expect(w.et0Mm!).toBeLessThan(7);
  });

  it('an incomplete day takes the estimated path from the temperature extremes and is labelled', async () => {
    const w = await dailyWeather(store, farm, [{ ...station, id: 'wx-half' }], DATE);
    expect(w.complete).toBe(false);
    expect(w.et0Method).toBe('penman-monteith-estimated');
    expect(w.estimated).toEqual(['rs_from_temperature_range', 'ea_from_tmin', 'u2_default', 'incomplete_day']);
  });

  it('no station data: no ET0, method none', async () => {
    const w = await dailyWeather(store, farm, [{ ...station, id: 'wx-none' }], DATE);
    expect(w).toMatchObject({ et0Mm: null, et0Method: 'none', stationId: null });
  });
});
