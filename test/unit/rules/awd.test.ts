// The AWD rule (docs/agronomy.md §3): irrigate at −15 cm in the AWD phase with the depth to pump (ponding to +5 cm
// plus the drained pores, Sy 0.25), no AWD in the flowering hold (a "keep flooded" top-up instead), never
// canal water above the rice salinity limit, drain before harvest. Flowering = season (150 d) − 30 d.
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../core/agronomy/units.js';
import { MIN, deviceInfo, fieldInfo, rule, runner } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0); // 07:00 on 1 March, local
const tube = deviceInfo({ id: 'awd-1', kind: 'awd_tube', name: 'Ống AWD' });
const rice = (daysSincePlanting: number) => fieldInfo({
  id: 'field-rice', name: 'Ruộng 1', crop: 'rice', plantingDate: addDays('2026-03-01', -daysSincePlanting), areaHa: 2, pumpFlowM3h: 120, soilTexture: 'silty clay',
});
const awdRule = () => rule({ kind: 'awd', for: '30m', clearFor: '1h' });

/** The tube falls from `from` by 0.5 cm per 10 min down to `to`, then stays there for `hold` more readings. */
function fall(r: ReturnType<typeof runner>, field: ReturnType<typeof rice>, from: number, to: number, hold = 3, farm = {}) {
  let ts = T0;
  for (let h = from; h >= to; h -= 0.5, ts += 10 * MIN) r.sample(tube, field, ts, { awd_level: h }, farm);
  for (let k = 0; k < hold; k++, ts += 10 * MIN) r.sample(tube, field, ts, { awd_level: to }, farm);
  return ts;
}

describe('AWD rule', () => {
  it('the tube falls below −15 cm in the AWD phase: one irrigate alert with mm, m³ and pump minutes; flooding resolves it', () => {
    const r = runner(awdRule());
    let ts = fall(r, rice(35), 3, -16);
    const opened = r.opened();
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ kind: 'awd_irrigate', severity: 'warning' });
    // refill: 5 cm ponded (50 mm) + 16 cm of drained pores (160 mm · 0.25 = 40 mm) = 90 mm; over 2 ha = 1800 m³; 120 m³/h → 900 min
    expect(opened[0]?.values).toMatchObject({ levelCm: -16, thresholdCm: -15, depthMm: 90, volumeM3: 1800, pumpMinutes: 900, phase: 'awd' });
    expect(opened[0]?.text.vi).toBe('Ruộng 1 (lúa): mực nước −16 cm dưới ngưỡng −15 cm — bơm nước vào ruộng, khoảng 90 mm (1.800 m³, 15 giờ máy bơm), đến +5 cm');
    expect(opened[0]?.text.en).toBe('Ruộng 1 (rice): water level −16 cm, below the −15 cm AWD threshold — pump water into the field, about 90 mm (1,800 m³, 15 h of pumping), up to +5 cm');
    expect(r.lastAdvice()).toMatchObject({ status: 'irrigate', method: 'awd-tube' });
    for (let k = 0; k < 8; k++, ts += 10 * MIN) r.sample(tube, rice(35), ts, { awd_level: 5 });
    expect(r.resolved()).toHaveLength(1);
    expect(r.lastAdvice()).toMatchObject({ status: 'ok' });
    expect(r.lastAdvice()?.text.vi).toContain('để ruộng khô dần đến −15 cm');
  });

  it('noise around −15 cm does not flap: one alert until the field is really flooded', () => {
    const r = runner(awdRule());
    let ts = T0;
    for (let k = 0; k < 60; k++, ts += 10 * MIN) r.sample(tube, rice(35), ts, { awd_level: k % 2 === 0 ? -15.2 : -14.6 });
    expect(r.opened()).toHaveLength(1);
    expect(r.resolved()).toHaveLength(0);
  });

  it('in the flowering hold there is no AWD irrigate alert: the field is kept at ≈ 5 cm and a fall asks for a top-up', () => {
    const r = runner(awdRule());
    fall(r, rice(120), 5, -16); // day 120 = flowering (150 − 30)
    expect(r.opened().map((a) => a.kind)).toEqual(['awd_keep_flooded']);
    // severity calibrated: still standing water (1 cm) = a top-up today (warning); dry at flowering = critical
    expect(r.opened()[0]).toMatchObject({ severity: 'warning', values: { levelCm: 1 } });
    const alert = r.lastAlert()!;
    expect(alert.severity).toBe('critical');
    expect(alert.values).toMatchObject({ phase: 'flowering_hold', daysFromFlowering: 0, floweringDay: 120 });
    expect(alert.text.vi).toContain('thời kỳ trổ bông (±7 ngày), không để ruộng khô — giữ nước khoảng 5 cm');
    // a field kept as it should be in the hold raises nothing and is told to hold
    const kept = runner(awdRule());
    let ts = T0;
    for (let k = 0; k < 30; k++, ts += 10 * MIN) kept.sample(tube, rice(118), ts, { awd_level: 4 + (k % 3) * 0.5 });
    expect(kept.opened()).toEqual([]);
    expect(kept.lastAdvice()).toMatchObject({ status: 'hold' });
  });

  it('never re-floods with canal water above the rice limit: the alert says do not take canal water, with the ‰ basis', () => {
    const r = runner(awdRule());
    const farm = { water_ec: { value: 4.0, ts: T0, deviceId: 'canal' } }; // 4.0 dS/m = 2.56 ‰ (TDS g/L)
    fall(r, rice(35), -12, -16, 3, farm);
    const alert = r.lastAlert()!;
    expect(alert.severity).toBe('critical');
    expect(alert.values).toMatchObject({ salinityBlocked: true, canalEcDsPerM: 4 });
    expect(alert.text.vi).toContain('KHÔNG lấy nước kênh: độ mặn 2,56 ‰ (theo TDS g/L) vượt ngưỡng 2 ‰ cho lúa');
    expect(r.lastAdvice()).toMatchObject({ status: 'do_not_irrigate' });
  });

  it('before harvest: drain, never irrigate', () => {
    const r = runner(awdRule());
    fall(r, rice(145), 3, -16);
    expect(r.opened()).toEqual([]);
    expect(r.lastAdvice()).toMatchObject({ status: 'ok' });
    const wet = runner(awdRule());
    wet.sample(tube, rice(145), T0, { awd_level: 4 });
    expect(wet.lastAdvice()).toMatchObject({ status: 'drain' });
  });
});
