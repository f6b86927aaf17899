// Several sensors of one kind in a field (issue 15; README "Sensor trust and several sensors"; docs/agronomy.md §7):
// each sensor is an independent witness — evaluated on its own, then combined by a stated policy per kind,
// and the advice shows the numbers behind it and which sensor decided:
//  - soil probes: per depth, the MEDIAN of the trusted probes' newest readings (one probe: its reading). A
//    depth the field's probes measured within 48 h and no trusted probe measures now (suspect, silent or
//    stale) leaves the root zone half-seen: the field falls back to the model balance and says so. Each
//    layer's θ is bounded below by θWP, so Dr ≤ TAW (FAO-56 Eq. 86: 0 ≤ Dr ≤ TAW).
//  - canal salinity: the sensor at the field's intake when the rule names one (`intakeDeviceId`), else the
//    WORST (highest EC) of the fresh sensors — the harm is asymmetric (docs/agronomy.md §7).
//  - AWD tubes: the MEAN of the fresh tubes; a tube further than `AWD_OUTLIER_CM` from that mean is reported
//    (of two tubes far apart, the drier) with its own alert state, so a tube far down alerts within 30 min.
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

/** A sensor's newest value of one metric. */
export interface PeerReading {
  readonly deviceId: string;
  readonly value: number;
  readonly ts: number;
}

/** Readings of another sensor further than this from the deciding sample's time are not combined [judg]. */
export const PEER_MAX_AGE_MS = 6 * 3_600_000;
/** An AWD tube this far from the field's mean level is reported [judg]: a dry corner, a blocked or misplaced tube. */
export const AWD_OUTLIER_CM = 5;

export interface Combined {
  /** The value the rule decides on, and the sensor that decided (the intake's, the worst; for a mean the reporter). */
  readonly value: number;
  readonly decidingDeviceId: string;
  readonly policy: 'single' | 'intake' | 'worst' | 'mean';
  /** The numbers behind it: `sensor:<id>` per sensor combined. */
  readonly numbers: Readonly<Record<string, number>>;
}

const fresh = (peers: readonly PeerReading[], at: number) => peers.filter((p) => Math.abs(p.ts - at) <= PEER_MAX_AGE_MS);
const numbersOf = (peers: readonly PeerReading[]) => Object.fromEntries(peers.map((p) => [`sensor:${p.deviceId}`, p.value]));

/**
 * Canal salinity of a field: the intake sensor's reading when the rule names one (other sensors then do not
 * decide: undefined), else the worst (highest EC) of the fresh sensors, `own` being the reading just in.
 */
export function combineSalinity(own: PeerReading, peers: readonly PeerReading[], intakeDeviceId: string | undefined): Combined | undefined {
  const all = [own, ...fresh(peers, own.ts).filter((p) => p.deviceId !== own.deviceId)];
  if (intakeDeviceId !== undefined && all.some((p) => p.deviceId === intakeDeviceId)) {
    if (own.deviceId !== intakeDeviceId) return undefined;
    return { value: own.value, decidingDeviceId: own.deviceId, policy: 'intake', numbers: numbersOf(all) };
  }
  const worst = all.reduce((w, p) => (p.value > w.value ? p : w), own);
  return { value: worst.value, decidingDeviceId: worst.deviceId, policy: all.length > 1 ? 'worst' : 'single', numbers: numbersOf(all) };
}

/** AWD water level of a field: the mean of its fresh tubes; each tube's distance from the mean of the others. */
export function combineAwd(own: PeerReading, peers: readonly PeerReading[]): Combined & { readonly outliers: readonly { deviceId: string; levelCm: number; othersMeanCm: number }[] } {
  const all = [own, ...fresh(peers, own.ts).filter((p) => p.deviceId !== own.deviceId)];
  const mean = all.reduce((s, p) => s + p.value, 0) / all.length;
  const far = all.length < 2 ? [] : all.filter((p) => Math.abs(p.value - mean) > AWD_OUTLIER_CM);
  // two tubes far apart are both far from their mean: the drier one is reported (water stress is the risk)
  const reported = all.length === 2 ? far.filter((p) => p.value === Math.min(...all.map((q) => q.value))).slice(0, 1) : far;
  const outliers = reported.map((p) => {
    const others = all.filter((q) => q !== p);
    return { deviceId: p.deviceId, levelCm: p.value, othersMeanCm: others.reduce((s, q) => s + q.value, 0) / others.length };
  });
  const numbers = { ...numbersOf(all), ...(all.length > 1 && { awdMeanCm: mean, awdTubes: all.length }) };
  return { value: mean, decidingDeviceId: own.deviceId, policy: all.length > 1 ? 'mean' : 'single', numbers, outliers };
}
