// Kc by days since planting (FAO-56 Eq. 66), the climate adjustment (Eq. 62), p for ETc, TAW/RAW and
// root-zone depletion from sensors at depths (docs/agronomy.md §2). Expected numbers worked by hand.
import { describe, expect, it } from 'vitest';
import {
  CROPS, adjustDepletionFraction, adjustKcForClimate, cropKcTable, depletionFromSensors, kcOnDay, readilyAvailableWaterMm,
  seasonLengthDays, soilWaterForTexture, totalAvailableWaterMm,
} from '../../../core/agronomy/index.js';

describe('Kc by days since planting', () => {
  const maize = CROPS.maize; // 0.30 / 1.20 / 0.60, stages 20/35/40/30

  it('is flat in the initial and mid stages', () => {
    expect(kcOnDay(maize, 0)).toMatchObject({ kc: 0.3, stage: 'initial' });
    expect(kcOnDay(maize, 19)).toMatchObject({ kc: 0.3, stage: 'initial' });
    expect(kcOnDay(maize, 60)).toMatchObject({ kc: 1.2, stage: 'mid_season' });
  });

  it('interpolates linearly in development and late season (Eq. 66)', () => {
    // day 30: 0.30 + (30 − 20)/35 × (1.20 − 0.30) = 0.5571
    expect(kcOnDay(maize, 30).kc).toBeCloseTo(0.557143, 5);
    expect(kcOnDay(maize, 37.5).kc).toBeCloseTo(0.75, 10);
    // day 110: 1.20 + (110 − 95)/30 × (0.60 − 1.20) = 0.90
    expect(kcOnDay(maize, 110)).toMatchObject({ stage: 'late_season' });
    expect(kcOnDay(maize, 110).kc).toBeCloseTo(0.9, 10);
    expect(kcOnDay(maize, 125).kc).toBeCloseTo(0.6, 10);
    expect(kcOnDay(maize, 126)).toMatchObject({ kc: 0.6, stage: 'after_harvest' });
    expect(seasonLengthDays(maize)).toBe(125);
  });

  it('perennials take Kc mid; crops without a published Kc refuse', () => {
    expect(kcOnDay(CROPS.coffee, 4000)).toMatchObject({ kc: 0.95, stage: 'perennial' });
    expect(() => kcOnDay(CROPS.dragon_fruit, 100)).toThrow(/no published Kc/);
    expect(() => kcOnDay(maize, -1)).toThrow(RangeError);
  });

  it('adjusts Kc mid and end for climate (Eq. 62) and clamps u2, RHmin', () => {
    // 1.20 + [0.04(3 − 2) − 0.004(30 − 45)]·(2/3)^0.3 = 1.20 + 0.10 × 0.88547 = 1.28855
    expect(adjustKcForClimate(1.2, 3, 30, 2)).toBeCloseTo(1.28855, 4);
    expect(adjustKcForClimate(1.2, 9, 5, 2)).toBeCloseTo(adjustKcForClimate(1.2, 6, 20, 2), 10);
    expect(adjustKcForClimate(1.2, 2, 45, 2)).toBeCloseTo(1.2, 10);
    const t = cropKcTable(maize, { u2Ms: 3, rhminPct: 30 });
    expect(t.ini).toBe(0.3);
    expect(t.mid).toBeCloseTo(1.28855, 4);
    expect(t.end).toBeCloseTo(0.68855, 4);
    expect(kcOnDay(maize, 60, { u2Ms: 3, rhminPct: 30 }).kc).toBeCloseTo(1.28855, 4);
  });

  it('adjusts p for ETc and clamps it to 0.1–0.8', () => {
    expect(adjustDepletionFraction(0.4, 3)).toBeCloseTo(0.48, 10);
    expect(adjustDepletionFraction(0.4, 10)).toBeCloseTo(0.2, 10);
    expect(adjustDepletionFraction(0.2, 12)).toBe(0.1);
    expect(adjustDepletionFraction(0.65, 0)).toBe(0.8);
  });
});

describe('soil water', () => {
  it('TAW and RAW for coffee on clay (θFC 0.36, θWP 0.22 midpoints, Zr 0.9 m, p 0.4)', () => {
    const clay = soilWaterForTexture('clay');
    expect(clay.thetaFc).toBeCloseTo(0.36, 10);
    expect(clay.thetaWp).toBeCloseTo(0.22, 10);
    const taw = totalAvailableWaterMm(clay.thetaFc, clay.thetaWp, 0.9);
    expect(taw).toBeCloseTo(126, 10); // 1000 × 0.14 × 0.9
    expect(readilyAvailableWaterMm(0.4, taw)).toBeCloseTo(50.4, 10);
  });

  it('depletion from three probes splits the root zone at the midpoints', () => {
    const d = depletionFromSensors([{ depthCm: 50, thetaPct: 29 }, { depthCm: 20, thetaPct: 24 }, { depthCm: 80, thetaPct: 32 }], 0.36, 0.9);
    // layers 0–0.35, 0.35–0.65, 0.65–0.90 m: 1000 × (0.12 × 0.35 + 0.07 × 0.30 + 0.04 × 0.25) = 42 + 21 + 10
    expect(d.layers.map((l) => [l.topM, l.bottomM])).toEqual([[0, 0.35], [0.35, 0.65], [0.65, 0.9]]);
    expect(d.layers.map((l) => l.depletionMm)).toEqual([expect.closeTo(42, 8), expect.closeTo(21, 8), expect.closeTo(10, 8)]);
    expect(d.depletionMm).toBeCloseTo(73, 8);
  });

  it('wetter than field capacity counts 0; layers below Zr are cut off', () => {
    const d = depletionFromSensors([{ depthCm: 10, thetaPct: 40 }, { depthCm: 30, thetaPct: 30 }, { depthCm: 60, thetaPct: 20 }], 0.36, 0.3);
    // 0–0.20 m wet: 0; 0.20–0.30 m (cut at Zr): 0.06 × 0.10 = 6 mm; the 60 cm probe lies below Zr: 0
    expect(d.depletionMm).toBeCloseTo(6, 8);
    expect(d.layers[2]?.depletionMm).toBe(0);
  });
});
