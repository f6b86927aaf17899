// Several sensors of one kind in a field (issue 15; README "Sensor trust and several sensors"; docs/agronomy.md §7):
// each sensor is an independent witness — evaluated on its own, then combined by a stated policy per kind,
// and the advice shows the numbers behind it and which sensor decided:
//  - soil probes: per depth, the MEDIAN of the trusted probes' newest readings (one probe: its reading). A
//    depth the field's probes measured within 48 h and no trusted probe measures now (suspect, silent or
//    stale) leaves the root zone half-seen: the field falls back to the model balance and says so. Each
//    layer's θ is bounded below by θWP, so Dr ≤ TAW (FAO-56 Eq. 86: 0 ≤ Dr ≤ TAW).
//  - canal salinity: the sensor at the field's intake when the rule names one (`intakeDeviceId`), else the
//    WORST (highest EC) of the fresh sensors — the harm is asymmetric (docs/agronomy.md §7).
//  - AWD tubes: the MEAN of the fresh tubes; a tube further than `AWD_OUTLIER_CM` from the mean of the others
//    is reported (and each tube keeps its own alert state, so a tube that is far down still alerts).
import type { SuspectChannel } from './sensor-trust.js';

/** A probe's newest reading at one depth: θ % by volume, device time. */
export interface ProbeReading {
  readonly deviceId: string;
  readonly depthCm: number;
  readonly theta: number;
  readonly ts: number;
}

/** Key of a probe's depth in the rule state. */
export const probeKey = (deviceId: string, depthCm: number): string => `${deviceId}|${depthCm}`;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Depths the field's probes measured this recently are expected to be measured now [judg]. */
export const EXPECTED_DEPTH_MS = 48 * 3_600_000;

export interface SoilCombination {
  /** θ % per depth (cm) for the root-zone depletion, each ≥ θWP; empty when the field falls back. */
  readonly depths: Readonly<Record<string, { theta: number; ts: number }>>;
  /** Why the probes cannot speak for the root zone now, with the channels that made it so. */
  readonly fallback?: { readonly missingDepthsCm: readonly number[]; readonly suspects: readonly SuspectChannel[] } | undefined;
  /** The numbers behind it: `probe:<device>:<depth>cm` per reading used, `medianTheta<depth>cmPct` per depth. */
  readonly numbers: Readonly<Record<string, number>>;
}

/**
 * Combines the field's probes by depth (policy above). `maxAgeMs`: readings older than this behind the
 * field's newest reading are stale; `thetaWpPct`: the floor of each layer's θ.
 */
export function combineSoilProbes(
  probes: readonly ProbeReading[], suspects: readonly SuspectChannel[], at: number, maxAgeMs: number, thetaWpPct: number,
): SoilCombination {
  const recent = probes.filter((p) => p.ts >= at - EXPECTED_DEPTH_MS);
  if (recent.length === 0) return { depths: {}, numbers: {} };
  const suspect = new Set(suspects.filter((s) => s.depthCm !== null).map((s) => probeKey(s.deviceId, s.depthCm ?? 0)));
  const trusted = recent.filter((p) => !suspect.has(probeKey(p.deviceId, p.depthCm)));
  const newest = Math.max(...trusted.map((p) => p.ts));
  const usable = trusted.filter((p) => p.ts >= newest - maxAgeMs);
  const numbers: Record<string, number> = {};
  const depths: Record<string, { theta: number; ts: number }> = {};
  const expected = [...new Set(recent.map((p) => p.depthCm))].sort((a, b) => a - b);
  const missing: number[] = [];
  for (const d of expected) {
    const here = usable.filter((p) => p.depthCm === d);
    if (here.length === 0) {
      missing.push(d);
      continue;
    }
    for (const p of here) numbers[`probe:${p.deviceId}:${d}cm`] = p.theta;
    const m = median(here.map((p) => p.theta));
    if (here.length > 1) numbers[`medianTheta${d}cmPct`] = m;
    depths[String(d)] = { theta: Math.max(m, thetaWpPct), ts: Math.max(...here.map((p) => p.ts)) };
  }
  if (missing.length > 0) {
    const fieldSuspects = suspects.filter((s) => s.depthCm !== null && missing.includes(s.depthCm));
    return { depths: {}, fallback: { missingDepthsCm: missing, suspects: fieldSuspects }, numbers };
  }
  return { depths, numbers };
}
