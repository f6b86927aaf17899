// The soil-water rule (docs/agronomy.md §2) with hand-computed numbers. Coffee on clay: θFC 0.36, θWP 0.22
// (FAO-56 Table 19 midpoints), Zr 0.9 m (Table 22, lower end), p 0.40 → TAW = 1000·0.14·0.9 = 126 mm,
// RAW = 50.4 mm. Probes at 20 and 50 cm stand for 0–0.35 m and 0.35–0.90 m.
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, deviceInfo, fieldInfo, rule, runner, weather } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0);
const probe = deviceInfo({ id: 'probe', kind: 'soil_probe' });
const station = deviceInfo({ id: 'wx', kind: 'weather_station', name: 'Trạm' });
const coffee = fieldInfo({ name: 'Lô cà phê A' });
const soilRule = () => rule({ kind: 'soil_water', applicationEfficiency: 0.75, for: '30m', clearFor: '1h' });

/** Dries linearly over 36 h in 30-min steps, ending at θ20 = 25 %, θ50 = 29 % → Dr = 0.11·350 + 0.07·550 = 77 mm. */
function dry(r: ReturnType<typeof runner>) {
  for (let i = 0; i <= 72; i++) {
    r.sample(probe, coffee, T0 + i * 30 * MIN, { 'soil_moisture@20cm': 36 - (11 * i) / 72, 'soil_moisture@50cm': 36 - (7 * i) / 72 });
  }
}

describe('soil-water rule', () => {
  it('a drying coffee field crosses RAW once: one irrigate alert, depth in mm, m³ and pump minutes', () => {
    const r = runner(soilRule());
    dry(r);
    const opened = r.opened();
    expect(opened).toHaveLength(1);
    // Dr = 77·i/72 reaches RAW 50.4 at i = 48 (51.3 mm); held for 30 min → opens at i = 49
    expect(r.steps.findIndex((s) => s.alert?.op === 'open')).toBe(49);
    const last = r.lastAlert()!;
    expect(last.values.depletionMm).toBeCloseTo(77, 6);
    expect(last.values.rawMm).toBeCloseTo(50.4, 6);
    expect(last.values.grossMm).toBeCloseTo(77 / 0.75, 6); // 102.67 mm
    expect(last.values.volumeM3).toBeCloseTo((77 / 0.75) * 1.2 * 10, 6); // 1232 m³ over 1.2 ha
    expect(last.values.pumpMinutes).toBeCloseTo(((77 / 0.75) * 12 / 18) * 60, 6); // 4107 min at 18 m³/h
    expect(last.text.vi).toBe('Lô cà phê A (cà phê): độ thiếu hụt nước vùng rễ 77 mm đã tới ngưỡng tưới (RAW) 50 mm — tưới hôm nay, khoảng 103 mm (1.232 m³, 68 giờ 27 phút máy bơm)');
    expect(last.text.en).toContain('irrigate today, about 103 mm (1,232 m³, 68 h 27 min of pumping)');
    expect(r.lastAdvice()).toMatchObject({ status: 'irrigate', method: 'soil-sensors' });
  });

  it('rain the probes have not seen yet postpones: the alert resolves (after clearFor) and the advice says postpone', () => {
    const r = runner(soilRule());
    dry(r);
    const end = T0 + 36 * HOUR;
    for (let k = 1; k <= 20; k++) r.sample(station, coffee, end + k * 10 * MIN, { rain: k <= 12 ? 8 : 0, air_temperature: 22 });
    // 32 mm after the 4th report bring depletion to 45 mm < RAW 50.4 mm (+40 min); clear for 1 h → resolved at the 10th
    expect(r.steps.findIndex((s) => s.alert?.op === 'resolve')).toBe(73 + 9);
    expect(r.resolved()[0]?.reason).toBe('rain covered the deficit');
    expect(r.opened()).toHaveLength(1);
    expect(r.lastAdvice()).toMatchObject({ status: 'postpone', numbers: { rainMm: 96, rainCreditMm: 96 } });
    expect(r.lastAdvice()?.text.vi).toContain('mưa 96 mm bù đủ độ thiếu hụt 77 mm — hoãn tưới');
  });

  it('rain already seen by the probes is not counted twice', () => {
    const r = runner(soilRule());
    dry(r);
    const end = T0 + 36 * HOUR;
    r.sample(station, coffee, end + 10 * MIN, { rain: 20 });
    // the probes then show a refill from 77 to 60 mm: θ20 25 → 29.857 % (0.35 m·4.857 % = 17 mm)
    r.sample(probe, coffee, end + 2 * HOUR, { 'soil_moisture@20cm': 25 + 17 / 3.5, 'soil_moisture@50cm': 29 });
    const advice = r.lastAdvice()!;
    // θ is decided on without its daily swing (rules/soil-smoothing.ts): the 20-cm jump is a refill and is taken
    // as read; the 50-cm probe's fitted trend carries its drying on for the 2 h (≈ +2 mm), so Dr ≈ 62 mm, not 60
    const dr = advice.numbers.sensorDepletionMm!;
    expect(dr).toBeCloseTo(62, 0);
    expect(advice.numbers.rainCreditMm).toBeCloseTo(20 - (77 - dr), 6); // 20 mm fell, what the probes show of it is not counted
    expect(advice).toMatchObject({ status: 'irrigate' });
    expect(advice.numbers.netMm).toBeCloseTo(57, 6);
  });

  it('small rain under 0.2·ET0 evaporates and postpones nothing', () => {
    const r = runner(soilRule());
    const w = weather({ et0Mm: 6 });
    for (let i = 0; i <= 72; i++) {
      r.sample(probe, coffee, T0 + i * 30 * MIN, { 'soil_moisture@20cm': 36 - (11 * i) / 72, 'soil_moisture@50cm': 36 - (7 * i) / 72 }, {}, w);
    }
    r.sample(station, coffee, T0 + 37 * HOUR, { rain: 1 }, {}, w);
    expect(r.lastAdvice()).toMatchObject({ status: 'irrigate', numbers: { rainMm: 1, rainCreditMm: 0 } });
    // with ET0 known, p follows ETc: p = 0.40 + 0.04·(5 − 0.95·6) = 0.372 (FAO-56 Table 22 footnote)
    expect(r.lastAdvice()?.numbers.p).toBeCloseTo(0.372, 6);
  });

  it('a field without probes runs the FAO-56 daily balance: maize mid-season at ET0 5 mm reaches RAW on day 12', () => {
    const maize = fieldInfo({ id: 'f-maize', name: 'Ruộng ngô', crop: 'maize', soilTexture: 'loam', plantingDate: '2026-01-01', areaHa: 1, pumpFlowM3h: 30 });
    const r = runner(rule({ kind: 'soil_water', applicationEfficiency: 0.6 }));
    const days = Array.from({ length: 12 }, (_, k) => new Date(Date.UTC(2026, 2, 2 + k)).toISOString().slice(0, 10));
    for (const [k, date] of days.entries()) {
      const input = { type: 'daily' as const, weather: weather({ date, et0Mm: 5, rainMm: 0 }), field: maize, farm: {} };
      r.feed(input, Date.UTC(2026, 2, 3 + k, 22, 30));
      if (k === 3) r.feed(input, Date.UTC(2026, 2, 3 + k, 23, 30)); // a second run for the same day changes nothing
    }
    // loam: TAW = 1000·(0.25 − 0.12)·1.0 = 130 mm; Kc mid 1.2 → ETc 6 mm/day; p = 0.55 + 0.04·(5 − 6) = 0.51 → RAW 66.3 mm
    const opened = r.opened();
    expect(opened).toHaveLength(1);
    expect(opened[0]?.values).toMatchObject({ depletionMm: 72, netMm: 72, grossMm: 120, volumeM3: 1200, pumpMinutes: 2400 });
    expect(opened[0]?.values.rawMm).toBeCloseTo(66.3, 6);
    expect(r.lastAdvice()).toMatchObject({ status: 'irrigate', method: 'water-balance' });
    expect(r.steps.filter((s) => s.alert?.op === 'open').length).toBe(1);
    expect(DAY).toBe(86_400_000);
  });

  it('probes silent for more than two days no longer speak for today: the model balance carries on from their last depletion', () => {
    const r = runner(soilRule());
    dry(r);
    const step = r.feed({ type: 'daily', weather: weather({ date: '2026-03-05', et0Mm: 5 }), field: coffee, farm: {} }, T0 + 4 * DAY);
    // from the probes' last 77 mm, one day of coffee: Kc 0.95 · ET0 5 mm, p 0.41, Ks = 49/(0.59·126) = 0.66 above RAW (Eq. 84) → 80.1 mm
    expect(step.advice).toMatchObject({ method: 'water-balance', status: 'irrigate' });
    expect(step.advice?.numbers.depletionMm).toBeCloseTo(77 + ((126 - 77) / ((1 - 0.41) * 126)) * 0.95 * 5, 6);
  });

  it('without soil data (no probe, unknown soil) the advice says so and no alert is raised', () => {
    const r = runner(soilRule());
    const step = r.feed({ type: 'daily', weather: weather(), field: { ...coffee, soilTexture: null }, farm: {} }, T0);
    expect(step.alert).toBeUndefined();
    expect(step.advice).toMatchObject({ status: 'no_data', method: 'none' });
  });
});
