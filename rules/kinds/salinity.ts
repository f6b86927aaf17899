// Canal salinity (docs/agronomy.md §4, Mekong Delta intrusion): "do not take canal water" when the canal's EC,
// as ‰ on the rule's stated basis (TDS g/L by default — the safer side), is above the crop's limit used
// by the delta's extension offices; resolved once it is `hysteresisPermil` back below the limit (for
// `clearFor`). A canal feeds every field of its farm, so by default each field is judged by its own crop.
// Tides (docs/agronomy.md §7): the delta's canals turn salty with each flood tide and fresh on the ebb, twice a
// day. The useful alert is one per tide-day, not one per crossing: the defaults keep it open until the
// canal has stayed under the limit for a whole tidal cycle (clearFor 13 h), and it says since when the
// water is salty, the day's highest ‰ and when the canal is expected back under the limit (one M2 period,
// 12 h 25 min, after it last went under).
import { CROP_SALINITY_LIMITS, ecToPermil, type SalinityLimit } from '../../core/agronomy/salinity.js';
import { levelAgainst, type ConditionState } from '../condition.js';
import { decide, severityOf, type FieldInfo, type KindHandler, type RuleResult } from '../evaluation.js';
import type { RuleOf } from '../rule-schema.js';
import { localDay } from '../field-agronomy.js';
import { clockTime, cropName, dsPerMPerPermil, fieldLabel, num, permil, type Lang } from '../text-format.js';

type SalinityRule = RuleOf<'canal_salinity'>;

export interface SalinityState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
  /** The local day's highest ‰. */
  readonly dayMax?: { readonly day: string; readonly permil: number } | undefined;
  /** Whether the last reading was above the limit, and when the canal last went back under it. */
  readonly above?: boolean | undefined;
  readonly lastFreshAt?: number | undefined;
  /** When the canal last went above the limit (this salty spell). */
  readonly saltySince?: number | undefined;
}

/** The principal lunar semi-diurnal tide (M2): the canal repeats its salinity cycle this often. */
export const TIDE_PERIOD_MS = 12.4206 * 3_600_000;

/** When the canal is expected under the limit again: one or more tide periods after it last went under. */
export function expectedFreshAt(lastFreshAt: number | undefined, at: number): number | undefined {
  if (lastFreshAt === undefined || at - lastFreshAt > 2 * TIDE_PERIOD_MS + 3_600_000) return undefined;
  let t = lastFreshAt + TIDE_PERIOD_MS;
  while (t <= at) t += TIDE_PERIOD_MS;
  return t;
}

/** The ‰ above which the crop must not get the water ('< 1 ‰' limits trip at 1, '≤ 2 ‰' above 2). */
export function salinityLimitOf(crop: string): SalinityLimit | undefined {
  return CROP_SALINITY_LIMITS[crop.trim().toLowerCase()];
}

interface Tide {
  readonly since: number;
  readonly dayMaxPermil: number;
  readonly freshAt: number | undefined;
}

function text(rule: SalinityRule, field: FieldInfo, crop: string, ppt: number, limit: number, tide: Tide, lang: Lang): string {
  const c = cropName(crop, lang);
  const max = tide.dayMaxPermil > ppt + 0.005
    ? (lang === 'vi' ? `, cao nhất hôm nay ${num(tide.dayMaxPermil, 2, lang)} ‰` : `, today's high ${num(tide.dayMaxPermil, 2, lang)} ‰`)
    : '';
  const when = tide.freshAt === undefined
    ? (lang === 'vi' ? 'lấy nước khi độ mặn xuống dưới ngưỡng' : 'take water once it is back under the limit')
    : (lang === 'vi' ? `lấy nước khi độ mặn xuống dưới ngưỡng (dự kiến ~${clockTime(tide.freshAt)})` : `take water once it is back under the limit (expected ~${clockTime(tide.freshAt)})`);
  return lang === 'vi'
    ? `${fieldLabel(field, lang)}: không lấy nước kênh — độ mặn ${permil(ppt, rule.basis, lang)} vượt ngưỡng ${num(limit, 1, lang)} ‰ cho ${c} từ ${clockTime(tide.since)}${max}; ${when}`
    : `${fieldLabel(field, lang)}: do not take canal water — salinity ${permil(ppt, rule.basis, lang)} is above the ${num(limit, 1, lang)} ‰ limit for ${c} since ${clockTime(tide.since)}${max}; ${when}`;
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
    const day = localDay(ts);
    const dayMax = state?.dayMax?.day === day ? { day, permil: Math.max(state.dayMax.permil, ppt) } : { day, permil: ppt };
    const above = level === 'on';
    const lastFreshAt = state?.above === true && !above ? ts : state?.lastFreshAt;
    const saltySince = above ? (state?.above === true ? (state.saltySince ?? ts) : ts) : undefined;
    const d = decide(rule, state?.cond, level, ts, () => {
      const tide: Tide = { since: saltySince ?? ts, dayMaxPermil: dayMax.permil, freshAt: expectedFreshAt(lastFreshAt, ts) };
      return {
        kind: 'canal_salinity', severity: severityOf(rule, 'critical'),
        text: { vi: text(rule, field, crop, ppt, limit.maxPermil, tide, 'vi'), en: text(rule, field, crop, ppt, limit.maxPermil, tide, 'en') },
        values: {
          ecDsPerM: ec, permil: ppt, dayMaxPermil: dayMax.permil, basis: rule.basis, dsPerMPerPermil: dsPerMPerPermil(rule.basis), limitPermil: limit.maxPermil,
          crop, hysteresisPermil: rule.hysteresisPermil, readingTs: ts, deviceId: input.device.id, expectedFreshAt: tide.freshAt ?? null,
        },
      };
    }, 'canal salinity back below the limit');
    return { state: { cond: d.cond, lastTs: ts, dayMax, above, lastFreshAt, saltySince }, alert: d.alert };
  },
};
