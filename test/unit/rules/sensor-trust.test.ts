// Sensor trust (issue 15, rules/sensor-trust.ts): the checks a soil-moisture reading passes before any rule
// sees it, and how a suspect channel reaches the soil-water advice. Coffee on clay: θFC 0.36, θWP 0.22
// (FAO-56 Table 19 midpoints), θsat 0.475 (Rawls et al. 1982) → believable readings 11 % … 52.5 %.
import { describe, expect, it } from 'vitest';
import {
  SILENT_AFTER_REPORTS, STUCK_AFTER_MS, implausible, soilLimits, stepDeviceTrust, suspectsOf, type DeviceTrust,
} from '../../../rules/sensor-trust.js';
import { carryEt0 } from '../../../rules/trust-gate.js';
import { HOUR, MIN, deviceInfo, fieldInfo, rule, runner, weather } from './helpers.js';

const clay = soilLimits({ thetaFc: 0.36, thetaWp: 0.22 }, 'clay');
const T0 = Date.UTC(2026, 2, 1, 0, 0);

/** Feeds reports to the trust step, collecting its events. */
function feed(reports: readonly { ts: number; values: Record<string, number> }[], start?: DeviceTrust) {
  let state = start;
  const events: { at: number; metric: string; op: string; reason: string | undefined }[] = [];
  const kept: Record<string, number>[] = [];
  for (const r of reports) {
    const step = stepDeviceTrust(state, { deviceId: 'probe', ts: r.ts, values: r.values }, clay);
    state = JSON.parse(JSON.stringify(step.state)) as DeviceTrust;
    for (const e of step.events) events.push({ at: r.ts, metric: e.metric, op: e.op, reason: e.verdict?.reason });
    kept.push({ ...step.sample.values });
  }
  return { state, events, kept };
}

const every10 = (n: number, values: (i: number) => Record<string, number>, from = T0) =>
  Array.from({ length: n }, (_, i) => ({ ts: from + i * 10 * MIN, values: values(i) }));

describe('what the soil can hold', () => {
  it('clay: below ½ θWP (11 %) or above θsat + 5 % (52.5 %) cannot be soil water; exactly 0 is a dead sensor', () => {
    expect(clay.lowPct).toBeCloseTo(11, 9);
    expect(clay.highPct).toBeCloseTo(52.5, 9);
    expect(implausible(0, clay)).toBe('dead');
    expect(implausible(8, clay)).toBe('below_dry');
    expect(implausible(60, clay)).toBe('above_saturation');
    expect(implausible(21, clay)).toBeUndefined(); // drier than θWP is possible near the surface: trusted
    expect(implausible(45, clay)).toBeUndefined(); // a wet paddy reads near saturation
  });
});

describe('a device channel through the trust step', () => {
  it('a dead probe reading 0 %: suspect at once (an alert event), left out of the sample; the other depth is kept', () => {
    const { events, kept, state } = feed(every10(6, (i) => ({ 'soil_moisture@20cm': i < 3 ? 31 : 0, 'soil_moisture@50cm': 33, battery: 90 })));
    expect(events).toEqual([{ at: T0 + 30 * MIN, metric: 'soil_moisture@20cm', op: 'open', reason: 'dead' }]);
    expect(kept[2]).toEqual({ 'soil_moisture@20cm': 31, 'soil_moisture@50cm': 33, battery: 90 });
    expect(kept[5]).toEqual({ 'soil_moisture@50cm': 33, battery: 90 });
    expect(suspectsOf({ id: 'probe', name: 'Đầu dò' }, state)).toEqual([
      { deviceId: 'probe', deviceName: 'Đầu dò', metric: 'soil_moisture@20cm', depthCm: 20, reason: 'dead', since: T0 + 30 * MIN, value: 0 },
    ]);
  });

  it('back to plausible readings: trusted again at once, the alert resolves after 30 min clean', () => {
    const { events, kept, state } = feed(every10(10, (i) => ({ 'soil_moisture@20cm': i === 1 ? 0 : 31 })));
    expect(kept[2]).toEqual({ 'soil_moisture@20cm': 31 });
    expect(events.map((e) => [e.op, (e.at - T0) / MIN])).toEqual([['open', 10], ['resolve', 50]]);
    expect(suspectsOf({ id: 'probe', name: 'x' }, state)).toEqual([]);
  });

  it('a depth that stops reporting while the device reports: silent after 3 reports and 30 min; back when it reports', () => {
    const reports = every10(14, (i): Record<string, number> => (i < 3 || i >= 9 ? { 'soil_moisture@20cm': 30, 'soil_moisture@50cm': 33 } : { 'soil_moisture@50cm': 33 }));
    const { events, state } = feed(reports.slice(0, 7));
    expect(SILENT_AFTER_REPORTS).toBe(3);
    // the 20 cm channel was last read at +20 min; the 3rd report without it (+50 min) is 30 min later
    expect(events).toEqual([{ at: T0 + 50 * MIN, metric: 'soil_moisture@20cm', op: 'open', reason: 'silent' }]);
    expect(suspectsOf({ id: 'probe', name: 'x' }, state)[0]).toMatchObject({ reason: 'silent', depthCm: 20, value: null });
    const after = feed(reports.slice(7), state);
    expect(after.events.map((e) => e.op)).toEqual(['resolve']);
    expect(suspectsOf({ id: 'probe', name: 'x' }, after.state)).toEqual([]);
  });

  it('a channel that does not move for 24 h is stuck; a late reading of a backlog does not rewrite its history', () => {
    const n = STUCK_AFTER_MS / (10 * MIN) + 1;
    const { events, state, kept } = feed(every10(n, () => ({ 'soil_moisture@20cm': 28.4 })));
    expect(events).toEqual([{ at: T0 + STUCK_AFTER_MS, metric: 'soil_moisture@20cm', op: 'open', reason: 'stuck' }]);
    expect(kept.at(-1)).toEqual({});
    const late = stepDeviceTrust(state, { deviceId: 'probe', ts: T0 + 5 * MIN, values: { 'soil_moisture@20cm': 0 } }, clay);
    expect(late.sample.values).toEqual({});
    expect(late.state.channels['soil_moisture@20cm']?.lastTs).toBe(T0 + STUCK_AFTER_MS);
  });
});

describe('the soil-water advice with a suspect probe', () => {
  const probe = deviceInfo({ id: 'probe', kind: 'soil_probe', name: 'Đầu dò đất lô A' });
  const coffee = fieldInfo({ name: 'Lô cà phê A' });
  const dead = [{ deviceId: 'probe', deviceName: 'Đầu dò đất lô A', metric: 'soil_moisture@20cm', depthCm: 20, reason: 'dead' as const, since: T0 + 6 * HOUR, value: 0 }];

  it('no irrigation order: the advice falls back to the model from the last trusted depletion and says so', () => {
    const r = runner(rule({ kind: 'soil_water', applicationEfficiency: 0.75, for: '30m', clearFor: '1h' }));
    for (let i = 0; i < 36; i++) r.sample(probe, coffee, T0 + i * 10 * MIN, { 'soil_moisture@20cm': 33, 'soil_moisture@50cm': 34 });
    // from 6 h the engine hands the rule the sample without the dead channel, and the field's suspect channel
    for (let i = 36; i < 72; i++) {
      r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: T0 + i * 10 * MIN, values: { 'soil_moisture@50cm': 34 } }, device: probe, field: coffee, farm: {}, suspects: dead }, T0 + i * 10 * MIN);
    }
    expect(r.opened()).toEqual([]);
    const advice = r.lastAdvice()!;
    // last trusted: 0.03·350 + 0.02·550 = 21.5 mm (21.4999… in floating point: "21 mm")
    expect(advice).toMatchObject({ status: 'ok', method: 'water-balance', numbers: { sensorFallback: 1, suspectChannels: 1 } });
    expect(advice.numbers.depletionMm).toBeCloseTo(21.5, 6);
    expect(advice.text.vi).toBe('Lô cà phê A (cà phê): đầu dò 20 cm có thể hỏng, đã báo kỹ thuật viên — khuyến cáo theo mô hình cân bằng nước (FAO-56), không theo đầu dò: độ thiếu hụt 21 mm dưới ngưỡng tưới 50 mm — chưa cần tưới');
  });

  it('depletion is bounded by TAW: probes drier than θWP count as θWP (FAO-56 Eq. 86)', () => {
    const r = runner(rule({ kind: 'soil_water', applicationEfficiency: 0.75 }));
    r.sample(probe, coffee, T0, { 'soil_moisture@20cm': 12, 'soil_moisture@50cm': 12 });
    expect(r.lastAdvice()?.numbers.depletionMm).toBeCloseTo(126, 6); // TAW = 1000·0.14·0.9, not 0.24·900 = 216
    expect(r.lastAdvice()?.numbers['probe:probe:20cm']).toBe(12);
  });
});

describe('a station day with no ET0 of its own', () => {
  it('carries the last trusted day for up to 3 days, labelled; a day with its own ET0 is left alone', () => {
    const refused = weather({ date: '2026-03-03', et0Mm: null, et0Method: 'none', estimated: ['day_not_representative'], complete: false, coverage: 0.04 });
    const carried = carryEt0(refused, weather({ date: '2026-03-02', et0Mm: 4.5 }));
    expect(carried).toMatchObject({ et0Mm: 4.5, et0Method: 'carried', et0CarriedFrom: '2026-03-02', estimated: ['day_not_representative', 'carried_from_2026-03-02'] });
    expect(carryEt0({ ...refused, date: '2026-03-05' }, carried).et0CarriedFrom).toBe('2026-03-02');
    expect(carryEt0({ ...refused, date: '2026-03-06' }, carried).et0Mm).toBeNull();
    const own = weather({ date: '2026-03-03', et0Mm: 3.9 });
    expect(carryEt0(own, weather({ et0Mm: 4.5 }))).toBe(own);
  });
});
