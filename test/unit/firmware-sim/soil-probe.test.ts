// The soil probe's water balance: crop ET dries it, rain and irrigation wet it, and the water content
// stays between the wilting point and saturation of its texture.
import { describe, expect, it } from 'vitest';
import { createSoilProbe, soilTexture } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, STEP, highlands, local } from './helpers.js';

const moisture = (r: Record<string, number>, depth: number): number => r[`soil_moisture@${depth}cm`] ?? NaN;

describe('soil probe', () => {
  it('dries over a rainless week (crop ET and drainage)', () => {
    const probe = createSoilProbe({ weather: createWeather({ ...highlands, rainFactor: 0 }), seed: 3, soilTexture: 'loam', crop: 'coffee' });
    const start = local(2025, 2, 1, 8);
    probe.command({ cmd: 'irrigate', mm: 60 }, start); // start from a wet profile
    const wet = probe.sample(start + DAY);
    const dry = probe.sample(start + 8 * DAY);
    expect(moisture(dry, 20)).toBeLessThan(moisture(wet, 20) - 3);
    expect(moisture(dry, 50)).toBeLessThan(moisture(wet, 50));
  });

  it('wets after rain', () => {
    const weather = createWeather(highlands);
    const probe = createSoilProbe({ weather, seed: 3, soilTexture: 'loam' });
    // The first rain event of ≥ 15 mm in the highland rainy season.
    let event = weather.day(local(2025, 6, 1)).rain;
    for (let d = 1; !(event && event.mm >= 15); d++) event = weather.day(local(2025, 6, 1) + d * DAY).rain;
    const before = probe.sample(event.startMs - HOUR);
    const after = probe.sample(event.endMs + HOUR);
    expect(moisture(after, 20)).toBeGreaterThan(moisture(before, 20));
  });

  it('wets after an irrigate or valve command, the top first', () => {
    const probe = createSoilProbe({ weather: createWeather({ ...highlands, rainFactor: 0 }), seed: 4, soilTexture: 'clay' });
    const t0 = local(2025, 3, 1, 7);
    for (let ms = t0; ms <= t0 + 10 * DAY; ms += STEP) probe.step(ms);
    const before = probe.sample(t0 + 10 * DAY);
    expect(probe.command({ cmd: 'valve', minutes: 120 }, t0 + 10 * DAY)).toBe(true); // 30 mm of drip
    const after = probe.sample(t0 + 10 * DAY + 3 * HOUR);
    expect(moisture(after, 20)).toBeGreaterThan(moisture(before, 20) + 3);
  });

  it('stays between the wilting point and saturation however much water it gets', () => {
    const texture = soilTexture('sandy loam');
    const probe = createSoilProbe({ weather: createWeather(highlands), seed: 5, soilTexture: 'sandy loam', depthsCm: [10, 30, 60] });
    const t0 = local(2025, 1, 1);
    let [lo, hi] = [Infinity, -Infinity];
    for (let ms = t0, i = 0; ms < t0 + 120 * DAY; ms += STEP, i++) {
      if (i % 500 === 0) probe.command({ cmd: 'irrigate', mm: 400 }, ms);
      probe.step(ms);
      lo = Math.min(lo, ...probe.waterContent());
      hi = Math.max(hi, ...probe.waterContent());
    }
    expect(lo).toBeGreaterThanOrEqual(texture.wp - 1e-9);
    expect(lo).toBeLessThan(texture.fc); // it did dry out between waterings
    expect(hi).toBeLessThanOrEqual(texture.sat + 1e-9);
    expect(hi).toBeGreaterThan(texture.fc); // and was wetter than field capacity after them
  });
});
