// Daily ET0 with FAO-56's missing-data order (docs/agronomy.md §1, FAO-56 ch. 3 "Missing data"):
// Penman-Monteith with measured inputs → Penman-Monteith with estimated inputs (Rs from the temperature
// range, Eq. 50; ea from Tmin, Eq. 48; u2 = 2 m/s) → Hargreaves (Eq. 52) only when Penman-Monteith
// cannot run (elevation unknown) or is not wanted. Every result names its method and estimated inputs.
import { hargreavesEt0Mm, penmanMonteithDailyMm } from './fao56-equations.js';
import * as met from './fao56-meteo.js';
import * as rad from './fao56-radiation.js';
import { degreesToRadians } from './units.js';

export type Et0Method = 'penman-monteith' | 'penman-monteith-estimated' | 'hargreaves';
export type RsSource = 'measured' | 'sunshine_hours' | 'temperature_range';
export type EaSource = 'given' | 'dew_point' | 'rh_max_min' | 'rh_max' | 'rh_mean' | 'tmin';
export type WindSource = 'measured_2m' | 'converted_from_height' | 'default';
export type EstimatedInput = 'rs_from_temperature_range' | 'ea_from_tmin' | 'u2_default';

export interface DailyEt0Input {
  readonly latitudeDeg: number;
  /** Unknown elevation → Hargreaves (P and Rso need it). */
  readonly elevationM?: number | undefined;
  readonly dayOfYear: number;
  readonly tmaxC: number;
  readonly tminC: number;
  /** Humidity, first available wins: ea, Tdew (Eq. 14), RHmax+RHmin (Eq. 17), RHmax (Eq. 18), RHmean (Eq. 19). */
  readonly eaKPa?: number | undefined;
  readonly tdewC?: number | undefined;
  readonly rhmaxPct?: number | undefined;
  readonly rhminPct?: number | undefined;
  readonly rhmeanPct?: number | undefined;
  readonly windMs?: number | undefined;
  /** Height of the wind measurement, m (default 2). */
  readonly windHeightM?: number | undefined;
  /** Radiation, first available wins: measured Rs, sunshine hours (Eq. 35), temperature range (Eq. 50). */
  readonly rsMJ?: number | undefined;
  readonly sunshineHours?: number | undefined;
  /** kRs 0.19 instead of 0.16 in Eq. 50 (coastal site). */
  readonly coastal?: boolean | undefined;
  readonly krs?: number | undefined;
  /** G, MJ m⁻² d⁻¹ (default 0 for a daily step, Eq. 42; monthly Eq. 43/44). */
  readonly soilHeatFluxMJ?: number | undefined;
}

export interface DailyEt0Options {
  /** 'auto' (default) follows FAO-56's order; 'hargreaves' forces Eq. 52. */
  readonly method?: 'auto' | 'hargreaves';
}

export interface Et0Intermediates {
  readonly pressureKPa?: number;
  readonly gammaKPaPerC?: number;
  readonly tmeanC: number;
  readonly esKPa?: number;
  readonly eaKPa?: number;
  readonly vpdKPa?: number;
  readonly deltaKPaPerC?: number;
  readonly drInverseDistance: number;
  readonly declinationRad: number;
  readonly sunsetHourAngleRad: number;
  readonly daylightHours: number;
  readonly raMJ: number;
  readonly rsMJ?: number;
  readonly rsoMJ?: number;
  readonly rnsMJ?: number;
  readonly rnlMJ?: number;
  readonly rnMJ?: number;
  readonly gMJ?: number;
  readonly u2Ms?: number;
}

export interface DailyEt0Result {
  readonly et0Mm: number;
  readonly method: Et0Method;
  readonly sources: { readonly rs?: RsSource; readonly ea?: EaSource; readonly u2?: WindSource };
  readonly estimated: readonly EstimatedInput[];
  readonly notes: readonly string[];
  readonly intermediates: Et0Intermediates;
}

interface Picked<S> {
  readonly value: number;
  readonly source: S;
}

/** Humidity in FAO-56's order of preference (Eqs. 14, 17, 18, 19, then 48). RH above 100 % is clamped. */
export function pickActualVapourPressure(i: DailyEt0Input): Picked<EaSource> {
  const rh = (v: number): number => Math.min(100, v);
  if (i.eaKPa !== undefined) return { value: i.eaKPa, source: 'given' };
  if (i.tdewC !== undefined) return { value: met.actualVapourPressureFromDewPointKPa(i.tdewC), source: 'dew_point' };
  if (i.rhmaxPct !== undefined && i.rhminPct !== undefined) {
    const ea = met.actualVapourPressureFromRhMaxMinKPa(i.tmaxC, i.tminC, rh(i.rhmaxPct), rh(i.rhminPct));
    return { value: ea, source: 'rh_max_min' };
  }
  if (i.rhmaxPct !== undefined) return { value: met.actualVapourPressureFromRhMaxKPa(i.tminC, rh(i.rhmaxPct)), source: 'rh_max' };
  if (i.rhmeanPct !== undefined) {
    return { value: met.actualVapourPressureFromRhMeanKPa(i.tmaxC, i.tminC, rh(i.rhmeanPct)), source: 'rh_mean' };
  }
  return { value: met.actualVapourPressureFromTminKPa(i.tminC), source: 'tmin' };
}

/** Solar radiation: measured, else sunshine hours (Eq. 35), else the temperature range (Eq. 50). */
export function pickSolarRadiation(i: DailyEt0Input, raMJ: number, daylightH: number): Picked<RsSource> {
  if (i.rsMJ !== undefined) return { value: i.rsMJ, source: 'measured' };
  if (i.sunshineHours !== undefined) {
    return { value: rad.solarRadiationFromSunshineMJ(i.sunshineHours, daylightH, raMJ), source: 'sunshine_hours' };
  }
  const krs = i.krs ?? (i.coastal ? rad.KRS_COASTAL : rad.KRS_INLAND);
  return { value: rad.solarRadiationFromTemperatureMJ(i.tmaxC, i.tminC, raMJ, krs), source: 'temperature_range' };
}

/** Wind at 2 m: measured at 2 m, converted from another height (Eq. 47), else the 2 m/s default. */
export function pickWindSpeed(i: DailyEt0Input): Picked<WindSource> {
  if (i.windMs === undefined) return { value: met.DEFAULT_U2_MS, source: 'default' };
  const h = i.windHeightM ?? 2;
  if (h === 2) return { value: i.windMs, source: 'measured_2m' };
  return { value: met.windSpeedAt2mMs(i.windMs, h), source: 'converted_from_height' };
}

function solarGeometry(latitudeDeg: number, dayOfYear: number) {
  const drInverseDistance = rad.inverseRelativeDistance(dayOfYear); // FAO-56 Eq. 23
  const declinationRad = rad.solarDeclinationRad(dayOfYear); // Eq. 24
  const sunsetHourAngleRad = rad.sunsetHourAngleRad(degreesToRadians(latitudeDeg), declinationRad); // Eq. 25
  const daylightHours = rad.daylightHours(sunsetHourAngleRad); // Eq. 34
  const raMJ = rad.extraterrestrialRadiationMJ(latitudeDeg, dayOfYear); // Eq. 21
  return { drInverseDistance, declinationRad, sunsetHourAngleRad, daylightHours, raMJ };
}

function validate(i: DailyEt0Input): void {
  if (!(i.tmaxC >= i.tminC)) throw new RangeError(`Tmax ${i.tmaxC} °C must be ≥ Tmin ${i.tminC} °C`);
  if (!(Math.abs(i.latitudeDeg) <= 90)) throw new RangeError(`latitude ${i.latitudeDeg}° is outside ±90°`);
  if (!(i.dayOfYear >= 1 && i.dayOfYear <= 366)) throw new RangeError(`day of year ${i.dayOfYear} is outside 1…366`);
}

/** Daily ET0 (mm/day) by FAO-56's order of methods, with every intermediate value and its provenance. */
export function et0Daily(i: DailyEt0Input, options: DailyEt0Options = {}): DailyEt0Result {
  validate(i);
  const geo = solarGeometry(i.latitudeDeg, i.dayOfYear);
  const tmeanC = (i.tmaxC + i.tminC) / 2;
  if (options.method === 'hargreaves' || i.elevationM === undefined) {
    const note = options.method === 'hargreaves' ? 'hargreaves requested' : 'elevation unknown: Penman-Monteith cannot run';
    const et0Mm = hargreavesEt0Mm(i.tmaxC, i.tminC, geo.raMJ); // FAO-56 Eq. 52
    return { et0Mm, method: 'hargreaves', sources: {}, estimated: [], notes: [note], intermediates: { tmeanC, ...geo } };
  }
  return penmanMonteithPath(i, i.elevationM, geo, tmeanC);
}

/** The inputs FAO-56's missing-data procedures estimated, in the order FAO-56 lists them. */
function estimatedInputs(rs: RsSource, ea: EaSource, u2: WindSource): EstimatedInput[] {
  const out: EstimatedInput[] = [];
  if (rs === 'temperature_range') out.push('rs_from_temperature_range');
  if (ea === 'tmin') out.push('ea_from_tmin');
  if (u2 === 'default') out.push('u2_default');
  return out;
}

function penmanMonteithPath(
  i: DailyEt0Input,
  elevationM: number,
  geo: ReturnType<typeof solarGeometry>,
  tmeanC: number,
): DailyEt0Result {
  const notes: string[] = [];
  const pressureKPa = met.atmosphericPressureKPa(elevationM); // FAO-56 Eq. 7
  const gammaKPaPerC = met.psychrometricConstantKPaPerC(pressureKPa); // Eq. 8
  const esKPa = met.meanSaturationVapourPressureKPa(i.tmaxC, i.tminC); // Eq. 12
  const deltaKPaPerC = met.saturationSlopeKPaPerC(tmeanC); // Eq. 13
  const ea = pickActualVapourPressure(i);
  const rs = pickSolarRadiation(i, geo.raMJ, geo.daylightHours);
  const wind = pickWindSpeed(i);
  const u2Ms = Math.max(met.MIN_U2_MS, wind.value);
  if (u2Ms !== wind.value) notes.push(`u2 ${wind.value.toFixed(2)} m/s raised to ${met.MIN_U2_MS} m/s in the equation`);
  const rsoMJ = rad.clearSkyRadiationMJ(geo.raMJ, elevationM); // Eq. 37
  if (rs.value > 1.1 * rsoMJ) notes.push('Rs is above 1.1·Rso: check the pyranometer');
  const rnsMJ = rad.netShortwaveRadiationMJ(rs.value); // Eq. 38
  const rnlMJ = rad.netLongwaveRadiationMJ(i.tmaxC, i.tminC, ea.value, rs.value, rsoMJ); // Eq. 39
  const rnMJ = rad.netRadiationMJ(rnsMJ, rnlMJ); // Eq. 40
  const gMJ = i.soilHeatFluxMJ ?? rad.DAILY_SOIL_HEAT_FLUX_MJ; // Eq. 42 (or 43/44 supplied)
  const et0Mm = penmanMonteithDailyMm({
    deltaKPaPerC, netRadiationMJ: rnMJ, soilHeatFluxMJ: gMJ, gammaKPaPerC, tmeanC, u2Ms, esKPa, eaKPa: ea.value,
  }); // Eq. 6
  const estimated = estimatedInputs(rs.source, ea.source, wind.source);
  return {
    et0Mm,
    method: estimated.length > 0 ? 'penman-monteith-estimated' : 'penman-monteith',
    sources: { rs: rs.source, ea: ea.source, u2: wind.source },
    estimated,
    notes,
    intermediates: {
      pressureKPa, gammaKPaPerC, tmeanC, esKPa, eaKPa: ea.value, vpdKPa: esKPa - ea.value, deltaKPaPerC,
      ...geo, rsMJ: rs.value, rsoMJ, rnsMJ, rnlMJ, rnMJ, gMJ, u2Ms,
    },
  };
}
