// The season's water account (core/agronomy/water-account.ts, water-account-farm.ts; docs/water-account.md) on
// fixed inputs: irrigations per local day (UTC+7) with m³ = mm × ha × 10, pump hours integrated from state
// readings (split at local midnight, held at most 4 h, not past the end), rain and crop ET (Kc·ET0) with unknown
// days kept unknown, advised vs done, and the farm's sum (counts, m³ and hours add; mm is an area-weighted mean).
import { describe, expect, it } from 'vitest';
import { farmWaterAccount } from '../../../core/agronomy/water-account-farm.js';
import {
  PUMP_STATE_MAX_HOLD_MS, datesOf, fieldWaterAccount, kcOn, localMidnightOf, pumpHoursByDay, type WaterAccountInput,
} from '../../../core/agronomy/water-account.js';

const H = 3_600_000;
const VN = 420;
/** Epoch ms of a local (UTC+7) time on a date. */
const at = (date: string, hour: number) => localMidnightOf(date, VN) + hour * H;

const base: WaterAccountInput = {
  field: { crop: 'coffee', plantingDate: '2019-06-01', areaHa: 2 },
  from: '2026-11-01', to: '2026-11-03', endMs: at('2026-11-04', 0), utcOffsetMin: VN,
  weather: [
    { date: '2026-11-01', rainMm: 0, et0Mm: 4 },
    { date: '2026-11-02', rainMm: 12.5, et0Mm: 3 },
    { date: '2026-11-03', rainMm: null, et0Mm: null },
  ],
  irrigations: [
    { startAt: at('2026-11-01', 6), depthMm: 25, volumeM3: 500, source: 'farmer_report' },
    { startAt: at('2026-11-01', 17), depthMm: 10, volumeM3: 200, source: 'pump_telemetry' },
    { startAt: at('2026-11-03', 0.5), depthMm: 15, volumeM3: null, source: 'sms' },
  ],
  pumpReadings: [],
  advisedAt: [at('2026-11-02', 5.5), at('2026-11-03', 5.5)],
};

describe('water account of a field', () => {
  it('adds irrigations per local day: count, mm, and m³ = mm × ha × 10 where no volume was recorded', () => {
    const a = fieldWaterAccount(base);
    expect(a.days.map((d) => [d.date, d.irrigations, d.irrigationMm, d.irrigationM3])).toEqual([
      ['2026-11-01', 2, 35, 700], ['2026-11-02', 0, 0, 0], ['2026-11-03', 1, 15, 300],
    ]);
    expect(a.totals).toMatchObject({ days: 3, irrigations: 3, irrigationMm: 50, irrigationM3: 1000, done: 3 });
    expect(a.bySource).toEqual({ farmer_report: { count: 1, mm: 25 }, pump_telemetry: { count: 1, mm: 10 }, sms: { count: 1, mm: 15 } });
  });

  it('an irrigation at 00:30 local time is that local day\'s even though it is the previous UTC day', () => {
    const a = fieldWaterAccount(base);
    expect(new Date(base.irrigations[2]!.startAt).toISOString().slice(0, 10)).toBe('2026-11-02');
    expect(a.days[2]?.irrigationMm).toBe(15);
  });

  it('m³ is unknown when the field has no area and an event carries no volume', () => {
    const a = fieldWaterAccount({ ...base, field: { ...base.field, areaHa: null } });
    expect(a.days.map((d) => d.irrigationM3)).toEqual([700, 0, null]);
    expect(a.totals.irrigationM3).toBeNull();
  });

  it('rain and crop ET: Kc·ET0 (FAO-56 Eq. 56) where ET0 is known; an unknown day is not a dry one', () => {
    const a = fieldWaterAccount(base);
    expect(a.days.map((d) => d.kc)).toEqual([0.95, 0.95, 0.95]); // coffee, a perennial: Kc mid
    expect(a.days.map((d) => d.etcMm)).toEqual([0.95 * 4, 0.95 * 3, null]);
    expect(a.days.map((d) => d.rainMm)).toEqual([0, 12.5, null]);
    expect(a.totals).toMatchObject({ rainMm: 12.5, rainDays: 2, et0Mm: 7, etDays: 2 });
    expect(a.totals.etcMm).toBeCloseTo(6.65, 10);
  });

  it('Kc follows an annual crop\'s stages from its planting date and is unknown before it', () => {
    const rice = { crop: 'rice', plantingDate: '2026-11-02', areaHa: 1 };
    expect(kcOn(rice, '2026-11-01')).toBeNull();
    expect(kcOn(rice, '2026-11-02')).toBe(1.05); // initial
    expect(kcOn(rice, '2027-01-01')).toBe(1.2); // mid-season (day 60)
    expect(kcOn({ ...rice, plantingDate: null }, '2026-11-02')).toBeNull();
    expect(kcOn({ ...rice, crop: 'lotus' }, '2026-11-02')).toBeNull();
  });

  it('counts irrigate alerts opened per local day against the irrigations done; unknown alerts stay unknown', () => {
    const a = fieldWaterAccount(base);
    expect(a.days.map((d) => d.advised)).toEqual([0, 1, 1]);
    expect(a.totals).toMatchObject({ advised: 2, done: 3 });
    const b = fieldWaterAccount({ ...base, advisedAt: null });
    expect(b.totals.advised).toBeNull();
    expect(b.days[0]?.advised).toBeNull();
  });

  it('the dates of a range, inclusive', () => {
    expect(datesOf('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(datesOf('2026-12-30', '2026-12-30')).toHaveLength(1);
    expect(() => datesOf('2026-13-01', '2026-12-30')).toThrow(RangeError);
  });
});

describe('pump hours', () => {
  const start = at('2026-11-01', 0);
  const end = at('2026-11-04', 0);

  it('integrate the on state between readings, summed over pumps', () => {
    const readings = [
      { deviceId: 'p1', ts: at('2026-11-01', 6), value: 1 }, { deviceId: 'p1', ts: at('2026-11-01', 6.5), value: 1 },
      { deviceId: 'p1', ts: at('2026-11-01', 8), value: 0 }, { deviceId: 'p1', ts: at('2026-11-01', 9), value: 0 },
      { deviceId: 'p2', ts: at('2026-11-01', 7), value: 1 }, { deviceId: 'p2', ts: at('2026-11-01', 7.25), value: 0 },
    ];
    expect(Object.fromEntries(pumpHoursByDay(readings, start, end, VN))).toEqual({ '2026-11-01': 2.25 });
  });

  it('split at local midnight; a state from before the range counts only inside it', () => {
    const readings = [
      { deviceId: 'p1', ts: at('2026-10-31', 23), value: 1 }, { deviceId: 'p1', ts: at('2026-11-01', 1), value: 0 },
      { deviceId: 'p1', ts: at('2026-11-01', 23.5), value: 1 }, { deviceId: 'p1', ts: at('2026-11-02', 0.75), value: 0 },
    ];
    expect(Object.fromEntries(pumpHoursByDay(readings, start, end, VN))).toEqual({ '2026-11-01': 1.5, '2026-11-02': 0.75 });
  });

  it('a silent pump is counted on for at most 4 h after its last report, and never past the end', () => {
    expect(PUMP_STATE_MAX_HOLD_MS).toBe(4 * H);
    const silent = [{ deviceId: 'p1', ts: at('2026-11-02', 10), value: 1 }];
    expect(Object.fromEntries(pumpHoursByDay(silent, start, end, VN))).toEqual({ '2026-11-02': 4 });
    expect(Object.fromEntries(pumpHoursByDay(silent, start, at('2026-11-02', 11.5), VN))).toEqual({ '2026-11-02': 1.5 });
  });

  it('a season of reports every 10 min from 4 pumps (69,120 readings): 2 h a day each, every day', () => {
    const t0 = at('2026-08-01', 0);
    const readings = [];
    for (let ts = t0; ts < t0 + 120 * 24 * H; ts += 10 * 60_000) {
      const hour = (((ts - t0) / H) % 24);
      for (const deviceId of ['p1', 'p2', 'p3', 'p4']) readings.push({ deviceId, ts, value: hour >= 6 && hour < 8 ? 1 : 0 });
    }
    const byDay = pumpHoursByDay(readings, t0, t0 + 120 * 24 * H, VN);
    expect(byDay.size).toBe(120);
    expect([...byDay.values()].every((h) => Math.abs(h - 8) < 1e-9)).toBe(true);
  });

  it('are 0 on a field without a pump, and the account says how many pumps reported', () => {
    expect(fieldWaterAccount(base).totals).toMatchObject({ pumpHours: 0, pumps: 0 });
    const a = fieldWaterAccount({
      ...base, pumpReadings: [{ deviceId: 'p1', ts: at('2026-11-02', 6), value: 1 }, { deviceId: 'p1', ts: at('2026-11-02', 9), value: 0 }],
    });
    expect(a.days.map((d) => d.pumpHours)).toEqual([0, 3, 0]);
    expect(a.totals).toMatchObject({ pumpHours: 3, pumps: 1 });
  });
});

describe('water account of a farm', () => {
  const one = fieldWaterAccount(base); // 2 ha
  const two = fieldWaterAccount({
    ...base, field: { crop: 'coffee', plantingDate: null, areaHa: 1 },
    weather: [{ date: '2026-11-01', rainMm: 3, et0Mm: 4 }, { date: '2026-11-02', rainMm: 0, et0Mm: 3 }, { date: '2026-11-03', rainMm: 6, et0Mm: null }],
    irrigations: [{ startAt: at('2026-11-02', 7), depthMm: 20, volumeM3: 200, source: 'api' }],
    pumpReadings: [{ deviceId: 'p9', ts: at('2026-11-02', 6), value: 1 }, { deviceId: 'p9', ts: at('2026-11-02', 8), value: 0 }],
    advisedAt: [at('2026-11-02', 5.5)],
  });
  const bare = fieldWaterAccount({ ...base, field: { crop: 'coffee', plantingDate: null, areaHa: null }, irrigations: [{ startAt: at('2026-11-01', 7), depthMm: 40, volumeM3: null, source: 'api' }], advisedAt: [] });

  it('counts, m³ and hours add; mm is the mean weighted by area', () => {
    const farm = farmWaterAccount([{ fieldId: 'f1', areaHa: 2, account: one }, { fieldId: 'f2', areaHa: 1, account: two }]);
    expect(farm.days.map((d) => d.irrigations)).toEqual([2, 1, 1]);
    expect(farm.days.map((d) => d.irrigationM3)).toEqual([700, 200, 300]);
    expect(farm.days.map((d) => d.pumpHours)).toEqual([0, 2, 0]);
    // (35·2 + 0·1)/3, (0·2 + 20·1)/3, (15·2 + 0·1)/3
    expect(farm.days.map((d) => d.irrigationMm)).toEqual([70 / 3, 20 / 3, 10]);
    // rain: day 3 only the 1-ha field measured it
    expect(farm.days.map((d) => d.rainMm)).toEqual([1, 25 / 3, 6]);
    expect(farm.totals).toMatchObject({ irrigations: 4, irrigationM3: 1200, pumpHours: 2, pumps: 1, advised: 3, done: 4, rainDays: 3, etDays: 2 });
    expect(farm.totals.irrigationMm).toBeCloseTo((50 * 2 + 20 * 1) / 3, 10);
    expect(farm.totals.et0Mm).toBeCloseTo(7, 10);
    expect(farm.weightedAreaHa).toBe(3);
    expect(farm.unweightedFields).toEqual([]);
  });

  it('a field without an area counts in the counts but not in the mm means, and says so', () => {
    const farm = farmWaterAccount([{ fieldId: 'f1', areaHa: 2, account: one }, { fieldId: 'bare', areaHa: null, account: bare }]);
    expect(farm.days[0]).toMatchObject({ irrigations: 3, irrigationMm: 35, irrigationM3: null });
    expect(farm.unweightedFields).toEqual(['bare']);
    expect(farm.totals.irrigationM3).toBeNull();
  });
});
