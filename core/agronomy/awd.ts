// Rice alternate wetting and drying from the field-tube water level h (docs/agronomy.md §3, IRRI safe AWD):
// re-irrigate at h ≤ −15 cm and flood to ≈ +5 cm; keep ponded until ≈ 10 days after transplanting and
// ≈ 5 cm from a week before to a week after flowering (no AWD); drain before harvest; never re-flood
// with canal water above the rice salinity limit (§4).
import { assessWaterForCrop, DEFAULT_SALINITY_BASIS, type SalinityBasis } from './salinity.js';

export interface AwdConfig {
  /** Re-irrigate at or below this level, cm (safe AWD −15; 5–10 cm drawdowns are also used). */
  readonly thresholdCm: number;
  /** Flood to this level when re-irrigating, cm. */
  readonly floodTargetCm: number;
  /** Standing water to hold in the ponded phases, cm. */
  readonly holdTargetCm: number;
  /** Top up in the ponded phases when h falls this far below the hold target, cm [judg]. */
  readonly holdToleranceCm: number;
  /** Keep ponded until this many days after transplanting. */
  readonly establishmentDays: number;
  /** No AWD from this many days before to this many days after flowering. */
  readonly floweringHoldDays: number;
  /** Drain this many days before harvest [judg]. */
  readonly drainDaysBeforeHarvest: number;
}

export const DEFAULT_AWD_CONFIG: AwdConfig = {
  thresholdCm: -15,
  floodTargetCm: 5,
  holdTargetCm: 5,
  holdToleranceCm: 2,
  establishmentDays: 10,
  floweringHoldDays: 7,
  drainDaysBeforeHarvest: 10,
};

export interface AwdInput {
  /** Field-tube water level, cm: + ponded, − below the soil surface. */
  readonly levelCm: number;
  readonly daysSinceTransplanting: number;
  /** Today minus the (expected) flowering date, days: negative before flowering. */
  readonly daysFromFlowering?: number | undefined;
  /** Days left until the expected harvest. */
  readonly daysToHarvest?: number | undefined;
  /** EC of the canal water that would be let in, dS/m at 25 °C. */
  readonly canalEcDsPerM?: number | undefined;
  readonly salinityBasis?: SalinityBasis | undefined;
}

export type AwdPhase = 'establishment' | 'flowering_hold' | 'pre_harvest_drain' | 'awd';
export type AwdAction = 'irrigate' | 'wait' | 'hold' | 'drain' | 'keep_dry' | 'do_not_irrigate_salinity';

export interface AwdDecision {
  readonly action: AwdAction;
  readonly phase: AwdPhase;
  readonly levelCm: number;
  /** The level to bring the field to, when irrigating or holding. */
  readonly targetCm?: number;
  readonly reasons: readonly { readonly code: string; readonly text: string }[];
}

/** Which management phase a day falls in; the pre-harvest drain wins over the flowering hold. */
export function awdPhase(i: AwdInput, c: AwdConfig = DEFAULT_AWD_CONFIG): AwdPhase {
  if (i.daysToHarvest !== undefined && i.daysToHarvest <= c.drainDaysBeforeHarvest) return 'pre_harvest_drain';
  if (i.daysFromFlowering !== undefined && Math.abs(i.daysFromFlowering) <= c.floweringHoldDays) return 'flowering_hold';
  if (i.daysSinceTransplanting < c.establishmentDays) return 'establishment';
  return 'awd';
}

function waterDecision(i: AwdInput, c: AwdConfig, phase: AwdPhase): AwdDecision {
  const h = i.levelCm;
  if (phase === 'pre_harvest_drain') {
    return h > 0
      ? { action: 'drain', phase, levelCm: h, targetCm: 0, reasons: [{ code: 'pre_harvest', text: `harvest in ${i.daysToHarvest} days: drain the standing ${h} cm` }] }
      : { action: 'keep_dry', phase, levelCm: h, reasons: [{ code: 'pre_harvest', text: `harvest in ${i.daysToHarvest} days: do not irrigate` }] };
  }
  if (phase === 'awd') {
    return h <= c.thresholdCm
      ? { action: 'irrigate', phase, levelCm: h, targetCm: c.floodTargetCm, reasons: [{ code: 'awd_threshold', text: `water ${h} cm is at or below the ${c.thresholdCm} cm AWD threshold: flood to +${c.floodTargetCm} cm` }] }
      : { action: 'wait', phase, levelCm: h, reasons: [{ code: 'awd_drying', text: `water ${h} cm is above the ${c.thresholdCm} cm threshold: let the field dry` }] };
  }
  const why = phase === 'flowering_hold'
    ? `flowering window (±${c.floweringHoldDays} days): no AWD, keep about ${c.holdTargetCm} cm`
    : `${i.daysSinceTransplanting} days after transplanting (< ${c.establishmentDays}): keep ponded`;
  return h < c.holdTargetCm - c.holdToleranceCm
    ? { action: 'irrigate', phase, levelCm: h, targetCm: c.holdTargetCm, reasons: [{ code: phase, text: `${why}; water ${h} cm: top up to ${c.holdTargetCm} cm` }] }
    : { action: 'hold', phase, levelCm: h, targetCm: c.holdTargetCm, reasons: [{ code: phase, text: `${why}; water ${h} cm is enough` }] };
}

/** The AWD decision for today from the tube level, with its reasons; never floods with salty canal water. */
export function awdDecision(i: AwdInput, config: Partial<AwdConfig> = {}): AwdDecision {
  const c = { ...DEFAULT_AWD_CONFIG, ...config };
  const d = waterDecision(i, c, awdPhase(i, c));
  if (d.action !== 'irrigate' || i.canalEcDsPerM === undefined) return d;
  const salt = assessWaterForCrop('rice', i.canalEcDsPerM, i.salinityBasis ?? DEFAULT_SALINITY_BASIS);
  if (salt.status === 'ok') return d;
  return { ...d, action: 'do_not_irrigate_salinity', reasons: [...d.reasons, { code: 'canal_salinity', text: `do not take canal water: ${salt.text}` }] };
}
