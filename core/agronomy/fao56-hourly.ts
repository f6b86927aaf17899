// FAO-56 hourly reference evapotranspiration (Eq. 53) with the hourly radiation terms (Eqs. 28–33,
// 45, 46, 54) and the night-time Rs/Rso rule (docs/agronomy.md §1 "Hourly"); the instantaneous irradiance the
// firmware simulator draws its sunshine from.
import * as met from './fao56-meteo.js';
import * as rad from './fao56-radiation.js';
import { KELVIN_OFFSET, MM_PER_MJ, degreesToRadians, type Celsius, type KPa, type MJPerM2PerHour, type Radians } from './units.js';

/** Stefan-Boltzmann constant per hour, MJ K⁻⁴ m⁻² h⁻¹ (FAO-56, hourly Eq. 39). */
export const STEFAN_BOLTZMANN_MJ_PER_HOUR = 2.043e-10;
/** Night Rs/Rso when the caller has none from 2–3 h before sunset: humid/sub-humid 0.4–0.6 [rec]. */
export const NIGHT_RS_RSO_HUMID = 0.5;

/** FAO-56 Eq. 33: b = 2π(J − 81)/364. */
export function seasonalCorrectionAngleRad(dayOfYear: number): Radians {
  return (2 * Math.PI * (dayOfYear - 81)) / 364;
}

/** FAO-56 Eq. 32: seasonal correction for solar time Sc (hours). */
export function seasonalCorrectionHours(dayOfYear: number): number {
  const b = seasonalCorrectionAngleRad(dayOfYear);
  return 0.1645 * Math.sin(2 * b) - 0.1255 * Math.cos(b) - 0.025 * Math.sin(b);
}

/** FAO-56 Eqs. 31–32: hours to add to local standard clock time to get solar time, 0.06667·(Lz − Lm) + Sc. */
export function solarTimeCorrectionHours(lzDegWest: number, lmDegWest: number, dayOfYear: number): number {
  return 0.06667 * (lzDegWest - lmDegWest) + seasonalCorrectionHours(dayOfYear);
}

/**
 * FAO-56 Eq. 31: solar time angle ω (rad) at the midpoint t (standard clock time, h) of the period.
 * Lz, Lm: longitudes of the time-zone centre and of the site, degrees WEST of Greenwich.
 */
export function solarTimeAngleRad(midpointHour: number, lzDegWest: number, lmDegWest: number, dayOfYear: number): Radians {
  return (Math.PI / 12) * (midpointHour + solarTimeCorrectionHours(lzDegWest, lmDegWest, dayOfYear) - 12);
}

/** FAO-56 Eqs. 29, 30: solar time angles at the beginning (ω1) and end (ω2) of a period of t1 hours. */
export function periodSolarAnglesRad(omega: Radians, periodHours = 1): { readonly omega1: Radians; readonly omega2: Radians } {
  return { omega1: omega - (Math.PI * periodHours) / 24, omega2: omega + (Math.PI * periodHours) / 24 };
}

/**
 * Lz and Lm (degrees WEST of Greenwich, 0…360) for a site at `longitudeDegEast` keeping standard time UTC+`utcOffsetH`:
 * Lz = −15·offset, Lm = −longitude, both modulo 360 (Vietnam, UTC+7: Lz = 255, Lm = 360 − longitude °E).
 */
export function solarLongitudes(longitudeDegEast: number, utcOffsetH: number): { readonly lzDegWest: number; readonly lmDegWest: number } {
  const west = (deg: number) => ((deg % 360) + 360) % 360;
  return { lzDegWest: west(-15 * utcOffsetH), lmDegWest: west(-longitudeDegEast) };
}

/** Lz and Lm for a site in Vietnam (UTC+7): Lz = 255° W, Lm = 360 − longitude °E (docs/agronomy.md §1). */
export function vietnamSolarLongitudes(longitudeDegEast: number): { readonly lzDegWest: number; readonly lmDegWest: number } {
  return solarLongitudes(longitudeDegEast, 7);
}

/** The solar constant Gsc in W/m² (0.0820 MJ m⁻² min⁻¹ = 1366.7 W m⁻²). */
export const SOLAR_CONSTANT_W_PER_M2 = (rad.SOLAR_CONSTANT_MJ_PER_M2_MIN * 1e6) / 60;

/**
 * Instantaneous extraterrestrial irradiance on a horizontal surface (W/m²) at solar time angle ω: the integrand
 * of FAO-56 Eq. 28, Gsc·dr·(sinφ·sinδ + cosφ·cosδ·cosω); 0 while the sun is below the horizon.
 */
export function extraterrestrialIrradianceW(latitudeDeg: number, dayOfYear: number, omega: Radians): number {
  const phi = degreesToRadians(latitudeDeg);
  const delta = rad.solarDeclinationRad(dayOfYear); // Eq. 24
  const cosZenith = Math.sin(phi) * Math.sin(delta) + Math.cos(phi) * Math.cos(delta) * Math.cos(omega);
  return Math.max(0, SOLAR_CONSTANT_W_PER_M2 * rad.inverseRelativeDistance(dayOfYear) * cosZenith); // Eq. 23
}

/**
 * FAO-56 Eq. 28: extraterrestrial radiation for a period shorter than a day (MJ m⁻² per period).
 * ω1, ω2 are clamped to the sunrise/sunset angles ±ωs, so a period wholly at night gives 0.
 */
export function extraterrestrialRadiationPeriodMJ(latitudeDeg: number, dayOfYear: number, omega1: Radians, omega2: Radians): MJPerM2PerHour {
  const phi = degreesToRadians(latitudeDeg);
  const dr = rad.inverseRelativeDistance(dayOfYear); // Eq. 23
  const delta = rad.solarDeclinationRad(dayOfYear); // Eq. 24
  const ws = rad.sunsetHourAngleRad(phi, delta); // Eq. 25
  const w1 = Math.min(ws, Math.max(-ws, omega1));
  const w2 = Math.min(ws, Math.max(-ws, omega2));
  const ra =
    ((12 * 60) / Math.PI) *
    rad.SOLAR_CONSTANT_MJ_PER_M2_MIN *
    dr *
    ((w2 - w1) * Math.sin(phi) * Math.sin(delta) + Math.cos(phi) * Math.cos(delta) * (Math.sin(w2) - Math.sin(w1)));
  return Math.max(0, ra);
}

/** FAO-56 Eq. 39 per hour: Rnl,hr = σhr·Thr,K⁴·(0.34 − 0.14√ea)·(1.35·Rs/Rso − 0.35). */
export function netLongwaveRadiationHourlyMJ(tC: Celsius, eaKPa: KPa, rsOverRso: number): MJPerM2PerHour {
  return STEFAN_BOLTZMANN_MJ_PER_HOUR * (tC + KELVIN_OFFSET) ** 4 * (0.34 - 0.14 * Math.sqrt(eaKPa)) * rad.cloudinessFactor(rsOverRso);
}

/** FAO-56 Eqs. 45, 46: hourly soil heat flux G = 0.1·Rn by day, 0.5·Rn by night. */
export function hourlySoilHeatFluxMJ(rnMJ: MJPerM2PerHour, daytime: boolean): MJPerM2PerHour {
  return (daytime ? 0.1 : 0.5) * rnMJ;
}

export interface HourlyPenmanMonteithTerms {
  readonly deltaKPaPerC: number;
  readonly netRadiationMJ: MJPerM2PerHour;
  readonly soilHeatFluxMJ: MJPerM2PerHour;
  readonly gammaKPaPerC: number;
  readonly tC: Celsius;
  readonly u2Ms: number;
  readonly esKPa: KPa;
  readonly eaKPa: KPa;
}

/** FAO-56 Eq. 53: hourly ET0 (mm/h) with e°(Thr) for es and 37/(Thr + 273). */
export function penmanMonteithHourlyMm(t: HourlyPenmanMonteithTerms): number {
  const radiation = MM_PER_MJ * t.deltaKPaPerC * (t.netRadiationMJ - t.soilHeatFluxMJ);
  const aero = t.gammaKPaPerC * (37 / (t.tC + 273)) * t.u2Ms * (t.esKPa - t.eaKPa);
  return (radiation + aero) / (t.deltaKPaPerC + t.gammaKPaPerC * (1 + 0.34 * t.u2Ms));
}

export interface HourlyEt0Input {
  readonly latitudeDeg: number;
  readonly elevationM: number;
  readonly dayOfYear: number;
  /** Midpoint of the period in local standard clock time, h (14.5 for 14:00–15:00). */
  readonly midpointHour: number;
  readonly periodHours?: number | undefined;
  readonly lzDegWest: number;
  readonly lmDegWest: number;
  readonly tC: Celsius;
  readonly rhPct: number;
  readonly u2Ms: number;
  readonly rsMJ: MJPerM2PerHour;
  /** Rs/Rso for night periods, from 2–3 h before sunset (default 0.5, humid). */
  readonly nightRsOverRso?: number | undefined;
}

export interface HourlyEt0Result {
  readonly et0Mm: number;
  readonly daytime: boolean;
  readonly rsOverRsoSource: 'measured' | 'night_assumed';
  readonly intermediates: Readonly<Record<string, number>>;
}

/** Hourly ET0 (mm per period): FAO-56 Eq. 53 with Eqs. 28–33, 37–40, 45, 46, 54. */
export function et0Hourly(i: HourlyEt0Input): HourlyEt0Result {
  const pressureKPa = met.atmosphericPressureKPa(i.elevationM); // Eq. 7
  const gammaKPaPerC = met.psychrometricConstantKPaPerC(pressureKPa); // Eq. 8
  const esKPa = met.saturationVapourPressureKPa(i.tC); // Eq. 11 at Thr
  const eaKPa = (esKPa * Math.min(100, i.rhPct)) / 100; // Eq. 54
  const deltaKPaPerC = met.saturationSlopeKPaPerC(i.tC); // Eq. 13 at Thr
  const omega = solarTimeAngleRad(i.midpointHour, i.lzDegWest, i.lmDegWest, i.dayOfYear); // Eq. 31
  const { omega1, omega2 } = periodSolarAnglesRad(omega, i.periodHours ?? 1); // Eqs. 29, 30
  const ws = rad.sunsetHourAngleRad(degreesToRadians(i.latitudeDeg), rad.solarDeclinationRad(i.dayOfYear));
  const daytime = omega > -ws && omega < ws;
  const raMJ = extraterrestrialRadiationPeriodMJ(i.latitudeDeg, i.dayOfYear, omega1, omega2); // Eq. 28
  const rsoMJ = rad.clearSkyRadiationMJ(raMJ, i.elevationM); // Eq. 37
  const measured = daytime && rsoMJ > 0;
  const rsOverRso = measured ? Math.min(1, i.rsMJ / rsoMJ) : (i.nightRsOverRso ?? NIGHT_RS_RSO_HUMID);
  const rnsMJ = rad.netShortwaveRadiationMJ(Math.max(0, i.rsMJ)); // Eq. 38
  const rnlMJ = netLongwaveRadiationHourlyMJ(i.tC, eaKPa, rsOverRso); // Eq. 39 (hourly σ)
  const rnMJ = rnsMJ - rnlMJ; // Eq. 40
  const gMJ = hourlySoilHeatFluxMJ(rnMJ, daytime); // Eqs. 45, 46
  const u2Ms = Math.max(met.MIN_U2_MS, i.u2Ms);
  const et0Mm = penmanMonteithHourlyMm({ deltaKPaPerC, netRadiationMJ: rnMJ, soilHeatFluxMJ: gMJ, gammaKPaPerC, tC: i.tC, u2Ms, esKPa, eaKPa });
  return {
    et0Mm,
    daytime,
    rsOverRsoSource: measured ? 'measured' : 'night_assumed',
    intermediates: {
      pressureKPa, gammaKPaPerC, esKPa, eaKPa, deltaKPaPerC, seasonalCorrectionHours: seasonalCorrectionHours(i.dayOfYear),
      omegaRad: omega, omega1Rad: omega1, omega2Rad: omega2, raMJ, rsoMJ, rsOverRso, rnsMJ, rnlMJ, rnMJ, gMJ, u2Ms,
    },
  };
}
