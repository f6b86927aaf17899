// The ONE contract every ReadingStore passes (docs/architecture.md: adding a store = passing this suite).
// Each test gets a fresh, empty store from makeStore(); the suite calls setup() itself (safe to repeat).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadingStore, WindowPoint } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { sequenceStateContract } from './reading-store-sequences.contract.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2024-01-01T00:00:00Z: aligned to the hour, but NOT to 7-minute windows (T0 mod 7 min = 6 min). */
const T0 = Date.UTC(2024, 0, 1);
const COOP = 'coop-a';
const SOIL = 'soil_moisture';
const fieldOf: Record<string, string> = { 'dev-a': 'field-1', 'dev-b': 'field-1', 'dev-c': 'field-2' };

/** A reading of coop-a / farm-1; the field follows from the device, as the registry would enrich it. */
function r(deviceId: string, ts: number, value: number, extra: Partial<StoredReading> = {}): StoredReading {
  return { deviceId, metric: SOIL, ts, value, fieldId: fieldOf[deviceId] ?? 'field-9', farmId: 'farm-1', cooperativeId: COOP, ...extra };
}

const raw = (deviceId: string, ts: number, value: number) => ({ deviceId, ts, value });
const byDeviceMetric = (a: StoredReading, b: StoredReading) =>
  a.deviceId.localeCompare(b.deviceId) || a.metric.localeCompare(b.metric);

/** The raw aggregation a window query must equal: epoch-aligned windows over [from, to), per device. */
function aggregate(readings: readonly StoredReading[], from: number, to: number, every: number): WindowPoint[] {
  const windows = new Map<string, WindowPoint>();
  for (const x of readings) {
    if (x.metric !== SOIL || x.ts < from || x.ts >= to) continue;
    const ts = Math.floor(x.ts / every) * every;
    const key = `${x.deviceId}@${ts}`;
    const w = windows.get(key);
    windows.set(key, w
      ? { ...w, min: Math.min(w.min, x.value), max: Math.max(w.max, x.value), sum: w.sum + x.value, count: w.count + 1, mean: 0 }
      : { deviceId: x.deviceId, ts, min: x.value, max: x.value, sum: x.value, count: 1, mean: 0 });
  }
  return [...windows.values()].map((w) => ({ ...w, mean: w.sum / w.count })).sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.ts - b.ts);
}

/** Windows equal up to floating-point summation order. */
function expectWindows(actual: readonly WindowPoint[], expected: readonly WindowPoint[]): void {
  expect(actual.map((w) => [w.deviceId, w.ts, w.count])).toEqual(expected.map((w) => [w.deviceId, w.ts, w.count]));
  actual.forEach((w, i) => {
    const e = expected[i]!;
    for (const k of ['mean', 'min', 'max', 'sum'] as const) expect(w[k], `${w.deviceId}@${w.ts} ${k}`).toBeCloseTo(e[k], 9);
  });
}

export function readingStoreContract(name: string, makeStore: () => Promise<ReadingStore>): void {
  describe(`ReadingStore contract: ${name}`, () => {
    let store: ReadingStore;
    beforeEach(async () => {
      store = await makeStore();
      await store.setup();
    });
    afterEach(async () => {
      await store.close();
    });

    const range = { cooperativeId: COOP, metric: SOIL, from: T0, to: T0 + HOUR };

    it('writes a batch and reads the raw range back ordered by device then time', async () => {
      await store.write([
        r('dev-b', T0 + 2 * MIN, 31.5), r('dev-a', T0 + MIN, 20.25), r('dev-b', T0, 30), r('dev-c', T0 + MIN, 40),
        r('dev-a', T0 + 3 * MIN, 21), r('dev-a', T0, 19.5), r('dev-a', T0, 28, { metric: 'air_temperature' }),
      ]);
      expect(await store.query(range)).toEqual([
        raw('dev-a', T0, 19.5), raw('dev-a', T0 + MIN, 20.25), raw('dev-a', T0 + 3 * MIN, 21),
        raw('dev-b', T0, 30), raw('dev-b', T0 + 2 * MIN, 31.5), raw('dev-c', T0 + MIN, 40),
      ]);
      expect(await store.query({ ...range, fieldId: 'field-2' })).toEqual([raw('dev-c', T0 + MIN, 40)]);
      expect(await store.query({ ...range, deviceId: 'dev-b' })).toEqual([raw('dev-b', T0, 30), raw('dev-b', T0 + 2 * MIN, 31.5)]);
      expect(await store.query({ ...range, metric: 'air_temperature' })).toEqual([raw('dev-a', T0, 28)]);
    });

    it('re-writing device + metric + ts replaces the reading instead of adding one', async () => {
      await store.write([r('dev-a', T0, 10, { seq: 1 }), r('dev-a', T0 + MIN, 12)]);
      await store.write([r('dev-a', T0, 11, { seq: 2 })]);
      await store.write([r('dev-a', T0 + MIN, 12)]); // a resent backlog
      expect(await store.query(range)).toEqual([raw('dev-a', T0, 11), raw('dev-a', T0 + MIN, 12)]);
      await store.write([r('dev-a', T0 + 5 * MIN, 1), r('dev-a', T0 + 5 * MIN, 2)]); // duplicate inside one batch
      expect(await store.query({ ...range, from: T0 + 5 * MIN })).toEqual([raw('dev-a', T0 + 5 * MIN, 2)]);
    });

    it('setup() on an existing store keeps its data', async () => {
      await store.write([r('dev-a', T0, 10)]);
      await store.setup();
      expect(await store.query(range)).toEqual([raw('dev-a', T0, 10)]);
    });

    it('latest is the reading with the highest timestamp per device + metric, not the last received', async () => {
      await store.write([
        r('dev-a', T0 + 10 * MIN, 30, { seq: 7, flags: ['clamped'] }),
        r('dev-a', T0 + 5 * MIN, 28, { metric: 'air_temperature' }),
        r('dev-b', T0 + 2 * MIN, 25, { flags: ['no_device_time', 'clamped'] }),
      ]);
      await store.write([r('dev-a', T0 + MIN, 99, { seq: 3 }), r('dev-b', T0 + MIN, 1)]); // older, arriving later
      const latest = (await store.latest({ cooperativeId: COOP })).sort(byDeviceMetric);
      expect(latest).toEqual([
        r('dev-a', T0 + 5 * MIN, 28, { metric: 'air_temperature' }),
        r('dev-a', T0 + 10 * MIN, 30, { seq: 7, flags: ['clamped'] }),
        r('dev-b', T0 + 2 * MIN, 25, { flags: ['no_device_time', 'clamped'] }),
      ]);
      expect(latest[1]).toMatchObject({ fieldId: 'field-1', farmId: 'farm-1', cooperativeId: COOP });
    });

    it('latest filters by field and by device ids', async () => {
      await store.write([r('dev-a', T0, 1), r('dev-b', T0, 2), r('dev-c', T0, 3)]);
      const ids = async (f: { fieldId?: string; deviceIds?: string[] }) =>
        (await store.latest({ cooperativeId: COOP, ...f })).map((x) => x.deviceId).sort();
      expect(await ids({})).toEqual(['dev-a', 'dev-b', 'dev-c']);
      expect(await ids({ fieldId: 'field-2' })).toEqual(['dev-c']);
      expect(await ids({ fieldId: 'field-1' })).toEqual(['dev-a', 'dev-b']);
      expect(await ids({ deviceIds: ['dev-a', 'dev-c'] })).toEqual(['dev-a', 'dev-c']);
      expect(await ids({ fieldId: 'field-1', deviceIds: ['dev-c'] })).toEqual([]);
    });

    it('range is [from, to) and limit cuts the device-then-time ordered result', async () => {
      const batch = ['dev-a', 'dev-b'].flatMap((d) => [0, 1, 2, 3].map((i) => r(d, T0 + i * MIN, i)));
      await store.write(batch);
      expect(await store.query({ ...range, from: T0 + MIN, to: T0 + 3 * MIN })).toEqual([
        raw('dev-a', T0 + MIN, 1), raw('dev-a', T0 + 2 * MIN, 2), raw('dev-b', T0 + MIN, 1), raw('dev-b', T0 + 2 * MIN, 2),
      ]);
      expect(await store.query({ ...range, limit: 3 })).toEqual([raw('dev-a', T0, 0), raw('dev-a', T0 + MIN, 1), raw('dev-a', T0 + 2 * MIN, 2)]);
      const five = await store.query({ ...range, limit: 5 });
      expect(five.map((p) => `${p.deviceId}@${(p.ts - T0) / MIN}`)).toEqual(['dev-a@0', 'dev-a@1', 'dev-a@2', 'dev-a@3', 'dev-b@0']);
    });

    describe('aggregated by window', () => {
      beforeEach(async () => {
        await store.write([
          r('dev-a', T0 + MIN, 10), r('dev-a', T0 + 4 * MIN, 20), r('dev-a', T0 + 10 * MIN - 1, 36),
          r('dev-a', T0 + 10 * MIN, 5), r('dev-a', T0 + 35 * MIN, 1.5), r('dev-a', T0 + 36 * MIN, 2.5),
          r('dev-b', T0 + 12 * MIN, 7), r('dev-a', T0 + 2 * MIN, 1000, { metric: 'air_temperature' }),
        ]);
      });
      const w = (deviceId: string, ts: number, mean: number, min: number, max: number, sum: number, count: number) =>
        ({ deviceId, ts, mean, min, max, sum, count });

      it('returns window start, mean, min, max, sum and count per device, empty windows left out', async () => {
        expect(await store.query({ ...range, everyMs: 10 * MIN })).toEqual([
          w('dev-a', T0, 22, 10, 36, 66, 3),
          w('dev-a', T0 + 10 * MIN, 5, 5, 5, 5, 1),
          w('dev-a', T0 + 30 * MIN, 2, 1.5, 2.5, 4, 2),
          w('dev-b', T0 + 10 * MIN, 7, 7, 7, 7, 1),
        ]);
      });

      it('aligns windows to the epoch, not to `from`, and counts only points inside [from, to)', async () => {
        // 7-minute windows start at T0 - 6 min, T0 + 1 min, T0 + 8 min, ... (epoch multiples of 420 000 ms).
        expect(await store.query({ ...range, deviceId: 'dev-a', everyMs: 7 * MIN })).toEqual([
          w('dev-a', T0 + MIN, 15, 10, 20, 30, 2),
          w('dev-a', T0 + 8 * MIN, 20.5, 5, 36, 41, 2),
          w('dev-a', T0 + 29 * MIN, 1.5, 1.5, 1.5, 1.5, 1),
          w('dev-a', T0 + 36 * MIN, 2.5, 2.5, 2.5, 2.5, 1),
        ]);
        expect(await store.query({ ...range, from: T0 + 2 * MIN, to: T0 + 36 * MIN, everyMs: HOUR })).toEqual([
          w('dev-a', T0, 15.625, 1.5, 36, 62.5, 4),
          w('dev-b', T0, 7, 7, 7, 7, 1),
        ]);
      });
    });

    it('never crosses a cooperative, whatever the cooperativeId contains', async () => {
      await store.write([r('dev-a', T0, 1), r('dev-x', T0, 2, { cooperativeId: 'coop-b', farmId: 'farm-b' })]);
      for (const cooperativeId of ['coop-c', "coop-c' OR cooperative = 'coop-a", "coop-c\\' OR 'a' = 'a"]) {
        expect(await store.query({ ...range, cooperativeId })).toEqual([]);
        expect(await store.query({ ...range, cooperativeId, everyMs: HOUR })).toEqual([]);
        expect(await store.latest({ cooperativeId })).toEqual([]);
      }
      expect(await store.query({ ...range, cooperativeId: 'coop-b' })).toEqual([raw('dev-x', T0, 2)]);
      expect((await store.latest({ cooperativeId: COOP })).map((x) => x.deviceId)).toEqual(['dev-a']);
      expect(await store.latest({ cooperativeId: 'coop-b', deviceIds: ['dev-a'] })).toEqual([]);
    });

    it('keeps metrics with a depth qualifier apart', async () => {
      await store.write([
        r('dev-a', T0, 22), r('dev-a', T0, 20, { metric: 'soil_moisture@10cm' }), r('dev-a', T0, 25, { metric: 'soil_moisture@30cm' }),
      ]);
      expect(await store.query({ ...range, metric: 'soil_moisture@30cm' })).toEqual([raw('dev-a', T0, 25)]);
      expect(await store.query({ ...range, metric: 'soil_moisture@10cm', everyMs: HOUR })).toEqual([
        { deviceId: 'dev-a', ts: T0, mean: 20, min: 20, max: 20, sum: 20, count: 1 },
      ]);
      const latest = (await store.latest({ cooperativeId: COOP })).sort(byDeviceMetric);
      expect(latest.map((x) => [x.metric, x.value])).toEqual([[SOIL, 22], ['soil_moisture@10cm', 20], ['soil_moisture@30cm', 25]]);
    });

    it('stores ids with spaces, commas, equals signs, quotes, backslashes and Vietnamese text intact', async () => {
      const ids = { deviceId: 'cảm biến 1,a=b', fieldId: "ruộng 'Bắc' \"2\"", farmId: 'trại\\Đông', cooperativeId: 'HTX Tân Phú' };
      const reading = { ...r('x', T0, 3.25), ...ids };
      await store.write([reading]);
      expect(await store.latest({ cooperativeId: ids.cooperativeId, fieldId: ids.fieldId, deviceIds: [ids.deviceId] })).toEqual([reading]);
      expect(await store.query({ ...range, cooperativeId: ids.cooperativeId, deviceId: ids.deviceId })).toEqual([raw(ids.deviceId, T0, 3.25)]);
    });

    it('an empty batch is a no-op', async () => {
      await expect(store.write([])).resolves.toBeUndefined();
      expect(await store.query(range)).toEqual([]);
      expect(await store.latest({ cooperativeId: COOP })).toEqual([]);
    });

    it('writes and reads back a batch of 5 000 readings', async () => {
      const devices = ['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5'];
      const batch = devices.flatMap((d) => Array.from({ length: 1000 }, (_, i) => r(d, T0 + i * 1000, i % 100, { seq: i })));
      await store.write(batch);
      const points = await store.query(range);
      expect(points).toHaveLength(5000);
      expect(points[0]).toEqual(raw('dev-1', T0, 0));
      expect(points[4999]).toEqual(raw('dev-5', T0 + 999_000, 99));
      const windows = await store.query({ ...range, everyMs: HOUR });
      expect(windows.map((x) => [x.deviceId, x.count, x.sum])).toEqual(devices.map((d) => [d, 1000, 49_500]));
    });

    describe('rollups and raw retention', () => {
      const DAY = 24 * HOUR;
      // Three days of dev-a every 10 min and dev-b every 25 min, with values that do not average neatly.
      const history = [
        ...Array.from({ length: 3 * 144 }, (_, i) => r('dev-a', T0 + i * 10 * MIN, (i * 7) % 23 + 0.1 * (i % 3))),
        ...Array.from({ length: 3 * 57 }, (_, i) => r('dev-b', T0 + i * 25 * MIN + 3_000, 40 - ((i * 5) % 17))),
      ];
      const ranges: [number, number, number][] = [
        [T0 + 7 * MIN, T0 + 2 * DAY + 5 * HOUR + 3 * MIN, HOUR],
        [T0 + 7 * MIN, T0 + 2 * DAY + 5 * HOUR + 3 * MIN, 3 * HOUR],
        [T0 + 7 * MIN, T0 + 3 * DAY, DAY],
        [T0 - DAY, T0 + 4 * DAY, DAY],
        // 12 days of hours and of 3-hour windows: long rollup reads, cut within the readings at both ends
        [T0 - 5 * DAY + 7 * MIN, T0 + 7 * DAY, HOUR],
        [T0 - 5 * DAY + 7 * MIN, T0 + 7 * DAY, 3 * HOUR],
      ];
      const q = (from: number, to: number, everyMs: number) => ({ cooperativeId: COOP, metric: SOIL, from, to, everyMs });

      async function expectRawEquivalent(readings: readonly StoredReading[]): Promise<void> {
        for (const [from, to, every] of ranges) expectWindows(await store.query(q(from, to, every)), aggregate(readings, from, to, every));
      }

      it('answers windows of whole hours and days like the raw aggregation, partial edges included, before and after a refresh', async () => {
        await store.write(history);
        await expectRawEquivalent(history);
        await store.refreshRollups();
        await expectRawEquivalent(history);
        expectWindows(await store.query({ ...q(T0, T0 + DAY, HOUR), deviceId: 'dev-b', limit: 2 }), aggregate(history.filter((x) => x.deviceId === 'dev-b'), T0, T0 + DAY, HOUR).slice(0, 2));
      });

      it('a late reading and a re-written one update every window they touch, each counted once', async () => {
        await store.write(history);
        await store.refreshRollups();
        const late = r('dev-a', T0 + DAY + 35 * MIN + 1, 59);
        const rewritten = { ...history[150]!, value: 0.25 };
        await store.write([late, rewritten]);
        const now = [...history.filter((x) => x !== history[150]), late, rewritten];
        await expectRawEquivalent(now);
        await store.refreshRollups();
        await expectRawEquivalent(now);
        await store.write([rewritten]); // a resent message
        await store.refreshRollups();
        await expectRawEquivalent(now);
      });

      it('a device moved to another field within an hour has one window per hour and day, with the readings of both fields', async () => {
        // dev-a in field-1 until T0 + 1 day + 10 h 30 min, then in field-2: that hour and day hold both fields' readings.
        const moved = history.filter((x) => x.deviceId === 'dev-a').map((x) => (x.ts >= T0 + DAY + 10 * HOUR + 30 * MIN ? { ...x, fieldId: 'field-2' } : x));
        await store.write(moved);
        await store.refreshRollups();
        for (const [from, to, every] of [[T0, T0 + 3 * DAY, HOUR], [T0, T0 + 3 * DAY, DAY], [T0 + 7 * MIN, T0 + 2 * DAY, HOUR]] as const) {
          expectWindows(await store.query({ ...q(from, to, every), deviceId: 'dev-a' }), aggregate(moved, from, to, every));
        }
      });

      it('a bulk load of 120 devices over 9 hours and 2 days: windows after the refresh equal the raw aggregation', async () => {
        // More devices per hour than a refresh lists by name: whole hours (and days) are recomputed, several per query.
        const start = T0 + DAY - 4 * HOUR;
        const bulk = Array.from({ length: 120 * 9 }, (_, i) => r(`bulk-${i % 120}`, start + Math.floor(i / 120) * HOUR + (i % 7) * MIN, (i * 13) % 31 + 0.5));
        await store.write(bulk);
        await store.refreshRollups();
        for (const [from, to, every] of [[T0, T0 + 2 * DAY, HOUR], [T0, T0 + 2 * DAY, DAY]] as const) {
          expectWindows(await store.query(q(from, to, every)), aggregate(bulk, from, to, every));
        }
      });

      it('pruneRaw drops raw readings older than the cut and keeps the hourly and daily windows and latest', async () => {
        await store.write(history);
        const cut = T0 + 2 * DAY;
        const hourly = await store.query(q(T0, T0 + 3 * DAY, HOUR));
        const daily = await store.query(q(T0, T0 + 3 * DAY, DAY));
        const latest = await store.latest({ cooperativeId: COOP });
        await store.pruneRaw(cut);
        expect(await store.query({ ...range, from: T0, to: cut })).toEqual([]);
        expect((await store.query({ ...range, from: cut, to: T0 + 3 * DAY })).length).toBe(history.filter((x) => x.ts >= cut).length);
        expectWindows(await store.query(q(T0, T0 + 3 * DAY, HOUR)), hourly);
        expectWindows(await store.query(q(T0, T0 + 3 * DAY, DAY)), daily);
        expect(await store.latest({ cooperativeId: COOP })).toEqual(latest);
      });
    });

    sequenceStateContract(() => store);

    it('ping() answers true while open, and close() is safe twice', async () => {
      expect(await store.ping()).toBe(true);
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
