// FAO-56 chapter 3: radiation and soil heat flux, daily step (docs/agronomy.md §1).
import {
  KELVIN_OFFSET,
  degreesToRadians,
  type Celsius,
  type Degrees,
  type Hours,
  type KPa,
  type MJPerM2PerDay,
  type Metres,
  type Radians,
} from './units.js';

/** Solar constant Gsc, MJ m⁻² min⁻¹ (FAO-56 Eq. 21). */
export const SOLAR_CONSTANT_MJ_PER_M2_MIN = 0.082;
/** Stefan-Boltzmann constant per day, MJ K⁻⁴ m⁻² d⁻¹ (FAO-56 Eq. 39). */
export const STEFAN_BOLTZMANN_MJ_PER_DAY = 4.903e-9;
/** Hargreaves radiation adjustment kRs (FAO-56 Eq. 50): interior and coastal locations. */
export const KRS_INLAND = 0.16;
export const KRS_COASTAL = 0.19;
/** Angström coefficients as, bs when no calibration exists (FAO-56 Eq. 35). */
export const ANGSTROM_AS = 0.25;
export const ANGSTROM_BS = 0.5;

/** FAO-56 Eq. 23: inverse relative distance Earth–Sun dr for day of year J. */
export function inverseRelativeDistance(dayOfYear: number): number {
  return 1 + 0.033 * Math.cos(((2 * Math.PI) / 365) * dayOfYear);
}

/** FAO-56 Eq. 24: solar declination δ (rad) for day of year J. */
export function solarDeclinationRad(dayOfYear: number): Radians {
  return 0.409 * Math.sin(((2 * Math.PI) / 365) * dayOfYear - 1.39);
}

/** FAO-56 Eq. 25: sunset hour angle ωs (rad); latitude φ in rad, south negative. */
export function sunsetHourAngleRad(latitudeRad: Radians, declinationRad: Radians): Radians {
  // Clamped so polar day/night (|x| > 1) gives ωs = π or 0 instead of NaN.
  const x = Math.max(-1, Math.min(1, -Math.tan(latitudeRad) * Math.tan(declinationRad)));
  return Math.acos(x);
}

/** FAO-56 Eq. 21: extraterrestrial radiation Ra (MJ m⁻² d⁻¹) for a latitude in degrees (south negative). */
export function extraterrestrialRadiationMJ(latitudeDeg: Degrees, dayOfYear: number): MJPerM2PerDay {
  const phi = degreesToRadians(latitudeDeg);
  const dr = inverseRelativeDistance(dayOfYear);
  const delta = solarDeclinationRad(dayOfYear);
  const ws = sunsetHourAngleRad(phi, delta);
  return (
    ((24 * 60) / Math.PI) *
    SOLAR_CONSTANT_MJ_PER_M2_MIN *
    dr *
    (ws * Math.sin(phi) * Math.sin(delta) + Math.cos(phi) * Math.cos(delta) * Math.sin(ws))
  );
}

/** FAO-56 Eq. 34: daylight hours N from the sunset hour angle ωs (rad). */
export function daylightHours(sunsetHourAngle: Radians): Hours {
  return (24 / Math.PI) * sunsetHourAngle;
}

/** FAO-56 Eq. 35 (Angström): solar radiation Rs from actual sunshine hours n and daylight hours N. */
export function solarRadiationFromSunshineMJ(
  sunshineHours: Hours,
  daylightH: Hours,
  raMJ: MJPerM2PerDay,
  as = ANGSTROM_AS,
  bs = ANGSTROM_BS,
): MJPerM2PerDay {
  const ratio = Math.min(1, Math.max(0, sunshineHours / daylightH));
  return (as + bs * ratio) * raMJ;
}

/** FAO-56 Eq. 50 (Hargreaves radiation formula): Rs = kRs·√(Tmax − Tmin)·Ra. */
export function solarRadiationFromTemperatureMJ(
  tmaxC: Celsius,
  tminC: Celsius,
  raMJ: MJPerM2PerDay,
  krs: number = KRS_INLAND,
): MJPerM2PerDay {
  if (tmaxC < tminC) throw new RangeError(`Tmax ${tmaxC} °C is below Tmin ${tminC} °C`);
  return krs * Math.sqrt(tmaxC - tminC) * raMJ;
}

/** FAO-56 Eq. 37: clear-sky solar radiation Rso = (0.75 + 2·10⁻⁵·z)·Ra. */
export function clearSkyRadiationMJ(raMJ: MJPerM2PerDay, elevationM: Metres): MJPerM2PerDay {
  return (0.75 + 2e-5 * elevationM) * raMJ;
}

/** FAO-56 Eq. 38: net shortwave radiation Rns = (1 − α)·Rs with albedo α = 0.23 (grass reference). */
export function netShortwaveRadiationMJ(rsMJ: MJPerM2PerDay, albedo = 0.23): MJPerM2PerDay {
  return (1 - albedo) * rsMJ;
}

/** The cloudiness factor of FAO-56 Eq. 39: 1.35·min(Rs/Rso, 1) − 0.35. */
export function cloudinessFactor(rsOverRso: number): number {
  return 1.35 * Math.min(1, Math.max(0, rsOverRso)) - 0.35;
}

/** FAO-56 Eq. 39: net outgoing longwave radiation Rnl (MJ m⁻² d⁻¹); K = °C + 273.16. */
export function netLongwaveRadiationMJ(
  tmaxC: Celsius,
  tminC: Celsius,
  eaKPa: KPa,
  rsMJ: MJPerM2PerDay,
  rsoMJ: MJPerM2PerDay,
): MJPerM2PerDay {
  const tmaxK4 = (tmaxC + KELVIN_OFFSET) ** 4;
  const tminK4 = (tminC + KELVIN_OFFSET) ** 4;
  const ratio = rsoMJ > 0 ? rsMJ / rsoMJ : 0;
  return (
    STEFAN_BOLTZMANN_MJ_PER_DAY * ((tmaxK4 + tminK4) / 2) * (0.34 - 0.14 * Math.sqrt(eaKPa)) * cloudinessFactor(ratio)
  );
}

/** FAO-56 Eq. 40: net radiation Rn = Rns − Rnl. */
export function netRadiationMJ(rnsMJ: MJPerM2PerDay, rnlMJ: MJPerM2PerDay): MJPerM2PerDay {
  return rnsMJ - rnlMJ;
}

/** FAO-56 Eq. 42: soil heat flux for a day or ten-day period, G ≈ 0. */
export const DAILY_SOIL_HEAT_FLUX_MJ: MJPerM2PerDay = 0;

/** FAO-56 Eq. 43: monthly soil heat flux from the previous and next months' mean air temperature. */
export function monthlySoilHeatFluxMJ(tPrevMonthC: Celsius, tNextMonthC: Celsius): MJPerM2PerDay {
  return 0.07 * (tNextMonthC - tPrevMonthC);
}

/** FAO-56 Eq. 44: monthly soil heat flux when the next month is unknown, 0.14·(T(i) − T(i−1)). */
export function monthlySoilHeatFluxFromCurrentMJ(tPrevMonthC: Celsius, tMonthC: Celsius): MJPerM2PerDay {
  return 0.14 * (tMonthC - tPrevMonthC);
}
