// Temperature stress (docs/agronomy.md §5): rice heat at flowering (Tmax ≥ 35 °C in the ±7-day flowering window),
// coffee radiative frost (air ≤ 2 °C with calm wind; leaves die from −2 °C), both from the farm station's
// readings as they arrive; Vietnamese cold spells from yesterday's daily mean at 05:30 — "rét đậm" ≤ 15 °C,
// "rét hại" ≤ 13 °C — one alert per station. Severity: heat at anthesis is critical (spikelets die within
// hours: act today), frost is critical when the wind is calm; texts carry the day's extreme (the highest
// temperature of the local day, the lowest of the frost night, noon to noon), not the reading that happened to open it.
import { coffeeFrostRisk } from '../../core/agronomy/temperature-stress.js';
import type { ConditionState, Level } from '../condition.js';
import { decide, severityOf, type FieldInfo, type KindHandler, type RuleInput, type RuleResult } from '../evaluation.js';
import { localDay, riceCalendar } from '../field-agronomy.js';
import type { RuleOf } from '../rule-schema.js';
import { dayMonth, fieldLabel, num } from '../text-format.js';

interface TempState {
  readonly cond?: ConditionState | undefined;
  readonly lastTs?: number | undefined;
  /** The extreme of the current local day (heat) or episode (frost): the number the text carries. */
  readonly extreme?: { readonly key: string; readonly c: number } | undefined;
}

/** The running extreme under `key` (a local day, an episode): restarted when the key changes. */
function extremeOf(prev: TempState['extreme'], key: string, t: number, pick: (a: number, b: number) => number): { key: string; c: number } {
  return prev && prev.key === key ? { key, c: pick(prev.c, t) } : { key, c: t };
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
    const dayMax = extremeOf(state?.extreme, localDay(ts), t, Math.max);
    const max = dayMax.c;
    const d = decide(rule, state?.cond, level, ts, () => ({
      // Anthesis above 35 °C sterilises the spikelets open that morning: act within hours (docs/agronomy.md §5).
      kind: 'rice_heat', severity: severityOf(rule, 'critical'),
      text: {
        vi: `${fieldLabel(field, 'vi')}: nắng nóng, cao nhất hôm nay ${num(max, 1, 'vi')} °C (ngưỡng ${num(rule.thresholdC, 0, 'vi')} °C) đúng thời kỳ trổ bông — lúa dễ lép hạt; giữ nước trong ruộng, không để ruộng khô`,
        en: `${fieldLabel(field, 'en')}: heat, today's high ${num(max, 1, 'en')} °C (limit ${num(rule.thresholdC, 0, 'en')} °C) at flowering — spikelet sterility risk; keep standing water, do not let the field dry`,
      },
      values: { airTemperatureC: t, dayMaxC: max, readingTs: ts, thresholdC: rule.thresholdC, daysFromFlowering: cal?.daysFromFlowering ?? null, floweringDay: cal?.floweringDay ?? null },
    }), 'cooler, or outside the flowering window');
    return { state: { cond: d.cond, lastTs: ts, extreme: dayMax }, alert: d.alert };
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
    // The night's lowest: a frost night runs noon to noon, named by its morning's local date.
    const night = extremeOf(state?.extreme, localDay(ts + 12 * 3_600_000), t, Math.min);
    const min = night.c;
    const d = decide(rule, state?.cond, level, ts, () => ({
      kind: 'coffee_frost', severity: severityOf(rule, calm || risk.leafDamageLikely ? 'critical' : 'warning'),
      text: {
        vi: `${fieldLabel(field, 'vi')}: nguy cơ sương muối — nhiệt độ thấp nhất ${num(min, 1, 'vi')} °C${wind === undefined ? '' : `, gió ${num(wind, 1, 'vi')} m/s`}; tưới phun hoặc hun khói trước rạng sáng, che phủ cây non`,
        en: `${fieldLabel(field, 'en')}: frost risk — air down to ${num(min, 1, 'en')} °C${wind === undefined ? '' : `, wind ${num(wind, 1, 'en')} m/s`}; sprinkle or smoke before dawn, cover young plants`,
      },
      values: { airTemperatureC: t, nightMinC: min, readingTs: ts, windMs: wind ?? null, thresholdC: rule.thresholdC, leafDamageLikely: min <= -2 },
    }), 'warmer than the frost threshold');
    return { state: { cond: d.cond, lastTs: ts, extreme: night }, alert: d.alert };
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
          vi: `${device.name}: ${severe ? 'rét hại' : 'rét đậm'} — nhiệt độ trung bình ngày ${dayMonth(w.date)} là ${num(m, 1, 'vi')} °C (≤ ${num(limit, 0, 'vi')} °C); giữ nước ruộng, che phủ mạ và cây non, chưa gieo cấy, không bón đạm khi trời rét`,
          en: `${device.name}: ${severe ? 'severe cold (rét hại)' : 'cold spell (rét đậm)'} — the daily mean of ${dayMonth(w.date)} was ${num(m, 1, 'en')} °C (≤ ${num(limit, 0, 'en')} °C); keep water in the fields, cover seedlings, delay sowing and transplanting, hold back nitrogen`,
        },
        values: { date: w.date, tmeanC: m, tminC: w.tminC, retDamC: rule.retDamC, retHaiC: rule.retHaiC, severe, coldType: severe ? 'ret_hai' : 'ret_dam' },
      };
    }, 'daily mean above the cold-spell limit');
    return { state: { cond: d.cond, lastTs: d.cond.lastTs, date: w.date }, alert: d.alert };
  },
};
