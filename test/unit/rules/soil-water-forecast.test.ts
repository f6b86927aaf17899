// Forecast rain in the soil-water rule (issue 17, docs/agronomy.md §2): the drying coffee field of
// soil-water.test.ts (Dr 77 mm at the end, RAW 50.4 mm, hysteresis 3 mm) needs ≥ 29.6 mm of effective rain
// to come back under RAW − 3 mm. Only days of probability ≥ 60 %, today and tomorrow, from a forecast fetched
// within 24 h, count; anything else irrigates as usual.
import { describe, expect, it } from 'vitest';
import type { Forecast, ForecastDay } from '../../../core/weather/forecast.js';
import { DAY, HOUR, MIN, deviceInfo, fieldInfo, rule, runner } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0); // 07:00 local on 1 March
const probe = deviceInfo({ id: 'probe', kind: 'soil_probe' });
const coffee = fieldInfo({ name: 'Lô cà phê A' });
const soilRule = () => rule({ kind: 'soil_water', applicationEfficiency: 0.75, for: '30m', clearFor: '1h' });

/** Dries over 36 h to Dr = 77 mm with the forecast given at every reading. */
function dryWith(forecast: (at: number) => Forecast | undefined) {
  const r = runner(soilRule());
  for (let i = 0; i <= 72; i++) {
    const ts = T0 + i * 30 * MIN;
    const values = { 'soil_moisture@20cm': 36 - (11 * i) / 72, 'soil_moisture@50cm': 36 - (7 * i) / 72 };
    r.feed({ type: 'sample', sample: { deviceId: probe.id, ts, values }, device: probe, field: coffee, farm: {}, forecast: forecast(ts) }, ts);
  }
  return r;
}

const localDate = (t: number) => new Date(t + 7 * HOUR).toISOString().slice(0, 10);
/** A forecast fetched `ageH` hours before `at`: `mm` at `pct` % on the local day after `at`. */
const rainTomorrow = (mm: number, pct: number, ageH = 1) => (at: number): Forecast => {
  const days: ForecastDay[] = [
    { date: localDate(at), precipitationMm: 0, probabilityPct: 10 },
    { date: localDate(at + DAY), precipitationMm: mm, probabilityPct: pct },
  ];
  return { lat: 12.82, lon: 108.08, days, fetchedAt: at - ageH * HOUR, stale: ageH > 12 };
};

describe('soil-water rule with a rain forecast', () => {
  it('35 mm tomorrow at 90 %: no irrigate alert, the advice says postponed with the forecast', () => {
    const r = dryWith(rainTomorrow(35, 90));
    expect(r.opened()).toHaveLength(0);
    const a = r.lastAdvice()!;
    expect(a).toMatchObject({ status: 'postpone', numbers: { forecastRainMm: 35, forecastEffectiveRainMm: 35, forecastProbabilityPct: 90 } });
    expect(a.text.en).toBe('Lô cà phê A (coffee): rain ~35 mm forecast tomorrow (90 %) — irrigation postponed; the rain covers the 77 mm depletion (irrigation threshold 50 mm). If it does not rain, the advice asks to irrigate again');
    expect(a.text.vi).toContain('dự báo mưa khoảng 35 mm ngày mai (90 %) — hoãn tưới');
  });

  it('rain that would leave the depletion above RAW − 3 mm postpones nothing (25 mm)', () => {
    expect(dryWith(rainTomorrow(25, 90)).opened()).toHaveLength(1);
  });

  it('a probability under 60 % postpones nothing', () => {
    const r = dryWith(rainTomorrow(35, 55));
    expect(r.opened()).toHaveLength(1);
    expect(r.lastAdvice()?.status).toBe('irrigate');
  });

  it('a forecast fetched more than 24 h ago never postpones; one of 13 h does, labelled with its age', () => {
    expect(dryWith(rainTomorrow(35, 90, 25)).opened()).toHaveLength(1);
    const r = dryWith(rainTomorrow(35, 90, 13));
    expect(r.opened()).toHaveLength(0);
    expect(r.lastAdvice()?.text.en).toContain('(90 %) (forecast from 13 h ago) — irrigation postponed');
  });

  it('the rain did not come: once the forecast day is past, the field irrigates as usual', () => {
    // fresh enough, but its rainy day is yesterday: the measured rain (none) decides
    const past = (at: number): Forecast => ({
      lat: 12.82, lon: 108.08, fetchedAt: at - HOUR, stale: false,
      days: [{ date: localDate(at - DAY), precipitationMm: 40, probabilityPct: 95 }, { date: localDate(at), precipitationMm: 0, probabilityPct: 20 }],
    });
    expect(dryWith(past).opened()).toHaveLength(1);
  });
});
