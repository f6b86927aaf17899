// Which part of a window query is read from which rollup (core/store/rollups.ts).
import { describe, expect, it } from 'vitest';
import { DAY_MS as DAY, HOUR_MS as HOUR, mergeWindows, planSegments } from '../../../core/store/rollups.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe('rollup query plan', () => {
  it('reads whole days from daily rollups, whole hours from hourly ones and partial hours raw', () => {
    expect(planSegments(T0 - 90 * MIN, T0 + 2 * DAY + 3 * HOUR + 5 * MIN, DAY)).toEqual([
      { source: 'raw', from: T0 - 90 * MIN, to: T0 - HOUR },
      { source: 'hour', from: T0 - HOUR, to: T0 },
      { source: 'day', from: T0, to: T0 + 2 * DAY },
      { source: 'hour', from: T0 + 2 * DAY, to: T0 + 2 * DAY + 3 * HOUR },
      { source: 'raw', from: T0 + 2 * DAY + 3 * HOUR, to: T0 + 2 * DAY + 3 * HOUR + 5 * MIN },
    ]);
  });

  it('reads hourly rollups when the window is hours, and everything raw for windows below an hour', () => {
    expect(planSegments(T0, T0 + DAY, 3 * HOUR)).toEqual([{ source: 'hour', from: T0, to: T0 + DAY }]);
    expect(planSegments(T0, T0 + DAY, 15 * MIN)).toEqual([{ source: 'raw', from: T0, to: T0 + DAY }]);
    expect(planSegments(T0 + MIN, T0 + 50 * MIN, HOUR)).toEqual([{ source: 'raw', from: T0 + MIN, to: T0 + 50 * MIN }]);
  });

  it('reads a stale hour raw, and its whole day from hours', () => {
    expect(planSegments(T0, T0 + DAY, DAY, new Set([T0 + 5 * HOUR]))).toEqual([
      { source: 'hour', from: T0, to: T0 + 5 * HOUR },
      { source: 'raw', from: T0 + 5 * HOUR, to: T0 + 6 * HOUR },
      { source: 'hour', from: T0 + 6 * HOUR, to: T0 + DAY },
    ]);
  });

  it('merges the parts of a window from several sources', () => {
    const w = (ts: number, sum: number, count: number, min: number, max: number) => ({ deviceId: 'd', ts, mean: sum / count, min, max, sum, count });
    expect(mergeWindows([[w(T0, 10, 2, 4, 6)], [w(T0, 30, 2, 10, 20), w(T0 + DAY, 1, 1, 1, 1)]])).toEqual([w(T0, 40, 4, 4, 20), w(T0 + DAY, 1, 1, 1, 1)]);
  });

  it('merges the parts of several devices into device-then-time order, whatever order a part came in', () => {
    const w = (deviceId: string, ts: number, sum: number, count: number) => ({ deviceId, ts, mean: sum / count, min: sum / count, max: sum / count, sum, count });
    const edge = [w('b', T0, 4, 2), w('a', T0, 2, 1)]; // not sorted
    const hours = [w('a', T0, 6, 3), w('a', T0 + HOUR, 5, 5), w('b', T0 + HOUR, 7, 7)];
    const tail = [w('a', T0 + 2 * HOUR, 1, 1), w('b', T0 + HOUR, 3, 3)];
    expect(mergeWindows([edge, [], hours, tail])).toEqual([
      { deviceId: 'a', ts: T0, mean: 2, min: 2, max: 2, sum: 8, count: 4 },
      w('a', T0 + HOUR, 5, 5),
      w('a', T0 + 2 * HOUR, 1, 1),
      w('b', T0, 4, 2),
      { deviceId: 'b', ts: T0 + HOUR, mean: 1, min: 1, max: 1, sum: 10, count: 10 },
    ]);
  });
});
