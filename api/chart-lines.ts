// The reference lines of a field's charts (GET /api/v1/fields/:id/soil), computed by the core/agronomy
// functions the rules use, so the dashboard draws the thresholds the alerts and the advice act on
// (docs/agronomy.md §2–§4):
// - θFC, θWP, TAW, RAW and the RAW line: core/agronomy/field-soil-water.ts, the soil-water rule's own function,
//   with the ET0 the field's advice used (p adjusted for ETc) and, when the advice came from that rule, the
//   rule's parameters as it reported them (Zr — the probes' depth where the crop has none —, p, θFC, θWP);
// - AWD: the AWD rule's threshold as its advice reported it, else the safe-AWD default (−15 cm);
// - canal salinity: the crop's limit in ‰ (TDS g/L basis, the rule's default) as the EC the sensor reports.
import type { Advice } from '../core/alerts/rule-store.js';
import { DEFAULT_AWD_CONFIG } from '../core/agronomy/awd.js';
import { localDate } from '../core/agronomy/daily-aggregation.js';
import { cropSpecOf, fieldRootZone, fieldSoilWater, limitsAt, soilTextureOf, type SoilWaterParams } from '../core/agronomy/field-soil-water.js';
import { CROP_SALINITY_LIMITS, DEFAULT_SALINITY_BASIS, DS_PER_M_PER_PERMIL } from '../core/agronomy/salinity.js';
import { daysBetween, isIsoDate } from '../core/agronomy/units.js';

const VIETNAM_UTC_OFFSET_MIN = 420;
/** Advice methods of the soil-water rule (rules/kinds/soil-water-status.ts). */
const SOIL_RULE_METHODS = new Set(['soil-sensors', 'water-balance']);

export interface ChartField {
  readonly crop: string;
  readonly soilTexture: string | null;
  readonly plantingDate: string | null;
}

export interface SoilChartLines {
  readonly texture: string;
  readonly thetaFcPct: number;
  readonly thetaWpPct: number;
  readonly depletionFraction: number | null;
  readonly depletionFractionTable: number | null;
  readonly et0Mm: number | null;
  readonly rootDepthM: number | null;
  readonly tawMm: number | null;
  readonly rawMm: number | null;
  readonly rawLinePct: number | null;
  readonly from: 'rule' | 'tables';
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const numberOf = (n: Readonly<Record<string, number | null>> | undefined, key: string): number | undefined => {
  const v = n?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** The soil-water rule's parameters as its advice reported them; undefined for any other advice. */
function ruleParams(advice: Advice | undefined): SoilWaterParams | undefined {
  if (!advice || !SOIL_RULE_METHODS.has(advice.method) || numberOf(advice.numbers, 'rawMm') === undefined) return undefined;
  const n = advice.numbers;
  return {
    rootDepthM: numberOf(n, 'rootDepthM'), depletionFraction: numberOf(n, 'p'),
    thetaFcPct: numberOf(n, 'thetaFcPct'), thetaWpPct: numberOf(n, 'thetaWpPct'),
  };
}

/** θFC, θWP, TAW, RAW and the RAW line of a field; null when its soil texture is unknown. */
export function soilChartLines(field: ChartField, advice: Advice | undefined, now: number): SoilChartLines | null {
  const params = ruleParams(advice);
  const soil = fieldSoilWater(field, params ?? {});
  if (!soil) return null;
  const et0Mm = advice?.et0?.mm ?? null;
  const days = field.plantingDate && isIsoDate(field.plantingDate) ? daysBetween(field.plantingDate, localDate(now, VIETNAM_UTC_OFFSET_MIN)) : undefined;
  const zone = fieldRootZone(field, params ?? {}, et0Mm, days);
  const limits = zone?.zr !== undefined ? limitsAt(soil, zone, zone.zr) : undefined; // the rule's Eqs. 82, 83
  return {
    texture: soilTextureOf(field.soilTexture) ?? 'rule', thetaFcPct: round(soil.thetaFc * 100, 2), thetaWpPct: round(soil.thetaWp * 100, 2),
    depletionFraction: zone ? round(zone.p, 4) : null, depletionFractionTable: cropSpecOf(field.crop)?.depletionFraction ?? null,
    et0Mm: zone?.etcMm !== undefined ? et0Mm : null, rootDepthM: zone?.zr ?? null,
    tawMm: limits ? round(limits.tawMm, 1) : null, rawMm: limits ? round(limits.rawMm, 1) : null,
    rawLinePct: zone ? round((soil.thetaFc - zone.p * (soil.thetaFc - soil.thetaWp)) * 100, 2) : null, from: params ? 'rule' : 'tables',
  };
}

export interface SalinityChartLine {
  readonly okPermil: number;
  readonly maxPermil: number;
  readonly basis: string;
  /** The upper limit as water EC at 25 °C, dS/m — what the canal sensor reports. */
  readonly maxDsPerM: number;
}

/** The crop's canal-water salinity limit (the canal_salinity rule's), or null for a crop without one. */
export function salinityChartLine(crop: string): SalinityChartLine | null {
  const limit = CROP_SALINITY_LIMITS[crop.trim().toLowerCase()];
  if (!limit) return null;
  const basis = DEFAULT_SALINITY_BASIS;
  return { okPermil: limit.okPermil, maxPermil: limit.maxPermil, basis, maxDsPerM: round(limit.maxPermil * DS_PER_M_PER_PERMIL[basis], 3) };
}

/** The AWD re-irrigation level of a rice field: the AWD rule's as its advice reported it, else −15 cm. */
export function awdChartLine(crop: string, advice: Advice | undefined): number | null {
  if (crop.trim().toLowerCase() !== 'rice') return null;
  return (advice?.method === 'awd-tube' ? numberOf(advice.numbers, 'thresholdCm') : undefined) ?? DEFAULT_AWD_CONFIG.thresholdCm;
}
