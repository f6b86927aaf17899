// Reference lines for the dashboard's charts, from agronomy.md (shared by any service that draws or
// checks them; the rules engine keeps its own full agronomy in rules/agronomy):
// - soil water by texture: FAO-56 Table 19 midpoints; TAW = 1000·(θFC − θWP)·Zr (Eq. 82), RAW = p·TAW (Eq. 83);
//   the "RAW line" is the water content at which depletion reaches RAW: θ = θFC − p·(θFC − θWP);
// - rooting depth Zr and depletion fraction p: FAO-56 Table 22 (agronomy.md §2);
// - AWD: re-irrigate when the field-tube level h ≤ −15 cm (agronomy.md §3, IRRI safe AWD);
// - canal salinity: crop limits in ‰ of the delta's extension offices (agronomy.md §4), shown with a stated basis;
// - Hargreaves daily ET0 (FAO-56 Eq. 52) with Ra from Eqs. 21–25 — an estimate for chart bars only.

export const SOIL_TEXTURES = [
  'sand', 'loamy_sand', 'sandy_loam', 'loam', 'silt_loam', 'silt', 'silty_clay_loam', 'silty_clay', 'clay',
] as const;
export type SoilTextureId = (typeof SOIL_TEXTURES)[number];

/** FAO-56 Table 19: [θFC min, θFC max, θWP min, θWP max], m³/m³. */
const TABLE_19: Readonly<Record<SoilTextureId, readonly [number, number, number, number]>> = {
  sand: [0.07, 0.17, 0.02, 0.07], loamy_sand: [0.11, 0.19, 0.03, 0.1], sandy_loam: [0.18, 0.28, 0.06, 0.16],
  loam: [0.2, 0.3, 0.07, 0.17], silt_loam: [0.22, 0.36, 0.09, 0.21], silt: [0.28, 0.36, 0.12, 0.22],
  silty_clay_loam: [0.3, 0.37, 0.17, 0.24], silty_clay: [0.3, 0.42, 0.17, 0.29], clay: [0.32, 0.4, 0.2, 0.24],
};

export const CROP_IDS = [
  'rice', 'maize', 'tomato', 'cabbage', 'sweet_pepper', 'coffee', 'sugarcane', 'banana', 'black_pepper', 'dragon_fruit',
] as const;
export type CropIdentifier = (typeof CROP_IDS)[number];

/** FAO-56 Table 22: Zr range (m) and p; undefined where agronomy.md has none. */
const TABLE_22: Readonly<Record<CropIdentifier, { zr?: readonly [number, number]; p?: number }>> = {
  rice: { zr: [0.5, 1.0], p: 0.2 }, maize: { zr: [1.0, 1.7], p: 0.55 }, tomato: { zr: [0.7, 1.5], p: 0.4 },
  cabbage: { zr: [0.5, 0.8], p: 0.45 }, sweet_pepper: { zr: [0.5, 1.0], p: 0.3 }, coffee: { zr: [0.9, 1.5], p: 0.4 },
  sugarcane: { zr: [1.2, 2.0], p: 0.65 }, banana: { zr: [0.5, 0.9], p: 0.35 }, black_pepper: {}, dragon_fruit: { p: 0.3 },
};

/** agronomy.md §4 [rec], ‰: [ok up to, do not use above]. */
const SALINITY_PERMIL: Readonly<Record<string, readonly [number, number]>> = {
  dragon_fruit: [1, 1], leafy_vegetables: [1, 1], cabbage: [1, 1], durian: [1, 1], mangosteen: [1, 1], rambutan: [1, 1],
  rice: [2, 2], maize: [2, 2], beans: [2, 2], citrus: [2, 2],
  tomato: [2, 4], chili: [2, 4], sweet_pepper: [2, 4], banana: [2, 4], sugarcane: [2, 4], pomelo: [2, 4],
  mango: [3, 8], coconut: [3, 8],
};

/** agronomy.md §4: 1 g/L TDS ≈ 1.56 dS/m (FAO-29, 640 mg/L per dS/m); the default, safer basis. */
export const DS_PER_M_PER_PERMIL_TDS = 1000 / 640;

/** agronomy.md §3: safe AWD re-irrigation threshold, cm relative to the soil surface. */
export const AWD_THRESHOLD_CM = -15;

/** 'silty clay', 'Silty-Clay' and 'silty_clay' all name the same Table 19 texture. */
export function normaliseTexture(text: string | null | undefined): SoilTextureId | undefined {
  const key = (text ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (SOIL_TEXTURES as readonly string[]).includes(key) ? (key as SoilTextureId) : undefined;
}

export interface SoilLines {
  readonly texture: SoilTextureId;
  readonly thetaFcPct: number;
  readonly thetaWpPct: number;
  readonly depletionFraction: number | null;
  readonly rootDepthM: number | null;
  readonly tawMm: number | null;
  readonly rawMm: number | null;
  /** Volumetric water content (%) at which depletion reaches RAW; null without p. */
  readonly rawLinePct: number | null;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** θFC, θWP (Table 19 midpoints), TAW and RAW (Eqs. 82, 83) at the midpoint of the crop's Zr range. */
export function soilLines(texture: SoilTextureId, crop: string): SoilLines {
  const [fcLo, fcHi, wpLo, wpHi] = TABLE_19[texture];
  const fc = (fcLo + fcHi) / 2;
  const wp = (wpLo + wpHi) / 2;
  const row = (TABLE_22 as Record<string, { zr?: readonly [number, number]; p?: number }>)[crop] ?? {};
  const p = row.p ?? null;
  const zr = row.zr ? (row.zr[0] + row.zr[1]) / 2 : null;
  const taw = zr === null ? null : 1000 * (fc - wp) * zr;
  return {
    texture, thetaFcPct: round(fc * 100, 2), thetaWpPct: round(wp * 100, 2), depletionFraction: p, rootDepthM: zr,
    tawMm: taw === null ? null : round(taw, 1), rawMm: taw === null || p === null ? null : round(p * taw, 1),
    rawLinePct: p === null ? null : round((fc - p * (fc - wp)) * 100, 2),
  };
}

export interface SalinityLine {
  readonly okPermil: number;
  readonly maxPermil: number;
  readonly basis: 'tds_g_per_l';
  /** The upper limit as water EC at 25 °C, dS/m — what the canal sensor reports. */
  readonly maxDsPerM: number;
}

export function salinityLine(crop: string): SalinityLine | null {
  const limit = SALINITY_PERMIL[crop];
  if (!limit) return null;
  return { okPermil: limit[0], maxPermil: limit[1], basis: 'tds_g_per_l', maxDsPerM: round(limit[1] * DS_PER_M_PER_PERMIL_TDS, 3) };
}

/** FAO-56 Eq. 21 with Eqs. 23–25: extraterrestrial radiation Ra, MJ m⁻² day⁻¹. */
export function extraterrestrialRadiation(latDeg: number, dayOfYear: number): number {
  const phi = (Math.PI / 180) * latDeg;
  const dr = 1 + 0.033 * Math.cos(((2 * Math.PI) / 365) * dayOfYear); // Eq. 23
  const delta = 0.409 * Math.sin(((2 * Math.PI) / 365) * dayOfYear - 1.39); // Eq. 24
  const ws = Math.acos(Math.max(-1, Math.min(1, -Math.tan(phi) * Math.tan(delta)))); // Eq. 25
  return ((24 * 60) / Math.PI) * 0.082 * dr * (ws * Math.sin(phi) * Math.sin(delta) + Math.cos(phi) * Math.cos(delta) * Math.sin(ws));
}

/** FAO-56 Eq. 52 (Hargreaves): ET0 = 0.0023·(Tmean + 17.8)·√(Tmax − Tmin)·0.408·Ra, mm/day. */
export function hargreavesEt0(tmaxC: number, tminC: number, latDeg: number, dayOfYear: number): number {
  const tmean = (tmaxC + tminC) / 2;
  const ra = extraterrestrialRadiation(latDeg, dayOfYear);
  return 0.0023 * (tmean + 17.8) * Math.sqrt(Math.max(0, tmaxC - tminC)) * 0.408 * ra;
}
