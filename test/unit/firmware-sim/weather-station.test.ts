// The weather station's tipping bucket reports the weather's rain in 0.2 mm tips, losing nothing.
import { describe, expect, it } from 'vitest';
import { createWeatherStation } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, STEP, highlands, local } from './helpers.js';

describe('weather station', () => {
  it('reports rain since the last report as whole 0.2 mm tips that add up to the rain that fell', () => {
    const weather = createWeather(highlands);
    const station = createWeatherStation({ weather, seed: 31 });
    const start = local(2025, 8, 1);
    let total = 0;
    for (let ms = start; ms <= start + 30 * DAY; ms += STEP) {
      const rain = station.sample(ms).rain ?? NaN;
      expect(Math.abs(rain / 0.2 - Math.round(rain / 0.2))).toBeLessThan(1e-6);
      total += rain;
    }
    const fell = weather.rainBetween(start, start + 30 * DAY);
    expect(fell).toBeGreaterThan(50);
    expect(Math.abs(total - fell)).toBeLessThanOrEqual(0.2);
  });

  it('ignores irrigation commands', () => {
    const station = createWeatherStation({ weather: createWeather(highlands), seed: 32 });
    expect(station.command({ cmd: 'irrigate', mm: 10 }, local(2025, 1, 1))).toBe(false);
  });
});
