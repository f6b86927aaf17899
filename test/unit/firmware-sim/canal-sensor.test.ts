// The canal sensor: a semi-diurnal tide (M2, 12.42 h) and dry-season salinity intrusion.
import { describe, expect, it } from 'vitest';
import { createCanalSensor } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, STEP, local, mean, mekong } from './helpers.js';

describe('canal sensor', () => {
  it('has a tide with a period of about 12.4 h', () => {
    const canal = createCanalSensor({ weather: createWeather({ ...mekong, rainFactor: 0 }), seed: 21 });
    const start = local(2025, 2, 1);
    const level: { ms: number; v: number }[] = [];
    for (let ms = start; ms < start + 30 * DAY; ms += STEP) level.push({ ms, v: canal.sample(ms).water_level ?? NaN });
    // High waters: the maximum within ±3 h (robust to the sensor's noise).
    const window = (3 * HOUR) / STEP;
    const isHigh = (p: { v: number }, i: number): boolean =>
      level.slice(i - window, i).every((q) => q.v < p.v) && level.slice(i + 1, i + window + 1).every((q) => q.v <= p.v); // first of equal tops
    const highs = level.filter((p, i) => i >= window && i < level.length - window && isHigh(p, i));
    const intervals = highs.slice(1).map((p, i) => (p.ms - (highs[i]?.ms ?? 0)) / HOUR);
    expect(highs.length).toBeGreaterThan(50); // two high waters a day
    expect(mean(intervals)).toBeGreaterThan(12.2);
    expect(mean(intervals)).toBeLessThan(12.65);
  });

  it('is saltier in March (dry season) than in September (rainy season)', () => {
    const canal = createCanalSensor({ weather: createWeather(mekong), seed: 22 });
    const ecOver = (from: number): number[] => Array.from({ length: 30 * 24 }, (_, i) => canal.sample(from + i * HOUR).water_ec ?? NaN);
    const march = ecOver(local(2025, 3, 1));
    const september = ecOver(local(2025, 9, 1));
    expect(mean(march)).toBeGreaterThan(2);
    expect(mean(september)).toBeLessThan(0.7);
    expect(mean(march)).toBeGreaterThan(4 * mean(september));
  });

  it('is saltier just after high water than at low water (flood tide brings the salt in)', () => {
    const canal = createCanalSensor({ weather: createWeather(mekong), seed: 23 });
    const samples = Array.from({ length: 7 * 24 * 6 }, (_, i) => {
      const ms = local(2025, 3, 10) + i * STEP;
      return { tide: canal.tide(ms - HOUR), ec: canal.sample(ms).water_ec ?? NaN };
    });
    const high = samples.filter((s) => s.tide > 40).map((s) => s.ec);
    const low = samples.filter((s) => s.tide < -40).map((s) => s.ec);
    expect(mean(high)).toBeGreaterThan(mean(low) * 1.5);
  });
});
