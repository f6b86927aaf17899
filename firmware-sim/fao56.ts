// The FAO-56 equations the simulated weather and crops run on (Allen et al. 1998, FAO Irrigation and
// Drainage Paper 56; the table in agronomy.md §1). Pure functions, SI units as in the paper.
// The rules engine has its own agronomy: a device may only depend on core/, so this is the device's copy.

const GSC_MJ_PER_MIN = 0.082; // solar constant, MJ m⁻² min⁻¹ (FAO-56 Eq. 21)
/** The solar constant in W/m² (0.0820 MJ m⁻² min⁻¹ = 1366.7 W m⁻²). */
export const SOLAR_CONSTANT_W = (GSC_MJ_PER_MIN * 1e6) / 60;
const SIGMA_HOURLY = 2.043e-10; // Stefan-Boltzmann, MJ K⁻⁴ m⁻² h⁻¹ (FAO-56 Eq. 39, hourly form)

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** FAO-56 Eq. 7: atmospheric pressure (kPa) at elevation z (m). */
export function atmosphericPressure(elevationM: number): number {
  return 101.3 * Math.pow((293 - 0.0065 * elevationM) / 293, 5.26);
}

/** FAO-56 Eq. 8: psychrometric constant (kPa/°C). */
export function psychrometricConstant(pressureKPa: number): number {
  return 0.665e-3 * pressureKPa;
}

/** FAO-56 Eq. 11: saturation vapour pressure (kPa) at T (°C). */
export function satVapourPressure(t: number): number {
  return 0.6108 * Math.exp((17.27 * t) / (t + 237.3));
}

/** FAO-56 Eq. 13: slope of the saturation vapour pressure curve (kPa/°C). */
export function satVapourSlope(t: number): number {
  return (4098 * satVapourPressure(t)) / (t + 237.3) ** 2;
}

/** FAO-56 Eq. 23: inverse relative Earth–Sun distance for day of year J. */
export function inverseRelDistance(doy: number): number {
  return 1 + 0.033 * Math.cos((2 * Math.PI * doy) / 365);
}

/** FAO-56 Eq. 24: solar declination (rad). */
export function solarDeclination(doy: number): number {
  return 0.409 * Math.sin((2 * Math.PI * doy) / 365 - 1.39);
}

/** FAO-56 Eq. 25: sunset hour angle (rad); latitude in degrees, south negative. */
export function sunsetHourAngle(latDeg: number, doy: number): number {
  const x = -Math.tan(rad(latDeg)) * Math.tan(solarDeclination(doy));
  return Math.acos(Math.max(-1, Math.min(1, x)));
}

/** FAO-56 Eq. 21: daily extraterrestrial radiation Ra (MJ m⁻² day⁻¹). */
export function extraterrestrialRadiation(latDeg: number, doy: number): number {
  const phi = rad(latDeg);
  const d = solarDeclination(doy);
  const ws = sunsetHourAngle(latDeg, doy);
  const geometry = ws * Math.sin(phi) * Math.sin(d) + Math.cos(phi) * Math.cos(d) * Math.sin(ws);
  return ((24 * 60) / Math.PI) * GSC_MJ_PER_MIN * inverseRelDistance(doy) * geometry;
}

/** FAO-56 Eq. 34: maximum daylight hours N. */
export function daylightHours(latDeg: number, doy: number): number {
  return (24 / Math.PI) * sunsetHourAngle(latDeg, doy);
}

/**
 * FAO-56 Eqs. 31–33: hours to add to local standard time to get solar time. Lz and Lm are degrees WEST
 * of Greenwich: Lz = −15·utcOffset, Lm = −longitude°E (Vietnam, UTC+7: Lz = 255).
 */
export function solarTimeCorrection(doy: number, lonE: number, utcOffsetH: number): number {
  const b = (2 * Math.PI * (doy - 81)) / 364; // Eq. 33
  const sc = 0.1645 * Math.sin(2 * b) - 0.1255 * Math.cos(b) - 0.025 * Math.sin(b); // Eq. 32
  const lzMinusLm = ((((-15 * utcOffsetH + lonE) % 360) + 540) % 360) - 180; // Lz − Lm, wrapped
  return 0.06667 * lzMinusLm + sc;
}

/** FAO-56 Eq. 31: solar time angle ω (rad) at local standard time tLocalH (hours). */
export function solarTimeAngle(tLocalH: number, doy: number, lonE: number, utcOffsetH: number): number {
  return (Math.PI / 12) * (tLocalH + solarTimeCorrection(doy, lonE, utcOffsetH) - 12);
}

/**
 * Instantaneous extraterrestrial irradiance on a horizontal surface (W/m²): the integrand of FAO-56
 * Eq. 28, Gsc·dr·(sinφ·sinδ + cosφ·cosδ·cosω), zero when the sun is below the horizon.
 */
export function extraterrestrialIrradiance(latDeg: number, doy: number, omega: number): number {
  const phi = rad(latDeg);
  const d = solarDeclination(doy);
  const cosZenith = Math.sin(phi) * Math.sin(d) + Math.cos(phi) * Math.cos(d) * Math.cos(omega);
  return Math.max(0, SOLAR_CONSTANT_W * inverseRelDistance(doy) * cosZenith);
}

/** FAO-56 Eqs. 28–30: extraterrestrial radiation (MJ m⁻² h⁻¹) for the hour centred on tMidLocalH. */
export function extraterrestrialRadiationHourly(latDeg: number, doy: number, tMidLocalH: number, lonE: number, utcOffsetH: number): number {
  const phi = rad(latDeg);
  const d = solarDeclination(doy);
  const ws = sunsetHourAngle(latDeg, doy);
  const w = solarTimeAngle(tMidLocalH, doy, lonE, utcOffsetH);
  const w1 = Math.max(-ws, Math.min(ws, w - Math.PI / 24)); // Eq. 29, clipped to daylight
  const w2 = Math.max(-ws, Math.min(ws, w + Math.PI / 24)); // Eq. 30
  const geometry = (w2 - w1) * Math.sin(phi) * Math.sin(d) + Math.cos(phi) * Math.cos(d) * (Math.sin(w2) - Math.sin(w1));
  return Math.max(0, ((12 * 60) / Math.PI) * GSC_MJ_PER_MIN * inverseRelDistance(doy) * geometry);
}

/** FAO-56 Eq. 37: clear-sky solar radiation factor Rso/Ra at elevation z (m). */
export function clearSkyFactor(elevationM: number): number {
  return 0.75 + 2e-5 * elevationM;
}

export interface HourlyEt0Input {
  readonly t: number; // air temperature, °C
  readonly rh: number; // relative humidity, %
  readonly u2: number; // wind speed at 2 m, m/s
  readonly rs: number; // solar radiation over the hour, MJ m⁻² h⁻¹
  readonly rsRatio: number; // Rs/Rso (at night: the ratio of the late afternoon, 0.4–0.6 humid)
  readonly pressure: number; // kPa
}

/** FAO-56 Eq. 53: hourly reference evapotranspiration ET0 (mm/h), never negative. */
export function et0Hourly(i: HourlyEt0Input): number {
  const es = satVapourPressure(i.t);
  const ea = (es * Math.min(100, i.rh)) / 100; // Eq. 54
  const delta = satVapourSlope(i.t);
  const gamma = psychrometricConstant(i.pressure);
  const rns = 0.77 * i.rs; // Eq. 38, albedo 0.23
  const ratio = Math.max(0.25, Math.min(1, i.rsRatio));
  const rnl = SIGMA_HOURLY * (i.t + 273.16) ** 4 * (0.34 - 0.14 * Math.sqrt(ea)) * (1.35 * ratio - 0.35); // Eq. 39
  const rn = rns - rnl; // Eq. 40
  const g = i.rs > 0 ? 0.1 * rn : 0.5 * rn; // Eqs. 45, 46
  const u2 = Math.max(0.5, i.u2);
  const et0 = (0.408 * delta * (rn - g) + gamma * (37 / (i.t + 273)) * u2 * (es - ea)) / (delta + gamma * (1 + 0.34 * u2));
  return Math.max(0, et0);
}
