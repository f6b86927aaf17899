// Hourly and daily rollups (issue 4): per device + metric + window, the mean, min, max, sum and count of
// the raw readings, kept for years while raw readings expire after the raw retention. Both stores keep
// them; a late reading recomputes the windows it touches (InfluxDB continuous queries never would).
//
// A query by windows of whole hours is answered from the rollups wherever a rollup window lies wholly
// inside [from, to) and is up to date, and from raw readings elsewhere (the partial hours at the edges,
// hours whose rollup is stale): the result is the same as aggregating the raw readings, and a year of
// daily windows reads 365 rows per series instead of every reading.
import type { WindowPoint } from './reading-store.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type RollupSource = 'raw' | 'hour' | 'day';

export interface Segment {
  readonly source: RollupSource;
  readonly from: number;
  readonly to: number;
}

/** Stale hours beyond this many split the range into too many queries: read it raw. */
const MAX_SEGMENTS = 24;

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

/**
 * Splits [from, to) by where its `everyMs` windows can be read: `day` rollups for whole UTC days (when
 * everyMs is a whole number of days), `hour` rollups for whole hours, `raw` for partial hours and for
 * hours whose rollup is stale. Adjacent segments of one source are merged.
 */
export function planSegments(from: number, to: number, everyMs: number, staleHours: ReadonlySet<number> = new Set()): Segment[] {
  if (from >= to) return [];
  const h1 = ceilTo(from, HOUR_MS);
  const h2 = floorTo(to, HOUR_MS);
  if (everyMs % HOUR_MS !== 0 || h1 >= h2) return [{ source: 'raw', from, to }];
  const out: Segment[] = [];
  const push = (source: RollupSource, a: number, b: number) => {
    const last = out[out.length - 1];
    if (last && last.source === source && last.to === a) out[out.length - 1] = { source, from: last.from, to: b };
    else out.push({ source, from: a, to: b });
  };
  if (from < h1) push('raw', from, h1);
  const days = everyMs % DAY_MS === 0;
  for (let t = h1; t < h2;) {
    if (days && t % DAY_MS === 0 && t + DAY_MS <= h2 && !hasStaleHour(staleHours, t, t + DAY_MS)) {
      push('day', t, t + DAY_MS);
      t += DAY_MS;
      continue;
    }
    push(staleHours.has(t) ? 'raw' : 'hour', t, t + HOUR_MS);
    t += HOUR_MS;
  }
  if (h2 < to) push('raw', h2, to);
  return out.length > MAX_SEGMENTS ? [{ source: 'raw', from, to }] : out;
}

function hasStaleHour(stale: ReadonlySet<number>, from: number, to: number): boolean {
  if (stale.size === 0) return false;
  for (const h of stale) if (h >= from && h < to) return true;
  return false;
}

const byDeviceThenTs = (a: WindowPoint, b: WindowPoint) => (a.deviceId !== b.deviceId ? (a.deviceId < b.deviceId ? -1 : 1) : a.ts - b.ts);

function isSorted(part: readonly WindowPoint[]): boolean {
  for (let i = 1; i < part.length; i++) if (byDeviceThenTs(part[i - 1]!, part[i]!) > 0) return false;
  return true;
}

/**
 * Merges partial windows of several segments: per device + window start, sums, counts, min, max; sorted by
 * device then start. The stores answer each part sorted so, and the parts are merged in one pass (a part
 * that is not is sorted first). A map keyed by `device + start` strings took 3.7 ms (p50) of the 30-day
 * chart's 8 ms of CPU in store.query at 2,884 windows (docs/benchmarks.md, issue 19, 2026-12-07).
 */
export function mergeWindows(parts: readonly (readonly WindowPoint[])[]): WindowPoint[] {
  const lists = parts.filter((p) => p.length > 0).map((p) => (isSorted(p) ? p : [...p].sort(byDeviceThenTs)));
  if (lists.length === 0) return [];
  const at = lists.map(() => 0);
  const out: WindowPoint[] = [];
  for (;;) {
    let pick = -1;
    let head: WindowPoint | undefined;
    for (let i = 0; i < lists.length; i++) {
      const w = lists[i]![at[i]!];
      if (w !== undefined && (head === undefined || byDeviceThenTs(w, head) < 0)) { pick = i; head = w; }
    }
    if (head === undefined) return out;
    at[pick]!++;
    const last = out[out.length - 1];
    if (last === undefined || last.deviceId !== head.deviceId || last.ts !== head.ts) {
      out.push(head);
      continue;
    }
    const sum = last.sum + head.sum;
    const count = last.count + head.count;
    out[out.length - 1] = { deviceId: head.deviceId, ts: head.ts, sum, count, mean: sum / count, min: Math.min(last.min, head.min), max: Math.max(last.max, head.max) };
  }
}

/** The hour windows (epoch ms) a set of timestamps falls in. */
export function hourOf(ts: number): number {
  return floorTo(ts, HOUR_MS);
}

export function dayOf(ts: number): number {
  return floorTo(ts, DAY_MS);
}
