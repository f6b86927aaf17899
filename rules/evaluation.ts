// What a rule sees and what it answers: evaluation is a pure function
// (rule, state, input, now) → {state, alert?, advice?} (docs/architecture.md). The engine resolves every input
// (the field, the device, the farm's newest readings, yesterday's weather) before calling it, so a rule
// does no I/O and reads no clock.
import type { AlertText, AlertValues, Severity } from '../core/alerts/alert-types.js';
import type { AdviceStatus } from '../core/alerts/rule-store.js';
import type { DeviceKind } from '../core/registry/types.js';
import type { Forecast } from '../core/weather/forecast.js';
import { stepCondition, type ConditionState, type Level, type Timing } from './condition.js';
import type { Rule } from './rule-schema.js';
import type { SuspectChannel } from './sensor-trust.js';

export interface FieldInfo {
  readonly id: string;
  readonly name: string;
  readonly crop: string;
  readonly farmId: string;
  readonly farmName: string;
  readonly cooperativeId: string;
  readonly plantingDate: string | null;
  readonly soilTexture: string | null;
  readonly areaHa: number | null;
  readonly pumpFlowM3h: number | null;
}

export interface DeviceInfo {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly name: string;
  readonly fieldId: string;
  readonly farmId: string;
  readonly cooperativeId: string;
}

/** The readings one device took at one instant. */
export interface Sample {
  readonly deviceId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
}

/** The newest value of each metric among a farm's devices. */
export type FarmLatest = Readonly<Record<string, { readonly value: number; readonly ts: number; readonly deviceId: string }>>;

/** Yesterday's weather at a farm's station, and the ET0 computed from it (or the FAO-56 fallback used). */
export interface DailyWeatherSummary {
  readonly date: string;
  readonly et0Mm: number | null;
  /** penman-monteith | penman-monteith-estimated | hargreaves | carried | none */
  readonly et0Method: string;
  readonly estimated: readonly string[];
  readonly complete: boolean;
  readonly coverage: number;
  readonly tmaxC: number | null;
  readonly tminC: number | null;
  readonly tmeanC: number | null;
  readonly rhminPct: number | null;
  readonly windMeanMs: number | null;
  readonly rainMm: number | null;
  readonly stationId: string | null;
  /** The day whose ET0 is carried over when this day's own could not be trusted (et0Method `carried`). */
  readonly et0CarriedFrom?: string | undefined;
}

/** A recorded irrigation of the field (core/registry/irrigation-events.ts): the depth applied, mm, from `startAt`. */
export interface IrrigationRecord {
  readonly id: string;
  readonly startAt: number;
  readonly depthMm: number;
}

interface Common {
  readonly farm: FarmLatest;
  /** The field's recorded irrigations of the last days (rules with `irrigation: true` only), oldest first. */
  readonly irrigations?: readonly IrrigationRecord[] | undefined;
  readonly weather?: DailyWeatherSummary | undefined;
  /** The subject field (field rules), or the device's field (device rules). */
  readonly field?: FieldInfo | undefined;
  readonly device?: DeviceInfo | undefined;
  /** Channels of the field's devices the platform does not believe (rules/sensor-trust.ts): never advice from them. */
  readonly suspects?: readonly SuspectChannel[] | undefined;
  /** The last good forecast at the field's farm (rules with `forecast: true` only; core/weather, issue 17). */
  readonly forecast?: Forecast | undefined;
}

export type RuleInput =
  | (Common & { readonly type: 'sample'; readonly sample: Sample; readonly device: DeviceInfo })
  | (Common & { readonly type: 'tick'; readonly watchingSince: number })
  | (Common & { readonly type: 'daily'; readonly weather: DailyWeatherSummary })
  /** An irrigation was recorded on the field (issue 17): re-evaluate with it at once. */
  | (Common & { readonly type: 'irrigation' });

export interface AlertIntent {
  readonly op: 'open' | 'update' | 'resolve';
  readonly kind: string;
  readonly severity: Severity;
  readonly text: AlertText;
  readonly values: AlertValues;
  readonly reason?: string | undefined;
}

export interface AdviceDraft {
  readonly status: AdviceStatus;
  readonly text: AlertText;
  readonly numbers: Readonly<Record<string, number | null>>;
  readonly method: string;
}

export interface RuleResult<S = unknown> {
  readonly state: S;
  readonly alert?: AlertIntent | undefined;
  readonly advice?: AdviceDraft | undefined;
}

export interface KindHandler<R extends Rule, S> {
  /** Device rules keep one state and alert per device; field rules one per field. */
  readonly target: 'device' | 'field';
  /** Whether a sample concerns the rule: `own` = the device (or its field), `farm` = every field of its farm. */
  reach(rule: R, sample: Sample, device: DeviceInfo): 'own' | 'farm' | undefined;
  /** Evaluated by the every-minute check / the 05:30 daily run. */
  readonly ticks?: boolean;
  readonly daily?: boolean;
  /** Reads the field's recorded irrigations, and is re-evaluated when one is recorded. */
  readonly irrigation?: boolean;
  /** Reads the weather forecast at the field's farm. */
  readonly forecast?: boolean;
  evaluate(rule: R, state: S | undefined, input: RuleInput, now: number): RuleResult<S>;
}

export const timingOf = (r: Rule): Timing => ({ forMs: r.for, clearForMs: r.clearFor, cooldownMs: r.cooldown });

export interface Explained {
  readonly kind: string;
  readonly severity: Severity;
  readonly text: AlertText;
  readonly values: AlertValues;
}

/**
 * Steps the rule's condition machine and maps its transition to an alert intent: open when an episode
 * fires, update while it holds, resolve (with `resolveReason`) when it cleared for clearFor.
 */
export function decide(
  rule: Rule, cond: ConditionState | undefined, level: Level, ts: number, explain: () => Explained, resolveReason: string,
): { cond: ConditionState; alert?: AlertIntent } {
  const step = stepCondition(cond ?? { phase: 'idle' }, level, ts, timingOf(rule));
  switch (step.transition) {
    case 'open': {
      const e = explain();
      return { cond: step.state, alert: { op: 'open', ...e, values: { ...e.values, since: step.state.since ?? ts } } };
    }
    case 'hold': {
      // Refresh the numbers only while the condition itself holds: inside the hysteresis band the reading no
      // longer says what the text says ("2.6 ‰ is above the limit"), so the alert keeps its last true numbers.
      if (level !== 'on') return { cond: step.state };
      const e = explain();
      return { cond: step.state, alert: { op: 'update', ...e, values: { ...e.values, since: step.state.since ?? ts } } };
    }
    case 'resolve': {
      const e = explain();
      return { cond: step.state, alert: { op: 'resolve', ...e, reason: resolveReason } };
    }
    case 'none':
      return { cond: step.state };
  }
}

/** The rule's severity, else the kind's default. */
export const severityOf = (r: Rule, fallback: Severity): Severity => r.severity ?? fallback;
