// Issue 17 on the real pipeline (MQTT → ingest → SQLite → rules → alerts → HTTP API) with a local
// Open-Meteo-compatible forecast peer (FORECAST_URL): a coffee field WITHOUT probes on the demo's highland farm
// dries in the FAO-56 daily balance (no rain at the farm station). Each morning the forecast says 30 mm tomorrow at
// 90 %: the day the field reaches RAW, no "irrigate" alert opens and the advice says irrigation is postponed for
// the forecast rain. The forecast then drops to 2 mm (90 %): that does not cover the deficit, and the alert opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastBody, startForecastPeer, type ForecastPeer } from '../helpers/forecast-peer.js';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIELD = 'field-coffee-forecast';
/** Local (UTC+7) midnight at or before `t`, and the local date of `t`. */
const localMidnight = (t: number) => Math.floor((t + 7 * HOUR) / DAY) * DAY - 7 * HOUR;
const localDate = (t: number) => new Date(t + 7 * HOUR).toISOString().slice(0, 10);

interface Advice { status: string; method: string; numbers: Record<string, number | null>; text: { vi: string; en: string } }

describe('forecast rain postpones the irrigation advice of a drying coffee field', () => {
  let rp: RulesPlatform;
  let peer: ForecastPeer;
  const day0 = localMidnight(Date.now() - 24 * DAY);
  let postponedOn = -1;

  beforeAll(async () => {
    peer = await startForecastPeer();
    rp = await startRulesPlatform(day0, { FORECAST_URL: peer.url });
    await rp.p.registry.createField({ id: FIELD, farmId: 'farm-highlands', name: 'Lô cà phê dự báo', crop: 'coffee', plantingDate: '2019-06-01', soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 18 });
  });
  afterAll(async () => {
    await rp?.close();
    await peer?.close();
  });

  const advice = async () => {
    const res = await fetch(`${rp.baseUrl}/api/v1/fields/${FIELD}/advice`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    return (await res.json()) as Advice;
  };
  const irrigateAlerts = async () => (await rp.alerts(`?fieldId=${FIELD}`)).filter((a) => a.kind === 'irrigate');
  /** One dry-season day at the farm station: hourly air temperature 17–31 °C, no rain. */
  const weatherDay = async (d: number) => {
    rp.clock.t = day0 + (d + 1) * DAY;
    await rp.publish('wx-highlands', times(day0 + d * DAY, 24, HOUR).map((ts) => {
      const hour = ((ts + 7 * HOUR) % DAY) / HOUR;
      return { ts, readings: { air_temperature: Number((24 + 7 * Math.cos(((hour - 14) / 24) * 2 * Math.PI)).toFixed(2)), rain: 0 } };
    }));
  };
  /** The peer's forecast from today: today dry, `mm` tomorrow at `pct` %, the day after dry; fetched now. */
  const forecast = async (mm: number, pct: number) => {
    const t = rp.clock.t;
    peer.answer({ kind: 'json', body: forecastBody([
      { date: localDate(t), mm: 0, pct: 5 }, { date: localDate(t + DAY), mm, pct }, { date: localDate(t + 2 * DAY), mm: 0, pct: 10 },
    ]) });
    await rp.p.forecast!.service.refresh();
  };

  it('30 mm forecast tomorrow at 90 %: the day the field reaches RAW, no irrigate alert, the advice says postponed', async () => {
    for (let d = 1; d <= 21 && postponedOn < 0; d++) {
      await weatherDay(d - 1);
      rp.clock.t = day0 + d * DAY + 5.5 * HOUR; // 05:30 local: the morning's forecast, yesterday's weather → today's advice
      await forecast(30, 90);
      await rp.p.rules.runDaily();
      if ((await advice()).status === 'postpone') postponedOn = d;
    }
    expect(postponedOn).toBeGreaterThan(5);
    expect(await irrigateAlerts()).toEqual([]);
    const a = await advice();
    expect(a).toMatchObject({ status: 'postpone', method: 'water-balance' });
    expect(a.numbers.depletionMm!).toBeGreaterThanOrEqual(a.numbers.rawMm!); // it would have irrigated
    expect(a.numbers).toMatchObject({ forecastRainMm: 30, forecastProbabilityPct: 90 });
    expect(a.text.en).toMatch(/^Lô cà phê dự báo \(coffee\): rain ~30 mm forecast tomorrow \(90 %\) — irrigation postponed/);
    expect(a.text.vi).toMatch(/dự báo mưa khoảng 30 mm ngày mai \(90 %\) — hoãn tưới/);
    // polled per farm location: the demo's Mekong rice farm and its highland coffee farm
    const asked = new Set(peer.requests.map((u) => `${u.searchParams.get('latitude')},${u.searchParams.get('longitude')}`));
    expect([...asked].sort()).toEqual(['12.82,108.08', '9.55,105.98']);
  });

  it('2 mm forecast at 90 % does not cover the deficit: the irrigate alert opens', async () => {
    await forecast(2, 90);
    for (let k = 0; k < 2; k++) { // the rule's `for` (30 min): two evaluations an hour apart
      rp.clock.t += HOUR;
      await rp.p.rules.runDaily();
    }
    const [alert] = await irrigateAlerts();
    expect(alert).toMatchObject({ status: 'open', fieldId: FIELD });
    const a = await advice();
    expect(a.status).toBe('irrigate');
    expect(a.text.en).toContain('irrigate today');
  });
});
