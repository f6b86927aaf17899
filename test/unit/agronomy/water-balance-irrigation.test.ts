// The model balance (FAO-56 Eqs. 84–88), effective rain and irrigation advice (docs/agronomy.md §2).
import { describe, expect, it } from 'vitest';
import {
  balanceStep, deepPercolationMm, effectiveRainMm, grossIrrigationMm, irrigationAdvice, irrigationVolumeM3, pumpRunMinutes,
  runWaterBalance, waterStressCoefficient,
} from '../../../core/agronomy/index.js';

describe('daily balance step', () => {
  it('dries by ETc when there is no rain (Ks 1 below RAW)', () => {
    expect(balanceStep(40, { netRainMm: 0, etcMm: 5 }, 100, 0.5)).toEqual({ drMm: 45, ks: 1, etcAdjMm: 5, deepPercolationMm: 0 });
  });

  it('heavy rain refills to field capacity and the excess percolates (Eq. 88)', () => {
    // DP = 30 − 5 − 10 = 15; Dr = 10 − 30 + 5 + 15 = 0
    expect(balanceStep(10, { netRainMm: 30, etcMm: 5 }, 100, 0.5)).toEqual({ drMm: 0, ks: 1, etcAdjMm: 5, deepPercolationMm: 15 });
    expect(deepPercolationMm(30, 0, 5, 10)).toBe(15);
  });

  it('beyond RAW, Ks reduces ET (Eq. 84)', () => {
    // Ks = (100 − 70)/((1 − 0.5) × 100) = 0.6; ETc,adj = 3; Dr = 73
    const s = balanceStep(70, { netRainMm: 0, etcMm: 5 }, 100, 0.5);
    expect(s.ks).toBeCloseTo(0.6, 10);
    expect(s.drMm).toBeCloseTo(73, 10);
    expect(waterStressCoefficient(50, 100, 0.5)).toBe(1);
    expect(waterStressCoefficient(100, 100, 0.5)).toBe(0);
  });

  it('irrigation refills (Ks from the start-of-day depletion)', () => {
    // Dr 60 > RAW 50: Ks = 40/50 = 0.8, ETc,adj = 4; Dr = 60 − 40 + 4 = 24
    expect(balanceStep(60, { netRainMm: 0, irrigationMm: 40, etcMm: 5 }, 100, 0.5).drMm).toBeCloseTo(24, 10);
    expect(balanceStep(45, { netRainMm: 0, irrigationMm: 40, etcMm: 5 }, 100, 0.5).drMm).toBeCloseTo(10, 10);
  });

  it('effective rain ignores rains under 0.2·ET0', () => {
    expect(effectiveRainMm(0.8, 5)).toBe(0);
    expect(effectiveRainMm(1, 5)).toBe(1);
    expect(effectiveRainMm(12, 5, 2)).toBe(10);
  });

  it('runs a maize balance day by day with p adjusted for ETc', () => {
    const run = runWaterBalance({ crop: 'maize', plantingDate: '2024-01-01', tawMm: 100 }, [
      { date: '2024-01-01', et0Mm: 4, rainMm: 0 },
      { date: '2024-01-02', et0Mm: 5, rainMm: 0.5 },
      { date: '2024-01-03', et0Mm: 4, rainMm: 10 },
    ]);
    // Kc 0.30: ETc 1.2, 1.5, 1.2; rain 0.5 < 0.2 × 5 is ignored; 10 mm refills (DP = 10 − 1.2 − 2.7 = 6.1)
    expect(run.map((d) => d.drMm)).toEqual([expect.closeTo(1.2, 8), expect.closeTo(2.7, 8), 0]);
    expect(run[1]?.effectiveRainMm).toBe(0);
    expect(run[2]?.deepPercolationMm).toBeCloseTo(6.1, 8);
    expect(run[0]?.p).toBeCloseTo(0.55 + 0.04 * (5 - 1.2), 10);
    expect(run[0]?.rawMm).toBeCloseTo(70.2, 8);
  });

  it('refuses gaps between days', () => {
    expect(() =>
      runWaterBalance({ crop: 'maize', plantingDate: '2024-01-01', tawMm: 100 }, [
        { date: '2024-01-01', et0Mm: 4, rainMm: 0 },
        { date: '2024-01-03', et0Mm: 4, rainMm: 0 },
      ]),
    ).toThrow(/not consecutive/);
  });
});

describe('irrigation need', () => {
  it('converts depths to volume and pump time (issue 5: 22 mm on 0.2 ha = 44 m³, 75 min at 35.2 m³/h)', () => {
    expect(irrigationVolumeM3(22, 0.2)).toBeCloseTo(44, 10);
    expect(pumpRunMinutes(44, 35.2)).toBeCloseTo(75, 10);
    expect(grossIrrigationMm(18, 0.75)).toBeCloseTo(24, 10);
    expect(() => grossIrrigationMm(18, 0)).toThrow(RangeError);
  });

  it('irrigates at RAW: net = Dr, gross = Dr/efficiency, m³ and minutes', () => {
    const a = irrigationAdvice({ depletionMm: 60, rawMm: 50.4, applicationEfficiency: 0.9, areaHa: 0.2, pumpFlowM3PerH: 40 });
    expect(a.decision).toBe('irrigate');
    expect(a.netMm).toBe(60);
    expect(a.grossMm).toBeCloseTo(66.6667, 4); // 60 / 0.9
    expect(a.volumeM3).toBeCloseTo(133.3333, 4); // × 0.2 ha × 10
    expect(a.pumpMinutes).toBeCloseTo(200, 8); // 133.33 m³ / 40 m³/h × 60
  });

  it('does nothing below RAW', () => {
    expect(irrigationAdvice({ depletionMm: 40, rawMm: 50.4 })).toMatchObject({ decision: 'not_needed', netMm: 0, grossMm: 0 });
  });

  it('postpones when forecast effective rain covers the deficit, but forecast never shrinks the amount', () => {
    expect(irrigationAdvice({ depletionMm: 60, rawMm: 50.4, forecastRainMm: 65, et0Mm: 5 }).decision).toBe('postpone_rain');
    const partial = irrigationAdvice({ depletionMm: 60, rawMm: 50.4, forecastRainMm: 30, et0Mm: 5 });
    expect(partial).toMatchObject({ decision: 'irrigate', netMm: 60 });
  });

  it('observed rain counts when effective: it reduces the deficit or postpones', () => {
    expect(irrigationAdvice({ depletionMm: 60, rawMm: 50.4, observedRainMm: 15, et0Mm: 5 })).toMatchObject({ decision: 'postpone_rain', depletionMm: 45 });
    expect(irrigationAdvice({ depletionMm: 60, rawMm: 50.4, observedRainMm: 5, et0Mm: 5 })).toMatchObject({ decision: 'irrigate', netMm: 55 });
    // 0.8 mm < 0.2 × 5 mm evaporates: the full 60 mm is still needed
    expect(irrigationAdvice({ depletionMm: 60, rawMm: 50.4, observedRainMm: 0.8, et0Mm: 5 })).toMatchObject({ decision: 'irrigate', netMm: 60 });
  });
});
