// Crop coefficients, stage lengths, rooting depth and depletion fraction (docs/agronomy.md §2; FAO-56 Tables
// 11, 12, 22) with Kc by days since planting (Eq. 66) and the climate adjustment (Eq. 62).
import { z } from 'zod';
import { clamp } from './units.js';

export const CropId = z.enum([
  'rice', 'maize', 'tomato', 'cabbage', 'sweet_pepper', 'coffee', 'sugarcane', 'banana', 'black_pepper', 'dragon_fruit',
]);
export type CropId = z.infer<typeof CropId>;

export interface KcTable {
  readonly ini: number;
  readonly mid: number;
  readonly end: number;
}

export interface CropSpec {
  readonly id: CropId;
  readonly name: { readonly en: string; readonly vi: string };
  /** Kc ini/mid/end (FAO-56 Table 12, sub-humid); undefined when no Kc is published. */
  readonly kc: KcTable | undefined;
  /** Where docs/agronomy.md gives a range, the range; `kc` holds the default picked from it. */
  readonly kcRanges?: Partial<Record<keyof KcTable, readonly [number, number]>>;
  /** Stage lengths ini/dev/mid/late, days (FAO-56 Table 11); undefined for perennials. */
  readonly stageDays: readonly [number, number, number, number] | undefined;
  /** Maximum effective rooting depth range Zr, m (FAO-56 Table 22). */
  readonly rootDepthM: { readonly min: number; readonly max: number } | undefined;
  /** Soil water depletion fraction for no stress p (FAO-56 Table 22, for ETc ≈ 5 mm/day). */
  readonly depletionFraction: number | undefined;
  /** Maximum crop height h, m (FAO-56 Table 12) [rec] — used only by Eq. 62. */
  readonly heightM: number | undefined;
}

const crop = (c: CropSpec): CropSpec => c;

export const CROPS: Readonly<Record<CropId, CropSpec>> = {
  rice: crop({
    id: 'rice', name: { en: 'Rice (paddy)', vi: 'Lúa' }, kc: { ini: 1.05, mid: 1.2, end: 0.9 }, kcRanges: { end: [0.9, 0.6] },
    stageDays: [30, 30, 60, 30], rootDepthM: { min: 0.5, max: 1.0 }, depletionFraction: 0.2, heightM: 1,
  }),
  maize: crop({
    id: 'maize', name: { en: 'Maize, grain', vi: 'Ngô hạt' }, kc: { ini: 0.3, mid: 1.2, end: 0.6 }, kcRanges: { end: [0.6, 0.35] },
    stageDays: [20, 35, 40, 30], rootDepthM: { min: 1.0, max: 1.7 }, depletionFraction: 0.55, heightM: 2,
  }),
  tomato: crop({
    id: 'tomato', name: { en: 'Tomato', vi: 'Cà chua' }, kc: { ini: 0.6, mid: 1.15, end: 0.7 }, kcRanges: { end: [0.7, 0.9] },
    stageDays: [30, 40, 40, 25], rootDepthM: { min: 0.7, max: 1.5 }, depletionFraction: 0.4, heightM: 0.6,
  }),
  cabbage: crop({
    id: 'cabbage', name: { en: 'Cabbage', vi: 'Bắp cải' }, kc: { ini: 0.7, mid: 1.05, end: 0.95 },
    stageDays: [40, 60, 50, 15], rootDepthM: { min: 0.5, max: 0.8 }, depletionFraction: 0.45, heightM: 0.4,
  }),
  sweet_pepper: crop({
    id: 'sweet_pepper', name: { en: 'Sweet pepper', vi: 'Ớt ngọt' }, kc: { ini: 0.6, mid: 1.05, end: 0.9 },
    stageDays: [30, 35, 40, 20], rootDepthM: { min: 0.5, max: 1.0 }, depletionFraction: 0.3, heightM: 0.7,
  }),
  coffee: crop({
    id: 'coffee', name: { en: 'Coffee (bare ground)', vi: 'Cà phê' }, kc: { ini: 0.9, mid: 0.95, end: 0.95 },
    stageDays: undefined, rootDepthM: { min: 0.9, max: 1.5 }, depletionFraction: 0.4, heightM: 2,
  }),
  sugarcane: crop({
    id: 'sugarcane', name: { en: 'Sugarcane', vi: 'Mía' }, kc: { ini: 0.4, mid: 1.25, end: 0.75 },
    stageDays: [50, 70, 220, 140], rootDepthM: { min: 1.2, max: 2.0 }, depletionFraction: 0.65, heightM: 3,
  }),
  banana: crop({
    id: 'banana', name: { en: 'Banana, 1st year', vi: 'Chuối (năm đầu)' }, kc: { ini: 0.5, mid: 1.1, end: 1.0 },
    stageDays: [120, 90, 120, 60], rootDepthM: { min: 0.5, max: 0.9 }, depletionFraction: 0.35, heightM: 3,
  }),
  black_pepper: crop({
    id: 'black_pepper', name: { en: 'Black pepper', vi: 'Hồ tiêu' }, kc: { ini: 0.91, mid: 1.15, end: 0.88 },
    kcRanges: { ini: [0.8, 1.02], mid: [1.1, 1.2], end: [0.93, 0.83] },
    stageDays: undefined, rootDepthM: undefined, depletionFraction: undefined, heightM: undefined,
  }),
  dragon_fruit: crop({
    id: 'dragon_fruit', name: { en: 'Dragon fruit', vi: 'Thanh long' }, kc: undefined,
    stageDays: undefined, rootDepthM: undefined, depletionFraction: 0.3, heightM: undefined,
  }),
};

export type CropStage = 'initial' | 'development' | 'mid_season' | 'late_season' | 'after_harvest' | 'perennial';

export interface ClimateForKc {
  /** Mean daily wind speed at 2 m over the stage, m/s. */
  readonly u2Ms: number;
  /** Mean daily minimum relative humidity over the stage, %. */
  readonly rhminPct: number;
  /** Crop height, m (default: the crop table). */
  readonly heightM?: number | undefined;
}

/** FAO-56 Eq. 62: Kc = Kc(Tab) + [0.04(u2 − 2) − 0.004(RHmin − 45)]·(h/3)^0.3, u2 1–6, RHmin 20–80, h 0.1–10. */
export function adjustKcForClimate(kcTable: number, u2Ms: number, rhminPct: number, heightM: number): number {
  const u2 = clamp(u2Ms, 1, 6);
  const rhmin = clamp(rhminPct, 20, 80);
  const h = clamp(heightM, 0.1, 10);
  return kcTable + (0.04 * (u2 - 2) - 0.004 * (rhmin - 45)) * (h / 3) ** 0.3;
}

/** Kc ini/mid/end with Eq. 62 applied to Kc mid and (when ≥ 0.45, Eq. 65) Kc end. */
export function cropKcTable(spec: CropSpec, climate?: ClimateForKc): KcTable {
  if (!spec.kc) throw new RangeError(`${spec.id}: no published Kc — use soil-moisture sensors`);
  const h = climate?.heightM ?? spec.heightM;
  if (!climate || h === undefined) return spec.kc;
  const adj = (kc: number) => adjustKcForClimate(kc, climate.u2Ms, climate.rhminPct, h);
  return { ini: spec.kc.ini, mid: adj(spec.kc.mid), end: spec.kc.end >= 0.45 ? adj(spec.kc.end) : spec.kc.end };
}

export interface KcOnDay {
  readonly kc: number;
  readonly stage: CropStage;
  readonly kcTable: KcTable;
}

/** FAO-56 Eq. 66: linear Kc between stages; day i counted from planting (0 = planting day). */
export function kcOnDay(spec: CropSpec, daysSincePlanting: number, climate?: ClimateForKc): KcOnDay {
  if (!(daysSincePlanting >= 0)) throw new RangeError(`days since planting must be ≥ 0, got ${daysSincePlanting}`);
  const t = cropKcTable(spec, climate);
  if (!spec.stageDays) return { kc: t.mid, stage: 'perennial', kcTable: t };
  const [lIni, lDev, lMid, lLate] = spec.stageDays;
  const i = daysSincePlanting;
  if (i < lIni) return { kc: t.ini, stage: 'initial', kcTable: t };
  if (i < lIni + lDev) return { kc: t.ini + ((i - lIni) / lDev) * (t.mid - t.ini), stage: 'development', kcTable: t };
  if (i < lIni + lDev + lMid) return { kc: t.mid, stage: 'mid_season', kcTable: t };
  const lateStart = lIni + lDev + lMid;
  if (i <= lateStart + lLate) {
    return { kc: t.mid + ((i - lateStart) / lLate) * (t.end - t.mid), stage: 'late_season', kcTable: t };
  }
  return { kc: t.end, stage: 'after_harvest', kcTable: t };
}

/** FAO-56 Table 22 footnote: p = p(Tab) + 0.04·(5 − ETc), clamped to 0.1 ≤ p ≤ 0.8. */
export function adjustDepletionFraction(pTable: number, etcMmPerDay: number): number {
  return clamp(pTable + 0.04 * (5 - etcMmPerDay), 0.1, 0.8);
}

/** Season length, days, for annual crops (sum of the four stages). */
export function seasonLengthDays(spec: CropSpec): number | undefined {
  return spec.stageDays?.reduce((s, d) => s + d, 0);
}
