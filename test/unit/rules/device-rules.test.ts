// Device rules: threshold with a note, battery, rate of change, flatline (stuck sensor), missing data;
// late and redelivered readings change nothing.
import { describe, expect, it } from 'vitest';
import { HOUR, MIN, deviceInfo, rule, runner } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0);
const canal = deviceInfo({ id: 'canal', kind: 'canal_sensor', name: 'Cảm biến kênh' });

describe('device rules', () => {
  it('threshold: acid-sulfate water (pH < 4 for 30 min) with its note; redelivered readings change nothing', () => {
    const r = runner(rule({ kind: 'threshold', metric: 'water_ph', below: 4, hysteresis: 0.3, for: '30m', alertKind: 'acid_water', note: { vi: 'nước nhiễm phèn', en: 'acid-sulfate water' } }));
    const series = [5.1, 3.9, 3.8, 4.1, 3.7, 3.8, 3.9, 3.9];
    series.forEach((ph, i) => r.sample(canal, undefined, T0 + i * 10 * MIN, { water_ph: ph }));
    series.forEach((ph, i) => r.sample(canal, undefined, T0 + i * 10 * MIN, { water_ph: ph + 2 })); // a replayed backlog
    expect(r.opened()).toHaveLength(1);
    // 4.1 lies inside the 0.3 band: the 30 min counted from 3.9 (10 min) keep running → opens at 3.7 (40 min)
    expect(r.opened()[0]).toMatchObject({ kind: 'acid_water', values: { reading: 3.7, threshold: 4 } });
    expect(r.opened()[0]?.text.vi).toBe('Cảm biến kênh: pH nước 3,7 dưới ngưỡng 4 — nước nhiễm phèn');
    expect(r.resolved()).toEqual([]);
  });

  it('battery low below 20 % with 5 % of hysteresis', () => {
    const r = runner(rule({ kind: 'battery_low' }));
    [25, 19.5, 21, 19, 24, 26].forEach((b, i) => r.sample(canal, undefined, T0 + i * HOUR, { battery: b }));
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.text.en).toBe('Cảm biến kênh: battery low 20 % (limit 20 %) — replace or charge it');
    expect(r.resolved()).toHaveLength(1);
    expect(r.steps.findIndex((s) => s.alert?.op === 'resolve')).toBe(5);
  });

  it('rate of change: the AWD tube losing 6 cm in 2 h (a breached bund)', () => {
    const tube = deviceInfo({ id: 'awd', kind: 'awd_tube', name: 'Ống AWD' });
    const r = runner(rule({ kind: 'rate_of_change', metric: 'awd_level', direction: 'fall', maxChange: 5, per: '2h' }));
    [5, 4.9, 4.8, 4.7, 3, 1, -1].forEach((h, i) => r.sample(tube, undefined, T0 + i * 30 * MIN, { awd_level: h }));
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.values.change).toBeCloseTo(-5.8, 9);
    expect(r.opened()[0]?.text.vi).toBe('Ống AWD: Mực nước ruộng (ống AWD) giảm 5,8 cm trong 2 giờ (ngưỡng 5 cm)');
  });

  it('flatline: the same humidity for 24 h is a stuck sensor; any change clears it', () => {
    const wx = deviceInfo({ id: 'wx', kind: 'weather_station', name: 'Trạm' });
    const r = runner(rule({ kind: 'flatline', metric: 'air_humidity', stuckFor: '24h' }));
    for (let h = 0; h <= 25; h++) r.sample(wx, undefined, T0 + h * HOUR, { air_humidity: 100 });
    r.sample(wx, undefined, T0 + 26 * HOUR, { air_humidity: 97 });
    expect(r.steps.findIndex((s) => s.alert?.op === 'open')).toBe(24);
    expect(r.opened()[0]?.text.en).toContain('Relative humidity unchanged (100 %) for 24 h');
    expect(r.resolved()).toHaveLength(1);
  });
});

describe('missing data', () => {
  const probe = deviceInfo({ id: 'probe', kind: 'soil_probe', name: 'Đầu dò đất lô B' });
  const md = () => runner(rule({ kind: 'missing_data', expectedInterval: '10m', factor: 6 }));
  const tick = (r: ReturnType<typeof md>, now: number, watchingSince = 0) => r.feed({ type: 'tick', watchingSince, device: probe, farm: {} }, now);

  it('silent for more than 6 × 10 min → one offline alert however many checks run; a reading resolves it', () => {
    const r = md();
    r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: T0 - 5 * MIN, values: { battery: 80 } }, device: probe, farm: {} }, T0);
    for (let m = 1; m <= 60; m++) tick(r, T0 + m * MIN);
    expect(r.opened()).toEqual([]);
    for (let m = 61; m <= 180; m++) tick(r, T0 + m * MIN);
    expect(r.opened()).toHaveLength(1);
    expect(r.opened()[0]?.text.vi).toBe('Đầu dò đất lô B: mất tín hiệu — không nhận được dữ liệu 1 giờ 1 phút (thiết bị gửi mỗi 10 phút); kiểm tra pin, ăng-ten và sóng');
    expect(r.steps.filter((s) => s.alert?.op === 'update')).toEqual([]); // no rewrite every minute
    r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: T0, values: { battery: 80 } }, device: probe, farm: {} }, T0 + 181 * MIN); // a buffered backlog
    expect(r.resolved()).toHaveLength(1);
    tick(r, T0 + 182 * MIN);
    expect(r.opened()).toHaveLength(1);
  });

  it('after a restart every device gets the grace of a new one: silence while Ruộng was down is not the device\'s', () => {
    const r = md();
    r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: T0, values: { battery: 80 } }, device: probe, farm: {} }, T0);
    const restart = T0 + 5 * HOUR;
    tick(r, restart + 30 * MIN, restart);
    expect(r.opened()).toEqual([]);
    tick(r, restart + 61 * MIN, restart);
    expect(r.opened()).toHaveLength(1);
  });

  it('an offline alert open before a restart stays open through the grace: only a reading resolves it', () => {
    const r = md();
    for (let m = 1; m <= 70; m++) tick(r, T0 + m * MIN);
    expect(r.opened()).toHaveLength(1);
    const restart = T0 + 2 * HOUR;
    for (let m = 1; m <= 90; m++) tick(r, restart + m * MIN, restart);
    expect(r.resolved()).toEqual([]);
    expect(r.opened()).toHaveLength(1); // not opened a second time when the grace ends either
    r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: restart + 90 * MIN, values: { battery: 80 } }, device: probe, farm: {} }, restart + 91 * MIN);
    expect(r.resolved()).toHaveLength(1);
  });

  it('with clearFor: a device that reported before the restart still resolves after clearFor', () => {
    const r = runner(rule({ kind: 'missing_data', expectedInterval: '10m', factor: 6, clearFor: '20m' }));
    for (let m = 1; m <= 70; m++) tick(r, T0 + m * MIN);
    r.feed({ type: 'sample', sample: { deviceId: 'probe', ts: T0 + 70 * MIN, values: { battery: 80 } }, device: probe, farm: {} }, T0 + 71 * MIN);
    const restart = T0 + 80 * MIN;
    for (let m = 1; m <= 15; m++) tick(r, restart + m * MIN, restart);
    expect(r.resolved()).toHaveLength(1); // 20 min after the reading at 71 min: at 91 min, inside the grace
    expect(r.opened()).toHaveLength(1);
  });
});
