// Rules as data (docs/architecture.md "Rules are data (zod schema, versioned)"). A rule file or a row of the
// `rules` table is one of these, `version: 1`. Durations are `30s`, `15m`, `6h`, `2d` or milliseconds.
// Scope picks what a rule watches (a crop, a field, a farm, a device or a device kind); among enabled
// rules with the same `key` the most specific one wins (device > field > farm > crop/device kind > all),
// so a field overrides its crop's default by reusing the key.
import { z } from 'zod';
import { Severity } from '../core/alerts/alert-types.js';
import { DeviceKind } from '../core/registry/type-schemas.js';
import { parseMetricKey } from '../core/telemetry/metrics.js';
import { SalinityBasis } from '../core/agronomy/salinity.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** A duration: `15m`, `6h`, `2d`, or milliseconds. Parses to milliseconds. */
export const Duration = z.union([
  z.number().int().min(0).max(366 * 86_400_000),
  z.string().regex(DURATION, 'must be a duration like 30s, 15m, 6h, 2d').transform((s) => {
    const m = DURATION.exec(s)!;
    return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
  }),
], { error: 'must be a duration like 30s, 15m, 6h, 2d or milliseconds' });

/** Advice appended to the alert text, in both languages. */
const Note = z.strictObject({ vi: z.string().min(1).max(300), en: z.string().min(1).max(300) });

const Metric = z.string().refine((m) => parseMetricKey(m) !== undefined, 'is not a metric of the catalogue');

export const RuleScope = z.strictObject({
  farmId: z.string().min(1).optional(),
  fieldId: z.string().min(1).optional(),
  crop: z.string().min(1).optional(),
  deviceId: z.string().min(1).optional(),
  deviceKind: DeviceKind.optional(),
});
export type RuleScope = z.infer<typeof RuleScope>;

const base = {
  version: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/, 'letters, digits and . _ : @ / - (at most 128)'),
  /** Rules sharing a key override each other; default: the id. */
  key: z.string().min(1).max(100).optional(),
  name: z.string().max(200).optional(),
  enabled: z.boolean().default(true),
  severity: Severity.optional(),
  scope: RuleScope.default({}),
  /** Escalate when unacknowledged this long; null = never; default by severity (core/alerts). */
  escalateAfter: Duration.nullable().optional(),
  /** The condition must hold this long before an alert opens. */
  for: Duration.default(0),
  /** The condition must stay clear (beyond the hysteresis) this long before the alert auto-resolves. */
  clearFor: Duration.default(0),
  /** After an alert resolved, no new alert of the same cause opens for this long. */
  cooldown: Duration.default(0),
};

/** When a rice field flowers: explicit day after planting, else season length − ripening (IRRI ≈ 30 days). */
const flowering = {
  floweringDay: z.number().int().min(1).max(400).optional(),
  /** Days from planting (transplanting) to harvest; default: the sum of the crop's FAO-56 stages. */
  seasonDays: z.number().int().min(30).max(400).optional(),
  ripeningDays: z.number().int().min(10).max(60).default(30),
};

export const ThresholdRule = z.strictObject({
  ...base, kind: z.literal('threshold'), metric: Metric,
  above: z.number().optional(), below: z.number().optional(), hysteresis: z.number().min(0).default(0),
  /** The alert kind shown to people, e.g. `acid_water`; default `threshold`. */
  alertKind: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/).optional(), note: Note.optional(),
}).refine((r) => (r.above === undefined) !== (r.below === undefined), 'give exactly one of above, below');

export const RateOfChangeRule = z.strictObject({
  ...base, kind: z.literal('rate_of_change'), metric: Metric, maxChange: z.number().positive(),
  per: Duration.refine((ms) => ms > 0, 'must be positive'), direction: z.enum(['rise', 'fall', 'both']).default('both'),
  note: Note.optional(),
});

export const FlatlineRule = z.strictObject({
  ...base, kind: z.literal('flatline'), metric: Metric,
  stuckFor: Duration.refine((ms) => ms > 0, 'must be positive'), tolerance: z.number().min(0).default(0),
});

export const MissingDataRule = z.strictObject({
  ...base, kind: z.literal('missing_data'),
  expectedInterval: Duration.refine((ms) => ms > 0, 'must be positive'), factor: z.number().min(1).max(1000).default(3),
});

export const BatteryLowRule = z.strictObject({
  ...base, kind: z.literal('battery_low'), below: z.number().min(0).max(100).default(20), hysteresis: z.number().min(0).default(5),
});

export const SoilWaterRule = z.strictObject({
  ...base, kind: z.literal('soil_water'),
  /** Root depth Zr, m; default: the crop's minimum (FAO-56 Table 22), the cautious end. */
  rootDepthM: z.number().min(0.05).max(5).optional(),
  depletionFraction: z.number().min(0.05).max(0.95).optional(),
  /** θFC / θWP, % by volume; default: the field's texture, FAO-56 Table 19 midpoints. */
  thetaFcPct: z.number().min(1).max(60).optional(),
  thetaWpPct: z.number().min(0).max(59).optional(),
  applicationEfficiency: z.number().min(0.05).max(1).default(0.9),
  /** Rain of the last hours not yet seen by the probes postpones irrigation [judg]. */
  rainCreditHours: z.number().min(0).max(96).default(24),
  /** Readings of a depth older than this (behind the newest) are left out [judg]. */
  maxSensorAgeHours: z.number().min(0.1).max(72).default(6),
  /** The alert resolves once depletion is this far below RAW. */
  hysteresisMm: z.number().min(0).default(3),
});

export const AwdRule = z.strictObject({
  ...base, ...flowering, kind: z.literal('awd'),
  thresholdCm: z.number().min(-30).max(0).default(-15),
  floodTargetCm: z.number().min(0).max(20).default(5),
  holdTargetCm: z.number().min(0).max(20).default(5),
  holdToleranceCm: z.number().min(0).max(10).default(2),
  establishmentDays: z.number().int().min(0).max(60).default(10),
  floweringHoldDays: z.number().int().min(0).max(30).default(7),
  drainDaysBeforeHarvest: z.number().int().min(0).max(40).default(10),
  /** Drainable porosity of the puddled soil below the surface, for the refill depth [judg]. */
  drainablePorosity: z.number().min(0.02).max(0.6).default(0.25),
  hysteresisCm: z.number().min(0).max(10).default(1),
  salinityBasis: SalinityBasis.default('tds_g_per_l'),
  maxCanalAgeHours: z.number().min(0.1).max(72).default(6),
});

export const CanalSalinityRule = z.strictObject({
  ...base, kind: z.literal('canal_salinity'),
  basis: SalinityBasis.default('tds_g_per_l'),
  /** Judge against this crop's limit instead of each field's crop. */
  crop: z.string().min(1).optional(),
  hysteresisPermil: z.number().min(0).max(5).default(0.2),
  /** `farm`: the canal feeds every field of its farm; `field`: only the sensor's own field. */
  appliesTo: z.enum(['farm', 'field']).default('farm'),
  /** The canal sensor at the field's intake: its reading alone decides (rules/sensor-combine.ts); else the worst. */
  intakeDeviceId: z.string().min(1).optional(),
});

export const RiceHeatRule = z.strictObject({
  ...base, ...flowering, kind: z.literal('rice_heat'),
  thresholdC: z.number().min(25).max(50).default(35), windowDays: z.number().int().min(0).max(30).default(7),
  hysteresisC: z.number().min(0).max(10).default(1),
});

export const ColdSpellRule = z.strictObject({
  ...base, kind: z.literal('cold_spell'),
  retDamC: z.number().min(0).max(25).default(15), retHaiC: z.number().min(-5).max(25).default(13),
});

export const CoffeeFrostRule = z.strictObject({
  ...base, kind: z.literal('coffee_frost'),
  thresholdC: z.number().min(-10).max(10).default(2), calmWindMs: z.number().min(0).max(10).default(2),
  hysteresisC: z.number().min(0).max(10).default(1),
});

export const Rule = z.discriminatedUnion('kind', [
  ThresholdRule, RateOfChangeRule, FlatlineRule, MissingDataRule, BatteryLowRule, SoilWaterRule, AwdRule,
  CanalSalinityRule, RiceHeatRule, ColdSpellRule, CoffeeFrostRule,
]);
export type Rule = z.infer<typeof Rule>;
/** A rule as written (durations as text, defaults left out). */
export type RuleInput = z.input<typeof Rule>;
export type RuleKind = Rule['kind'];
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;

/** Parses a definition; throws a readable error naming the bad fields. */
export function parseRule(definition: unknown): Rule {
  const r = Rule.safeParse(definition);
  if (r.success) return r.data;
  throw new Error(`invalid rule: ${r.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; ')}`);
}

/** The key rules override each other by. */
export const ruleKey = (r: Rule): string => r.key ?? r.id;
