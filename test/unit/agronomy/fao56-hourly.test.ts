// FAO-56 Example 19 (N'Diaye, Senegal, 1 October): hourly ET0, Eq. 53, by day and by night.
import { describe, expect, it } from 'vitest';
import {
  dmsToDegrees, et0Hourly, extraterrestrialRadiationPeriodMJ, hourlySoilHeatFluxMJ, periodSolarAnglesRad,
  seasonalCorrectionHours, solarTimeAngleRad, vietnamSolarLongitudes, extraterrestrialIrradianceW, extraterrestrialRadiationMJ,
  solarLongitudes,
} from '../../../core/agronomy/index.js';
import { expectWithin } from './within.js';

const site = { latitudeDeg: dmsToDegrees(16, 13), elevationM: 8, dayOfYear: 274, lzDegWest: 15, lmDegWest: 16.25 };

describe('FAO-56 Example 19, hourly ET0', () => {
  it('14–15 h: G 0.175 and ET0 0.63 mm/h', () => {
    const r = et0Hourly({ ...site, midpointHour: 14.5, tC: 38, rhPct: 52, u2Ms: 3.3, rsMJ: 2.45 });
    expect(r.daytime).toBe(true);
    expect(r.rsOverRsoSource).toBe('measured');
    expectWithin(r.intermediates.seasonalCorrectionHours, 0.1889, 0.001); // Eq. 32
    expectWithin(r.intermediates.raMJ, 3.543, 0.005); // Eq. 28
    expectWithin(r.intermediates.rnMJ, 1.749, 0.005);
    expectWithin(r.intermediates.gMJ, 0.175, 0.005); // Eq. 45
    expectWithin(r.et0Mm, 0.63);
  });

  it('02–03 h: night Rs/Rso 0.8, G = 0.5·Rn and ET0 ≈ 0', () => {
    const r = et0Hourly({ ...site, midpointHour: 2.5, tC: 28, rhPct: 90, u2Ms: 1.9, rsMJ: 0, nightRsOverRso: 0.8 });
    expect(r.daytime).toBe(false);
    expect(r.rsOverRsoSource).toBe('night_assumed');
    expect(r.intermediates.raMJ).toBe(0);
    expectWithin(r.intermediates.rnMJ, -0.1, 0.005);
    expectWithin(r.intermediates.gMJ, -0.05, 0.005); // Eq. 46
    expectWithin(r.et0Mm, 0, 0.05);
  });

  it('a night hour without a supplied ratio uses the humid default 0.5: a cloudier sky, less longwave loss', () => {
    const night = { ...site, midpointHour: 2.5, tC: 28, rhPct: 90, u2Ms: 1.9, rsMJ: 0 };
    const humid = et0Hourly(night);
    const arid = et0Hourly({ ...night, nightRsOverRso: 0.8 });
    expect(humid.intermediates.rsOverRso).toBe(0.5);
    // Eq. 39 cloudiness factor: (1.35·0.5 − 0.35)/(1.35·0.8 − 0.35) = 0.325/0.73
    expect((humid.intermediates.rnlMJ ?? 0) / (arid.intermediates.rnlMJ ?? 1)).toBeCloseTo(0.325 / 0.73, 10);
  });

  it('Ra for a period is zero wholly at night and clipped at sunset', () => {
    const night = solarTimeAngleRad(23.5, 15, 16.25, 274);
    const { omega1, omega2 } = periodSolarAnglesRad(night);
    expect(extraterrestrialRadiationPeriodMJ(site.latitudeDeg, 274, omega1, omega2)).toBe(0);
    const noon = periodSolarAnglesRad(solarTimeAngleRad(12.5, 15, 16.25, 274));
    expect(extraterrestrialRadiationPeriodMJ(site.latitudeDeg, 274, noon.omega1, noon.omega2)).toBeGreaterThan(4);
  });

  it('Eqs. 32, 45, 46 and the Vietnam time-zone longitudes', () => {
    expectWithin(seasonalCorrectionHours(274), 0.1889, 0.001);
    expect(hourlySoilHeatFluxMJ(2, true)).toBeCloseTo(0.2, 10);
    expect(hourlySoilHeatFluxMJ(-0.2, false)).toBeCloseTo(-0.1, 10);
    expect(vietnamSolarLongitudes(105.8)).toEqual({ lzDegWest: 255, lmDegWest: 254.2 });
  });

  it('the instantaneous irradiance (Eq. 28 integrand, the simulator\'s sunshine) integrates to the day\'s Ra (Eq. 21)', () => {
    // FAO-56 Example 8: 20°S, 3 September, Ra 32.2 MJ m⁻² day⁻¹; ω runs 2π per 24 h
    let mj = 0;
    const steps = 24 * 60;
    for (let k = 0; k < steps; k++) mj += (extraterrestrialIrradianceW(-20, 246, -Math.PI + ((k + 0.5) * 2 * Math.PI) / steps) * 60) / 1e6;
    expectWithin(mj, extraterrestrialRadiationMJ(-20, 246), 0.01);
    expectWithin(mj, 32.2, 0.05);
    expect(solarLongitudes(-16.25, -1)).toEqual({ lzDegWest: 15, lmDegWest: 16.25 }); // Example 19
  });
});
