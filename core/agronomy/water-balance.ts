// Daily root-zone water balance for fields without a soil sensor (docs/agronomy.md §2; FAO-56 Eqs. 84–88).
import { CROPS, adjustDepletionFraction, kcOnDay, type ClimateForKc, type CropId, type CropStage } from './crops.js';
import { readilyAvailableWaterMm } from './soil.js';
import { addDays, clamp, daysBetween, type Millimetres, type MmPerDay } from './units.js';

/** Fraction of ET0 below which a day's rain is taken as evaporated from the surface (docs/agronomy.md §2 [rec]). */
export const SMALL_RAIN_FRACTION_OF_ET0 = 0.2;

/** Effective rain: rain under 0.2·ET0 evaporates and does not count; runoff is subtracted. */
export function effectiveRainMm(rainMm: Millimetres, et0Mm: MmPerDay, runoffMm: Millimetres = 0): Millimetres {
  if (rainMm < SMALL_RAIN_FRACTION_OF_ET0 * et0Mm) return 0;
  return Math.max(0, rainMm - runoffMm);
}

/** FAO-56 Eq. 84: Ks = (TAW − Dr)/((1 − p)·TAW) when Dr > RAW, else 1. */
export function waterStressCoefficient(drMm: Millimetres, tawMm: Millimetres, p: number): number {
  if (drMm <= readilyAvailableWaterMm(p, tawMm)) return 1;
  return clamp((tawMm - drMm) / ((1 - p) * tawMm), 0, 1);
}

/** FAO-56 Eq. 88: deep percolation DP = max(0, (P − RO) + I − ETc − Dr,i−1). */
export function deepPercolationMm(netRainMm: Millimetres, irrigationMm: Millimetres, etcMm: Millimetres, drPrevMm: Millimetres): Millimetres {
  return Math.max(0, netRainMm + irrigationMm - etcMm - drPrevMm);
}

export interface BalanceDayInput {
  /** Effective rain P − RO, mm. */
  readonly netRainMm: Millimetres;
  readonly irrigationMm?: Millimetres | undefined;
  readonly capillaryRiseMm?: Millimetres | undefined;
  /** Crop evapotranspiration under standard conditions Kc·ET0, mm. */
  readonly etcMm: Millimetres;
}

export interface BalanceStep {
  readonly drMm: Millimetres;
  readonly ks: number;
  readonly etcAdjMm: Millimetres;
  readonly deepPercolationMm: Millimetres;
}

/**
 * One day of FAO-56 Eq. 85: Dr,i = Dr,i−1 − (P − RO)i − Ii − CRi + ETc,adj,i + DPi, bounded by
 * 0 ≤ Dr ≤ TAW (Eq. 86). ETc,adj = Ks·ETc (Eq. 80) with Ks from the start-of-day depletion.
 */
export function balanceStep(drPrevMm: Millimetres, day: BalanceDayInput, tawMm: Millimetres, p: number): BalanceStep {
  const irrigationMm = day.irrigationMm ?? 0;
  const ks = waterStressCoefficient(drPrevMm, tawMm, p);
  const etcAdjMm = ks * day.etcMm;
  const dp = deepPercolationMm(day.netRainMm, irrigationMm, etcAdjMm, drPrevMm);
  const cr = day.capillaryRiseMm ?? 0;
  // With DP > 0 the root zone is at field capacity: Eq. 85 reduces to −CR (exact 0, no float residue).
  const raw = dp > 0 ? -cr : drPrevMm - day.netRainMm - irrigationMm - cr + etcAdjMm;
  return { drMm: clamp(raw, 0, tawMm), ks, etcAdjMm, deepPercolationMm: dp };
}

export interface WeatherDay {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly et0Mm: MmPerDay;
  readonly rainMm: Millimetres;
  readonly irrigationMm?: Millimetres | undefined;
  readonly runoffMm?: Millimetres | undefined;
}

export interface BalanceRun {
  readonly crop: CropId;
  readonly plantingDate: string;
  readonly tawMm: Millimetres;
  /** p from the crop table unless overridden; adjusted daily for ETc. */
  readonly depletionFraction?: number | undefined;
  /** Depletion at the end of the day before the first day (0 = field capacity). */
  readonly initialDepletionMm?: Millimetres | undefined;
  readonly climate?: ClimateForKc | undefined;
}

export interface BalanceDay extends BalanceStep {
  readonly date: string;
  readonly daysSincePlanting: number;
  readonly stage: CropStage;
  readonly kc: number;
  readonly et0Mm: MmPerDay;
  readonly etcMm: Millimetres;
  readonly effectiveRainMm: Millimetres;
  readonly p: number;
  readonly rawMm: Millimetres;
}

/** Runs Eqs. 84–88 day by day; days must be consecutive and on or after the planting date. */
export function runWaterBalance(run: BalanceRun, days: readonly WeatherDay[]): BalanceDay[] {
  const spec = CROPS[run.crop];
  const pTable = run.depletionFraction ?? spec.depletionFraction;
  if (pTable === undefined) throw new RangeError(`${run.crop}: no published p — supply a depletion fraction`);
  let drMm = run.initialDepletionMm ?? 0;
  const out: BalanceDay[] = [];
  days.forEach((d, k) => {
    const prev = days[k - 1];
    if (prev && addDays(prev.date, 1) !== d.date) throw new RangeError(`days are not consecutive: ${prev.date} → ${d.date}`);
    const daysSincePlanting = daysBetween(run.plantingDate, d.date);
    const { kc, stage } = kcOnDay(spec, daysSincePlanting, run.climate);
    const etcMm = kc * d.et0Mm; // FAO-56 Eq. 56
    const p = adjustDepletionFraction(pTable, etcMm);
    const eff = effectiveRainMm(d.rainMm, d.et0Mm, d.runoffMm);
    const step = balanceStep(drMm, { netRainMm: eff, irrigationMm: d.irrigationMm, etcMm }, run.tawMm, p);
    drMm = step.drMm;
    const rawMm = readilyAvailableWaterMm(p, run.tawMm);
    out.push({ ...step, date: d.date, daysSincePlanting, stage, kc, et0Mm: d.et0Mm, etcMm, effectiveRainMm: eff, p, rawMm });
  });
  return out;
}
