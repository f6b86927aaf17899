// Drives the pure evaluation (rule, state, input, now) → {state, alert?, advice?} over a series of inputs,
// persisting the state as JSON between steps exactly as the engine does through SQLite.
import type { AdviceDraft, AlertIntent, DailyWeatherSummary, DeviceInfo, FarmLatest, FieldInfo, RuleInput } from '../../../rules/evaluation.js';
import { evaluate } from '../../../rules/kinds/index.js';
import { parseRule, type Rule, type RuleInput as RuleDefinition } from '../../../rules/rule-schema.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function fieldInfo(over: Partial<FieldInfo> = {}): FieldInfo {
  return {
    id: 'field-1', name: 'Lô A', crop: 'coffee', farmId: 'farm-1', farmName: 'Farm', cooperativeId: 'coop', plantingDate: '2019-06-01',
    soilTexture: 'clay', areaHa: 1.2, pumpFlowM3h: 18, ...over,
  };
}

export function deviceInfo(over: Partial<DeviceInfo> = {}): DeviceInfo {
  return { id: 'dev-1', kind: 'soil_probe', name: 'Đầu dò', fieldId: 'field-1', farmId: 'farm-1', cooperativeId: 'coop', ...over };
}

type Definition = RuleDefinition extends infer R ? (R extends unknown ? Omit<R, 'version' | 'id'> & { id?: string } : never) : never;

export function rule(def: Definition): Rule {
  return parseRule({ version: 1, id: 'rule-1', ...def });
}

export interface Step {
  readonly at: number;
  readonly alert?: AlertIntent | undefined;
  readonly advice?: AdviceDraft | undefined;
}

/** A stateful runner: feed inputs, collect alert intents and the latest advice. */
export function runner(r: Rule) {
  let state: unknown;
  const steps: Step[] = [];
  return {
    steps,
    get state() { return state; },
    feed(input: RuleInput, now: number): Step {
      const out = evaluate(r, state, input, now);
      state = JSON.parse(JSON.stringify(out.state ?? null)) ?? undefined;
      const step = { at: now, alert: out.alert, advice: out.advice };
      steps.push(step);
      return step;
    },
    sample(device: DeviceInfo, field: FieldInfo | undefined, ts: number, values: Record<string, number>, farm: FarmLatest = {}, weather?: DailyWeatherSummary): Step {
      return this.feed({ type: 'sample', sample: { deviceId: device.id, ts, values }, device, field, farm, weather }, ts);
    },
    opened: () => steps.filter((s) => s.alert?.op === 'open').map((s) => s.alert!),
    resolved: () => steps.filter((s) => s.alert?.op === 'resolve').map((s) => s.alert!),
    lastAlert: () => [...steps].reverse().find((s) => s.alert && s.alert.op !== 'resolve')?.alert,
    lastAdvice: () => [...steps].reverse().find((s) => s.advice)?.advice,
  };
}

export function weather(over: Partial<DailyWeatherSummary> = {}): DailyWeatherSummary {
  return {
    date: '2026-03-01', et0Mm: 5, et0Method: 'penman-monteith', estimated: [], complete: true, coverage: 1, tmaxC: 33, tminC: 22, tmeanC: 27,
    rhminPct: 50, windMeanMs: 2, rainMm: 0, stationId: 'wx-1', ...over,
  };
}
