// Readings through the real HTTP API: chart series stay at most ~1,000 points per series (raw while small,
// windows chosen or widened otherwise), the CSV export streams any range in bounded slices, the latest values
// follow the live event bus, and Server-Sent Events deliver only what the caller may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RangeQuery, ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';
import { eventually } from '../helpers/platform.js';

const MIN = 60_000;
const DAY = 86_400_000;

interface SseEvent { event: string; data: { fieldId?: string; readings?: unknown[]; alertId?: string } }
interface Series { everyMs: number | null; downsampled: boolean; maxPoints: number; series: { deviceId: string; ts: number[]; value?: number[]; mean?: number[]; count?: number[] }[] }
/** Points of every series; readings counted (a window counts its readings, a raw point one). */
const pointCount = (b: Series) => b.series.reduce((n, s) => n + s.ts.length, 0);
const readingCount = (b: Series) => b.series.reduce((n, s) => n + (s.count ? s.count.reduce((m, c) => m + c, 0) : s.ts.length), 0);

/** Reads an SSE stream in the background, collecting `event: name` + JSON data. */
function follow(base: string, token: string) {
  const events: SseEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    let buffer = '';
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as SseEvent['data'] });
      }
    }
    return 'ended';
  })().catch((err: Error) => {
    if (err.name === 'AbortError') return 'aborted';
    throw err;
  });
  return { events, done, stop: () => controller.abort() };
}

describe('API readings, CSV export and live updates', () => {
  let f: ApiFixture;
  const queries: RangeQuery[] = [];
  const now = Date.now();
  const start = Math.floor((now - 35 * DAY) / (5 * MIN)) * 5 * MIN;
  let written = 0;

  beforeAll(async () => {
    const counting = (s: ReadingStore): ReadingStore => ({ ...s, query: ((q: RangeQuery) => { queries.push(q); return s.query(q); }) as ReadingStore['query'] });
    f = await startApiFixture({ sseHeartbeatMs: 100 }, counting);
    const batch: StoredReading[] = [];
    for (let ts = start; ts < now - MIN; ts += 5 * MIN) {
      batch.push({ deviceId: 'dev-a1', metric: 'water_ec', ts, value: 1 + (ts % 7), fieldId: f.ids.fieldA1, farmId: f.ids.farmA1, cooperativeId: f.ids.coopA });
    }
    await f.store.write(batch);
    written = batch.length;
  });
  afterAll(async () => { await f?.close(); });

  const readings = async (query: string) => (await f.request<Series>('GET', `/api/v1/fields/${f.ids.fieldA1}/readings?metric=water_ec&${query}`, f.tokens.alice)).body;

  it('returns raw points while a series is small, and windows of ≤ 1,000 points for a long range', async () => {
    const short = await readings(`from=${now - 2 * 3_600_000}&to=${now}`);
    expect(short).toMatchObject({ everyMs: null, downsampled: false });
    expect(short.series.map((s) => s.deviceId)).toEqual(['dev-a1']);
    expect(Object.keys(short.series[0]!)).toEqual(['deviceId', 'ts', 'value']);
    expect(short.series[0]!.ts.length).toBeGreaterThan(20);
    expect(short.series[0]!.value).toHaveLength(short.series[0]!.ts.length);
    expect(short.series[0]!.ts).toEqual([...short.series[0]!.ts].sort((a, b) => a - b)); // in time order

    const month = await readings(`from=${now - 30 * DAY}&to=${now}`);
    expect(month).toMatchObject({ everyMs: 3_600_000, downsampled: true, maxPoints: 1000 });
    expect(Object.keys(month.series[0]!)).toEqual(['deviceId', 'ts', 'mean', 'min', 'max', 'sum', 'count']);
    expect(pointCount(month)).toBeLessThanOrEqual(1000);
    expect(pointCount(month)).toBeGreaterThan(700);
    expect(month.series[0]!.mean).toHaveLength(pointCount(month));
    const raw = (await f.store.query({ cooperativeId: f.ids.coopA, fieldId: f.ids.fieldA1, metric: 'water_ec', from: now - 30 * DAY, to: now })).length;
    expect(readingCount(month)).toBe(raw); // every reading is in a window

    // a long range with few readings: raw points again — unless raw readings were pruned (rollups outlive them)
    const sparse = (await f.request<Series>('GET', `/api/v1/fields/${f.ids.fieldA2}/readings?metric=soil_moisture@20cm&from=0`, f.tokens.alice)).body;
    expect(sparse).toMatchObject({ everyMs: null, downsampled: false });
    expect(pointCount(sparse)).toBe(1);
    const old = (ts: number): StoredReading => ({ deviceId: 'dev-a2', metric: 'soil_temperature@20cm', ts, value: 24, fieldId: f.ids.fieldA2, farmId: f.ids.farmA2, cooperativeId: f.ids.coopA });
    await f.store.write([old(now - 200 * DAY), old(now - 199 * DAY), old(now - 3 * DAY)]);
    await f.store.refreshRollups();
    await f.store.pruneRaw(now - 90 * DAY);
    const year = (await f.request<Series>('GET', `/api/v1/fields/${f.ids.fieldA2}/readings?metric=soil_temperature@20cm&from=${now - 365 * DAY}&to=${now}`, f.tokens.alice)).body;
    expect(year).toMatchObject({ everyMs: 12 * 3_600_000, downsampled: true });
    expect(readingCount(year)).toBe(3);

    const widened = await readings(`from=${now - 30 * DAY}&to=${now}&every=1m`);
    expect(widened).toMatchObject({ everyMs: 3_600_000, downsampled: true });
    const asked = await readings(`from=${now - 30 * DAY}&to=${now}&every=6h`);
    expect(asked).toMatchObject({ everyMs: 6 * 3_600_000, downsampled: false });
    expect(pointCount(asked)).toBeLessThanOrEqual(121);
  });

  it('streams a CSV of any range in bounded slices, every reading once and in time order', async () => {
    queries.length = 0;
    const res = await fetch(`${f.base}/api/v1/fields/${f.ids.fieldA1}/readings.csv?metric=water_ec&from=0&to=${now}`, { headers: { authorization: `Bearer ${f.tokens.alice}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="${f.ids.fieldA1}_water_ec_1970-01-01_`));
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    let chunks = 0;
    let text = '';
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      chunks++;
      text += chunk;
    }
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,device_id,metric,value,unit');
    expect(lines).toHaveLength(written + 1);
    expect(lines[1]).toBe(`${new Date(start).toISOString()},dev-a1,water_ec,${1 + (start % 7)},dS/m`);
    const times = lines.slice(1).map((l) => Date.parse(l.split(',')[0]!));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(chunks).toBeGreaterThan(1);
    // each slice is one bounded store query: at most 10,000 rows, or a slice of at most one second
    const csvQueries = queries.filter((q) => q.everyMs === undefined);
    expect(csvQueries.length).toBeGreaterThan(5);
    expect(csvQueries.filter((q) => !(q.limit !== undefined && q.limit <= 10_000) && q.to - q.from > 1000)).toEqual([]);
  });

  it('follows the live bus for latest values, and never moves a latest value back in time', async () => {
    type Latest = { readings: { metric: string; value: number; ts: string }[] };
    const latest = async () => (await f.request<Latest>('GET', `/api/v1/fields/${f.ids.fieldA1}/latest`, f.tokens.alice)).body.readings.find((r) => r.metric === 'awd_level');
    expect((await latest())?.value).toBe(-7);
    const reading = (value: number, ts: number): StoredReading => ({ deviceId: 'dev-a1', metric: 'awd_level', ts, value, fieldId: f.ids.fieldA1, farmId: f.ids.farmA1, cooperativeId: f.ids.coopA });
    f.bus.emit('readings', { readings: [reading(-9.5, now)] });
    expect(await latest()).toMatchObject({ value: -9.5, ts: new Date(now).toISOString() });
    f.bus.emit('readings', { readings: [reading(3, now - DAY)] }); // late, older
    expect((await latest())?.value).toBe(-9.5);
  });

  it('sends each subscriber only the readings and alerts of fields it may see, and ends the stream with the session', async () => {
    const admin = follow(f.base, f.tokens.alice);
    const farmer = follow(f.base, f.tokens.fred);
    const outsider = follow(f.base, f.tokens.bob);
    await eventually(() => Promise.resolve(admin.events.length && farmer.events.length && outsider.events.length ? true : undefined), 5000, 'hello events');
    const r = (fieldId: string, farmId: string, cooperativeId: string, value: number): StoredReading =>
      ({ deviceId: 'dev-x', metric: 'awd_level', ts: now, value, fieldId, farmId, cooperativeId });
    f.bus.emit('readings', { readings: [r(f.ids.fieldA1, f.ids.farmA1, f.ids.coopA, 1), r(f.ids.fieldA2, f.ids.farmA2, f.ids.coopA, 2), r(f.ids.fieldB, f.ids.farmB, f.ids.coopB, 3)] });
    expect((await f.request('POST', `/api/v1/alerts/${f.ids.alertA2}/ack`, f.tokens.tom, { comment: 'đang xử lý' })).status).toBe(200);
    await eventually(() => Promise.resolve(admin.events.some((e) => e.event === 'alert') ? true : undefined), 5000, 'the alert event');
    const fields = (s: ReturnType<typeof follow>) => s.events.filter((e) => e.event === 'readings').map((e) => e.data.fieldId).sort();
    expect(fields(admin)).toEqual([f.ids.fieldA1, f.ids.fieldA2].sort());
    expect(fields(farmer)).toEqual([f.ids.fieldA1]);
    expect(fields(outsider)).toEqual([f.ids.fieldB]);
    expect(admin.events.find((e) => e.event === 'readings' && e.data.fieldId === f.ids.fieldA1)!.data.readings).toEqual([{ deviceId: 'dev-x', metric: 'awd_level', ts: new Date(now).toISOString(), value: 1 }]);
    expect(admin.events.find((e) => e.event === 'alert')!.data).toMatchObject({ alertId: f.ids.alertA2, fieldId: f.ids.fieldA2, status: 'acknowledged', change: 'acknowledged' });
    expect(farmer.events.some((e) => e.event === 'alert')).toBe(false);
    expect(outsider.events.some((e) => e.event === 'alert')).toBe(false);

    await f.registry.endSession(f.tokens.fred);
    expect(await farmer.done).toBe('ended'); // the next heartbeat saw the session gone
    admin.stop();
    outsider.stop();
    expect(await admin.done).toBe('aborted');
  });
});
