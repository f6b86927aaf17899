// Battery and radio: a cell charged by the sun and drained by the device; a flat battery stops the
// reports (and loses the RAM buffer) until the panel brings it back; every cellular report has its RSSI.
import { describe, expect, it } from 'vitest';
import { createBattery, createDeviceModel, RESTART_PCT } from '../../../firmware-sim/models/index.js';
import { createRadio } from '../../../firmware-sim/radio.js';
import { createSampler } from '../../../firmware-sim/sampler.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, local, mekong } from './helpers.js';

describe('battery', () => {
  it('charges by day, drains by night', () => {
    const b = createBattery({ initial: 50, loadPctPerH: 0.1, panelPctPerHAt1000: 1, txCostPct: 0 });
    b.step(12, 0);
    expect(b.level()).toBeCloseTo(48.8, 6);
    b.step(2, 800);
    expect(b.level()).toBeCloseTo(50.2, 6);
  });

  it('browns out at 0 % and boots again only at RESTART_PCT', () => {
    const b = createBattery({ initial: 0.5, loadPctPerH: 0.1, panelPctPerHAt1000: 1, txCostPct: 0 });
    b.step(10, 0);
    expect(b.powered()).toBe(false);
    b.step(1, 1000 * (RESTART_PCT - 2)); // charges to RESTART_PCT − 2 (no load while off)
    expect(b.level()).toBeCloseTo(RESTART_PCT - 2, 6);
    expect(b.powered()).toBe(false);
    b.step(1, 3000);
    expect(b.powered()).toBe(true);
  });

  it('a broken panel lets the device go flat; a working one keeps it on', () => {
    const weather = createWeather(mekong);
    const t0 = local(2025, 3, 1);
    const broken = createDeviceModel({ kind: 'weather_station', seed: 1, power: { initialPct: 3, solar: 0 } }, weather);
    const clean = createDeviceModel({ kind: 'weather_station', seed: 1, power: { initialPct: 3 } }, weather);
    for (let ms = t0; ms <= t0 + 3 * DAY; ms += HOUR) {
      broken.step(ms);
      clean.step(ms);
    }
    expect(broken.powered()).toBe(false);
    expect(clean.powered()).toBe(true);
  });
});

describe('sampler', () => {
  it('takes no readings while the battery is flat, reports the brown-out and resumes after recharging', () => {
    const weather = createWeather({ ...mekong, rainFactor: 0 });
    const t0 = local(2025, 3, 1, 18); // evening: the cell runs flat overnight
    const model = createDeviceModel({ kind: 'canal_sensor', seed: 2, power: { initialPct: 1 } }, weather);
    const s = createSampler({ model, weather, intervalMs: 600_000, firstReportMs: t0 });
    const night = s.take(t0 + 12 * HOUR, 1_000);
    expect(night.brownoutAt).toBeDefined();
    expect(night.entries.every((e) => e.ts < (night.brownoutAt ?? 0))).toBe(true);
    expect(night.entries.length).toBeLessThan(72);
    const day = s.take(t0 + 2 * DAY, 1_000);
    expect(day.entries.length).toBeGreaterThan(0); // the morning sun brought it back
    expect(day.entries.map((e) => e.seq)).toEqual(day.entries.map((_, i) => night.entries.length + i)); // seq survives in flash
  });

  it('adds the cellular RSSI to every report, within the catalogue bounds, weaker in heavy rain', () => {
    const weather = createWeather(mekong);
    const radio = createRadio({ seed: 3, kind: 'cellular' });
    const model = createDeviceModel({ kind: 'awd_tube', seed: 3 }, weather);
    const t0 = local(2025, 7, 1);
    const entries = createSampler({ model, weather, intervalMs: 600_000, firstReportMs: t0, radio }).take(t0 + 30 * DAY, 10_000).entries;
    const rssi = entries.map((e) => e.readings.rssi ?? NaN);
    expect(rssi.every((v) => v >= -150 && v <= 0 && Number.isInteger(v))).toBe(true);
    expect(radio.rssi(t0, 40)).toBeLessThan(radio.rssi(t0, 0));
  });
});
