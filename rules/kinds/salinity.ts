// Canal salinity (agronomy.md §4, Mekong Delta intrusion): "do not take canal water" when the canal's EC,
// as ‰ on the rule's stated basis (TDS g/L by default — the safer side), is above the crop's limit used
// by the delta's extension offices; resolved once it is `hysteresisPermil` back below the limit (for
// `clearFor`). A canal feeds every field of its farm, so by default each field is judged by its own crop.
import { CROP_SALINITY_LIMITS, ecToPermil, type SalinityLimit } from '../../core/agronomy/salinity.js';
import { levelAgainst, type ConditionState } from '../condition.js';
import { decide, severityOf, type FieldInfo, type KindHandler, type RuleResult } from '../evaluation.js';
import type { RuleOf } from '../rule-schema.js';
import { cropName, dsPerMPerPermil, fieldLabel, num, permil, type Lang } from '../text-format.js';

type SalinityRule = RuleOf<'canal_salinity'>;

export interface SalinityState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
}

/** The ‰ above which the crop must not get the water ('< 1 ‰' limits trip at 1, '≤ 2 ‰' above 2). */
export function salinityLimitOf(crop: string): SalinityLimit | undefined {
  return CROP_SALINITY_LIMITS[crop.trim().toLowerCase()];
}

function text(rule: SalinityRule, field: FieldInfo, crop: string, ppt: number, limit: number, lang: Lang): string {
  const c = cropName(crop, lang);
  return lang === 'vi'
    ? `${fieldLabel(field, lang)}: không lấy nước kênh — độ mặn ${permil(ppt, rule.basis, lang)} vượt ngưỡng ${num(limit, 1, lang)} ‰ cho ${c}`
    : `${fieldLabel(field, lang)}: do not take canal water — salinity ${permil(ppt, rule.basis, lang)} is above the ${num(limit, 1, lang)} ‰ limit for ${c}`;
}

export const canalSalinity: KindHandler<SalinityRule, SalinityState> = {
  target: 'field',
  reach(rule, sample, device) {
    if (sample.values.water_ec === undefined || device.kind !== 'canal_sensor') return undefined;
    return rule.appliesTo === 'farm' ? 'farm' : 'own';
  },
  evaluate(rule, state, input): RuleResult<SalinityState> {
    const field = input.field;
    if (!field || input.type !== 'sample') return { state: state ?? {} };
    const ec = input.sample.values.water_ec;
    const ts = input.sample.ts;
    const crop = rule.crop ?? field.crop;
    const limit = salinityLimitOf(crop);
    if (ec === undefined || !limit || (state?.lastTs !== undefined && ts <= state.lastTs)) return { state: state ?? {} };
    const ppt = ecToPermil(ec, rule.basis);
    // '≤ 2 ‰' is fine at 2.0 and trips above it; '< 1 ‰' trips at 1.0.
    const level = levelAgainst(ppt, limit.maxPermil, 'above', rule.hysteresisPermil, !limit.inclusive);
    const d = decide(rule, state?.cond, level, ts, () => ({
      kind: 'canal_salinity', severity: severityOf(rule, 'critical'),
      text: { vi: text(rule, field, crop, ppt, limit.maxPermil, 'vi'), en: text(rule, field, crop, ppt, limit.maxPermil, 'en') },
      values: {
        ecDsPerM: ec, permil: ppt, basis: rule.basis, dsPerMPerPermil: dsPerMPerPermil(rule.basis), limitPermil: limit.maxPermil,
        crop, hysteresisPermil: rule.hysteresisPermil, readingTs: ts, deviceId: input.device.id,
      },
    }), 'canal salinity back below the limit');
    return { state: { cond: d.cond, lastTs: ts }, alert: d.alert };
  },
};
