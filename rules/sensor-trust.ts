// Sensor trust, the first step of the rules (issue 15; docs "Sensor trust", docs/agronomy.md §6–§7): before any rule
// sees a soil-moisture reading, the engine asks whether the platform can believe it. A channel is SUSPECT when
//  - it reads exactly 0 % (`dead`: how many probes report a missing or cut sensor),
//  - it reads below what the soil can hold (`below_dry`: under the air-dry value ≈ ½ θWP, docs/agronomy.md §7),
//  - it reads above saturation (`above_saturation`: the texture's total porosity + a margin),
//  - it has not moved for `STUCK_AFTER_MS` (`stuck`, the flatline of §6), or
//  - it stopped reporting while its device still reports (`silent`: `SILENT_AFTER_REPORTS` reports without it).
// A suspect channel becomes a device-health alert for the cooperative's technicians ("đầu dò 20 cm có thể
// hỏng") and is left out of the farmer's advice, which falls back to the model balance and says so: never an
// irrigation order from a sensor the platform itself suspects. (A weather-station day is trusted for ET0 only when
// it is representative — core/agronomy/station-day.ts; rules/trust-alerts.ts tells the technicians when it is
// not.) Pure functions; thresholds [judg].
import type { SoilTexture, SoilWater } from '../core/agronomy/soil.js';
import { stepCondition, type ConditionState, type Level } from './condition.js';
import type { Sample } from './evaluation.js';

export type SuspectReason = 'dead' | 'below_dry' | 'above_saturation' | 'stuck' | 'silent';

/**
 * Total porosity θsat by texture, m³/m³ (Rawls, Brakensiek & Saxton 1982, Table 2 means) [rec]: a volumetric
 * water content above it is not water in the soil but a sensor in a puddle, an air gap or a fault.
 */
export const SATURATION: Readonly<Record<SoilTexture, number>> = {
  sand: 0.437, loamy_sand: 0.437, sandy_loam: 0.453, loam: 0.463, silt_loam: 0.501, silt: 0.501,
  silty_clay_loam: 0.471, silty_clay: 0.479, clay: 0.475,
};
/** Mineral soils hold at most ≈ 0.55 m³/m³ (docs/agronomy.md §6 "above porosity (~55 %)") [rec]. */
export const MAX_SATURATION = 0.55;
/** Capacitance probes read a few % high when wet; the margin above θsat before a reading is impossible [judg]. */
export const SATURATION_MARGIN = 0.05;
/** Air-dry soil holds about half its wilting-point water (docs/agronomy.md §7) [judg]. */
export const AIR_DRY_FRACTION_OF_WP = 0.5;
/** The same value (± `STUCK_TOLERANCE_PCT`) this long while ET runs: stuck (docs/agronomy.md §7 "> 24 h") [judg]. */
export const STUCK_AFTER_MS = 24 * 3_600_000;
export const STUCK_TOLERANCE_PCT = 0.001;
/** A channel missing from this many reports of its device (and for at least `SILENT_MIN_MS`) is silent [judg]. */
export const SILENT_AFTER_REPORTS = 3;
export const SILENT_MIN_MS = 30 * 60_000;
/** Channels silent this long are forgotten (the probe was re-fitted with other depths) [judg]. */
export const FORGET_AFTER_MS = 14 * 86_400_000;
/** Alert timing of a suspect channel: at once, resolved after 30 min clean, not again within 6 h [judg]. */
export const TRUST_TIMING = { forMs: 0, clearForMs: 30 * 60_000, cooldownMs: 6 * 3_600_000 } as const;

const SOIL_PREFIX = 'soil_moisture';
/** A probe channel without a depth (`soil_moisture`) stands for 30 cm, as in the soil-water rule [judg]. */
export const DEFAULT_DEPTH_CM = 30;
/** A soil-moisture metric (`soil_moisture` or `soil_moisture@20cm`). */
export const isSoilMoisture = (metric: string): boolean => metric === SOIL_PREFIX || metric.startsWith(`${SOIL_PREFIX}@`);
/** The depth of a soil-moisture metric, cm (`soil_moisture` alone: `DEFAULT_DEPTH_CM`); undefined for other metrics. */
export function depthOf(metric: string): number | undefined {
  if (metric === SOIL_PREFIX) return DEFAULT_DEPTH_CM;
  const m = /^soil_moisture@(\d+(?:\.\d+)?)cm$/.exec(metric);
  return m ? Number(m[1]) : undefined;
}

/** What a soil-moisture reading may be for this soil, % by volume. */
export interface SoilLimits {
  readonly lowPct: number;
  readonly highPct: number;
}

/** Limits for a soil: below ½ θWP (air dry) or above θsat + margin is impossible; θsat from the texture. */
export function soilLimits(soil: SoilWater | undefined, texture: SoilTexture | undefined): SoilLimits {
  const sat = texture ? SATURATION[texture] : MAX_SATURATION;
  return {
    lowPct: soil ? soil.thetaWp * AIR_DRY_FRACTION_OF_WP * 100 : 0,
    highPct: Math.min(MAX_SATURATION, Math.max(sat, soil?.thetaFc ?? 0)) * 100 + SATURATION_MARGIN * 100,
  };
}

/** The reason a single reading cannot be believed, else undefined. */
export function implausible(thetaPct: number, limits: SoilLimits): SuspectReason | undefined {
  if (thetaPct <= 0) return 'dead';
  if (thetaPct < limits.lowPct) return 'below_dry';
  if (thetaPct > limits.highPct) return 'above_saturation';
  return undefined;
}

export interface Verdict {
  readonly reason: SuspectReason;
  /** When the channel became suspect (device time). */
  readonly since: number;
  /** The reading that made it suspect (null for a silent channel). */
  readonly value: number | null;
}

export interface ChannelTrust {
  /** Device time of the channel's newest reading. */
  readonly lastTs: number;
  readonly value: number;
  /** The value the channel has held since `since` (for `stuck`). */
  readonly ref: { readonly value: number; readonly since: number };
  /** Reports of the device since without this channel. */
  readonly missed: number;
  readonly verdict?: Verdict | undefined;
  readonly cond?: ConditionState | undefined;
}

export interface DeviceTrust {
  readonly lastSampleTs?: number | undefined;
  readonly channels: Readonly<Record<string, ChannelTrust>>;
}

/** A change of a channel's alert: open (it became suspect), resolve (trusted again), or nothing. */
export interface ChannelEvent {
  readonly metric: string;
  readonly op: 'open' | 'resolve';
  readonly verdict: Verdict | undefined;
  readonly channel: ChannelTrust;
}

export interface TrustStep {
  readonly state: DeviceTrust;
  /** The sample without its suspect channels: what the rules may use. */
  readonly sample: Sample;
  readonly events: readonly ChannelEvent[];
}

function verdictOf(c: Omit<ChannelTrust, 'verdict' | 'cond'>, limits: SoilLimits, ts: number, previous: Verdict | undefined): Verdict | undefined {
  const bad = implausible(c.value, limits);
  const reason: SuspectReason | undefined = bad ?? (c.lastTs - c.ref.since >= STUCK_AFTER_MS ? 'stuck' : undefined);
  if (!reason) return undefined;
  return previous?.reason === reason ? previous : { reason, since: ts, value: c.value };
}

function stepAlert(c: ChannelTrust, metric: string, level: Level, at: number, events: ChannelEvent[]): ConditionState {
  const step = stepCondition(c.cond ?? { phase: 'idle' }, level, at, TRUST_TIMING);
  if (step.transition === 'open' || step.transition === 'resolve') events.push({ metric, op: step.transition, verdict: c.verdict, channel: c });
  return step.state;
}

/**
 * One report of a device through the trust checks: every soil-moisture channel it carries is checked against
 * the soil's limits and its own history; every channel it used to carry and now lacks counts a missed report.
 */
export function stepDeviceTrust(state: DeviceTrust | undefined, sample: Sample, limits: SoilLimits): TrustStep {
  const channels: Record<string, ChannelTrust> = { ...(state?.channels ?? {}) };
  const inOrder = state?.lastSampleTs === undefined || sample.ts > state.lastSampleTs;
  const events: ChannelEvent[] = [];
  const kept: Record<string, number> = {};
  for (const [metric, value] of Object.entries(sample.values)) {
    if (!isSoilMoisture(metric)) {
      kept[metric] = value;
      continue;
    }
    const prev = channels[metric];
    if (prev && !inOrder && sample.ts <= prev.lastTs) {
      // a late reading of the backlog: judged on its value alone, the channel's history stays as it is
      if (!implausible(value, limits)) kept[metric] = value;
      continue;
    }
    const same = prev !== undefined && Math.abs(prev.ref.value - value) <= STUCK_TOLERANCE_PCT;
    const base = { lastTs: sample.ts, value, ref: same && prev ? prev.ref : { value, since: sample.ts }, missed: 0 };
    const verdict = verdictOf(base, limits, sample.ts, prev?.verdict);
    const next: ChannelTrust = { ...base, verdict, cond: prev?.cond };
    channels[metric] = { ...next, cond: stepAlert(next, metric, verdict ? 'on' : 'off', sample.ts, events) };
    if (!verdict) kept[metric] = value;
  }
  if (inOrder) {
    for (const [metric, c] of Object.entries(channels)) {
      if (sample.values[metric] !== undefined) continue;
      if (sample.ts - c.lastTs > FORGET_AFTER_MS) {
        delete channels[metric];
        continue;
      }
      const missed = c.missed + 1;
      const silent = missed >= SILENT_AFTER_REPORTS && sample.ts - c.lastTs >= SILENT_MIN_MS;
      const verdict: Verdict | undefined = silent ? (c.verdict?.reason === 'silent' ? c.verdict : { reason: 'silent', since: sample.ts, value: null }) : c.verdict;
      const next: ChannelTrust = { ...c, missed, verdict };
      channels[metric] = { ...next, cond: silent ? stepAlert(next, metric, 'on', sample.ts, events) : c.cond };
    }
  }
  return {
    state: { lastSampleTs: inOrder ? sample.ts : state?.lastSampleTs, channels },
    sample: { ...sample, values: kept },
    events,
  };
}

/** A channel the platform does not believe, as the field's rules and advice see it. */
export interface SuspectChannel {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly metric: string;
  readonly depthCm: number | null;
  readonly reason: SuspectReason;
  readonly since: number;
  readonly value: number | null;
}

/** The suspect channels of one device's trust state. */
export function suspectsOf(device: { id: string; name: string }, state: DeviceTrust | undefined): SuspectChannel[] {
  return Object.entries(state?.channels ?? {}).flatMap(([metric, c]) => (c.verdict
    ? [{ deviceId: device.id, deviceName: device.name, metric, depthCm: depthOf(metric) ?? null, reason: c.verdict.reason, since: c.verdict.since, value: c.verdict.value }]
    : []));
}
