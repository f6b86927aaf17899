// Reading series for charts: raw points while a series stays small, else windows chosen so that no series
// has more than about MAX_POINTS points (issue 8). A requested window that would give more is widened.
// Windows are epoch-aligned (the ReadingStore's contract); stores with rollups serve long windows from them.
// Sent as columns, one object per device (toColumns): the chart draws a line per device anyway, and the
// 30-day chart's 2,884 windows are 155 kB of JSON instead of 333 kB as objects, each repeating seven keys —
// half the bytes to serialise, send and parse (docs/benchmarks.md, issue 19, 2026-12-07).
import type { RangeQuery, RawPoint, ReadingStore, WindowPoint } from '../core/store/reading-store.js';

export const MAX_POINTS = 1000;
/** Rows read to decide whether raw points are small enough (a field rarely has more than 5 series of a metric). */
const RAW_PROBE_ROWS = 5 * MAX_POINTS;
/** Up to this range, raw points are tried first; beyond it, windows are. */
const SHORT_RANGE_MS = 2 * 86_400_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Window lengths a person reads easily; the smallest that keeps ≤ MAX_POINTS per series is chosen. */
export const NICE_WINDOWS_MS = [
  1000, 5000, 10_000, 30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY,
] as const;

export function niceWindow(rangeMs: number, maxPoints = MAX_POINTS): number {
  const min = rangeMs / maxPoints;
  return NICE_WINDOWS_MS.find((w) => w >= min) ?? Math.ceil(min / DAY) * DAY;
}

export interface Series {
  readonly everyMs: number | null;
  readonly downsampled: boolean;
  readonly points: RawPoint[] | WindowPoint[];
}

/** Points per series (device) of raw points, or readings per series of windows. */
function perSeries(points: readonly { deviceId: string; count?: number }[]): number {
  const counts = new Map<string, number>();
  let max = 0;
  for (const p of points) {
    const n = (counts.get(p.deviceId) ?? 0) + (p.count ?? 1);
    counts.set(p.deviceId, n);
    if (n > max) max = n;
  }
  return max;
}

/**
 * Raw points or windows for one metric of a field (or a device), at most ~MAX_POINTS per series.
 * Up to two days: raw points unless a series has more than MAX_POINTS. Longer: windows first (cheap — hours
 * and days come from the rollups); when every series turns out to hold ≤ MAX_POINTS readings, the raw points
 * instead, provided the raw readings are all still there (older ones may be pruned, their rollups are not).
 */
export async function readSeries(store: ReadingStore, q: Omit<RangeQuery, 'everyMs' | 'limit'>, everyMs?: number): Promise<Series> {
  const range = q.to - q.from;
  if (everyMs !== undefined) {
    const widened = range / everyMs > MAX_POINTS ? niceWindow(range) : everyMs;
    return { everyMs: widened, downsampled: widened !== everyMs, points: await store.query({ ...q, everyMs: widened }) };
  }
  if (range <= SHORT_RANGE_MS) {
    const raw = await store.query({ ...q, everyMs: undefined, limit: RAW_PROBE_ROWS + 1 });
    if (raw.length <= RAW_PROBE_ROWS && perSeries(raw) <= MAX_POINTS) return { everyMs: null, downsampled: false, points: raw };
  }
  const window = niceWindow(range);
  const windows = await store.query({ ...q, everyMs: window });
  if (range > SHORT_RANGE_MS && perSeries(windows) <= MAX_POINTS) {
    const total = windows.reduce((n, w) => n + w.count, 0);
    const raw = await store.query({ ...q, everyMs: undefined, limit: total + 1 });
    if (raw.length === total) return { everyMs: null, downsampled: false, points: raw };
  }
  return { everyMs: window, downsampled: true, points: windows };
}

/** Raw points of one device as columns: `ts[i]`, `value[i]` is one reading. */
export interface RawColumns {
  readonly deviceId: string;
  readonly ts: number[];
  readonly value: number[];
}

/** Windows of one device as columns: `ts[i]` (window start), `mean[i]`, … `count[i]` is one window. */
export interface WindowColumns {
  readonly deviceId: string;
  readonly ts: number[];
  readonly mean: number[];
  readonly min: number[];
  readonly max: number[];
  readonly sum: number[];
  readonly count: number[];
}

/** The points of a series as one columns object per device, devices and times in the order given (the stores': device, then time). */
export function toColumns(series: Series): RawColumns[] | WindowColumns[] {
  if (series.everyMs === null) {
    const byDevice = new Map<string, RawColumns>();
    let cur: RawColumns | undefined;
    for (const p of series.points as RawPoint[]) {
      if (cur?.deviceId !== p.deviceId) {
        cur = byDevice.get(p.deviceId);
        if (!cur) byDevice.set(p.deviceId, (cur = { deviceId: p.deviceId, ts: [], value: [] }));
      }
      cur.ts.push(p.ts);
      cur.value.push(p.value);
    }
    return [...byDevice.values()];
  }
  const byDevice = new Map<string, WindowColumns>();
  let cur: WindowColumns | undefined;
  for (const w of series.points as WindowPoint[]) {
    if (cur?.deviceId !== w.deviceId) {
      cur = byDevice.get(w.deviceId);
      if (!cur) byDevice.set(w.deviceId, (cur = { deviceId: w.deviceId, ts: [], mean: [], min: [], max: [], sum: [], count: [] }));
    }
    cur.ts.push(w.ts);
    cur.mean.push(w.mean);
    cur.min.push(w.min);
    cur.max.push(w.max);
    cur.sum.push(w.sum);
    cur.count.push(w.count);
  }
  return [...byDevice.values()];
}
