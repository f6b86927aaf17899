// Canal salinity against each crop's ‰ limit with a stated basis (docs/agronomy.md §4), rice heat at flowering,
// coffee frost and Vietnamese cold spells (§5).
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../core/agronomy/units.js';
import { clockTime } from '../../../rules/text-format.js';
import { MIN, deviceInfo, fieldInfo, rule, runner, weather } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0);
const canal = deviceInfo({ id: 'canal', kind: 'canal_sensor', name: 'Cảm biến kênh' });
const station = deviceInfo({ id: 'wx', kind: 'weather_station', name: 'Trạm thời tiết Mỹ Xuyên' });
const rice = fieldInfo({ id: 'rice', name: 'Ruộng 1', crop: 'rice', plantingDate: addDays('2026-03-01', -120) });
const dragon = fieldInfo({ id: 'dragon', name: 'Vườn thanh long', crop: 'dragon_fruit' });

/** EC (dS/m) for a ‰ on the TDS g/L basis: 1 ‰ = 1000/640 dS/m. */
const ec = (permil: number) => (permil * 1000) / 640;

describe('canal salinity', () => {
  it('above the rice limit (≤ 2 ‰): "do not take canal water" with the basis; back 0.2 ‰ under it for clearFor → resolved', () => {
    const r = runner(rule({ kind: 'canal_salinity', for: '15m', clearFor: '1h' }));
    const series = [1.6, 1.9, 2.0, 2.3, 2.6, 2.6, 2.5, 1.95, 2.05, 1.9, 1.85, 1.7, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6];
    series.forEach((p, i) => r.sample(canal, rice, T0 + i * 10 * MIN, { water_ec: ec(p) }));
    expect(r.opened()).toHaveLength(1);
    const alert = r.opened()[0]!;
    // 2.3 ‰ at 30 min starts the 15 min; the reading at 50 min is the first at least 15 min later
    expect(r.steps.findIndex((s) => s.alert?.op === 'open')).toBe(5);
    expect(alert.values).toMatchObject({ limitPermil: 2, basis: 'tds_g_per_l', crop: 'rice' });
    expect(alert.values.permil).toBeCloseTo(2.6, 9);
    // since when the canal is salty (local time) and when to take water; no tide seen yet, so no expected time
    expect(alert.text.vi).toBe(`Ruộng 1 (lúa): không lấy nước kênh — độ mặn 2,6 ‰ (theo TDS g/L) vượt ngưỡng 2 ‰ cho lúa từ ${clockTime(T0 + 30 * MIN)}; lấy nước khi độ mặn xuống dưới ngưỡng`);
    expect(alert.text.en).toBe(`Ruộng 1 (rice): do not take canal water — salinity 2.6 ‰ (TDS g/L basis) is above the 2 ‰ limit for rice since ${clockTime(T0 + 30 * MIN)}; take water once it is back under the limit`);
    // 1.95 and 1.9 ‰ are inside the band (> 1.8): still open; from 1.7 ‰ (110 min) clear for 1 h → resolved at 170 min
    expect(r.steps.findIndex((s) => s.alert?.op === 'resolve')).toBe(17);
  });

  it('the same EC is judged on the configured basis: 4 dS/m is 2.6 ‰ as TDS but 2.0 ‰ as PSS-78 (within the rice limit)', () => {
    const tds = runner(rule({ kind: 'canal_salinity' }));
    const pss = runner(rule({ kind: 'canal_salinity', basis: 'pss78' }));
    tds.sample(canal, rice, T0, { water_ec: 4 });
    pss.sample(canal, rice, T0, { water_ec: 4 });
    expect(tds.opened()).toHaveLength(1);
    expect(pss.opened()).toHaveLength(0);
  });

  it('a "< 1 ‰" crop trips at 1 ‰ itself; a crop without a limit is not judged', () => {
    const r = runner(rule({ kind: 'canal_salinity' }));
    r.sample(canal, dragon, T0, { water_ec: ec(1) });
    expect(r.opened()[0]?.text.vi).toContain('vượt ngưỡng 1 ‰ cho thanh long');
    const coffee = runner(rule({ kind: 'canal_salinity' }));
    coffee.sample(canal, fieldInfo({ crop: 'coffee' }), T0, { water_ec: 30 });
    expect(coffee.opened()).toEqual([]);
  });
});

describe('temperature stress', () => {
  it('rice heat: ≥ 35 °C in the flowering window alerts once a hot day; outside the window nothing', () => {
    const r = runner(rule({ kind: 'rice_heat', clearFor: '3h', cooldown: '12h' }));
    const day = [31, 33, 34.5, 35.2, 36.1, 35.4, 34.8, 33, 31, 30, 29, 28];
    for (const d of [0, 1]) day.forEach((t, h) => r.sample(station, rice, T0 + d * 86_400_000 + h * 3_600_000, { air_temperature: t }));
    expect(r.opened()).toHaveLength(2);
    expect(r.opened()[0]?.text.vi).toBe('Ruộng 1 (lúa): nắng nóng, cao nhất hôm nay 35,2 °C (ngưỡng 35 °C) đúng thời kỳ trổ bông — lúa dễ lép hạt; giữ nước trong ruộng, không để ruộng khô');
    expect(r.opened()[0]?.severity).toBe('critical'); // anthesis above 35 °C: act within hours
    // the open alert follows the day's high (36,1 °C), not the reading that opened it
    const updates = r.steps.filter((s) => s.alert?.op === 'update').map((s) => s.alert?.values.dayMaxC);
    expect(updates).toContain(36.1);
    const young = runner(rule({ kind: 'rice_heat' }));
    young.sample(station, { ...rice, plantingDate: addDays('2026-03-01', -40) }, T0, { air_temperature: 38 });
    expect(young.opened()).toEqual([]);
  });

  it('coffee frost: air ≤ 2 °C for 20 min with calm wind is critical', () => {
    const r = runner(rule({ kind: 'coffee_frost', for: '20m' }));
    const coffee = fieldInfo({ name: 'Lô cà phê A' });
    const farm = { wind_speed: { value: 0.8, ts: T0, deviceId: 'wx' } };
    [4, 3, 2, 1.5, 1.2, 2.5, 3.5].forEach((t, i) => r.sample(station, coffee, T0 + i * 10 * MIN, { air_temperature: t }, farm));
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]).toMatchObject({ severity: 'critical', kind: 'coffee_frost' });
    expect(r.opened()[0]?.text.vi).toContain('nguy cơ sương muối — nhiệt độ thấp nhất 1,2 °C, gió 0,8 m/s');
    expect(r.resolved()).toHaveLength(1);
  });

  it('cold spells from yesterday\'s daily mean: rét đậm ≤ 15 °C (warning), rét hại ≤ 13 °C (critical), one alert per spell', () => {
    const r = runner(rule({ kind: 'cold_spell' }));
    const means = [16.2, 14.8, 12.6, 13.9, 15.6];
    const input = (i: number) => ({ type: 'daily' as const, weather: weather({ date: addDays('2026-01-10', i), tmeanC: means[i]!, stationId: 'wx' }), device: station, farm: {} });
    means.forEach((_, i) => r.feed(input(i), T0 + i * 86_400_000));
    r.feed(input(4), T0 + 4 * 86_400_000 + 3_600_000); // the same day again: nothing new
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]).toMatchObject({ severity: 'warning' });
    expect(r.opened()[0]?.text.vi).toContain('Trạm thời tiết Mỹ Xuyên: rét đậm — nhiệt độ trung bình ngày 11/1 là 14,8 °C (≤ 15 °C)');
    expect(r.steps[2]?.alert).toMatchObject({ op: 'update', severity: 'critical' });
    expect(r.steps[2]?.alert?.text.vi).toContain('rét hại');
    expect(r.resolved()).toHaveLength(1);
  });
});
