// Soil moisture without its daily swing (rules/soil-smoothing.ts, agronomy.md §7): the value the soil-water
// rule decides on follows the drying trend, not the ±1.5 % diurnal wave, and a refill shows at once.
import { describe, expect, it } from 'vitest';
import { addReading, smoothedTheta, type Bucket } from '../../../rules/soil-smoothing.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const wave = (ts: number) => 1.5 * Math.cos((2 * Math.PI * ((ts - T0) / HOUR - 7)) / 24);

function feed(n: number, step: number, theta: (ts: number) => number, from = T0, series?: Bucket[]): { series: Bucket[]; last: number } {
  let s = series ?? [];
  let ts = from;
  for (let i = 0; i < n; i++, ts += step) s = addReading(s, ts, theta(ts));
  return { series: s, last: ts - step };
}

describe('soil moisture smoothing', () => {
  it('a ±1.5 % daily swing around a steady 30 % reads as 30 % at every hour of the second day', () => {
    let s: Bucket[] = [];
    const errors: number[] = [];
    for (let ts = T0; ts < T0 + 48 * HOUR; ts += 15 * 60_000) {
      s = addReading(s, ts, 30 + wave(ts));
      if (ts >= T0 + 24 * HOUR) errors.push(Math.abs(smoothedTheta(s, ts)! - 30));
    }
    expect(Math.max(...errors)).toBeLessThan(0.25); // the raw readings are up to 1.5 off
  });

  it('a steady drying with the swing on top is followed without lag: within 0.3 % of the trend', () => {
    const trend = (ts: number) => 34 - (ts - T0) / (24 * HOUR); // 1 % a day
    let s: Bucket[] = [];
    const errors: number[] = [];
    for (let ts = T0; ts < T0 + 72 * HOUR; ts += 30 * 60_000) {
      s = addReading(s, ts, trend(ts) + wave(ts));
      if (ts >= T0 + 24 * HOUR) errors.push(Math.abs(smoothedTheta(s, ts)! - trend(ts)));
    }
    expect(Math.max(...errors)).toBeLessThan(0.3);
  });

  it('a pure linear series is exact (the scenario tests keep their numbers)', () => {
    const { series, last } = feed(73, 30 * 60_000, (ts) => 36 - (11 * (ts - T0)) / (36 * HOUR));
    expect(smoothedTheta(series, last)).toBeCloseTo(25, 6);
  });

  it('an irrigation (a rise well above the fit) restarts the series: the refill shows at once', () => {
    const { series, last } = feed(96, 30 * 60_000, (ts) => 24 + wave(ts));
    const after = addReading(series, last + 30 * 60_000, 33);
    expect(after).toHaveLength(1);
    expect(smoothedTheta(after, last + 30 * 60_000)).toBe(33);
  });

  it('keeps 48 h of hourly means', () => {
    const { series } = feed(4 * 96, 15 * 60_000, () => 30);
    expect(series.length).toBeLessThanOrEqual(49);
    expect(series.every(([, theta, n]) => theta === 30 && n >= 1 && n <= 4)).toBe(true);
  });
});
