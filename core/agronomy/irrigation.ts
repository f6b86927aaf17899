// Irrigation advice from the root-zone depletion (docs/agronomy.md §2): irrigate when Dr ≥ RAW, refill to field
// capacity (net In = Dr), gross = In / application efficiency, 1 mm over 1 ha = 10 m³, pump minutes from
// the pump flow; postpone when observed or forecast effective rain covers the deficit [judg].
import { effectiveRainMm } from './water-balance.js';
import type { CubicMetres, Hectares, M3PerHour, Millimetres, Minutes, MmPerDay } from './units.js';

/** Typical application efficiencies [judg]: configurable per field. */
export const APPLICATION_EFFICIENCY = { drip: 0.9, sprinkler: 0.75, surface: 0.6 } as const;
export const DEFAULT_APPLICATION_EFFICIENCY = APPLICATION_EFFICIENCY.drip;

/** Gross depth = net depth / application efficiency (0 < e ≤ 1). */
export function grossIrrigationMm(netMm: Millimetres, efficiency: number): Millimetres {
  if (!(efficiency > 0 && efficiency <= 1)) throw new RangeError(`application efficiency must be in (0, 1], got ${efficiency}`);
  return netMm / efficiency;
}

/** 1 mm of water over 1 ha is 10 m³. */
export function irrigationVolumeM3(depthMm: Millimetres, areaHa: Hectares): CubicMetres {
  return depthMm * areaHa * 10;
}

/** Minutes a pump of the given flow (m³/h) runs to deliver a volume (m³). */
export function pumpRunMinutes(volumeM3: CubicMetres, pumpFlowM3PerH: M3PerHour): Minutes {
  if (!(pumpFlowM3PerH > 0)) throw new RangeError(`pump flow must be positive, got ${pumpFlowM3PerH}`);
  return (volumeM3 / pumpFlowM3PerH) * 60;
}

export interface IrrigationInput {
  readonly depletionMm: Millimetres;
  readonly rawMm: Millimetres;
  /** Default 0.9 (drip). */
  readonly applicationEfficiency?: number | undefined;
  readonly areaHa?: Hectares | undefined;
  readonly pumpFlowM3PerH?: M3PerHour | undefined;
  /** Rain that fell but is not yet in `depletionMm` (e.g. since the sensor reading), mm. */
  readonly observedRainMm?: Millimetres | undefined;
  /** Forecast rain for the coming day(s), mm. It can postpone, never shrink, a recommendation. */
  readonly forecastRainMm?: Millimetres | undefined;
  /** Today's ET0, for the small-rain rule (rain < 0.2·ET0 does not count). */
  readonly et0Mm?: MmPerDay | undefined;
}

export type IrrigationDecision = 'irrigate' | 'postpone_rain' | 'not_needed';

export interface Reason {
  readonly code: string;
  readonly text: string;
}

export interface IrrigationAdvice {
  readonly decision: IrrigationDecision;
  /** Depletion after observed effective rain, mm. */
  readonly depletionMm: Millimetres;
  readonly rawMm: Millimetres;
  readonly effectiveObservedRainMm: Millimetres;
  readonly effectiveForecastRainMm: Millimetres;
  readonly applicationEfficiency: number;
  readonly netMm: Millimetres;
  readonly grossMm: Millimetres;
  readonly volumeM3?: CubicMetres;
  readonly pumpMinutes?: Minutes;
  readonly reasons: readonly Reason[];
}

const f1 = (x: number): string => x.toFixed(1);

/** The irrigation decision for today, with the numbers that justify it. */
export function irrigationAdvice(i: IrrigationInput): IrrigationAdvice {
  const efficiency = i.applicationEfficiency ?? DEFAULT_APPLICATION_EFFICIENCY;
  const et0 = i.et0Mm ?? 0;
  const observed = effectiveRainMm(i.observedRainMm ?? 0, et0);
  const forecast = effectiveRainMm(i.forecastRainMm ?? 0, et0);
  const dr = Math.max(0, i.depletionMm - observed);
  const base = { depletionMm: dr, rawMm: i.rawMm, effectiveObservedRainMm: observed, effectiveForecastRainMm: forecast, applicationEfficiency: efficiency };
  const none = { ...base, netMm: 0, grossMm: 0 };
  if (dr < i.rawMm) {
    if (observed > 0 && i.depletionMm >= i.rawMm) {
      return { ...none, decision: 'postpone_rain', reasons: [{ code: 'rain_observed', text: `${f1(observed)} mm of rain brought the depletion from ${f1(i.depletionMm)} to ${f1(dr)} mm, below RAW ${f1(i.rawMm)} mm` }] };
    }
    return { ...none, decision: 'not_needed', reasons: [{ code: 'below_raw', text: `depletion ${f1(dr)} mm is below RAW ${f1(i.rawMm)} mm` }] };
  }
  if (forecast >= dr) {
    return { ...none, decision: 'postpone_rain', reasons: [{ code: 'rain_forecast', text: `forecast effective rain ${f1(forecast)} mm covers the deficit of ${f1(dr)} mm` }] };
  }
  const grossMm = grossIrrigationMm(dr, efficiency);
  const volumeM3 = i.areaHa === undefined ? undefined : irrigationVolumeM3(grossMm, i.areaHa);
  const pumpMinutes = volumeM3 === undefined || i.pumpFlowM3PerH === undefined ? undefined : pumpRunMinutes(volumeM3, i.pumpFlowM3PerH);
  return {
    ...base,
    decision: 'irrigate',
    netMm: dr,
    grossMm,
    ...(volumeM3 !== undefined && { volumeM3 }),
    ...(pumpMinutes !== undefined && { pumpMinutes }),
    reasons: [{ code: 'depletion_at_raw', text: `depletion ${f1(dr)} mm has reached RAW ${f1(i.rawMm)} mm: refill ${f1(dr)} mm net, ${f1(grossMm)} mm gross` }],
  };
}
