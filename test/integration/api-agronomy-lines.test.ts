// One agronomy for the dashboard and the rules (issue 15): on the demo farm, with a day of station weather and
// drying coffee probes, the RAW line of GET /fields/:id/soil is the soil-water rule's threshold (advice and
// alert) to 0.1 mm for every demo field, the AWD line is the AWD rule's, and GET /fields/:id/daily shows the
// Penman-Monteith ET0 the advice used — an incomplete day labelled estimate, a night-only day none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soilChartLines } from '../../api/chart-lines.js';
import type { Advice } from '../../core/alerts/rule-store.js';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN = 7 * HOUR;
const DEMO_FIELDS = ['field-rice-1', 'field-rice-2', 'field-coffee-a', 'field-coffee-b'];

/** A station day of 10-min records (the slots `keep` keeps): a smooth sunny day. */
function stationDay(dayStartMs: number, keep: (slot: number) => boolean, tBase: number) {
  return times(dayStartMs, 144, 600_000).filter((_, i) => keep(i)).map((ts) => {
    const h = (ts - dayStartMs) / HOUR;
    const sun = Math.max(0, Math.sin((Math.PI * (h - 6)) / 12));
    const swing = Math.sin((Math.PI * (h - 9)) / 12);
    return {
      ts,
      readings: { air_temperature: tBase + 6 * swing, air_humidity: 75 - 20 * swing, wind_speed: 2, solar_radiation: 800 * sun, rain: 0 },
    };
  });
}

interface DailyDay { date: string; et0Mm: number | null; et0Method: string; estimate: boolean; estimated: string[]; usedByAdvice: boolean; hours: number }

describe('the dashboard draws the thresholds the rules act on', () => {
  let rp: RulesPlatform;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${rp.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const localMidnight = (t: number) => Math.floor((t + VN) / DAY) * DAY - VN;
  let yesterday: number;

  beforeAll(async () => {
    rp = await startRulesPlatform(Date.now());
    const today = localMidnight(rp.clock.now());
    yesterday = today - DAY;
    for (const [station, tBase] of [['wx-highlands', 24], ['wx-mekong', 28]] as const) {
      await rp.publish(station, stationDay(yesterday, () => true, tBase)); // complete
      await rp.publish(station, stationDay(yesterday - DAY, (i) => i % 2 === 0 && i < 100, tBase)); // half the records, 00–16.5 h
      await rp.publish(station, stationDay(yesterday - 2 * DAY, (i) => i < 24, tBase)); // 00–04 h only
    }
    await rp.p.rules.runDaily();
    // Coffee A has been below RAW for 4 hours (slowly drying further): its advice says irrigate.
    const probeFrom = rp.clock.now() - 4 * HOUR;
    const probe = (t20: number, t50: number) => times(probeFrom, 24, 10 * 60_000).map((ts, i) => ({ ts, readings: { 'soil_moisture@20cm': t20 - i * 0.02, 'soil_moisture@50cm': t50 - i * 0.01 } }));
    await rp.publish('soil-coffee-a', probe(25, 27));
    await rp.publish('soil-coffee-b', probe(34, 35));
    await rp.publish('awd-rice-1', [{ ts: probeFrom, readings: { awd_level: -5 } }]);
    await rp.publish('awd-rice-2', [{ ts: probeFrom, readings: { awd_level: 3 } }]);
  }, 60_000);
  afterAll(async () => { await rp?.close(); });

  it('RAW line = the soil-water rule\'s RAW (advice and alert) to 0.1 mm for every demo field, with p adjusted for ETc', async () => {
    let compared = 0;
    for (const id of DEMO_FIELDS) {
      const soil = await get<{ crop: string; soil: { rawMm: number | null; tawMm: number | null; depletionFraction: number | null; from: string } | null; awdThresholdCm: number | null }>(`/fields/${id}/soil`);
      const advice = await get<Advice>(`/fields/${id}/advice`);
      if (soil.crop === 'rice') {
        expect(advice.method).toBe('awd-tube');
        expect(soil.awdThresholdCm).toBe(advice.numbers.thresholdCm);
        continue;
      }
      expect(advice.method).toBe('soil-sensors');
      expect(advice.et0?.method).toBe('penman-monteith');
      expect(Math.abs(soil.soil!.rawMm! - advice.numbers.rawMm!)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(soil.soil!.tawMm! - advice.numbers.tawMm!)).toBeLessThanOrEqual(0.1);
      expect(soil.soil!.depletionFraction).toBeGreaterThan(0.4); // Table 22's 0.40 adjusted for ETc < 5 mm/day
      // The tables path (the rule's parameters unknown, only the ET0 the advice used) gives the same line.
      const field = await get<{ crop: string; soilTexture: string | null; plantingDate: string | null }>(`/fields/${id}`);
      const tables = soilChartLines(field, { ...advice, method: 'none', numbers: {} }, rp.clock.now());
      expect(tables?.from).toBe('tables');
      expect(Math.abs(tables!.rawMm! - advice.numbers.rawMm!)).toBeLessThanOrEqual(0.1);
      compared++;
    }
    expect(compared).toBe(2);
    // Every alert of a demo field that carries a RAW (the soil-water rule's irrigate alert) carries the drawn one.
    for (const id of DEMO_FIELDS) {
      const soil = await get<{ soil: { rawMm: number | null } | null }>(`/fields/${id}/soil`);
      for (const a of (await rp.alerts(`?fieldId=${id}`)).filter((x) => typeof x.values.rawMm === 'number')) {
        expect(Math.abs(soil.soil!.rawMm! - Number(a.values.rawMm)), `${a.kind} alert of ${id}`).toBeLessThanOrEqual(0.1);
      }
    }
  });

  it('/daily shows the ET0 the advice used: Penman-Monteith on the complete day, estimates labelled, no ET0 from night hours', async () => {
    const date = (t: number) => new Date(t + VN).toISOString().slice(0, 10);
    for (const id of ['field-coffee-a', 'field-rice-1']) {
      const advice = await get<Advice>(`/fields/${id}/advice`);
      const daily = await get<{ stationId: string; days: DailyDay[] }>(`/fields/${id}/daily?days=4`);
      const byDate = new Map(daily.days.map((d) => [d.date, d]));
      const full = byDate.get(date(yesterday))!;
      expect(full).toMatchObject({ et0Method: 'penman-monteith', estimate: false, estimated: [], usedByAdvice: true, hours: 24 });
      expect(full.et0Mm).toBeCloseTo(advice.et0!.mm, 2);
      expect(advice.et0).toMatchObject({ date: date(yesterday), method: 'penman-monteith' });
      const half = byDate.get(date(yesterday - DAY))!;
      expect(half).toMatchObject({ et0Method: 'penman-monteith-estimated', estimate: true, usedByAdvice: false });
      expect(half.estimated).toEqual(expect.arrayContaining(['rs_from_temperature_range', 'ea_from_tmin', 'u2_default', 'incomplete_day']));
      expect(half.et0Mm).toBeGreaterThan(0);
      expect(byDate.get(date(yesterday - 2 * DAY))).toMatchObject({ et0Mm: null, et0Method: 'none', estimated: ['day_not_representative'] });
      expect(byDate.get(date(rp.clock.now()))).toMatchObject({ et0Mm: null });
    }
  });
});
