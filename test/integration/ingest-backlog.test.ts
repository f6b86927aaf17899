// A device back after 6 hours offline replays its buffer (36 ten-minute entries) in chunks, after its
// newest reading went out first, and re-sends one chunk: every reading is stored once, "latest" stays the
// newest by time, the hourly and daily windows equal the raw readings (the replay lands in hours that were
// already rolled up), and the device's sequence shows no gap — but a reading it never sent shows as one.
// Run on SQLite and on InfluxDB.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WindowPoint } from '../../core/store/reading-store.js';
import { connectDevice, eventually, getJson, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const COOP = 'coop-demo';
const METRIC = 'soil_moisture@20cm';

interface Entry { ts: number; seq: number; readings: Record<string, number> }

const influxUrl = inject('influxUrl');
const stores: [string, Record<string, string>][] = [['sqlite', {}]];
if (influxUrl !== '') stores.push(['influx', { STORE: 'influx', INFLUX_URL: `${influxUrl}/ruong_backlog_${randomUUID().replace(/-/g, '')}` }]);

function windows(entries: readonly Entry[], from: number, to: number, every: number): [number, number, number, number, number][] {
  const by = new Map<number, number[]>();
  for (const e of entries) {
    if (e.ts < from || e.ts >= to) continue;
    const w = Math.floor(e.ts / every) * every;
    by.set(w, [...(by.get(w) ?? []), e.readings[METRIC]!]);
  }
  return [...by].sort((a, b) => a[0] - b[0]).map(([ts, v]) => [ts, v.length, Math.min(...v), Math.max(...v), v.reduce((s, x) => s + x, 0)]);
}
const asTuples = (ws: readonly WindowPoint[]) => ws.map((w) => [w.ts, w.count, w.min, w.max, Number(w.sum.toFixed(9))]);

describe.each(stores)('a 6-hour backlog replayed (%s)', (_name, env) => {
  let p: TestPlatform;
  beforeAll(async () => { p = await startTestPlatform({ ...env, ROLLUP_REFRESH_S: '1' }); });
  afterAll(async () => { await p?.close(); });

  it('stores it all once, keeps latest, recomputes the rollups and reports the sequence', async () => {
    const { secret } = await p.registry.provisionDevice({ id: 'probe-backlog', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'backlog' });
    const device = await connectDevice(p.mqttUrl, 'probe-backlog', secret);
    const publish = (payload: unknown) => device.publishAsync('devices/probe-backlog/up', JSON.stringify(payload), { qos: 1 });
    const now = Date.now();
    const start = Math.floor((now - 8 * HOUR) / HOUR) * HOUR + 5 * MIN; // partial hours at both ends
    const entries: Entry[] = Array.from({ length: 44 }, (_, i) => ({ ts: start + i * 10 * MIN, seq: i + 1, readings: { [METRIC]: 20 + ((i * 7) % 13) / 4, battery: 90 - i / 10 } }));
    const before = entries.slice(0, 6); // sent live, then the device went offline
    const backlog = entries.slice(6, 42); // 6 h buffered
    const newest = entries[42]!; // sent first on reconnect
    const last: Entry = { ...entries[43]!, ts: entries[43]!.ts + 10 * MIN, seq: 45 }; // #44 is never sent

    for (const e of before) await publish(e);
    await eventually(async () => ((await p.store.query({ cooperativeId: COOP, metric: METRIC, deviceId: 'probe-backlog', from: start, to: now })).length === 6 ? true : undefined), 10_000, 'the live readings');
    await p.store.refreshRollups(); // the hours they fall in are rolled up before the backlog arrives
    await publish(newest);
    for (let i = 0; i < backlog.length; i += 12) await publish(backlog.slice(i, i + 12));
    await publish(backlog.slice(12, 24)); // a chunk re-sent after a lost PUBACK
    await publish(last);

    const sent = [...before, ...backlog, newest, last];
    const range = { cooperativeId: COOP, metric: METRIC, deviceId: 'probe-backlog', from: start - HOUR, to: now + HOUR };
    const raw = await eventually(async () => {
      const got = await p.store.query(range);
      return got.length === sent.length ? got : undefined;
    }, 15_000, 'the whole backlog stored');
    expect(raw.map((x) => x.ts)).toEqual(sent.map((e) => e.ts).sort((a, b) => a - b));

    const latest = await p.store.latest({ cooperativeId: COOP, deviceIds: ['probe-backlog'] });
    expect(latest.find((r) => r.metric === METRIC)).toMatchObject({ ts: last.ts, seq: 45, value: last.readings[METRIC] });

    const hourly = windows(sent, range.from, range.to, HOUR);
    expect(asTuples(await p.store.query({ ...range, everyMs: HOUR }))).toEqual(hourly);
    await p.store.refreshRollups();
    expect(asTuples(await p.store.query({ ...range, everyMs: HOUR }))).toEqual(hourly);
    expect(asTuples(await p.store.query({ ...range, everyMs: 24 * HOUR }))).toEqual(windows(sent, range.from, range.to, 24 * HOUR));

    const token = await login(p.baseUrl);
    const gaps = await eventually(async () => {
      const res = await getJson<{ missing: number; missingRanges: number[][]; duplicatesTotal: number; lateTotal: number }>(p.baseUrl, '/api/v1/devices/probe-backlog/gaps', token);
      return res.body.duplicatesTotal >= 12 && res.body.missing === 1 ? res.body : undefined;
    }, 5_000, 'the sequence state saved');
    // The backlog came after #43, so its 36 numbers were missing, then arrived late; #44 was never sent.
    expect(gaps).toMatchObject({ missing: 1, missingRanges: [[44, 44]], lateTotal: 36, duplicatesTotal: 12 });
    expect((await getJson(p.baseUrl, '/api/v1/devices/nope/gaps', token)).status).toBe(404);
    await device.endAsync();
  }, 60_000);
});
