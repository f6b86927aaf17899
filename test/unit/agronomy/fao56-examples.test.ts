// Every FAO-56 worked example of docs/agronomy.md §1, through the functions (±0.05 of the published value).
import { describe, expect, it } from 'vitest';
import {
  actualVapourPressureFromRhMaxMinKPa, actualVapourPressureFromSaturationKPa, atmosphericPressureKPa, clearSkyRadiationMJ,
  daylightHours, degreesToRadians, dmsToDegrees, et0Daily, extraterrestrialRadiationMJ, inverseRelativeDistance,
  meanSaturationVapourPressureKPa, monthlySoilHeatFluxFromCurrentMJ, monthlySoilHeatFluxMJ, netLongwaveRadiationMJ,
  psychrometricConstantKPaPerC, saturationVapourPressureKPa, solarDeclinationRad, solarRadiationFromSunshineMJ,
  solarRadiationFromTemperatureMJ, sunsetHourAngleRad, windSpeedAt2mMs,
} from '../../../core/agronomy/index.js';
import { expectWithin } from './within.js';

describe('FAO-56 worked examples (daily)', () => {
  it('Ex 2: P and γ at 1800 m', () => {
    const p = atmosphericPressureKPa(1800);
    expectWithin(p, 81.8);
    expectWithin(psychrometricConstantKPaPerC(p), 0.054, 0.0005);
  });

  it('Ex 3: es from Tmax 24.5 and Tmin 15 (not e°(Tmean))', () => {
    expectWithin(meanSaturationVapourPressureKPa(24.5, 15), 2.39);
    // e°(Tmean) = e°(19.75) = 2.30 would fail the published 2.39
    expect(Math.abs(saturationVapourPressureKPa(19.75) - 2.39)).toBeGreaterThan(0.05);
  });

  it('Ex 5: ea from RHmax 82 and RHmin 54', () => {
    expectWithin(actualVapourPressureFromSaturationKPa(2.064, 3.168, 82, 54), 1.7);
    // the same from temperatures: Tmin 18 °C gives 2.064, Tmax 25 °C gives 3.168
    expectWithin(saturationVapourPressureKPa(18), 2.064, 0.001);
    expectWithin(saturationVapourPressureKPa(25), 3.168, 0.001);
    expectWithin(actualVapourPressureFromRhMaxMinKPa(25, 18, 82, 54), 1.7);
  });

  it('Ex 8: dr, δ, ωs and Ra at 20°S on 3 September (J 246)', () => {
    const j = 246;
    const delta = solarDeclinationRad(j);
    expectWithin(inverseRelativeDistance(j), 0.985, 0.001);
    expectWithin(delta, 0.12, 0.001);
    expectWithin(sunsetHourAngleRad(degreesToRadians(-20), delta), 1.527, 0.001);
    expectWithin(extraterrestrialRadiationMJ(-20, j), 32.2);
  });

  it('Ex 9: daylight hours N = 11.7 h', () => {
    const ws = sunsetHourAngleRad(degreesToRadians(-20), solarDeclinationRad(246));
    expectWithin(daylightHours(ws), 11.7);
  });

  it("Ex 10: Ra, N and Rs at 22°54'S, J 135, n = 7.1 h", () => {
    const lat = dmsToDegrees(-22, 54);
    expect(lat).toBeCloseTo(-22.9, 10);
    const ra = extraterrestrialRadiationMJ(lat, 135);
    const n = daylightHours(sunsetHourAngleRad(degreesToRadians(lat), solarDeclinationRad(135)));
    expectWithin(ra, 25.1);
    expectWithin(n, 10.9);
    expectWithin(solarRadiationFromSunshineMJ(7.1, n, ra), 14.5);
  });

  it('Ex 11: Rso and Rnl (Tmax 25.1, Tmin 19.1, ea 2.1, Rs 14.5, z 0)', () => {
    const ra = extraterrestrialRadiationMJ(-22.9, 135);
    const rso = clearSkyRadiationMJ(ra, 0);
    expectWithin(rso, 18.8);
    expectWithin(netLongwaveRadiationMJ(25.1, 19.1, 2.1, 14.5, rso), 3.5);
  });

  it('Ex 13: monthly G from T(i−1) 14.1 and T(i+1) 18.8', () => {
    expectWithin(monthlySoilHeatFluxMJ(14.1, 18.8), 0.33);
  });

  it('Ex 14: 3.2 m/s at 10 m is 2.4 m/s at 2 m', () => {
    expectWithin(windSpeedAt2mMs(3.2, 10), 2.4);
    expect(windSpeedAt2mMs(3.2, 2)).toBeCloseTo(3.2, 2); // Eq. 47 is the identity at 2 m
  });

  it('Ex 15: Rs from the temperature range (Ra 40.6, Tmax 26.6, Tmin 14.8, kRs 0.16)', () => {
    expectWithin(solarRadiationFromTemperatureMJ(26.6, 14.8, 40.6, 0.16), 22.3);
  });

  it("Ex 17: Bangkok, April (13°44'N, z 2): ET0 5.72 mm/day", () => {
    const g = monthlySoilHeatFluxFromCurrentMJ(29.2, 30.2);
    expectWithin(g, 0.14, 1e-9);
    const r = et0Daily({
      latitudeDeg: dmsToDegrees(13, 44), elevationM: 2, dayOfYear: 105, tmaxC: 34.8, tminC: 25.6, eaKPa: 2.85,
      windMs: 2, sunshineHours: 8.5, soilHeatFluxMJ: g,
    });
    expect(r.method).toBe('penman-monteith');
    expect(r.estimated).toEqual([]);
    expectWithin(r.intermediates.raMJ, 38.06);
    expectWithin(r.intermediates.daylightHours, 12.31);
    expectWithin(r.intermediates.rsMJ, 22.65);
    expectWithin(r.intermediates.rnMJ, 14.33);
    expectWithin(r.et0Mm, 5.72);
  });

  it("Ex 18: Brussels, 6 July (50°48'N, z 100): ET0 3.9 mm/day", () => {
    const r = et0Daily({
      latitudeDeg: dmsToDegrees(50, 48), elevationM: 100, dayOfYear: 187, tmaxC: 21.5, tminC: 12.3, rhmaxPct: 84,
      rhminPct: 63, windMs: 10 / 3.6, windHeightM: 10, sunshineHours: 9.25,
    });
    expect(r.sources).toEqual({ rs: 'sunshine_hours', ea: 'rh_max_min', u2: 'converted_from_height' });
    expectWithin(r.intermediates.u2Ms, 2.078, 0.005);
    expectWithin(r.intermediates.esKPa, 1.997, 0.005);
    expectWithin(r.intermediates.eaKPa, 1.409, 0.005);
    expectWithin(r.intermediates.raMJ, 41.09);
    expectWithin(r.intermediates.rsMJ, 22.07);
    expectWithin(r.intermediates.rnMJ, 13.28);
    expectWithin(r.et0Mm, 3.9);
  });
});
