// Device rules on one metric of one device's stream: threshold (with `for`, hysteresis, clearFor, cooldown),
// battery low, rate of change over a window, and flatline (a stuck sensor: docs/agronomy.md §6 flags, e.g. RH
// flat at 100 % for > 24 h, wind zero for > 12 h). Late or repeated readings (ts ≤ the last seen) are
// ignored, so a redelivered QoS 1 backlog changes nothing.
import type { ConditionState, Level } from '../condition.js';
import { levelAgainst } from '../condition.js';
import { decide, severityOf, type DeviceInfo, type KindHandler, type RuleInput, type RuleResult } from '../evaluation.js';
import type { RuleOf } from '../rule-schema.js';
import { duration, metricLabel, num, withUnit, type Lang } from '../text-format.js';

interface StreamState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
}

/** The metric's value in this sample, when it is newer than anything seen. */
function fresh(metric: string, state: StreamState | undefined, input: RuleInput): { x: number; ts: number; device: DeviceInfo } | undefined {
  if (input.type !== 'sample') return undefined;
  const x = input.sample.values[metric];
  if (x === undefined || (state?.lastTs !== undefined && input.sample.ts <= state.lastTs)) return undefined;
  return { x, ts: input.sample.ts, device: input.device };
}

const reachMetric = (metric: string) => (_r: unknown, sample: { values: Readonly<Record<string, number>> }) =>
  (sample.values[metric] !== undefined ? 'own' as const : undefined);

const both = (f: (lang: Lang) => string) => ({ vi: f('vi'), en: f('en') });

export const threshold: KindHandler<RuleOf<'threshold'>, StreamState> = {
  target: 'device',
  reach: (r, s) => reachMetric(r.metric)(r, s),
  evaluate(rule, state, input): RuleResult<StreamState> {
    const got = fresh(rule.metric, state, input);
    if (!got) return { state: state ?? {} };
    const above = rule.above !== undefined;
    const limit = rule.above ?? rule.below ?? 0;
    const level = levelAgainst(got.x, limit, above ? 'above' : 'below', rule.hysteresis);
    const d = decide(rule, state?.cond, level, got.ts, () => {
      const text = both((lang) => {
        const { label, unit } = metricLabel(rule.metric, lang);
        const rel = lang === 'vi' ? (above ? 'vượt ngưỡng' : 'dưới ngưỡng') : (above ? 'is above the limit' : 'is below the limit');
        return `${got.device.name}: ${label} ${withUnit(got.x, unit, 2, lang)} ${rel} ${withUnit(limit, unit, 2, lang)}${rule.note ? ` — ${rule.note[lang]}` : ''}`;
      });
      return { kind: rule.alertKind ?? 'threshold', severity: severityOf(rule, 'warning'), text, values: { metric: rule.metric, reading: got.x, readingTs: got.ts, threshold: limit, hysteresis: rule.hysteresis } };
    }, 'back within the limit');
    return { state: { cond: d.cond, lastTs: got.ts }, alert: d.alert };
  },
};

export const batteryLow: KindHandler<RuleOf<'battery_low'>, StreamState> = {
  target: 'device',
  reach: (r, s) => reachMetric('battery')(r, s),
  evaluate(rule, state, input): RuleResult<StreamState> {
    const got = fresh('battery', state, input);
    if (!got) return { state: state ?? {} };
    const level = levelAgainst(got.x, rule.below, 'below', rule.hysteresis);
    const d = decide(rule, state?.cond, level, got.ts, () => ({
      kind: 'battery_low', severity: severityOf(rule, 'info'),
      text: both((lang) => (lang === 'vi'
        ? `${got.device.name}: pin yếu ${num(got.x, 0, lang)} % (ngưỡng ${num(rule.below, 0, lang)} %) — thay hoặc sạc pin`
        : `${got.device.name}: battery low ${num(got.x, 0, lang)} % (limit ${num(rule.below, 0, lang)} %) — replace or charge it`)),
      values: { reading: got.x, readingTs: got.ts, threshold: rule.below },
    }), 'battery recovered');
    return { state: { cond: d.cond, lastTs: got.ts }, alert: d.alert };
  },
};

interface RateState extends StreamState {
  readonly window?: readonly (readonly [number, number])[] | undefined;
}

export const rateOfChange: KindHandler<RuleOf<'rate_of_change'>, RateState> = {
  target: 'device',
  reach: (r, s) => reachMetric(r.metric)(r, s),
  evaluate(rule, state, input): RuleResult<RateState> {
    const got = fresh(rule.metric, state, input);
    if (!got) return { state: state ?? {} };
    const window = [...(state?.window ?? []), [got.ts, got.x] as const].filter(([ts]) => ts >= got.ts - rule.per);
    const change = got.x - (window[0]?.[1] ?? got.x);
    const size = rule.direction === 'rise' ? change : rule.direction === 'fall' ? -change : Math.abs(change);
    const level: Level = size > rule.maxChange ? 'on' : 'off';
    const d = decide(rule, state?.cond, level, got.ts, () => ({
      kind: 'rate_of_change', severity: severityOf(rule, 'warning'),
      text: both((lang) => {
        const { label, unit } = metricLabel(rule.metric, lang);
        const verb = lang === 'vi' ? (change < 0 ? 'giảm' : 'tăng') : (change < 0 ? 'fell' : 'rose');
        return lang === 'vi'
          ? `${got.device.name}: ${label} ${verb} ${withUnit(Math.abs(change), unit, 1, lang)} trong ${duration(rule.per, lang)} (ngưỡng ${withUnit(rule.maxChange, unit, 1, lang)})${rule.note ? ` — ${rule.note.vi}` : ''}`
          : `${got.device.name}: ${label} ${verb} ${withUnit(Math.abs(change), unit, 1, lang)} within ${duration(rule.per, lang)} (limit ${withUnit(rule.maxChange, unit, 1, lang)})${rule.note ? ` — ${rule.note.en}` : ''}`;
      }),
      values: { metric: rule.metric, reading: got.x, readingTs: got.ts, change, windowMs: rule.per, threshold: rule.maxChange },
    }), 'change back within the limit');
    return { state: { cond: d.cond, lastTs: got.ts, window }, alert: d.alert };
  },
};

interface FlatState extends StreamState {
  readonly ref?: { readonly value: number; readonly since: number } | undefined;
}

export const flatline: KindHandler<RuleOf<'flatline'>, FlatState> = {
  target: 'device',
  reach: (r, s) => reachMetric(r.metric)(r, s),
  evaluate(rule, state, input): RuleResult<FlatState> {
    const got = fresh(rule.metric, state, input);
    if (!got) return { state: state ?? {} };
    const same = state?.ref !== undefined && Math.abs(got.x - state.ref.value) <= rule.tolerance;
    const ref = same && state?.ref ? state.ref : { value: got.x, since: got.ts };
    const stuckMs = got.ts - ref.since;
    const d = decide(rule, state?.cond, stuckMs >= rule.stuckFor ? 'on' : 'off', got.ts, () => ({
      kind: 'sensor_stuck', severity: severityOf(rule, 'warning'),
      text: both((lang) => {
        const { label, unit } = metricLabel(rule.metric, lang);
        return lang === 'vi'
          ? `${got.device.name}: ${label} không đổi (${withUnit(ref.value, unit, 1, lang)}) suốt ${duration(stuckMs, lang)} — cảm biến có thể bị kẹt hoặc hỏng`
          : `${got.device.name}: ${label} unchanged (${withUnit(ref.value, unit, 1, lang)}) for ${duration(stuckMs, lang)} — the sensor may be stuck or broken`;
      }),
      values: { metric: rule.metric, reading: got.x, readingTs: got.ts, stuckSince: ref.since, stuckForMs: stuckMs, thresholdMs: rule.stuckFor },
    }), 'the reading moves again');
    return { state: { cond: d.cond, lastTs: got.ts, ref }, alert: d.alert };
  },
};
