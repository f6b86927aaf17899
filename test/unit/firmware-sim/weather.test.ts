// The simulated weather: diurnal shape, radiation, pressure, seasons and determinism.
import { describe, expect, it } from 'vitest';
import { atmosphericPressureKPa as atmosphericPressure } from '../../../core/agronomy/fao56-meteo.js';
import { createWeather, localHour } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, STEP, highlands, local, mean, mekong } from './helpers.js';

describe('simulated weather', () => {
  it('reaches its daily maximum in the afternoon and its minimum around sunrise', () => {
    const w = createWeather({ ...mekong, rainFactor: 0 });
    const maxHours: number[] = [];
    const minHours: number[] = [];
    for (let day = 0; day < 30; day++) {
      const start = local(2025, 3, 1) + day * DAY;
      let max = { t: -Infinity, h: 0 };
      let min = { t: Infinity, h: 0 };
      for (let ms = start; ms < start + DAY; ms += STEP) {
        const t = w.at(ms).airTemperature;
        const h = localHour(ms, 7);
        if (t > max.t) max = { t, h };
        if (t < min.t) min = { t, h };
      }
      maxHours.push(max.h);
      minHours.push(min.h);
    }
    expect(mean(maxHours)).toBeGreaterThanOrEqual(13);
    expect(mean(maxHours)).toBeLessThanOrEqual(15);
    expect(mean(minHours)).toBeGreaterThanOrEqual(5);
    expect(mean(minHours)).toBeLessThanOrEqual(7);
  });

  it('is more humid at dawn than in the afternoon', () => {
    const w = createWeather({ ...mekong, rainFactor: 0 });
    const dawn = mean(Array.from({ length: 20 }, (_, d) => w.at(local(2025, 2, 1, 6) + d * DAY).airHumidity));
    const afternoon = mean(Array.from({ length: 20 }, (_, d) => w.at(local(2025, 2, 1, 14) + d * DAY).airHumidity));
    expect(dawn).toBeGreaterThan(afternoon + 15);
  });

  it('has no sun at night, a clear-sky bound by day and a midday peak', () => {
    const w = createWeather({ ...mekong, rainFactor: 0 });
    expect(w.at(local(2025, 3, 10, 2)).solarRadiation).toBe(0);
    expect(w.at(local(2025, 3, 10, 22)).solarRadiation).toBe(0);
    for (let ms = local(2025, 3, 10); ms < local(2025, 3, 11); ms += STEP) {
      const now = w.at(ms);
      expect(now.solarRadiation).toBeLessThanOrEqual(now.clearSkyRadiation + 1e-9);
      expect(now.clearSkyRadiation).toBeLessThan(1100); // 0.75 × solar constant × dr
    }
    expect(w.at(local(2025, 3, 10, 12)).clearSkyRadiation).toBeGreaterThan(w.at(local(2025, 3, 10, 9)).clearSkyRadiation);
  });

  it('gives a daily ET0 of a few mm in the Mekong dry season', () => {
    const w = createWeather({ ...mekong, rainFactor: 0 });
    let et0 = 0;
    for (let ms = local(2025, 3, 10); ms < local(2025, 3, 11); ms += STEP) et0 += w.et0(ms) / 6;
    expect(et0).toBeGreaterThan(3.5);
    expect(et0).toBeLessThan(7.5);
  });

  it('puts the pressure near FAO-56 Eq. 7 for the elevation', () => {
    const w = createWeather(highlands);
    for (let d = 0; d < 365; d += 7) {
      expect(Math.abs(w.at(local(2025, 1, 1, 9) + d * DAY).airPressure - atmosphericPressure(520))).toBeLessThan(1);
    }
  });

  it('rains in the southern rainy season (May–Oct), hardly in Jan–Mar', () => {
    const w = createWeather(mekong);
    const wet = w.rainBetween(local(2025, 5, 1), local(2025, 11, 1));
    const dry = w.rainBetween(local(2025, 1, 1), local(2025, 4, 1));
    expect(wet).toBeGreaterThan(800);
    expect(dry).toBeLessThan(wet / 8);
    expect(createWeather({ ...mekong, rainFactor: 0 }).rainBetween(local(2025, 1, 1), local(2026, 1, 1))).toBe(0);
  });

  it('adds up rain the same however the interval is cut', () => {
    const w = createWeather(mekong);
    const from = local(2025, 8, 1);
    let pieces = 0;
    for (let ms = from; ms < from + 10 * DAY; ms += STEP) pieces += w.rainBetween(ms, ms + STEP);
    expect(pieces).toBeCloseTo(w.rainBetween(from, from + 10 * DAY), 6);
  });

  it('is deterministic: the same seed gives the same weather, in any evaluation order', () => {
    const times = Array.from({ length: 200 }, (_, i) => local(2025, 6, 1) + i * 7 * HOUR);
    const a = createWeather({ ...mekong, seed: 42 });
    const b = createWeather({ ...mekong, seed: 42 });
    const forward = times.map((ms) => a.at(ms));
    const backward = [...times].reverse().map((ms) => b.at(ms)).reverse();
    expect(backward).toEqual(forward);
    const other = createWeather({ ...mekong, seed: 43 });
    expect(times.map((ms) => other.at(ms))).not.toEqual(forward);
  });
});
