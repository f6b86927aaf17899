// Scenario replay on the real pipeline, issue 15 A: a weather-station day too incomplete for ET0. The coffee
// farm's station reports a full day (Penman-Monteith ET0), then only one night hour the next day: the 05:30 run
// must not take an ET0 from that hour (it gave 0.98 mm/day where the full day gives 4.50); it carries the last
// trusted day's ET0, labelled, and tells the technicians the station needs a look. A full day again resolves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMidnight } from '../../rules/field-agronomy.js';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;
const DAY = 86_400_000;
const isoLocal = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

/** A station day's readings every 10 min for the hours [fromH, toH) of a local day. */
function station(dayStart: number, fromH: number, toH: number) {
  return times(dayStart + fromH * 60 * MIN, (toH - fromH) * 6, 10 * MIN).map((ts) => {
    const h = (ts - dayStart) / 3_600_000;
    const sun = Math.max(0, Math.sin((Math.PI * (h - 6)) / 12));
    const wave = Math.sin((Math.PI * (h - 9)) / 12);
    return { ts, readings: { air_temperature: 24 + 7 * wave, air_humidity: 70 - 20 * wave, wind_speed: 2, solar_radiation: 800 * sun, rain: 0 } };
  });
}

interface Advice { et0: { date: string; mm: number; method: string; estimated: string[] } | null }

describe('a station day too incomplete for ET0', () => {
  let rp: RulesPlatform;
  const d1 = isoLocal(Date.now() - 3 * DAY);
  const d2 = isoLocal(Date.now() - 2 * DAY);
  const d3 = isoLocal(Date.now() - DAY);

  beforeAll(async () => { rp = await startRulesPlatform(localMidnight(d1)); });
  afterAll(async () => { await rp?.close(); });

  const dailyAt = async (date: string) => {
    rp.clock.t = localMidnight(date) + DAY + 5.5 * 3_600_000; // 05:30 the next morning
    await rp.p.rules.runDaily();
  };
  const advice = async (): Promise<Advice> => {
    const res = await fetch(`${rp.baseUrl}/api/v1/fields/field-coffee-b/advice`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Advice;
  };
  const stationAlerts = async () => (await rp.alerts()).filter((a) => a.kind === 'station_day_incomplete');
  let fullEt0 = 0;

  it('a full day: Penman-Monteith ET0, no technician alert', async () => {
    rp.clock.t = localMidnight(d2);
    await rp.publish('wx-highlands', station(localMidnight(d1), 0, 24));
    await dailyAt(d1);
    const a = await advice();
    expect(a.et0).toMatchObject({ date: d1, method: 'penman-monteith' });
    fullEt0 = a.et0?.mm ?? 0;
    expect(fullEt0).toBeGreaterThan(3);
    expect(await stationAlerts()).toEqual([]);
  });

  it('one night hour: no ET0 from it — the last trusted day\'s is carried, labelled; a technician alert on the station', async () => {
    rp.clock.t = localMidnight(d3);
    await rp.publish('wx-highlands', station(localMidnight(d2), 1, 2));
    await dailyAt(d2);
    const a = await advice();
    expect(a.et0).toMatchObject({ date: d2, method: 'carried', mm: fullEt0 });
    expect(a.et0?.estimated).toEqual(expect.arrayContaining(['day_not_representative', `carried_from_${d1}`]));
    const alerts = await stationAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'open', severity: 'warning', deviceId: 'wx-highlands', values: { audience: 'technician', date: d2, carriedEt0Date: d1 },
    });
    expect(alerts[0]?.text.vi).toMatch(/^Trạm thời tiết Cư M’gar: ngày \d+\/\d+ chỉ có 4 % số liệu, thiếu nhiệt độ buổi chiều hoặc rạng sáng — không tính ET0 từ ngày này, dùng ET0 ngày \d+\/\d+ \(\d+,\d mm\)/);
  });

  it('a full day again: its own ET0, and the station alert resolves', async () => {
    rp.clock.t = localMidnight(d3) + DAY;
    await rp.publish('wx-highlands', station(localMidnight(d3), 0, 24));
    await dailyAt(d3);
    expect((await advice()).et0).toMatchObject({ date: d3, method: 'penman-monteith' });
    expect(await stationAlerts()).toMatchObject([{ status: 'resolved', resolvedBy: 'auto' }]);
  });
});
