// Temperature stress (agronomy.md §5): rice heat at flowering (Tmax ≥ 35 °C in the ±7-day flowering window),
// coffee radiative frost (air ≤ 2 °C with calm wind; leaves die from −2 °C), both from the farm station's
// readings as they arrive; Vietnamese cold spells from yesterday's daily mean at 05:30 — "rét đậm" ≤ 15 °C,
// "rét hại" ≤ 13 °C — one alert per station.
import { coffeeFrostRisk } from '../../core/agronomy/temperature-stress.js';
import type { ConditionState, Level } from '../condition.js';
import { decide, severityOf, type FieldInfo, type KindHandler, type RuleInput, type RuleResult } from '../evaluation.js';
import { riceCalendar } from '../field-agronomy.js';
import type { RuleOf } from '../rule-schema.js';
import { fieldLabel, num } from '../text-format.js';

interface TempState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
}

const WIND_MAX_AGE_MS = 3_600_000;

/** A field's station air temperature newer than the last one evaluated, or undefined. */
function newAirTemperature(state: TempState | undefined, input: RuleInput): { field: FieldInfo; t: number; ts: number } | undefined {
  if (!input.field || input.type !== 'sample') return undefined;
  const t = input.sample.values.air_temperature;
  const ts = input.sample.ts;
  if (t === undefined || (state?.lastTs !== undefined && ts <= state.lastTs)) return undefined;
  return { field: input.field, t, ts };
}

const stationTemperature = (_r: unknown, sample: { values: Readonly<Record<string, number>> }, device: { kind: string }) =>
  (sample.values.air_temperature !== undefined && device.kind === 'weather_station' ? 'farm' as const : undefined);

export const riceHeat: KindHandler<RuleOf<'rice_heat'>, TempState> = {
  target: 'field',
  reach: stationTemperature,
  evaluate(rule, state, input): RuleResult<TempState> {
    const air = newAirTemperature(state, input);
    if (!air) return { state: state ?? {} };
    const { field, t, ts } = air;
    const cal = riceCalendar(field, ts, rule);
    const inWindow = cal !== undefined && Math.abs(cal.daysFromFlowering) <= rule.windowDays;
    const level: Level = !inWindow ? 'off' : t >= rule.thresholdC ? 'on' : t < rule.thresholdC - rule.hysteresisC ? 'off' : 'band';
    const d = decide(rule, state?.cond, level, ts, () => ({
      kind: 'rice_heat', severity: severityOf(rule, 'warning'),
      text: {
        vi: `${fieldLabel(field, 'vi')}: nắng nóng ${num(t, 1, 'vi')} °C (≥ ${num(rule.thresholdC, 0, 'vi')} °C) đúng thời kỳ trổ bông — lúa dễ lép hạt; giữ nước trong ruộng, không để ruộng khô`,
        en: `${fieldLabel(field, 'en')}: heat ${num(t, 1, 'en')} °C (≥ ${num(rule.thresholdC, 0, 'en')} °C) at flowering — spikelet sterility risk; keep standing water, do not let the field dry`,
      },
      values: { airTemperatureC: t, readingTs: ts, thresholdC: rule.thresholdC, daysFromFlowering: cal?.daysFromFlowering ?? null, floweringDay: cal?.floweringDay ?? null },
    }), 'cooler, or outside the flowering window');
    return { state: { cond: d.cond, lastTs: ts }, alert: d.alert };
  },
};

export const coffeeFrost: KindHandler<RuleOf<'coffee_frost'>, TempState> = {
  target: 'field',
  reach: stationTemperature,
  evaluate(rule, state, input): RuleResult<TempState> {
    const air = newAirTemperature(state, input);
    if (!air) return { state: state ?? {} };
    const { field, t, ts } = air;
    const windReading = input.farm.wind_speed;
    const wind = windReading && Math.abs(windReading.ts - ts) <= WIND_MAX_AGE_MS ? windReading.value : undefined;
    // Sky cover is not measured: a night that cools to the threshold with calm wind is taken as clear [judg].
    const risk = coffeeFrostRisk({ tminC: Math.min(t, rule.thresholdC), clearSky: true, windMs: wind ?? 0 });
    const calm = wind === undefined || wind < rule.calmWindMs;
    const level: Level = t <= rule.thresholdC ? 'on' : t > rule.thresholdC + rule.hysteresisC ? 'off' : 'band';
    const d = decide(rule, state?.cond, level, ts, () => ({
      kind: 'coffee_frost', severity: severityOf(rule, calm || risk.leafDamageLikely ? 'critical' : 'warning'),
      text: {
        vi: `${fieldLabel(field, 'vi')}: nguy cơ sương muối — nhiệt độ ${num(t, 1, 'vi')} °C${wind === undefined ? '' : `, gió ${num(wind, 1, 'vi')} m/s`}; tưới phun hoặc hun khói trước rạng sáng, che phủ cây non`,
        en: `${fieldLabel(field, 'en')}: frost risk — air ${num(t, 1, 'en')} °C${wind === undefined ? '' : `, wind ${num(wind, 1, 'en')} m/s`}; sprinkle or smoke before dawn, cover young plants`,
      },
      values: { airTemperatureC: t, readingTs: ts, windMs: wind ?? null, thresholdC: rule.thresholdC, leafDamageLikely: t <= -2 },
    }), 'warmer than the frost threshold');
    return { state: { cond: d.cond, lastTs: ts }, alert: d.alert };
  },
};

export const coldSpell: KindHandler<RuleOf<'cold_spell'>, TempState & { readonly date?: string }> = {
  target: 'device',
  daily: true,
  reach: () => undefined,
  evaluate(rule, state, input, now): RuleResult<TempState & { readonly date?: string }> {
    const device = input.device;
    if (input.type !== 'daily' || !device || input.weather.stationId !== device.id) return { state: state ?? {} };
    const w = input.weather;
    if (state?.date !== undefined && w.date <= state.date) return { state }; // that day was judged already
    const mean = w.tmeanC;
    const level: Level = mean === null ? 'band' : mean <= rule.retDamC ? 'on' : 'off';
    const severe = mean !== null && mean <= rule.retHaiC;
    const d = decide(rule, state?.cond, level, now, () => {
      const m = mean ?? 0;
      const limit = severe ? rule.retHaiC : rule.retDamC;
      return {
        kind: 'cold_spell', severity: severityOf(rule, severe ? 'critical' : 'warning'),
        text: {
          vi: `${device.name}: ${severe ? 'rét hại' : 'rét đậm'} — nhiệt độ trung bình ngày ${w.date} là ${num(m, 1, 'vi')} °C (≤ ${num(limit, 0, 'vi')} °C); giữ nước ruộng, che phủ mạ và cây non, chưa gieo cấy, không bón đạm khi trời rét`,
          en: `${device.name}: ${severe ? 'severe cold (rét hại)' : 'cold spell (rét đậm)'} — the daily mean of ${w.date} was ${num(m, 1, 'en')} °C (≤ ${num(limit, 0, 'en')} °C); keep water in the fields, cover seedlings, delay sowing and transplanting, hold back nitrogen`,
        },
        values: { date: w.date, tmeanC: m, retDamC: rule.retDamC, retHaiC: rule.retHaiC },
      };
    }, 'daily mean above the cold-spell limit');
    return { state: { cond: d.cond, lastTs: d.cond.lastTs, date: w.date }, alert: d.alert };
  },
};
