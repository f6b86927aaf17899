// Rice alternate wetting and drying from the field tube (docs/agronomy.md §3, IRRI safe AWD): in the AWD phase an
// "irrigate" alert when the level falls to −15 cm (flood back to +5 cm); from a week before to a week after
// flowering — and until 10 days after transplanting — no AWD: the field is kept at ≈ 5 cm, and a fall
// below it asks for a top-up instead ("keep flooded"); never re-flood with canal water above the rice
// salinity limit (§4). The depth to pump: ponded water (1 cm = 10 mm) plus the drained pores below the
// surface (drainable porosity, 0.25 [judg], as the simulator's puddled clay).
import { CROP_SALINITY_LIMITS, ecToPermil } from '../../core/agronomy/salinity.js';
import { awdDecision, type AwdDecision } from '../../core/agronomy/awd.js';
import type { ConditionState, Level } from '../condition.js';
import { decide, severityOf, type AdviceDraft, type Explained, type FieldInfo, type KindHandler, type RuleResult } from '../evaluation.js';
import { riceCalendar, type RiceCalendar } from '../field-agronomy.js';
import type { RuleOf } from '../rule-schema.js';
import { fieldLabel, num, permil, waterAmount, type Lang } from '../text-format.js';

type AwdRule = RuleOf<'awd'>;

export interface AwdState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
  readonly levelCm?: number | undefined;
}

interface Situation {
  readonly d: AwdDecision;
  readonly cal: RiceCalendar | undefined;
  readonly canalEc: number | undefined;
  readonly depthMm: number | undefined;
  readonly volumeM3: number | undefined;
  readonly pumpMinutes: number | undefined;
}

function situation(rule: AwdRule, field: FieldInfo, levelCm: number, at: number, canal: { value: number; ts: number } | undefined): Situation {
  const cal = riceCalendar(field, at, rule);
  const canalEc = canal && canal.ts >= at - rule.maxCanalAgeHours * 3_600_000 ? canal.value : undefined;
  const d = awdDecision({
    levelCm, daysSinceTransplanting: cal?.daysSincePlanting ?? Number.MAX_SAFE_INTEGER, daysFromFlowering: cal?.daysFromFlowering,
    daysToHarvest: cal?.daysToHarvest, canalEcDsPerM: canalEc, salinityBasis: rule.salinityBasis,
  }, rule);
  if (d.targetCm === undefined || (d.action !== 'irrigate' && d.action !== 'do_not_irrigate_salinity')) {
    return { d, cal, canalEc, depthMm: undefined, volumeM3: undefined, pumpMinutes: undefined };
  }
  const target = d.targetCm;
  const depthMm = levelCm >= 0 ? (target - levelCm) * 10 : target * 10 + -levelCm * 10 * rule.drainablePorosity;
  const volumeM3 = field.areaHa ? depthMm * field.areaHa * 10 : undefined; // 1 mm over 1 ha = 10 m³
  const pumpMinutes = volumeM3 !== undefined && field.pumpFlowM3h ? (volumeM3 / field.pumpFlowM3h) * 60 : undefined;
  return { d, cal, canalEc, depthMm, volumeM3, pumpMinutes };
}

function levelOf(rule: AwdRule, h: number, s: Situation): Level {
  const { action, phase } = s.d;
  if (action === 'irrigate' || action === 'do_not_irrigate_salinity') return 'on';
  if (phase === 'awd') return h >= rule.thresholdCm + rule.hysteresisCm ? 'off' : 'band';
  if (phase === 'pre_harvest_drain') return 'off';
  return h >= rule.holdTargetCm - rule.holdToleranceCm + rule.hysteresisCm ? 'off' : 'band';
}

function describe(rule: AwdRule, field: FieldInfo, h: number, s: Situation, lang: Lang): string {
  const label = fieldLabel(field, lang);
  const amount = s.depthMm !== undefined ? waterAmount(s.depthMm, s.volumeM3, s.pumpMinutes, lang) : '';
  const cm = (x: number) => `${num(x, 0, lang)} cm`;
  const hold = `${num(rule.holdTargetCm, 0, lang)} cm`;
  let text: string;
  if (s.d.phase === 'awd') {
    const rel = lang === 'vi' ? (h < rule.thresholdCm ? 'dưới ngưỡng' : 'chạm ngưỡng') : (h < rule.thresholdCm ? 'below' : 'at');
    text = lang === 'vi'
      ? `${label}: mực nước ${cm(h)} ${rel} ${cm(rule.thresholdCm)} — bơm nước vào ruộng, ${amount}, đến +${cm(rule.floodTargetCm)}`
      : `${label}: water level ${cm(h)}, ${rel} the ${cm(rule.thresholdCm)} AWD threshold — pump water into the field, ${amount}, up to +${cm(rule.floodTargetCm)}`;
  } else {
    const why = s.d.phase === 'flowering_hold'
      ? (lang === 'vi' ? `thời kỳ trổ bông (±${rule.floweringHoldDays} ngày), không để ruộng khô` : `flowering (±${rule.floweringHoldDays} days), no drying`)
      : (lang === 'vi' ? `mới cấy ${s.cal?.daysSincePlanting ?? 0} ngày` : `${s.cal?.daysSincePlanting ?? 0} days after transplanting`);
    text = lang === 'vi'
      ? `${label}: ${why} — giữ nước khoảng ${hold}; mực nước hiện ${cm(h)}, bơm thêm ${amount}`
      : `${label}: ${why} — keep about ${hold} of standing water; the level is ${cm(h)}, pump in ${amount}`;
  }
  if (s.d.action === 'do_not_irrigate_salinity' && s.canalEc !== undefined) {
    const ppt = permil(ecToPermil(s.canalEc, rule.salinityBasis), rule.salinityBasis, lang);
    const limit = num(CROP_SALINITY_LIMITS.rice?.maxPermil ?? 2, 1, lang);
    text += lang === 'vi'
      ? ` — nhưng KHÔNG lấy nước kênh: độ mặn ${ppt} vượt ngưỡng ${limit} ‰ cho lúa; dùng nước ngọt dự trữ hoặc chờ nước kênh nhạt`
      : ` — but do NOT take canal water: salinity ${ppt} is above the ${limit} ‰ limit for rice; use stored fresh water or wait for the canal to freshen`;
  }
  return text;
}

function numbers(rule: AwdRule, h: number, s: Situation): Record<string, number | null> {
  return {
    levelCm: h, thresholdCm: rule.thresholdCm, targetCm: s.d.targetCm ?? null, depthMm: s.depthMm ?? null,
    volumeM3: s.volumeM3 ?? null, pumpMinutes: s.pumpMinutes ?? null, daysSincePlanting: s.cal?.daysSincePlanting ?? null,
    floweringDay: s.cal?.floweringDay ?? null, daysFromFlowering: s.cal?.daysFromFlowering ?? null, daysToHarvest: s.cal?.daysToHarvest ?? null,
    canalEcDsPerM: s.canalEc ?? null, canalPermil: s.canalEc === undefined ? null : ecToPermil(s.canalEc, rule.salinityBasis),
  };
}

function explain(rule: AwdRule, field: FieldInfo, h: number, s: Situation): Explained {
  const blocked = s.d.action === 'do_not_irrigate_salinity';
  const hold = s.d.phase !== 'awd';
  return {
    kind: hold ? 'awd_keep_flooded' : 'awd_irrigate',
    // Critical = act within hours or lose yield: a field gone dry at flowering, or canal water that would
    // salt it. A flowering field still under 2–3 cm of water, or a safe-AWD field at −15 cm, has a day.
    severity: severityOf(rule, blocked || (s.d.phase === 'flowering_hold' && h <= 0) ? 'critical' : 'warning'),
    text: { vi: describe(rule, field, h, s, 'vi'), en: describe(rule, field, h, s, 'en') },
    values: { ...numbers(rule, h, s), phase: s.d.phase, action: s.d.action, salinityBlocked: blocked },
  };
}

function advice(rule: AwdRule, field: FieldInfo, h: number, s: Situation): AdviceDraft {
  const base = { method: 'awd-tube', numbers: numbers(rule, h, s) };
  const t = (vi: string, en: string) => ({ vi: `${fieldLabel(field, 'vi')}: ${vi}`, en: `${fieldLabel(field, 'en')}: ${en}` });
  switch (s.d.action) {
    case 'irrigate': return { ...base, status: 'irrigate', text: explain(rule, field, h, s).text };
    case 'do_not_irrigate_salinity': return { ...base, status: 'do_not_irrigate', text: explain(rule, field, h, s).text };
    case 'hold': return { ...base, status: 'hold', text: t(`giữ nước khoảng ${num(rule.holdTargetCm, 0, 'vi')} cm (mực nước hiện ${num(h, 0, 'vi')} cm)`, `keep about ${num(rule.holdTargetCm, 0, 'en')} cm of standing water (now ${num(h, 0, 'en')} cm)`) };
    case 'drain': return { ...base, status: 'drain', text: t(`còn ${s.cal?.daysToHarvest ?? 0} ngày đến thu hoạch — tháo cạn nước ruộng`, `harvest in ${s.cal?.daysToHarvest ?? 0} days — drain the field`) };
    case 'keep_dry': return { ...base, status: 'ok', text: t('sắp thu hoạch — không bơm nước vào ruộng', 'harvest is near — do not irrigate') };
    case 'wait': return { ...base, status: 'ok', text: t(`mực nước ${num(h, 0, 'vi')} cm — để ruộng khô dần đến ${num(rule.thresholdCm, 0, 'vi')} cm (tưới ngập khô xen kẽ)`, `water level ${num(h, 0, 'en')} cm — let the field dry down to ${num(rule.thresholdCm, 0, 'en')} cm (AWD)`) };
  }
}

export const awd: KindHandler<AwdRule, AwdState> = {
  target: 'field',
  daily: true,
  reach: (_rule, sample) => (sample.values.awd_level !== undefined ? 'own' : undefined),
  evaluate(rule, state, input, now): RuleResult<AwdState> {
    const field = input.field;
    if (!field || input.type === 'tick') return { state: state ?? {} };
    let h = state?.levelCm;
    let at = now;
    if (input.type === 'sample') {
      const x = input.sample.values.awd_level;
      if (x === undefined || (state?.lastTs !== undefined && input.sample.ts <= state.lastTs)) return { state: state ?? {} };
      h = x;
      at = input.sample.ts;
    }
    if (h === undefined) {
      return { state: state ?? {}, advice: { status: 'no_data', method: 'none', numbers: {}, text: { vi: `${fieldLabel(field, 'vi')}: chưa có số liệu ống AWD`, en: `${fieldLabel(field, 'en')}: no AWD tube reading yet` } } };
    }
    const level = h;
    const s = situation(rule, field, level, at, input.farm.water_ec);
    const d = decide(rule, state?.cond, levelOf(rule, level, s), at, () => explain(rule, field, level, s), 'the field has water again');
    const lastTs = input.type === 'sample' ? at : state?.lastTs;
    return { state: { cond: d.cond, lastTs, levelCm: level }, alert: d.alert, advice: advice(rule, field, level, s) };
  },
};
