// Water salinity (docs/agronomy.md §4): EC (dS/m at 25 °C) ↔ TDS ↔ ‰ with an explicit basis, per-crop limits
// used by Mekong Delta extension offices, the FAO-29 restriction class and Maas–Hoffman relative yield.
import { z } from 'zod';
import type { DsPerM } from './units.js';

/** '‰' in Vietnamese bulletins: g/L of dissolved solids, or PSS-78 practical salinity. */
export const SalinityBasis = z.enum(['tds_g_per_l', 'pss78']);
export type SalinityBasis = z.infer<typeof SalinityBasis>;
/** The default: at the same EC it gives the higher ‰, so crop limits trip earlier (the safer side). */
export const DEFAULT_SALINITY_BASIS: SalinityBasis = 'tds_g_per_l';

/** FAO-29: TDS (mg/L) ≈ 640 × EC (dS/m), for EC < 5 dS/m. */
export const TDS_MG_PER_L_PER_DS_PER_M = 640;
/** dS/m for 1 ‰ on each basis: 1 g/L TDS ≈ 1.56 dS/m (= 1000/640); 1 ‰ PSS-78 ≈ 2.0 dS/m. */
export const DS_PER_M_PER_PERMIL: Readonly<Record<SalinityBasis, number>> = {
  tds_g_per_l: 1000 / TDS_MG_PER_L_PER_DS_PER_M,
  pss78: 2.0,
};
const BASIS_LABEL: Readonly<Record<SalinityBasis, string>> = { tds_g_per_l: 'TDS g/L basis', pss78: 'PSS-78 basis' };

export const ecToTdsMgPerL = (ecDsPerM: DsPerM): number => ecDsPerM * TDS_MG_PER_L_PER_DS_PER_M;
export const tdsMgPerLToEc = (tdsMgPerL: number): DsPerM => tdsMgPerL / TDS_MG_PER_L_PER_DS_PER_M;
export const ecToPermil = (ecDsPerM: DsPerM, basis: SalinityBasis): number => ecDsPerM / DS_PER_M_PER_PERMIL[basis];
export const permilToEc = (permil: number, basis: SalinityBasis): DsPerM => permil * DS_PER_M_PER_PERMIL[basis];

/** A ‰ value always printed with its basis, e.g. "2.6 ‰ (TDS g/L basis)". */
export function formatPermil(permil: number, basis: SalinityBasis, digits = 1): string {
  return `${permil.toFixed(digits)} ‰ (${BASIS_LABEL[basis]})`;
}

export interface SalinityLimit {
  /** Up to here the water is fine. */
  readonly okPermil: number;
  /** Above this, do not use the water. Between the two: caution. */
  readonly maxPermil: number;
  /** '< 1 ‰' limits exclude the bound; '≤ 2 ‰' and ranges include it. */
  readonly inclusive: boolean;
}

const below = (x: number): SalinityLimit => ({ okPermil: x, maxPermil: x, inclusive: false });
const upTo = (x: number): SalinityLimit => ({ okPermil: x, maxPermil: x, inclusive: true });
const range = (a: number, b: number): SalinityLimit => ({ okPermil: a, maxPermil: b, inclusive: true });

/** Crop guidance of the delta's extension offices (docs/agronomy.md §4 [rec]), in ‰. */
export const CROP_SALINITY_LIMITS: Readonly<Record<string, SalinityLimit>> = {
  dragon_fruit: below(1), leafy_vegetables: below(1), cabbage: below(1),
  durian: below(1), mangosteen: below(1), rambutan: below(1),
  rice: upTo(2), maize: upTo(2), beans: upTo(2), citrus: upTo(2),
  tomato: range(2, 4), chili: range(2, 4), sweet_pepper: range(2, 4), banana: range(2, 4), sugarcane: range(2, 4), pomelo: range(2, 4),
  mango: range(3, 8), coconut: range(3, 8),
};

export type SalinityStatus = 'ok' | 'caution' | 'do_not_use';

export interface SalinityAssessment {
  readonly status: SalinityStatus;
  readonly ecDsPerM: DsPerM;
  readonly permil: number;
  readonly basis: SalinityBasis;
  readonly limit: SalinityLimit;
  readonly text: string;
}

/** Compares a water EC with a crop's ‰ limit, both on the same stated basis. */
export function assessWaterForCrop(crop: string, ecDsPerM: DsPerM, basis: SalinityBasis = DEFAULT_SALINITY_BASIS): SalinityAssessment {
  const limit = CROP_SALINITY_LIMITS[crop];
  if (!limit) throw new RangeError(`no salinity limit for crop '${crop}'`);
  const permil = ecToPermil(ecDsPerM, basis);
  const within = (bound: number) => (limit.inclusive ? permil <= bound : permil < bound);
  const status: SalinityStatus = within(limit.okPermil) ? 'ok' : within(limit.maxPermil) && limit.maxPermil > limit.okPermil ? 'caution' : 'do_not_use';
  const bound = status === 'do_not_use' ? limit.maxPermil : limit.okPermil;
  const rel = status === 'ok' ? 'within' : 'above';
  const text = `${formatPermil(permil, basis)} is ${rel} the ${bound} ‰ limit for ${crop}`;
  return { status, ecDsPerM, permil, basis, limit, text };
}

export type Fao29Restriction = 'none' | 'slight_to_moderate' | 'severe';

/** FAO-29 Table 1, salinity: ECw < 0.7 none; 0.7–3.0 slight to moderate; > 3.0 dS/m severe. */
export function fao29Restriction(ecwDsPerM: DsPerM): Fao29Restriction {
  if (ecwDsPerM < 0.7) return 'none';
  if (ecwDsPerM <= 3.0) return 'slight_to_moderate';
  return 'severe';
}

/** Soil saturation-extract EC from irrigation water EC: ECe ≈ 1.5·ECw (FAO-29, 15–20 % leaching). */
export const eceFromEcw = (ecwDsPerM: DsPerM): DsPerM => 1.5 * ecwDsPerM;

/** Maas–Hoffman threshold a (dS/m ECe) and slope b (% yield per dS/m), docs/agronomy.md §4. */
export const MAAS_HOFFMAN: Readonly<Record<string, { readonly a: number; readonly b: number }>> = {
  rice: { a: 3.0, b: 12 },
  cabbage: { a: 1.8, b: 9.7 },
  tomato: { a: 2.5, b: 9.9 },
  sweet_corn: { a: 1.7, b: 12 },
  sweet_pepper: { a: 1.5, b: 14 },
  maize: { a: 1.7, b: 12 },
  sugarcane: { a: 1.7, b: 5.9 },
};

/** Maas–Hoffman (1977): Yr = 100 − b·(ECe − a), bounded to 0…100 %. */
export function maasHoffmanYieldPct(eceDsPerM: DsPerM, a: number, b: number): number {
  return Math.min(100, Math.max(0, 100 - b * (eceDsPerM - a)));
}

/** Relative yield (%) of a crop irrigated with water of EC ECw (ECe ≈ 1.5·ECw). */
export function relativeYieldFromWaterPct(crop: string, ecwDsPerM: DsPerM): number {
  const c = MAAS_HOFFMAN[crop];
  if (!c) throw new RangeError(`no Maas–Hoffman coefficients for crop '${crop}'`);
  return maasHoffmanYieldPct(eceFromEcw(ecwDsPerM), c.a, c.b);
}
