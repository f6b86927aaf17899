// A long rollup read is cut in two for two InfluxDB requests at once (core/store/influx-store.ts splitInTwo):
// the halves must cover the plan exactly, cut on a window boundary so no window is split.
import { describe, expect, it } from 'vitest';
import { splitInTwo } from '../../../core/store/influx-store.js';
import { DAY_MS as DAY, HOUR_MS as HOUR, planSegments } from '../../../core/store/rollups.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe('window query in two requests', () => {
  it('cuts the 30-day hourly read in two on an hour, the first request ending with the first half', () => {
    const from = T0 + 7 * MIN;
    const to = from + 30 * DAY;
    const { plan, cut } = splitInTwo(planSegments(from, to, HOUR), HOUR);
    const mid = T0 + 15 * DAY; // the middle of [T0 + 1 h, T0 + 30 d), floored to an hour
    expect(plan).toEqual([
      { source: 'raw', from, to: T0 + HOUR },
      { source: 'hour', from: T0 + HOUR, to: mid },
      { source: 'hour', from: mid, to: T0 + 30 * DAY },
      { source: 'raw', from: T0 + 30 * DAY, to },
    ]);
    expect(cut).toBe(2);
  });

  it('cuts on a window boundary when windows are longer than the rollup rows', () => {
    const { plan } = splitInTwo(planSegments(T0, T0 + 60 * DAY, 6 * HOUR), 6 * HOUR);
    expect(plan).toHaveLength(2);
    expect(plan[0]!.to % (6 * HOUR)).toBe(0);
    expect(plan[0]!.to).toBe(plan[1]!.from);
  });

  it('keeps a short read, and a raw one, in one request', () => {
    const day = planSegments(T0, T0 + DAY, HOUR);
    expect(splitInTwo(day, HOUR)).toEqual({ plan: day, cut: day.length });
    const raw = planSegments(T0, T0 + 30 * DAY, 15 * MIN);
    expect(splitInTwo(raw, 15 * MIN)).toEqual({ plan: raw, cut: raw.length });
  });
});
