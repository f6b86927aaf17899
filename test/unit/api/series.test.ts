// A chart series as one columns object per device (api/series.ts): what the dashboard draws a line from.
import { describe, expect, it } from 'vitest';
import { toColumns } from '../../../api/series.js';

describe('chart series as columns', () => {
  it('gives each device its raw points as ts/value columns, in the order the store answered', () => {
    const points = [{ deviceId: 'a', ts: 1, value: 10 }, { deviceId: 'a', ts: 2, value: 11 }, { deviceId: 'b', ts: 1, value: 20 }];
    expect(toColumns({ everyMs: null, downsampled: false, points })).toEqual([
      { deviceId: 'a', ts: [1, 2], value: [10, 11] },
      { deviceId: 'b', ts: [1], value: [20] },
    ]);
  });

  it('gives each device its windows as columns whose i-th entries are one window', () => {
    const w = (deviceId: string, ts: number, sum: number, count: number) => ({ deviceId, ts, mean: sum / count, min: 1, max: 9, sum, count });
    const points = [w('a', 0, 10, 2), w('b', 0, 3, 3), w('a', 3_600_000, 8, 4)]; // a device met again later still gets one series
    expect(toColumns({ everyMs: 3_600_000, downsampled: true, points })).toEqual([
      { deviceId: 'a', ts: [0, 3_600_000], mean: [5, 2], min: [1, 1], max: [9, 9], sum: [10, 8], count: [2, 4] },
      { deviceId: 'b', ts: [0], mean: [1], min: [1], max: [9], sum: [3], count: [3] },
    ]);
  });

  it('answers no series for no points', () => {
    expect(toColumns({ everyMs: 3_600_000, downsampled: true, points: [] })).toEqual([]);
  });
});
