// Every rule kind's handler, and THE evaluation function of the engine:
// evaluate(rule, state, input, now) → {state, alert?, advice?} — pure (docs/architecture.md).
import type { KindHandler, RuleInput, RuleResult } from '../evaluation.js';
import type { Rule, RuleKind, RuleOf } from '../rule-schema.js';
import { awd } from './awd.js';
import { batteryLow, flatline, rateOfChange, threshold } from './device-rules.js';
import { missingData } from './missing-data.js';
import { canalSalinity } from './salinity.js';
import { soilWater } from './soil-water.js';
import { coffeeFrost, coldSpell, riceHeat } from './temperature.js';

// Each handler keeps its own state shape; the engine stores it as opaque JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handlers = { readonly [K in RuleKind]: KindHandler<RuleOf<K>, any> };

export const handlers: Handlers = {
  threshold, battery_low: batteryLow, rate_of_change: rateOfChange, flatline, missing_data: missingData,
  soil_water: soilWater, awd, canal_salinity: canalSalinity, rice_heat: riceHeat, coffee_frost: coffeeFrost, cold_spell: coldSpell,
};

export function handlerOf(rule: Rule): KindHandler<Rule, unknown> {
  return handlers[rule.kind];
}

/** The pure evaluation: the rule, its persisted state for this subject, the resolved input, the clock. */
export function evaluate(rule: Rule, state: unknown, input: RuleInput, now: number): RuleResult {
  return handlerOf(rule).evaluate(rule, state, input, now);
}
