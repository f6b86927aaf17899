// Soil water holding (docs/agronomy.md §2; FAO-56 Table 19, Eqs. 82, 83) and root-zone depletion measured by
// soil-moisture sensors at depths, FAO-56 Eq. 87 by layer: Dr = 1000·Σ max(0, θFC,i − θi)·Δz_i.
import { z } from 'zod';
import type { M3PerM3, Metres, Millimetres } from './units.js';

export const SoilTexture = z.enum([
  'sand', 'loamy_sand', 'sandy_loam', 'loam', 'silt_loam', 'silt', 'silty_clay_loam', 'silty_clay', 'clay',
]);
export type SoilTexture = z.infer<typeof SoilTexture>;

export interface SoilWaterRange {
  /** Field capacity θFC range, m³/m³. */
  readonly fc: readonly [number, number];
  /** Wilting point θWP range, m³/m³. */
  readonly wp: readonly [number, number];
}

/** FAO-56 Table 19. */
export const SOIL_WATER: Readonly<Record<SoilTexture, SoilWaterRange>> = {
  sand: { fc: [0.07, 0.17], wp: [0.02, 0.07] },
  loamy_sand: { fc: [0.11, 0.19], wp: [0.03, 0.1] },
  sandy_loam: { fc: [0.18, 0.28], wp: [0.06, 0.16] },
  loam: { fc: [0.2, 0.3], wp: [0.07, 0.17] },
  silt_loam: { fc: [0.22, 0.36], wp: [0.09, 0.21] },
  silt: { fc: [0.28, 0.36], wp: [0.12, 0.22] },
  silty_clay_loam: { fc: [0.3, 0.37], wp: [0.17, 0.24] },
  silty_clay: { fc: [0.3, 0.42], wp: [0.17, 0.29] },
  clay: { fc: [0.32, 0.4], wp: [0.2, 0.24] },
};

export interface SoilWater {
  readonly thetaFc: M3PerM3;
  readonly thetaWp: M3PerM3;
}

/** Typical θFC/θWP for a texture: the midpoints of the Table 19 ranges (override with field data). */
export function soilWaterForTexture(texture: SoilTexture): SoilWater {
  const r = SOIL_WATER[texture];
  return { thetaFc: (r.fc[0] + r.fc[1]) / 2, thetaWp: (r.wp[0] + r.wp[1]) / 2 };
}

/** FAO-56 Eq. 82: total available water TAW = 1000·(θFC − θWP)·Zr, mm. */
export function totalAvailableWaterMm(thetaFc: M3PerM3, thetaWp: M3PerM3, rootDepthM: Metres): Millimetres {
  if (!(thetaFc > thetaWp)) throw new RangeError(`θFC ${thetaFc} must exceed θWP ${thetaWp}`);
  return 1000 * (thetaFc - thetaWp) * rootDepthM;
}

/** FAO-56 Eq. 83: readily available water RAW = p·TAW, mm. */
export function readilyAvailableWaterMm(depletionFraction: number, tawMm: Millimetres): Millimetres {
  return depletionFraction * tawMm;
}

export interface SensorReadingAtDepth {
  readonly depthCm: number;
  /** Volumetric water content, % (m³/m³ × 100), as the probes report it. */
  readonly thetaPct: number;
  /** Field capacity of this layer, m³/m³, when it differs from the field's. */
  readonly thetaFc?: M3PerM3 | undefined;
}

export interface SensorLayer {
  readonly depthCm: number;
  readonly topM: Metres;
  readonly bottomM: Metres;
  readonly theta: M3PerM3;
  readonly thetaFc: M3PerM3;
  readonly depletionMm: Millimetres;
}

export interface SensorDepletion {
  readonly depletionMm: Millimetres;
  readonly rootDepthM: Metres;
  readonly layers: readonly SensorLayer[];
}

/**
 * Root-zone depletion from sensors: each sensor stands for the layer from the midpoint to the sensor
 * above (or the surface) down to the midpoint to the sensor below (or the bottom of the root zone).
 * Layers below Zr are cut off; Dr = 1000·Σ max(0, θFC,i − θi)·Δz_i (docs/agronomy.md §2).
 */
export function depletionFromSensors(
  readings: readonly SensorReadingAtDepth[],
  thetaFc: M3PerM3,
  rootDepthM?: Metres,
): SensorDepletion {
  if (readings.length === 0) throw new RangeError('at least one soil-moisture reading is needed');
  const sorted = [...readings].sort((a, b) => a.depthCm - b.depthCm);
  const deepestM = (sorted[sorted.length - 1]?.depthCm ?? 0) / 100;
  const zr = rootDepthM ?? deepestM;
  if (!(zr > 0)) throw new RangeError('root depth must be positive');
  const layers: SensorLayer[] = [];
  sorted.forEach((r, k) => {
    const above = sorted[k - 1];
    const below = sorted[k + 1];
    const topM = Math.min(zr, above ? (above.depthCm + r.depthCm) / 200 : 0);
    const bottomM = Math.min(zr, below ? (r.depthCm + below.depthCm) / 200 : zr);
    const fc = r.thetaFc ?? thetaFc;
    const theta = r.thetaPct / 100;
    const depletionMm = 1000 * Math.max(0, fc - theta) * Math.max(0, bottomM - topM);
    layers.push({ depthCm: r.depthCm, topM, bottomM, theta, thetaFc: fc, depletionMm });
  });
  return { depletionMm: layers.reduce((s, l) => s + l.depletionMm, 0), rootDepthM: zr, layers };
}
