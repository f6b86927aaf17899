// Hourly and daily rollups in InfluxDB (core/store/rollups.ts). Continuous queries never recompute a window
// for late data (docs/interop.md), so the store keeps them itself:
// - every write also writes, in the same request and before the readings, a dirty mark
//   `rollup_dirty,<the reading's tags but metric> n=1i <hour start>` for each device + hour it touches
//   (once per refresh: the marks already written are remembered). Per device, not per series: a reconnect
//   storm touches every series of thousands of devices over hours, and the marks are then a fifth of the
//   lines instead of all of them;
// - refresh() reads the marks, recomputes those hours from raw readings into `rollup_1h` and their days
//   from `rollup_1h` into `rollup_1d` (retention policy ruong_rollups, infinite), then deletes the marks.
//   It runs exclusively of writes, so no mark can be written between reading and deleting them;
// - a query treats an hour that still has a mark as stale and reads it raw, so answers are exact even
//   before a refresh. Marks live in the raw retention policy and so never outlive the raw readings.
// One writer process per device is assumed (the ingest; sharded workers each own their devices).
import type { StoredReading } from '../telemetry/reading.js';
import { ReadingColumns } from '../telemetry/reading-columns.js';
import {
  column, DAILY, DIRTY, HOURLY, influxString, num, RAW_RP, READINGS, ROLLUP_RP, seriesTagSet, tagSet, type Series,
} from './influx-lines.js';
import type { WindowPoint } from './reading-store.js';
import { DAY_MS, HOUR_MS, type RollupSource } from './rollups.js';

export interface InfluxRollupDeps {
  run(q: string): Promise<Series[]>;
  post(body: string, rp: string): Promise<void>;
}

/** Beyond this many devices in one hour, recompute the whole hour rather than list them. */
const MAX_LISTED_DEVICES = 100;
const MAX_REMEMBERED_MARKS = 1_000_000;

const sortByDeviceThenTs = (a: WindowPoint, b: WindowPoint) => (a.deviceId !== b.deviceId ? (a.deviceId < b.deviceId ? -1 : 1) : a.ts - b.ts);

/** One window per device + start: rows of the same device and window (from several series) summed. */
function mergeRows(points: readonly WindowPoint[]): WindowPoint[] {
  const byKey = new Map<string, WindowPoint>();
  for (const w of points) {
    const key = `${w.deviceId}\u0000${w.ts}`;
    const seen = byKey.get(key);
    if (!seen) { byKey.set(key, w); continue; }
    const sum = seen.sum + w.sum;
    const count = seen.count + w.count;
    byKey.set(key, { deviceId: w.deviceId, ts: w.ts, sum, count, mean: sum / count, min: Math.min(seen.min, w.min), max: Math.max(seen.max, w.max) });
  }
  return [...byKey.values()].sort(sortByDeviceThenTs);
}

/** Consecutive windows recomputed by one query when each lists every device (a backlog, a bulk load). */
const MAX_WINDOWS_PER_QUERY = 6;

/**
 * The marked windows in time order as [start, windows, devices] runs: consecutive windows whose devices are
 * too many to list (recomputed whole) go together, up to MAX_WINDOWS_PER_QUERY; any other window alone.
 * One query per hour made the refresh after a 10M-reading load take minutes (834 hours, a query and a write each).
 */
function runs(marked: ReadonlyMap<number, ReadonlySet<string>>, span: number): [number, number, ReadonlySet<string>][] {
  const out: [number, number, ReadonlySet<string>][] = [];
  for (const [start, devices] of [...marked].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    const whole = devices.size > MAX_LISTED_DEVICES;
    if (whole && last && last[2].size > MAX_LISTED_DEVICES && last[0] + last[1] * span === start && last[1] < MAX_WINDOWS_PER_QUERY) {
      last[1]++;
      continue;
    }
    out.push([start, 1, devices]);
  }
  return out;
}

function deviceFilter(devices: ReadonlySet<string>): string {
  if (devices.size > MAX_LISTED_DEVICES) return '';
  return ` AND (${[...devices].map((d) => `"device" = ${influxString(d)}`).join(' OR ')})`;
}

export function createInfluxRollups(deps: InfluxRollupDeps) {
  // Device tag set (one cached string instance per device and tenancy) → hours marked.
  const marked = new Map<string, Set<number>>();
  let markedCount = 0;
  const deviceTags = new Map<string, { fieldId: string; farmId: string; cooperativeId: string; tags: string }>();

  function tagsOf(deviceId: string, fieldId: string, farmId: string, cooperativeId: string): string {
    const hit = deviceTags.get(deviceId);
    if (hit && hit.fieldId === fieldId && hit.farmId === farmId && hit.cooperativeId === cooperativeId) return hit.tags;
    const tags = tagSet({ cooperativeId, deviceId, farmId, fieldId, metric: '' });
    if (deviceTags.size > MAX_REMEMBERED_MARKS) deviceTags.clear();
    deviceTags.set(deviceId, { fieldId, farmId, cooperativeId, tags });
    return tags;
  }

  /** Dirty-mark lines for the series + hours of a batch not yet marked since the last refresh. */
  function markLines(batch: readonly StoredReading[] | ReadingColumns): { lines: string[]; keys: [string, number][] } {
    const lines: string[] = [];
    const keys: [string, number][] = [];
    const c = batch instanceof ReadingColumns ? batch : ReadingColumns.from(batch);
    const { deviceId, fieldId, farmId, cooperativeId, ts } = c;
    // A message's readings follow each other in the batch (same device, tenancy and hour): looked up once.
    let last = -1;
    let lastHour = 0;
    for (let i = 0; i < c.length; i++) {
      const hour = Math.floor(ts[i]! / HOUR_MS) * HOUR_MS;
      if (last >= 0 && hour === lastHour && deviceId[i] === deviceId[last] && fieldId[i] === fieldId[last] && farmId[i] === farmId[last] && cooperativeId[i] === cooperativeId[last]) continue;
      last = i;
      lastHour = hour;
      const tags = tagsOf(deviceId[i]!, fieldId[i]!, farmId[i]!, cooperativeId[i]!);
      let hours = marked.get(tags);
      if (hours?.has(hour)) continue;
      if (!hours) marked.set(tags, (hours = new Set()));
      hours.add(hour);
      markedCount++;
      keys.push([tags, hour]);
      lines.push(`${DIRTY}${tags} n=1i ${hour}`);
    }
    if (markedCount > MAX_REMEMBERED_MARKS) { marked.clear(); markedCount = 0; } // re-marking is harmless
    return { lines, keys };
  }

  function forget(keys: readonly [string, number][]): void {
    for (const [tags, hour] of keys) if (marked.get(tags)?.delete(hour)) markedCount--;
  }

  async function recompute(to: string, every: '1h' | '1d', start: number, devices: ReadonlySet<string>, windows = 1): Promise<string[]> {
    const select = every === '1h'
      ? `SELECT mean("value") AS "mean", min("value") AS "min", max("value") AS "max", sum("value") AS "sum", count("value") AS "count" FROM "${RAW_RP}"."${READINGS}"`
      : `SELECT sum("sum") AS "sum", sum("count") AS "count", min("min") AS "min", max("max") AS "max" FROM "${ROLLUP_RP}"."${HOURLY}"`;
    const span = (every === '1h' ? HOUR_MS : DAY_MS) * windows;
    const series = await deps.run(`${select} WHERE time >= ${start}ms AND time < ${start + span}ms${deviceFilter(devices)} GROUP BY time(${every}), * fill(none)`);
    const lines: string[] = [];
    for (const s of series) {
      const tags = seriesTagSet(s.tags);
      const [t, sum, count, min, max] = ['time', 'sum', 'count', 'min', 'max'].map((c) => column(s, c));
      for (const row of s.values ?? []) {
        const n = num(row[count!]);
        if (!(n > 0)) continue;
        const total = num(row[sum!]);
        lines.push(`${to}${tags} mean=${total / n},min=${num(row[min!])},max=${num(row[max!])},sum=${total},count=${n}i ${num(row[t!])}`);
      }
    }
    return lines;
  }

  /** InfluxQL for the dirty marks matching the filter in [from, to) (their hours' rollups are stale). */
  function staleHoursQuery(filter: string, from: number, to: number): string {
    const start = Math.floor(from / HOUR_MS) * HOUR_MS;
    return `SELECT "n" FROM "${RAW_RP}"."${DIRTY}" WHERE ${filter} AND time >= ${start}ms AND time < ${to}ms`;
  }

  /** Hours (epoch ms) of the answer to staleHoursQuery. */
  function staleHoursOf(series: readonly Series[]): Set<number> {
    const out = new Set<number>();
    for (const s of series) {
      const t = column(s, 'time');
      for (const row of s.values ?? []) out.add(num(row[t]));
    }
    return out;
  }

  /**
   * InfluxQL for the windows of a rollup source (`hour` | `day`) over [from, to). Windows as long as the
   * source's own (1 h from rollup_1h, 1 d from rollup_1d) with no LIMIT read the rows as they are — a
   * plain select, several times cheaper in influxd than GROUP BY time() over the same rows; windowsOf
   * merges the rows of one device and window (a device that moved field has a row in each series).
   */
  function windowsQuery(source: Exclude<RollupSource, 'raw'>, filter: string, from: number, to: number, every: number, limit: string): string {
    const from_ = `FROM "${ROLLUP_RP}"."${source === 'hour' ? HOURLY : DAILY}" WHERE ${filter} AND time >= ${from}ms AND time < ${to}ms`;
    if (limit === '' && every === (source === 'hour' ? HOUR_MS : DAY_MS)) return `SELECT "sum", "count", "min", "max" ${from_} GROUP BY "device"`;
    return `SELECT sum("sum") AS "sum", sum("count") AS "count", min("min") AS "min", max("max") AS "max" ${from_} GROUP BY time(${every}ms), "device" fill(none)${limit}`;
  }

  /** Windows of the answer to windowsQuery, sorted by device then time. */
  function windowsOf(series: readonly Series[]): WindowPoint[] {
    const points: WindowPoint[] = [];
    let merge = false;
    for (const s of series) {
      const deviceId = s.tags?.device ?? '';
      const [t, sum, count, min, max] = ['time', 'sum', 'count', 'min', 'max'].map((c) => column(s, c));
      let last = -Infinity;
      for (const row of s.values ?? []) {
        const n = num(row[count!]);
        if (!n) continue;
        const ts = num(row[t!]);
        if (ts <= last) merge = true;
        last = ts;
        const total = num(row[sum!]);
        points.push({ deviceId, ts, mean: total / n, min: num(row[min!]), max: num(row[max!]), sum: total, count: n });
      }
    }
    return merge ? mergeRows(points) : points.sort(sortByDeviceThenTs);
  }

  return {
    markLines,
    forget,

    /** Recomputes every marked hour and its day; returns how many device-hours were marked. */
    async refresh(): Promise<number> {
      const series = await deps.run(`SELECT "n" FROM "${RAW_RP}"."${DIRTY}" GROUP BY "device"`);
      const hours = new Map<number, Set<string>>();
      let marks = 0;
      for (const s of series) {
        const device = s.tags?.device ?? '';
        const t = column(s, 'time');
        for (const row of s.values ?? []) {
          const hour = num(row[t]);
          const set = hours.get(hour) ?? new Set<string>();
          if (!set.has(device)) marks++;
          set.add(device);
          hours.set(hour, set);
        }
      }
      if (marks === 0) return 0;
      const days = new Map<number, Set<string>>();
      for (const [hour, devices] of hours) {
        const day = Math.floor(hour / DAY_MS) * DAY_MS;
        days.set(day, new Set([...(days.get(day) ?? []), ...devices]));
      }
      for (const [start, windows, devices] of runs(hours, HOUR_MS)) {
        const lines = await recompute(HOURLY, '1h', start, devices, windows);
        if (lines.length) await deps.post(lines.join('\n'), ROLLUP_RP);
      }
      for (const [start, windows, devices] of runs(days, DAY_MS)) {
        const lines = await recompute(DAILY, '1d', start, devices, windows);
        if (lines.length) await deps.post(lines.join('\n'), ROLLUP_RP);
      }
      await deps.run(`DELETE FROM "${DIRTY}"`);
      marked.clear();
      markedCount = 0;
      return marks;
    },

    staleHoursQuery,
    staleHoursOf,
    windowsQuery,
    windowsOf,

    /** Hours (epoch ms) in [from, to) with a dirty mark matching the filter: their rollups are stale. */
    async staleHours(filter: string, from: number, to: number): Promise<Set<number>> {
      return staleHoursOf(await deps.run(staleHoursQuery(filter, from, to)));
    },

    /** Windows of a rollup source (`hour` | `day`) over [from, to). */
    async windows(source: Exclude<RollupSource, 'raw'>, filter: string, from: number, to: number, every: number, limit: string): Promise<WindowPoint[]> {
      return windowsOf(await deps.run(windowsQuery(source, filter, from, to, every, limit)));
    },
  };
}
