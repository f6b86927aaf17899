// Plausibility flags (docs/agronomy.md §6): values inside the hard bounds that deserve a second look are stored
// with a flag, never dropped. The hard bounds themselves live in the catalogue (metrics.ts) and reject.
//   relative humidity 100…103 % → clamped to 100 (§6 "clamp to 100")
//   rain > 30 mm in one report; soil VWC above porosity (~55 %) → suspect
//   air temperature step > 4 °C within 10 min → step_change
//   relative humidity flat at 100 % for > 24 h; wind speed at zero for > 12 h → flatline
import type { ReadingFlag } from './reading.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A step rule: |value − previous| > maxDelta while the previous reading is at most withinMs older. */
export interface StepRule { readonly kind: 'step'; readonly metric: string; readonly maxDelta: number; readonly withinMs: number }
/** A flatline rule: the same value (or exactly `value`) for longer than forMs. */
export interface FlatRule { readonly kind: 'flat'; readonly metric: string; readonly value?: number; readonly forMs: number }
export type FlagRule = StepRule | FlatRule;

export const defaultFlagRules: readonly FlagRule[] = [
  { kind: 'step', metric: 'air_temperature', maxDelta: 4, withinMs: 10 * MIN }, // §6
  { kind: 'flat', metric: 'air_humidity', value: 100, forMs: 24 * HOUR }, // §6
  { kind: 'flat', metric: 'wind_speed', value: 0, forMs: 12 * HOUR }, // §6 (without the "other sensors report" test)
];

/** The metric name without its depth qualifier. */
function baseMetric(metric: string): string {
  const at = metric.indexOf('@');
  return at < 0 ? metric : metric.slice(0, at);
}

const NONE: readonly ReadingFlag[] = [];
const CLAMPED: readonly ReadingFlag[] = ['clamped'];
const SUSPECT: readonly ReadingFlag[] = ['suspect'];

/** Stateless rules: returns the (possibly clamped) value and its flags. */
export function staticFlags(metric: string, value: number): { value: number; flags: readonly ReadingFlag[] } {
  return { value: staticValue(metric, value), flags: staticFlagsOf(metric, value) };
}

/** staticFlags()'s value alone (the ingest's hot path: no object per reading). */
export function staticValue(metric: string, value: number): number {
  return value > 100 && baseMetric(metric) === 'air_humidity' ? 100 : value;
}

/** staticFlags()'s flags alone, of the value as received (before staticValue()). */
export function staticFlagsOf(metric: string, value: number): readonly ReadingFlag[] {
  switch (baseMetric(metric)) {
    case 'air_humidity':
      return value > 100 ? CLAMPED : NONE;
    case 'rain':
      return value > 30 ? SUSPECT : NONE;
    case 'soil_moisture':
      return value > 55 ? SUSPECT : NONE;
    default:
      return NONE;
  }
}

interface SeriesState { ts: number; value: number; flatSince: number }

/**
 * Stateful rules over each device + metric series, in memory and bounded by the number of series.
 * Only a reading newer than the series' last one moves the state; an older one (late, out of order) is
 * checked against nothing and flagged by nothing — it cannot tell a step from a gap.
 */
export function createFlagTracker(rules: readonly FlagRule[] = defaultFlagRules) {
  const byMetric = new Map<string, FlagRule[]>();
  for (const rule of rules) byMetric.set(rule.metric, [...(byMetric.get(rule.metric) ?? []), rule]);
  const series = new Map<string, SeriesState>();
  // Rules per metric name as sent (with its depth): one lookup per reading, no slicing (bounded).
  const byName = new Map<string, FlagRule[] | null>();
  function rulesOf(metric: string): FlagRule[] | undefined {
    let rules = byName.get(metric);
    if (rules === undefined) {
      rules = byMetric.get(baseMetric(metric)) ?? null;
      if (byName.size > 10_000) byName.clear();
      byName.set(metric, rules);
    }
    return rules ?? undefined;
  }

  function check(rule: FlagRule, prev: SeriesState | undefined, ts: number, value: number, flatSince: number): ReadingFlag | undefined {
    if (rule.kind === 'step') {
      return prev && ts - prev.ts <= rule.withinMs && Math.abs(value - prev.value) > rule.maxDelta ? 'step_change' : undefined;
    }
    if (rule.value !== undefined && value !== rule.value) return undefined;
    return ts - flatSince > rule.forMs ? 'flatline' : undefined;
  }

  return {
    /** Flags for this reading; updates the series state when the reading is the newest. */
    flags(deviceId: string, metric: string, ts: number, value: number): readonly ReadingFlag[] {
      const rules = rulesOf(metric);
      if (!rules) return NONE;
      const key = `${deviceId}\u0000${metric}`;
      const prev = series.get(key);
      if (prev && ts <= prev.ts) return NONE;
      const flatSince = prev && prev.value === value ? prev.flatSince : ts;
      series.set(key, { ts, value, flatSince });
      const out: ReadingFlag[] = [];
      for (const rule of rules) {
        const flag = check(rule, prev, ts, value, flatSince);
        if (flag && !out.includes(flag)) out.push(flag);
      }
      return out;
    },
    size: () => series.size,
  };
}
export type FlagTracker = ReturnType<typeof createFlagTracker>;
