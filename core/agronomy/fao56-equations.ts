// FAO-56 daily reference evapotranspiration equations: Penman-Monteith (Eq. 6) and Hargreaves (Eq. 52).
// The choice between them, and the estimated inputs, live in et0-daily.ts.
import { MM_PER_MJ, type Celsius, type KPa, type KPaPerCelsius, type MJPerM2PerDay, type MetresPerSecond, type MmPerDay } from './units.js';

export interface PenmanMonteithTerms {
  readonly deltaKPaPerC: KPaPerCelsius;
  readonly netRadiationMJ: MJPerM2PerDay;
  readonly soilHeatFluxMJ: MJPerM2PerDay;
  readonly gammaKPaPerC: KPaPerCelsius;
  readonly tmeanC: Celsius;
  readonly u2Ms: MetresPerSecond;
  readonly esKPa: KPa;
  readonly eaKPa: KPa;
}

/**
 * FAO-56 Eq. 6: grass reference evapotranspiration ET0 (mm/day), daily step.
 * ET0 = [0.408·Δ·(Rn − G) + γ·(900/(T + 273))·u2·(es − ea)] / [Δ + γ·(1 + 0.34·u2)]
 */
export function penmanMonteithDailyMm(t: PenmanMonteithTerms): MmPerDay {
  const radiation = MM_PER_MJ * t.deltaKPaPerC * (t.netRadiationMJ - t.soilHeatFluxMJ);
  const aero = t.gammaKPaPerC * (900 / (t.tmeanC + 273)) * t.u2Ms * (t.esKPa - t.eaKPa);
  return (radiation + aero) / (t.deltaKPaPerC + t.gammaKPaPerC * (1 + 0.34 * t.u2Ms));
}

/** FAO-56 Eq. 52 (Hargreaves): ET0 = 0.0023·(Tmean + 17.8)·√(Tmax − Tmin)·0.408·Ra, mm/day. */
export function hargreavesEt0Mm(tmaxC: Celsius, tminC: Celsius, raMJ: MJPerM2PerDay): MmPerDay {
  if (tmaxC < tminC) throw new RangeError(`Tmax ${tmaxC} °C is below Tmin ${tminC} °C`);
  const tmean = (tmaxC + tminC) / 2;
  return 0.0023 * (tmean + 17.8) * Math.sqrt(tmaxC - tminC) * MM_PER_MJ * raMJ;
}
