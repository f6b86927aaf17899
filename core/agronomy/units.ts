// Unit aliases and conversions used across core/agronomy (docs/agronomy.md §1 "Units").
// The aliases are plain numbers: they document the unit at every signature; names carry it too.

export type Celsius = number;
export type Kelvin = number;
export type KPa = number;
export type KPaPerCelsius = number;
export type Metres = number;
export type MetresPerSecond = number;
export type Degrees = number;
export type Radians = number;
export type Hours = number;
export type Percent = number;
/** Volumetric water content as a fraction (m³ water per m³ soil). */
export type M3PerM3 = number;
export type MJPerM2PerDay = number;
export type MJPerM2PerHour = number;
export type WattsPerM2 = number;
export type Millimetres = number;
export type MmPerDay = number;
export type MmPerHour = number;
export type CubicMetres = number;
export type M3PerHour = number;
export type Hectares = number;
export type DsPerM = number;
export type Minutes = number;

/** FAO-56 uses K = °C + 273.16 in the radiation equations (Eq. 39). */
export const KELVIN_OFFSET = 273.16;

/** 1 MJ m⁻² d⁻¹ of energy evaporates 0.408 mm of water (FAO-56 Eq. 20, λ = 2.45 MJ/kg). */
export const MM_PER_MJ = 0.408;

export const degreesToRadians = (deg: Degrees): Radians => (deg * Math.PI) / 180;

/** Degrees, minutes (and seconds) to decimal degrees; south/west callers pass a negative `deg`. */
export function dmsToDegrees(deg: number, min: number, sec = 0): Degrees {
  const sign = deg < 0 || Object.is(deg, -0) ? -1 : 1;
  return sign * (Math.abs(deg) + min / 60 + sec / 3600);
}

/** A daily mean irradiance in W/m² to a daily total in MJ m⁻² d⁻¹ (× 86 400 s / 10⁶). */
export const wattsMeanToMJPerDay = (w: WattsPerM2): MJPerM2PerDay => w * 0.0864;

export const mjToMmEvaporated = (mj: MJPerM2PerDay): MmPerDay => mj * MM_PER_MJ;

export const kmPerHourToMetresPerSecond = (kmh: number): MetresPerSecond => kmh / 3.6;

export const hectopascalToKPa = (hpa: number): KPa => hpa / 10;

export const celsiusToKelvin = (t: Celsius): Kelvin => t + KELVIN_OFFSET;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` into UTC midnight epoch ms; throws RangeError on an invalid date. */
export function parseIsoDate(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return ms;
}

/** True for a valid calendar date written `YYYY-MM-DD`. */
export function isIsoDate(date: string): boolean {
  try {
    parseIsoDate(date);
    return true;
  } catch {
    return false;
  }
}

/** Day of the year J, 1 (1 January) … 365 or 366, for a `YYYY-MM-DD` date (FAO-56 Annex 2, Table 2.5). */
export function dayOfYear(date: string): number {
  const ms = parseIsoDate(date);
  const jan1 = Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
  return Math.round((ms - jan1) / 86_400_000) + 1;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseIsoDate(to) - parseIsoDate(from)) / 86_400_000);
}

/** Adds whole days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return new Date(parseIsoDate(date) + days * 86_400_000).toISOString().slice(0, 10);
}

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Rounds for display; computations never round. */
export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
