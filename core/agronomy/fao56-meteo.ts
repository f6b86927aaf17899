// FAO-56 chapter 3: atmospheric parameters, air humidity and wind speed (docs/agronomy.md §1).
// Each function is one numbered equation of Allen et al. (1998), FAO Irrigation and Drainage Paper 56.
import type { Celsius, KPa, KPaPerCelsius, Metres, MetresPerSecond, Percent } from './units.js';

/** FAO-56 Eq. 7: atmospheric pressure P (kPa) at elevation z (m above sea level). */
export function atmosphericPressureKPa(elevationM: Metres): KPa {
  return 101.3 * ((293 - 0.0065 * elevationM) / 293) ** 5.26;
}

/** FAO-56 Eq. 8: psychrometric constant γ = 0.665·10⁻³·P (kPa/°C). */
export function psychrometricConstantKPaPerC(pressureKPa: KPa): KPaPerCelsius {
  return 0.665e-3 * pressureKPa;
}

/** FAO-56 Eq. 11: saturation vapour pressure e°(T) (kPa) at air temperature T (°C). */
export function saturationVapourPressureKPa(tC: Celsius): KPa {
  return 0.6108 * Math.exp((17.27 * tC) / (tC + 237.3));
}

/** FAO-56 Eq. 12: mean saturation vapour pressure es from Tmax and Tmin — never e°(Tmean). */
export function meanSaturationVapourPressureKPa(tmaxC: Celsius, tminC: Celsius): KPa {
  return (saturationVapourPressureKPa(tmaxC) + saturationVapourPressureKPa(tminC)) / 2;
}

/** FAO-56 Eq. 13: slope of the saturation vapour pressure curve Δ (kPa/°C) at T (°C). */
export function saturationSlopeKPaPerC(tC: Celsius): KPaPerCelsius {
  return (4098 * saturationVapourPressureKPa(tC)) / (tC + 237.3) ** 2;
}

/** FAO-56 Eq. 14: actual vapour pressure ea = e°(Tdew). */
export function actualVapourPressureFromDewPointKPa(tdewC: Celsius): KPa {
  return saturationVapourPressureKPa(tdewC);
}

/** FAO-56 Eq. 17: ea = [e°(Tmin)·RHmax + e°(Tmax)·RHmin] / 200. */
export function actualVapourPressureFromRhMaxMinKPa(
  tmaxC: Celsius,
  tminC: Celsius,
  rhmaxPct: Percent,
  rhminPct: Percent,
): KPa {
  return (saturationVapourPressureKPa(tminC) * rhmaxPct + saturationVapourPressureKPa(tmaxC) * rhminPct) / 200;
}

/** The same Eq. 17 when e°(Tmin) and e°(Tmax) are already known (FAO-56 Example 5). */
export function actualVapourPressureFromSaturationKPa(
  eTminKPa: KPa,
  eTmaxKPa: KPa,
  rhmaxPct: Percent,
  rhminPct: Percent,
): KPa {
  return (eTminKPa * rhmaxPct + eTmaxKPa * rhminPct) / 200;
}

/** FAO-56 Eq. 18: ea = e°(Tmin)·RHmax/100, when RHmin is missing or unreliable. */
export function actualVapourPressureFromRhMaxKPa(tminC: Celsius, rhmaxPct: Percent): KPa {
  return (saturationVapourPressureKPa(tminC) * rhmaxPct) / 100;
}

/** FAO-56 Eq. 19: ea = RHmean/100 · es (less desirable than Eqs. 14, 17, 18). */
export function actualVapourPressureFromRhMeanKPa(tmaxC: Celsius, tminC: Celsius, rhmeanPct: Percent): KPa {
  return (rhmeanPct / 100) * meanSaturationVapourPressureKPa(tmaxC, tminC);
}

/** FAO-56 Eq. 48: with no humidity data, Tdew ≈ Tmin, so ea = e°(Tmin). */
export function actualVapourPressureFromTminKPa(tminC: Celsius): KPa {
  return saturationVapourPressureKPa(tminC);
}

/** FAO-56 Eq. 47: wind speed at 2 m from a measurement uz at height z (m). */
export function windSpeedAt2mMs(windMs: MetresPerSecond, heightM: Metres): MetresPerSecond {
  if (!(heightM > 0.1)) throw new RangeError(`wind measurement height must be above 0.1 m, got ${heightM}`);
  return (windMs * 4.87) / Math.log(67.8 * heightM - 5.42);
}

/** Default wind speed when none is measured (FAO-56 ch. 3, "missing wind speed data"). */
export const DEFAULT_U2_MS: MetresPerSecond = 2;

/** Lower bound of u2 used in Penman-Monteith (docs/agronomy.md §1 [rec]: calm-air underestimation). */
export const MIN_U2_MS: MetresPerSecond = 0.5;
