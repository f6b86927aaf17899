// The soil-water status of a field (docs/agronomy.md §2): root-zone depletion Dr from the soil-moisture probes
// (FAO-56 Eq. 87 by layer) — or, for a field without probes, from the daily model balance (Eqs. 84–88) —
// against RAW = p·TAW with p adjusted for ETc (Table 22 footnote), and the irrigation decision with
// mm, m³ and pump minutes. Rain the probes have not seen yet postpones it [judg]: the effective rain of
// the last `rainCreditHours` minus the refill the probes already show since it began.
import { fieldRootZone, limitsAt, type RootZone } from '../../core/agronomy/field-soil-water.js';
import { irrigationAdvice, type IrrigationAdvice } from '../../core/agronomy/irrigation.js';
import { depletionFromSensors } from '../../core/agronomy/soil.js';
import { effectiveRainMm } from '../../core/agronomy/water-balance.js';
import type { DailyWeatherSummary, FieldInfo } from '../evaluation.js';
import { daysSincePlanting, soilWaterOf } from '../field-agronomy.js';
import type { RuleOf } from '../rule-schema.js';

export type SoilRule = RuleOf<'soil_water'>;

export interface DepthReading {
  readonly theta: number;
  readonly ts: number;
}

export interface SoilInputs {
  /** Newest θ (% by volume) per depth, cm. */
  readonly depths: Readonly<Record<string, DepthReading>>;
  /** Rain reports of the farm's station: [ts, mm]. */
  readonly rain: readonly (readonly [number, number])[];
  /** Depletion seen by the probes: [ts, Dr mm]. */
  readonly drHistory: readonly (readonly [number, number])[];
  /** Depletion of the model balance, for a field without probes. */
  readonly modelDrMm?: number | undefined;
}

export interface SoilStatus {
  readonly method: 'soil-sensors' | 'water-balance';
  readonly drMm: number;
  readonly tawMm: number;
  readonly rawMm: number;
  readonly p: number;
  readonly rootDepthM: number;
  readonly thetaFc: number;
  readonly thetaWp: number;
  readonly rainMm: number;
  readonly rainCreditMm: number;
  readonly et0Mm: number | null;
  readonly advice: IrrigationAdvice;
  readonly depths: Readonly<Record<string, number>>;
}

/**
 * Zr and p for the field's crop, with the rule's overrides; undefined when neither is known. The same core
 * function draws the dashboard's RAW line (core/agronomy/field-soil-water.ts).
 */
export function rootZone(rule: SoilRule, field: FieldInfo, et0Mm: number | null, at: number): RootZone | undefined {
  return fieldRootZone(field, rule, et0Mm, daysSincePlanting(field, at));
}

/** Probe readings older than this say nothing about today: the field falls back to the model balance [judg]. */
const PROBE_STALE_MS = 48 * 3_600_000;

/** The probes' readings that are recent enough to stand for the root zone together. */
function currentDepths(rule: SoilRule, depths: SoilInputs['depths'], at: number): { depthCm: number; thetaPct: number; ts: number }[] {
  const all = Object.entries(depths).map(([d, r]) => ({ depthCm: Number(d), thetaPct: r.theta, ts: r.ts })).filter((r) => r.ts >= at - PROBE_STALE_MS);
  const newest = Math.max(...all.map((r) => r.ts));
  return all.filter((r) => r.ts >= newest - rule.maxSensorAgeHours * 3_600_000);
}

/** Effective rain in the credit window, less what the probes already show of it. */
function rainCredit(rule: SoilRule, inputs: SoilInputs, drMm: number, at: number, et0Mm: number | null): { rainMm: number; creditMm: number } {
  const from = at - rule.rainCreditHours * 3_600_000;
  const recent = inputs.rain.filter(([ts, mm]) => ts > from && ts <= at && mm > 0);
  const rainMm = recent.reduce((s, [, mm]) => s + mm, 0);
  if (rainMm === 0) return { rainMm, creditMm: 0 };
  const effective = effectiveRainMm(rainMm, et0Mm ?? 0); // rain < 0.2·ET0 evaporates (docs/agronomy.md §2)
  const firstRain = Math.min(...recent.map(([ts]) => ts));
  const before = [...inputs.drHistory].reverse().find(([ts]) => ts <= firstRain);
  const seen = before ? Math.max(0, before[1] - drMm) : 0;
  return { rainMm, creditMm: Math.max(0, effective - seen) };
}

/** The field's soil-water status now, or undefined when it cannot be known (no probe, no model, no soil data). */
export function soilWaterStatus(
  rule: SoilRule, field: FieldInfo, inputs: SoilInputs, weather: DailyWeatherSummary | undefined, at: number,
): SoilStatus | undefined {
  const soil = soilWaterOf(field, rule);
  const et0Mm = weather?.et0Mm ?? null;
  const zone = rootZone(rule, field, et0Mm, at);
  if (!soil || !zone) return undefined;
  const probes = currentDepths(rule, inputs.depths, at);
  let drMm: number;
  let zr: number;
  if (probes.length > 0) {
    const sensed = depletionFromSensors(probes, soil.thetaFc, zone.zr); // FAO-56 Eq. 87 by layer
    drMm = sensed.depletionMm;
    zr = sensed.rootDepthM;
  } else if (inputs.modelDrMm !== undefined && zone.zr !== undefined) {
    drMm = inputs.modelDrMm;
    zr = zone.zr;
  } else return undefined;
  const { tawMm, rawMm } = limitsAt(soil, zone, zr); // Eqs. 82, 83 — as the dashboard's RAW line
  const { rainMm, creditMm } = probes.length > 0 ? rainCredit(rule, inputs, drMm, at, et0Mm) : { rainMm: 0, creditMm: 0 };
  const advice = irrigationAdvice({
    depletionMm: drMm, rawMm, applicationEfficiency: rule.applicationEfficiency, observedRainMm: creditMm,
    areaHa: field.areaHa ?? undefined, pumpFlowM3PerH: field.pumpFlowM3h && field.pumpFlowM3h > 0 ? field.pumpFlowM3h : undefined,
  });
  const depths = Object.fromEntries(probes.map((r) => [`theta${r.depthCm}cmPct`, r.thetaPct]));
  return {
    method: probes.length > 0 ? 'soil-sensors' : 'water-balance', drMm, tawMm, rawMm, p: zone.p, rootDepthM: zr,
    thetaFc: soil.thetaFc, thetaWp: soil.thetaWp, rainMm, rainCreditMm: creditMm, et0Mm, advice, depths,
  };
}
