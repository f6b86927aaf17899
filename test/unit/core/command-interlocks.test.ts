// The interlocks of pump and valve commands (issue 17, core/commands/interlocks.ts) as pure functions: each refuses
// an `on` with its numbers, none refuses an `off`, old readings and old forecasts are not judged.
import { describe, expect, it } from 'vitest';
import { checkInterlocks, combineRefusals, HEAVY_RAIN, READING_MAX_AGE_MS, type InterlockInput } from '../../../core/commands/interlocks.js';
import { permilToEc } from '../../../core/agronomy/salinity.js';

const NOW = Date.parse('2026-03-10T03:00:00Z'); // 10:00 in Asia/Ho_Chi_Minh
const base: InterlockInput = { action: 'on', minutes: 30, crop: 'rice', maxMinutes: 240, now: NOW };
const names = (i: InterlockInput) => checkInterlocks(i).map((r) => r.interlock);

describe('checkInterlocks', () => {
  it('lets an on through when nothing objects', () => {
    expect(checkInterlocks(base)).toEqual([]);
  });

  it('refuses canal water above the crop\'s limit, on the TDS g/L basis; the limit itself is fine for rice (≤ 2 ‰)', () => {
    const at = (permil: number) => ({ ...base, canalEc: { value: permilToEc(permil, 'tds_g_per_l'), ts: NOW - 600_000, deviceId: 'canal-1' } });
    expect(names(at(2.0))).toEqual([]);
    const [r] = checkInterlocks(at(2.6));
    expect(r).toMatchObject({ interlock: 'salinity', values: { limitPermil: 2, crop: 'rice', canalDeviceId: 'canal-1', basis: 'tds_g_per_l' } });
    expect(r!.values.permil).toBeCloseTo(2.6, 3);
    expect(r!.text.vi).toBe('không lấy nước kênh: độ mặn 2,60 ‰ vượt ngưỡng 2,0 ‰ cho lúa');
    // '< 1 ‰' crops trip at the bound itself
    expect(names({ ...at(1.0), crop: 'dragon_fruit' })).toEqual(['salinity']);
    // a crop without a limit (coffee) and a reading older than a tide-day are not judged
    expect(names({ ...at(5), crop: 'coffee' })).toEqual([]);
    expect(names({ ...at(5), canalEc: { value: 10, ts: NOW - READING_MAX_AGE_MS - 1, deviceId: 'canal-1' } })).toEqual([]);
  });

  it('refuses more minutes than the field\'s maximum', () => {
    expect(names({ ...base, minutes: 90, maxMinutes: 90 })).toEqual([]);
    const [r] = checkInterlocks({ ...base, minutes: 91, maxMinutes: 90 });
    expect(r).toMatchObject({ interlock: 'max_duration', values: { minutes: 91, maxMinutes: 90 } });
    expect(r!.text.en).toBe('run time 91 min is above the 90 min maximum');
  });

  it('refuses during forecast heavy rain today or tomorrow (≥ 16 mm at ≥ 60 %), not on a lighter, less likely or old forecast', () => {
    const forecast = (mm: number, pct: number, date = '2026-03-11', fetchedAt = NOW - 3_600_000) =>
      ({ lat: 9.6, lon: 105.97, fetchedAt, stale: false, days: [{ date: '2026-03-10', precipitationMm: 1, probabilityPct: 90 }, { date, precipitationMm: mm, probabilityPct: pct }] });
    const [r] = checkInterlocks({ ...base, forecast: forecast(30, 80) });
    expect(r).toMatchObject({ interlock: 'heavy_rain', values: { forecastDate: '2026-03-11', forecastRainMm: 30, forecastProbabilityPct: 80, heavyRainMm: HEAVY_RAIN.minMm, forecastAgeH: 1 } });
    expect(r!.text.vi).toBe('dự báo mưa to ngày mai: ~30 mm (80 %)');
    expect(names({ ...base, forecast: forecast(15, 90) })).toEqual([]);
    expect(names({ ...base, forecast: forecast(40, 50) })).toEqual([]);
    expect(names({ ...base, forecast: forecast(40, 90, '2026-03-12') })).toEqual([]); // the day after tomorrow
    expect(names({ ...base, forecast: forecast(40, 90, '2026-03-11', NOW - 25 * 3_600_000) })).toEqual([]);
  });

  it('refuses a rice field whose AWD tube is above the flood target (+5 cm); other crops are not judged by it', () => {
    const tube = (cm: number) => ({ value: cm, ts: NOW - 60_000, deviceId: 'tube-1' });
    expect(names({ ...base, awdLevel: tube(5) })).toEqual([]);
    expect(checkInterlocks({ ...base, awdLevel: tube(7.5) })[0]).toMatchObject({ interlock: 'awd_above_target', values: { awdLevelCm: 7.5, targetCm: 5 } });
    expect(names({ ...base, crop: 'maize', awdLevel: tube(12) })).toEqual([]);
  });

  it('refuses an on while another on of the device waits for its confirmation', () => {
    expect(checkInterlocks({ ...base, pendingCommandId: 'cmd-1' })[0]).toMatchObject({ interlock: 'pending', values: { pendingCommandId: 'cmd-1' } });
  });

  it('refuses an on while the device\'s last confirmed on still runs, not once its minutes are over', () => {
    const [r] = checkInterlocks({ ...base, running: { commandId: 'cmd-7', until: NOW + 90_000 } });
    expect(r).toMatchObject({ interlock: 'running', values: { runningCommandId: 'cmd-7', minutesLeft: 2 } });
    expect(r!.text.en).toBe('the device is still running command cmd-7 (2 min left)');
    expect(names({ ...base, running: { commandId: 'cmd-7', until: NOW } })).toEqual([]);
    expect(names({ ...base, action: 'off', minutes: null, running: { commandId: 'cmd-7', until: NOW + 90_000 } })).toEqual([]);
  });

  it('never refuses an off, whatever the numbers', () => {
    const worst: InterlockInput = {
      ...base, action: 'off', minutes: null, maxMinutes: 10, pendingCommandId: 'cmd-1',
      canalEc: { value: 20, ts: NOW, deviceId: 'c' }, awdLevel: { value: 15, ts: NOW, deviceId: 't' },
      forecast: { lat: 0, lon: 0, fetchedAt: NOW, stale: false, days: [{ date: '2026-03-10', precipitationMm: 80, probabilityPct: 100 }] },
    };
    expect(checkInterlocks(worst)).toEqual([]);
  });

  it('combines several refusals: every name, both texts, all the numbers', () => {
    const c = combineRefusals(checkInterlocks({ ...base, minutes: 300, canalEc: { value: 6, ts: NOW, deviceId: 'c' } }));
    expect(c?.interlock).toBe('max_duration,salinity');
    expect(c?.values).toMatchObject({ minutes: 300, canalEcDsPerM: 6 });
    expect(c?.text.en).toMatch(/maximum; canal water not taken/);
    expect(combineRefusals([])).toBeUndefined();
  });
});
