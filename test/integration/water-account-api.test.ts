// The season's water account over the real platform (issue 17; docs/water-account.md): a farm with two coffee
// fields (2 ha and 1 ha) made through the API, a weather station publishing over MQTT (hourly air temperature and
// rain), irrigations posted through the API and one irrigate alert; on a third field, on a farm of its own, a pump
// controller publishing pump_on on → on → off (the platform may derive an irrigation from that run — it is kept
// away from the fields whose irrigations are counted here) — then GET /fields/:id/water-account and /farms/:id/water-account answer the counts, mm, m³ (mm × ha × 10),
// pump hours, rain and ET (the /daily endpoint's ET0, and Kc·ET0), advised vs done, and the .csv files hold the same
// numbers, one row per day and a total row, with English or Vietnamese column names.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;
const DAY = 24 * H;
/** Local (UTC+7) midnight at or before `t`, and the local date of `t`. */
const localMidnight = (t: number) => Math.floor((t + 7 * H) / DAY) * DAY - 7 * H;
const localDay = (t: number) => new Date(t + 7 * H).toISOString().slice(0, 10);

interface Day { date: string; irrigations: number; irrigationMm: number; irrigationM3: number | null; pumpHours: number; rainMm: number | null; et0Mm: number | null; kc: number | null; etcMm: number | null; advised: number | null }
interface Totals { days: number; irrigations: number; irrigationMm: number; irrigationM3: number | null; pumpHours: number; pumps: number; rainMm: number; rainDays: number; et0Mm: number; etcMm: number; etDays: number; advised: number | null; done: number }
interface Account { from: string; to: string; season: string; totals: Totals; days: Day[]; bySource: Record<string, { count: number; mm: number }> }
interface FarmAccount extends Account { areaHa: number; fields: { fieldId: string; totals: Totals }[]; unweightedFields: string[] }

describe('the season water account API on the real platform', () => {
  let p: TestPlatform;
  let token: string;
  const clients: MqttClient[] = [];
  const today = localMidnight(Date.now());
  const d2 = today - 2 * DAY; // two local days ago: weather, an irrigation
  const d1 = today - DAY; // yesterday: the pump runs, an irrigation by volume
  const planted = localDay(today - 10 * DAY);
  let farmId = '';
  let fieldA = ''; // 2 ha, station and pump
  let fieldB = ''; // 1 ha
  let fieldC = ''; // another farm's, with a pump

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string; type: string | null }> => {
    const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('content-type');
    return { status: res.status, body: (type?.startsWith('application/json') ? JSON.parse(text) : undefined) as T, text, type };
  };
  const device = async (fieldId: string, kind: string, id: string) => {
    const res = await api<{ secret: string }>('POST', '/devices', { fieldId, kind, name: id, id });
    expect(res.status, res.text).toBe(201);
    const client = await connectDevice(p.mqttUrl, id, res.body.secret);
    clients.push(client);
    return (payload: unknown) => client.publishAsync(`devices/${id}/up`, JSON.stringify(payload), { qos: 1 });
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    token = await login(p.baseUrl);
    farmId = (await api<{ id: string }>('POST', '/farms', { name: 'Trại thử nước', location: { type: 'Point', coordinates: [108.08, 12.82] }, elevationM: 500 })).body.id;
    const field = async (name: string, areaHa: number, farm = farmId) => {
      const res = await api<{ id: string }>('POST', '/fields', { farmId: farm, name, crop: 'coffee', areaHa, plantingDate: planted, soilTexture: 'clay' });
      expect(res.status, res.text).toBe(201);
      return res.body.id;
    };
    fieldA = await field('Lô A', 2);
    fieldB = await field('Lô B', 1);
    fieldC = await field('Lô bơm', 1, (await api<{ id: string }>('POST', '/farms', { name: 'Trại có bơm' })).body.id);

    // the farm's station on field A: two whole local days of hourly air temperature (17–31 °C), rain on the first
    const station = await device(fieldA, 'weather_station', 'wx-water-account');
    const hourly = (day: number, rainAt: Record<number, number>) => Array.from({ length: 24 }, (_, h) => ({
      ts: day + h * H, readings: { air_temperature: Number((24 + 7 * Math.cos(((h - 14) / 24) * 2 * Math.PI)).toFixed(2)), rain: rainAt[h] ?? 0 },
    }));
    await station(hourly(d2, { 3: 4.2, 4: 8 }));
    await station(hourly(d1, {}));
    // the pump: on at 10:00, still on at 10:30, off at 11:30 (1.5 h), then silent
    const pump = await device(fieldC, 'pump_controller', 'pump-water-account');
    await pump([
      { ts: d1 + 10 * H, readings: { pump_on: 1, flow_l: 0 } },
      { ts: d1 + 10.5 * H, readings: { pump_on: 1, flow_l: 9000 } },
      { ts: d1 + 11.5 * H, readings: { pump_on: 0, flow_l: 18000 } },
    ]);

    const irrigate = async (fieldId: string, body: Record<string, unknown>) => expect((await api('POST', `/fields/${fieldId}/irrigations`, body)).status).toBe(201);
    await irrigate(fieldA, { startAt: new Date(d2 + 7 * H).toISOString(), depthMm: 25, source: 'farmer_report' });
    await irrigate(fieldA, { startAt: new Date(d1 + 10 * H).toISOString(), volumeM3: 200, source: 'api' }); // 10 mm on 2 ha
    await irrigate(fieldB, { startAt: new Date(d1 + 6 * H).toISOString(), depthMm: 20, source: 'api' });
    // an irrigate alert as the soil-water rule opens it (today)
    await p.alerts.raise({
      cooperativeId: 'coop-demo', farmId, fieldId: fieldA, deviceId: null, ruleId: 'coop-demo:soil-water.test', subject: `field:${fieldA}`,
      kind: 'irrigate', severity: 'warning', escalateAfterMs: null, values: { depletionMm: 60 }, text: { vi: 'tưới', en: 'irrigate' },
    });
    // every published reading stored
    await eventually(async () => ((await api<Account>('GET', `/fields/${fieldC}/water-account`)).body.totals.pumpHours === 1.5 ? true : undefined), 15_000, 'pump readings stored');
    await eventually(async () => ((await api<Account>('GET', `/fields/${fieldA}/water-account`)).body.totals.rainDays === 2 ? true : undefined), 15_000, 'station readings stored');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await p?.close();
  });

  it('a field\'s account: irrigations, m³, pump hours, rain, ET from the /daily figures, advised vs done', async () => {
    const res = await api<Account>('GET', `/fields/${fieldA}/water-account`);
    expect(res.status).toBe(200);
    const a = res.body;
    expect(a).toMatchObject({ from: planted, to: localDay(today), season: 'planting_date' });
    expect(a.days).toHaveLength(11);
    expect(a.totals).toMatchObject({ days: 11, irrigations: 2, irrigationMm: 35, irrigationM3: 700, pumpHours: 0, pumps: 0, rainMm: 12.2, advised: 1, done: 2 });
    expect(a.bySource).toEqual({ farmer_report: { count: 1, mm: 25 }, api: { count: 1, mm: 10 } });
    const day = (t: number) => a.days.find((d) => d.date === localDay(t))!;
    expect(day(d2)).toMatchObject({ irrigations: 1, irrigationMm: 25, irrigationM3: 500, rainMm: 12.2, pumpHours: 0, advised: 0 });
    expect(day(d1)).toMatchObject({ irrigations: 1, irrigationMm: 10, irrigationM3: 200, rainMm: 0, pumpHours: 0, advised: 0 });
    expect(day(today)).toMatchObject({ rainMm: null, advised: 1 }); // no reading today: unknown, not dry

    // rain and ET0 are the /daily endpoint's own figures; crop ET is coffee's Kc × ET0
    const daily = (await api<{ days: { date: string; rainMm: number | null; et0Mm: number | null }[] }>('GET', `/fields/${fieldA}/daily?days=11`)).body.days;
    for (const t of [d2, d1]) {
      const dd = daily.find((d) => d.date === localDay(t))!;
      expect(dd.et0Mm).toBeGreaterThan(0);
      expect(day(t)).toMatchObject({ rainMm: dd.rainMm, et0Mm: dd.et0Mm, kc: 0.95 });
      expect(day(t).etcMm).toBeCloseTo(0.95 * dd.et0Mm!, 2);
    }
    expect(a.totals.etDays).toBe(2);
    expect(a.totals.et0Mm).toBeCloseTo(day(d2).et0Mm! + day(d1).et0Mm!, 2);
  });

  it('pump hours integrate the pump_on states between reports, split by local day', async () => {
    const c = (await api<Account>('GET', `/fields/${fieldC}/water-account`)).body;
    expect(c.totals).toMatchObject({ pumpHours: 1.5, pumps: 1, rainDays: 0 }); // on 10:00 → 11:30; no station on that farm
    expect(c.days.find((d) => d.date === localDay(d1))).toMatchObject({ pumpHours: 1.5, rainMm: null });
    expect(c.days.filter((d) => d.pumpHours > 0)).toHaveLength(1);
  });

  it('a farm\'s account: counts, m³ and hours add; mm is the area-weighted mean', async () => {
    const res = await api<FarmAccount>('GET', `/farms/${farmId}/water-account`);
    expect(res.status).toBe(200);
    const f = res.body;
    expect(f).toMatchObject({ from: planted, season: 'planting_date', areaHa: 3, unweightedFields: [] });
    expect(f.totals).toMatchObject({ irrigations: 3, irrigationM3: 900, pumpHours: 0, pumps: 0, advised: 1, done: 3 });
    expect(f.totals.irrigationMm).toBeCloseTo((35 * 2 + 20 * 1) / 3, 2);
    expect(f.totals.rainMm).toBeCloseTo(12.2, 6); // one station: the same rain on both fields
    expect(f.fields.map((x) => [x.fieldId, x.totals.irrigationM3])).toEqual([[fieldA, 700], [fieldB, 200]]);
    const day1 = f.days.find((d) => d.date === localDay(d1))!;
    expect(day1).toMatchObject({ irrigations: 2, irrigationM3: 400 });
    expect(day1.irrigationMm).toBeCloseTo((10 * 2 + 20 * 1) / 3, 2);
  });

  it('the CSV: a header row, one row per day and a total row, in English or Vietnamese', async () => {
    const en = await api('GET', `/fields/${fieldA}/water-account.csv`);
    expect(en.status).toBe(200);
    expect(en.type).toBe('text/csv; charset=utf-8');
    const lines = en.text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('date,irrigations,irrigation_mm,irrigation_m3,pump_hours,rain_mm,et0_mm,crop_et_mm,irrigations_advised');
    expect(lines).toHaveLength(1 + 11 + 1 + 1);
    expect(lines[1]?.startsWith(`${planted},0,0,0,0,`)).toBe(true);
    expect(lines.find((l) => l.startsWith(localDay(d1)))).toMatch(new RegExp(`^${localDay(d1)},1,10,200,0,0,[\\d.]+,[\\d.]+,0$`));
    expect(lines[12]).toMatch(/^total,2,35,700,0,12\.2,[\d.]+,[\d.]+,1$/);
    const pumped = (await api('GET', `/fields/${fieldC}/water-account.csv`)).text.split('\r\n');
    expect(pumped.find((l) => l.startsWith(localDay(d1)))?.split(',')[4]).toBe('1.5');

    const vi = await api('GET', `/farms/${farmId}/water-account.csv?lang=vi`);
    expect(vi.status).toBe(200);
    const bytes = new Uint8Array(await (await fetch(`${p.baseUrl}/api/v1/farms/${farmId}/water-account.csv?lang=vi`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark (fetch's text() drops it)
    expect(vi.text.startsWith('Ngày,Số lần tưới,Lượng tưới (mm),Lượng tưới (m³),Giờ bơm,Mưa (mm),ET0 (mm),ET cây trồng (mm),Số lần khuyến nghị tưới\r\n')).toBe(true);
    expect(vi.text.split('\r\n').at(-2)).toMatch(/^Tổng,3,30,900,0,12\.2,/);
  });

  it('a range of local days; a bad range is a 400 naming the parameter', async () => {
    const one = await api<Account>('GET', `/fields/${fieldA}/water-account?from=${localDay(d1)}&to=${localDay(d1)}`);
    expect(one.body).toMatchObject({ from: localDay(d1), to: localDay(d1), season: 'query', totals: { days: 1, irrigations: 1, irrigationMm: 10, advised: 0 } });
    for (const [query, field] of [[`to=${localDay(today + 2 * DAY)}`, 'to'], [`from=${localDay(d1)}&to=${localDay(d2)}`, 'from'], ['from=2020-01-01', 'from'], ['from=7-12-2026', 'from']]) {
      const res = await api<{ error: { message: string } }>('GET', `/fields/${fieldA}/water-account?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
  });
});
