// A field's soil-water limits — θFC, θWP, rooting depth Zr, depletion fraction p, TAW and RAW — from its crop,
// soil texture and planting date (docs/agronomy.md §2). ONE function for the soil-water rule's threshold
// (rules/kinds/soil-water-status.ts) and the dashboard's reference lines (GET /api/v1/fields/:id/soil), so the
// RAW line drawn is the depletion at which the rule says "irrigate":
// - θFC/θWP: the rule's values, else the midpoints of FAO-56 Table 19 for the texture;
// - Zr: the rule's value, else the crop's MINIMUM of Table 22 (the cautious end: the root zone is emptied first
//   where it is shallow) — not the midpoint, and not grown by stage;
// - p: the rule's value as is, else Table 22 adjusted for the day's ETc = Kc·ET0 (Table 22 footnote,
//   p = p_table + 0.04·(5 − ETc), 0.1…0.8), with Kc by days since planting (Eq. 66); without ET0, p_table;
// - TAW = 1000·(θFC − θWP)·Zr (Eq. 82), RAW = p·TAW (Eq. 83).
import { CROPS, CropId, adjustDepletionFraction, kcOnDay, type CropSpec } from './crops.js';
import { SoilTexture, readilyAvailableWaterMm, soilWaterForTexture, totalAvailableWaterMm, type SoilWater } from './soil.js';
import type { Metres, Millimetres } from './units.js';

/** What the limits need to know of a field (a registry field record has all three). */
export interface FieldSoilFacts {
  readonly crop: string;
  readonly soilTexture: string | null;
  readonly plantingDate?: string | null | undefined;
}

/** A soil-water rule's own values, each overriding the tables (θ in % by volume). */
export interface SoilWaterParams {
  readonly rootDepthM?: number | undefined;
  readonly depletionFraction?: number | undefined;
  readonly thetaFcPct?: number | undefined;
  readonly thetaWpPct?: number | undefined;
}

/** The crop's table entry for a crop name as a field stores it ('Coffee', ' rice'); undefined if unknown. */
export function cropSpecOf(crop: string): CropSpec | undefined {
  const id = CropId.safeParse(crop.trim().toLowerCase());
  return id.success ? CROPS[id.data] : undefined;
}

/** 'silty clay', 'Silty-Clay' and 'silty_clay' all name the FAO-56 Table 19 texture. */
export function soilTextureOf(text: string | null | undefined): SoilTexture | undefined {
  const parsed = SoilTexture.safeParse((text ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_'));
  return parsed.success ? parsed.data : undefined;
}

/** θFC/θWP (m³/m³): the rule's values win, else the texture's Table 19 midpoints; undefined if unknown or θFC ≤ θWP. */
export function fieldSoilWater(field: FieldSoilFacts, params: SoilWaterParams = {}): SoilWater | undefined {
  const texture = soilTextureOf(field.soilTexture);
  const table = texture ? soilWaterForTexture(texture) : undefined;
  const thetaFc = params.thetaFcPct !== undefined ? params.thetaFcPct / 100 : table?.thetaFc;
  const thetaWp = params.thetaWpPct !== undefined ? params.thetaWpPct / 100 : table?.thetaWp;
  if (thetaFc === undefined || thetaWp === undefined || !(thetaFc > thetaWp)) return undefined;
  return { thetaFc, thetaWp };
}

export interface RootZone {
  /** Zr, m; undefined when neither the rule nor Table 22 gives one (the probes' depth then stands for it). */
  readonly zr: Metres | undefined;
  /** p used for RAW. */
  readonly p: number;
  /** p before the ETc adjustment (the rule's value or Table 22). */
  readonly pTable: number;
  /** Kc·ET0 that adjusted p, mm/day; undefined when p was not adjusted. */
  readonly etcMm: number | undefined;
}

/** Zr and p of the field's crop with the rule's overrides; undefined when no p is known. */
export function fieldRootZone(
  field: FieldSoilFacts, params: SoilWaterParams, et0Mm: number | null | undefined, daysSincePlanting: number | undefined,
): RootZone | undefined {
  const spec = cropSpecOf(field.crop);
  const pTable = params.depletionFraction ?? spec?.depletionFraction;
  if (pTable === undefined) return undefined;
  const zr = params.rootDepthM ?? spec?.rootDepthM?.min;
  if (et0Mm === null || et0Mm === undefined || !spec?.kc || params.depletionFraction !== undefined) {
    return { zr, p: pTable, pTable, etcMm: undefined };
  }
  const etcMm = kcOnDay(spec, Math.max(0, daysSincePlanting ?? 0)).kc * et0Mm; // ETc = Kc·ET0 (FAO-56 Eq. 56)
  return { zr, p: adjustDepletionFraction(pTable, etcMm), pTable, etcMm };
}

export interface SoilWaterLimits extends SoilWater, RootZone {
  readonly zr: Metres;
  readonly tawMm: Millimetres;
  readonly rawMm: Millimetres;
  /** Volumetric water content (m³/m³) at which a uniformly dried root zone reaches RAW: θFC − p·(θFC − θWP). */
  readonly rawLineTheta: number;
}

export interface LimitsContext {
  /** The ET0 the day's advice uses (mm/day), for the ETc adjustment of p; null = none. */
  readonly et0Mm: number | null | undefined;
  readonly daysSincePlanting: number | undefined;
  /** The root depth the probes cover, when neither the rule nor the crop table gives Zr. */
  readonly fallbackRootDepthM?: Metres | undefined;
}

/** θFC, θWP, Zr, p, TAW (Eq. 82) and RAW (Eq. 83) of a field; undefined when soil, p or Zr is unknown. */
export function fieldSoilWaterLimits(field: FieldSoilFacts, params: SoilWaterParams, ctx: LimitsContext): SoilWaterLimits | undefined {
  const soil = fieldSoilWater(field, params);
  const zone = fieldRootZone(field, params, ctx.et0Mm, ctx.daysSincePlanting);
  const zr = zone?.zr ?? ctx.fallbackRootDepthM;
  if (!soil || !zone || zr === undefined || !(zr > 0)) return undefined;
  return limitsAt(soil, zone, zr);
}

/** TAW and RAW for known soil water, p and a root depth (the probes' depth when the rule uses it). */
export function limitsAt(soil: SoilWater, zone: RootZone, zr: Metres): SoilWaterLimits {
  const tawMm = totalAvailableWaterMm(soil.thetaFc, soil.thetaWp, zr); // FAO-56 Eq. 82
  const rawMm = readilyAvailableWaterMm(zone.p, tawMm); // Eq. 83
  return { ...soil, ...zone, zr, tawMm, rawMm, rawLineTheta: soil.thetaFc - zone.p * (soil.thetaFc - soil.thetaWp) };
}
