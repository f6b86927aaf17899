// Weather a scenario imposes: a heat wave, a drought, a given storm — on the days they cover only.
import { describe, expect, it } from 'vitest';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, local, mekong } from './helpers.js';

describe('weather events', () => {
  const from = local(2025, 7, 10);
  const to = from + 5 * DAY;

  it('a heat wave raises Tmax by its delta on its days and leaves the others alone', () => {
    const normal = createWeather(mekong);
    const hot = createWeather({ ...mekong, events: [{ kind: 'heat', fromMs: from, toMs: to, deltaC: 4 }] });
    for (let d = -2; d < 7; d++) {
      const ms = from + d * DAY + 12 * HOUR;
      const delta = hot.day(ms).tmax - normal.day(ms).tmax;
      if (d >= 0 && d < 5) {
        expect(delta, `day ${d}`).toBeGreaterThanOrEqual(4 - 1e-9);
        expect(delta, `day ${d}`).toBeLessThan(5.5); // and a little more where its clearer sky widens the day's range
      } else expect(delta, `day ${d}`).toBe(0);
    }
  });

  it('a drought has no rain in the wettest month; the days after it rain again', () => {
    const dry = createWeather({ ...mekong, events: [{ kind: 'drought', fromMs: from, toMs: to + 25 * DAY }] });
    expect(dry.rainBetween(from, to + 25 * DAY)).toBe(0);
    expect(dry.rainBetween(to + 25 * DAY, to + 55 * DAY)).toBeGreaterThan(50);
  });

  it('a given storm falls when and as much as it says', () => {
    const at = local(2025, 2, 5, 15);
    const w = createWeather({ ...mekong, rainFactor: 0, events: [{ kind: 'rain', startMs: at, hours: 2, mm: 45 }] });
    expect(w.rainBetween(at - DAY, at + DAY)).toBeCloseTo(45, 6);
    expect(w.at(at + HOUR).rainRate).toBeCloseTo(22.5, 6);
    expect(w.at(at - HOUR).rainRate).toBe(0);
  });

  it('a shifted season plays the March dry season in September', () => {
    const september = local(2025, 9, 1);
    const shift = 181; // 1 September + 181 days = 1 March
    const w = createWeather({ ...mekong, seasonShiftDays: shift });
    expect(w.day(september).month).toBe(3);
    const rain = createWeather(mekong).rainBetween(september, september + 30 * DAY);
    expect(w.rainBetween(september, september + 30 * DAY)).toBeLessThan(rain / 3);
  });
});
