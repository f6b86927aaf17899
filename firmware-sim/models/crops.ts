// Soil and crop constants for the device physics.
// Soil: θFC/θWP are the midpoints of FAO-56 Table 19 (docs/agronomy.md §2); saturation is total porosity from
// Rawls, Brakensiek & Saxton (1982) [rec]; the drainage rate k (per day: the water above field capacity
// decays as e^(−k·t)) is [judg], set so that a layer is back near field capacity after the 1 (sand) to
// 3 (clay) days of drainage by which field capacity is defined (FAO-56 ch. 8).
// θFC/θWP come from core/agronomy (soilWaterForTexture), the values the rules and the dashboard use.
// Crops: Kc ini/mid/end, stage lengths and p from core/agronomy/crops.ts (FAO-56 Tables 11, 12, 22;
// docs/agronomy.md §2).

import { CROPS, CropId } from '../../core/agronomy/crops.js';
import { soilWaterForTexture, type SoilTexture as TextureId } from '../../core/agronomy/soil.js';

export interface SoilTexture {
  readonly name: string;
  readonly fc: number; // m³/m³
  readonly wp: number;
  readonly sat: number;
  readonly drainPerDay: number;
  readonly paddyPercolationMmPerDay: number; // IRRI: 1–5 mm/d on puddled clay, up to ~25 on sand [rec]
}

const texture = (name: TextureId, sat: number, drainPerDay: number, paddyPercolationMmPerDay: number): SoilTexture => ({
  name,
  fc: soilWaterForTexture(name).thetaFc,
  wp: soilWaterForTexture(name).thetaWp,
  sat,
  drainPerDay,
  paddyPercolationMmPerDay,
});

export const soilTextures: Readonly<Record<string, SoilTexture>> = {
  sand: texture('sand', 0.437, 3, 20),
  loamy_sand: texture('loamy_sand', 0.437, 2.5, 15),
  sandy_loam: texture('sandy_loam', 0.453, 2, 10),
  loam: texture('loam', 0.463, 1.5, 6),
  silt_loam: texture('silt_loam', 0.501, 1.3, 5),
  silt: texture('silt', 0.5, 1.2, 5),
  silty_clay_loam: texture('silty_clay_loam', 0.471, 1, 3),
  silty_clay: texture('silty_clay', 0.479, 0.8, 2.5),
  clay: texture('clay', 0.475, 0.7, 2),
};

/** Looks up a texture by name ("silty clay", "silty-clay", "Silty_Clay"); unknown or missing → `fallback`. */
export function soilTexture(name: string | undefined, fallback = 'loam'): SoilTexture {
  const key = (name ?? fallback).trim().toLowerCase().replace(/[\s-]+/g, '_');
  return soilTextures[key] ?? soilTextures[fallback] ?? texture('loam', 0.463, 0.45, 6);
}

export interface Crop {
  readonly name: string;
  readonly kcIni: number;
  readonly kcMid: number;
  readonly kcEnd: number;
  /** Stage lengths ini/dev/mid/late in days; undefined for a perennial (Kc mid all year). */
  readonly stages: readonly [number, number, number, number] | undefined;
  readonly p: number; // depletion fraction without stress (FAO-56 Table 22)
}

const crop = (name: string, kcIni: number, kcMid: number, kcEnd: number, stages: Crop['stages'], p: number): Crop => ({ name, kcIni, kcMid, kcEnd, stages, p });

/** A crop of the core table (FAO-56 Tables 11, 12, 22: the values the rules use), with the simulator's p default. */
function fromCore(id: CropId, pDefault: number): Crop {
  const c = CROPS[id];
  if (!c.kc) throw new RangeError(`${id}: no published Kc`);
  return crop(id, c.kc.ini, c.kc.mid, c.kc.end, c.stageDays, c.depletionFraction ?? pDefault);
}

export const crops: Readonly<Record<string, Crop>> = {
  ...Object.fromEntries(CropId.options.filter((id) => CROPS[id].kc).map((id) => [id, fromCore(id, 0.4)])), // black pepper p 0.4 [judg]
  dragon_fruit: crop('dragon_fruit', 0.7, 0.7, 0.7, undefined, 0.3), // no published Kc: 0.7 is [judg]
};

export function cropOf(name: string | undefined, fallback: string): Crop {
  const key = (name ?? fallback).trim().toLowerCase().replace(/[\s-]+/g, '_');
  return crops[key] ?? crops[fallback] ?? crop('grass', 1, 1, 1, undefined, 0.5);
}

/** Kc on a day of the season, linear between stages (FAO-56 Eq. 66); the season repeats after it ends. */
export function cropKc(c: Crop, daysAfterPlanting: number): number {
  if (!c.stages) return c.kcMid;
  const [ini, dev, mid, late] = c.stages;
  const day = ((daysAfterPlanting % (ini + dev + mid + late)) + (ini + dev + mid + late)) % (ini + dev + mid + late);
  if (day < ini) return c.kcIni;
  if (day < ini + dev) return c.kcIni + ((day - ini) / dev) * (c.kcMid - c.kcIni);
  if (day < ini + dev + mid) return c.kcMid;
  return c.kcMid + ((day - ini - dev - mid) / late) * (c.kcEnd - c.kcMid);
}
