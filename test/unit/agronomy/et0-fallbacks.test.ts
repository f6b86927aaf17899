// FAO-56's missing-data order and the labels every ET0 result carries (docs/agronomy.md §1).
import { describe, expect, it } from 'vitest';
import {
  et0Daily, extraterrestrialRadiationMJ, hargreavesEt0Mm, saturationVapourPressureKPa, type DailyEt0Input,
} from '../../../core/agronomy/index.js';
import { expectWithin } from './within.js';

// A dry-season day in Buôn Ma Thuột (12.67°N, 500 m)
const base: DailyEt0Input = { latitudeDeg: 12.67, elevationM: 500, dayOfYear: 60, tmaxC: 32, tminC: 18 };
const measured: DailyEt0Input = { ...base, rhmaxPct: 90, rhminPct: 40, windMs: 2.5, rsMJ: 21 };

describe('ET0 missing-data paths', () => {
  it('all inputs measured → plain Penman-Monteith, nothing estimated', () => {
    const r = et0Daily(measured);
    expect(r.method).toBe('penman-monteith');
    expect(r.estimated).toEqual([]);
    expect(r.sources).toEqual({ rs: 'measured', ea: 'rh_max_min', u2: 'measured_2m' });
  });

  it('only Tmax/Tmin → Penman-Monteith with Rs from Eq. 50 (kRs 0.16), ea from Tmin and u2 = 2 m/s', () => {
    const r = et0Daily(base);
    expect(r.method).toBe('penman-monteith-estimated');
    expect(r.estimated).toEqual(['rs_from_temperature_range', 'ea_from_tmin', 'u2_default']);
    const ra = extraterrestrialRadiationMJ(12.67, 60);
    expect(r.intermediates.rsMJ).toBeCloseTo(0.16 * Math.sqrt(14) * ra, 10);
    expect(r.intermediates.eaKPa).toBeCloseTo(saturationVapourPressureKPa(18), 10);
    expect(r.intermediates.u2Ms).toBe(2);
    // the estimated path is Penman-Monteith on the estimates, not another formula
    const same = et0Daily({ ...base, rsMJ: 0.16 * Math.sqrt(14) * ra, eaKPa: saturationVapourPressureKPa(18), windMs: 2 });
    expect(same.method).toBe('penman-monteith');
    expect(r.et0Mm).toBeCloseTo(same.et0Mm, 10);
  });

  it('a coastal site uses kRs 0.19', () => {
    const inland = et0Daily(base);
    const coastal = et0Daily({ ...base, coastal: true });
    expect((coastal.intermediates.rsMJ ?? 0) / (inland.intermediates.rsMJ ?? 1)).toBeCloseTo(0.19 / 0.16, 10);
    expect(coastal.et0Mm).toBeGreaterThan(inland.et0Mm);
  });

  it('humidity in FAO-56 order: Tdew, then RHmax+RHmin, RHmax alone, RHmean', () => {
    expect(et0Daily({ ...measured, tdewC: 16 }).sources.ea).toBe('dew_point');
    expect(et0Daily({ ...base, rhmaxPct: 90 }).intermediates.eaKPa).toBeCloseTo(0.9 * saturationVapourPressureKPa(18), 10);
    const rhMean = et0Daily({ ...base, rhmeanPct: 65 });
    expect(rhMean.sources.ea).toBe('rh_mean');
    expect(rhMean.intermediates.eaKPa).toBeCloseTo(0.65 * (rhMean.intermediates.esKPa ?? 0), 10);
    expect(rhMean.estimated).not.toContain('ea_from_tmin');
  });

  it('sunshine hours are a measured path (Eq. 35), not an estimate', () => {
    const r = et0Daily({ ...base, sunshineHours: 9 });
    expect(r.sources.rs).toBe('sunshine_hours');
    expect(r.estimated).not.toContain('rs_from_temperature_range');
  });

  it('u2 below 0.5 m/s is raised to 0.5 in the equation and says so', () => {
    const r = et0Daily({ ...measured, windMs: 0.2 });
    expect(r.intermediates.u2Ms).toBe(0.5);
    expect(r.notes.join(' ')).toMatch(/raised to 0.5/);
    expect(r.et0Mm).toBeCloseTo(et0Daily({ ...measured, windMs: 0.5 }).et0Mm, 10);
  });

  it('no elevation → Hargreaves (Eq. 52), labelled with the reason', () => {
    const { elevationM: _z, ...noElevation } = base;
    const r = et0Daily(noElevation);
    expect(r.method).toBe('hargreaves');
    expect(r.notes[0]).toMatch(/elevation unknown/);
    expect(r.et0Mm).toBeCloseTo(hargreavesEt0Mm(32, 18, extraterrestrialRadiationMJ(12.67, 60)), 10);
    expect(et0Daily(measured, { method: 'hargreaves' }).method).toBe('hargreaves');
  });

  it('Hargreaves by hand: Ra 40.6, Tmax 26.6, Tmin 14.8 → 5.04 mm/day', () => {
    // 0.0023 × (20.7 + 17.8) × √11.8 × 0.408 × 40.6 = 5.039
    expectWithin(hargreavesEt0Mm(26.6, 14.8, 40.6), 5.039, 0.001);
  });

  it('rejects Tmax below Tmin', () => {
    expect(() => et0Daily({ ...base, tmaxC: 10, tminC: 12 })).toThrow(RangeError);
  });
});
