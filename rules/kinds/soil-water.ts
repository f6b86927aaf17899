// The soil-water rule (docs/agronomy.md §2): "irrigate" when root-zone depletion reaches RAW, with the depth in
// mm, the volume for the field's area and the minutes of its pump; postponed when rain covers the deficit;
// resolved once depletion is `hysteresisMm` below RAW (irrigated or rained). Fed by the field's soil
// probes and its farm station's rain as they arrive, and by the daily run (ET0 for p, and the model balance
// of a field without probes). Every evaluation also yields today's advice. Each probe's θ is decided on
// without its daily swing (rules/soil-smoothing.ts): a ±1.5 % diurnal wave neither opens an alert nor
// "refills" the soil in the afternoon.
// Sensor trust (rules/sensor-trust.ts) comes first: suspect channels never reach the depletion; several probes
// are combined per depth by their median (rules/sensor-combine.ts); a depth no trusted probe measures any more
// makes the field fall back to the model balance — from the probes' last trusted depletion — and say so.
// Recorded irrigations (issue 17, core/registry/irrigation-events.ts) feed the model balance: FAO-56 Eq. 85's I is
// the net depth, the depth applied × the rule's application efficiency (the advice's gross = net / efficiency,
// so following it refills to field capacity). An irrigation of a past day reported late goes into the next day
// of the balance; one recorded since the model's last day counts at once, and an irrigate alert resolves at once
// when it brings the depletion `hysteresisMm` under RAW (a report is a fact, not a noisy reading: no clearFor).
// Probes measure the water themselves: a field whose probes speak does not add the recorded irrigation.
// Forecast rain (issue 17, core/weather): an "irrigate" decision is postponed — no alert, a 'postpone' advice
// that says the forecast — when the effective rain forecast for today and tomorrow, counting only days of
// probability ≥ 60 %, brings the depletion `hysteresisMm` under RAW (the level that would resolve the alert).
// A forecast fetched more than 24 h ago never postpones. Once the forecast days are past, the balance runs on
// the measured rain: if the rain did not come, the next evaluation asks to irrigate as usual.
import { effectiveRainMm, runWaterBalance } from '../../core/agronomy/water-balance.js';
import type { Level } from '../condition.js';
import {
  decide, severityOf, type AdviceDraft, type Explained, type FieldInfo, type IrrigationRecord, type KindHandler, type RuleInput, type RuleResult,
} from '../evaluation.js';
import { cropSpec, soilWaterOf } from '../field-agronomy.js';
import { fieldLabel, num, waterAmount, type Lang } from '../text-format.js';
import type { ConditionState } from '../condition.js';
import { rootZone, soilWaterStatus, type DepthReading, type SoilRule, type SoilStatus } from './soil-water-status.js';
import { totalAvailableWaterMm } from '../../core/agronomy/soil.js';
import { combineSoilProbes, probeKey, type ProbeReading, type SoilCombination } from '../sensor-combine.js';
import { DEFAULT_DEPTH_CM, depthOf, isSoilMoisture, type SuspectChannel } from '../sensor-trust.js';
import { localDay, localMidnight } from '../field-agronomy.js';
import type { Forecast } from '../../core/weather/forecast.js';
import { addReading, smoothedTheta, type Bucket } from '../soil-smoothing.js';

export interface SoilWaterState {
  readonly cond?: ConditionState | undefined;
  /** Before issue 15: newest θ per depth of any probe (read once into `probes`). */
  readonly depths?: Readonly<Record<string, DepthReading>> | undefined;
  /** Newest θ per probe and depth (`probeKey`), trusted readings only. */
  readonly probes?: Readonly<Record<string, ProbeReading>> | undefined;
  /** Hourly means of each probe and depth over the last 48 h: θ is decided on without its daily swing. */
  readonly series?: Readonly<Record<string, readonly Bucket[]>> | undefined;
  readonly rain?: readonly (readonly [number, number])[] | undefined;
  readonly drHistory?: readonly (readonly [number, number])[] | undefined;
  /** The model balance at the end of `date`; `irrigated`: ids of the recorded irrigations folded into it. */
  readonly model?: { readonly date: string; readonly drMm: number; readonly irrigated?: readonly string[] | undefined } | undefined;
}

/** The probes of the state, reading a pre-issue-15 state's per-depth readings as one unnamed probe. */
function probesOf(s: SoilWaterState): Record<string, ProbeReading> {
  if (s.probes) return { ...s.probes };
  return Object.fromEntries(Object.entries(s.depths ?? {}).map(([d, r]) => [probeKey('', Number(d)), { deviceId: '', depthCm: Number(d), ...r }]));
}

function absorbSample(s: SoilWaterState, input: Extract<RuleInput, { type: 'sample' }>, keepMs: number): SoilWaterState {
  const { sample } = input;
  const probes = probesOf(s);
  const series = { ...(s.series ?? {}) };
  let rain = [...(s.rain ?? [])];
  for (const [metric, value] of Object.entries(sample.values)) {
    if (isSoilMoisture(metric)) {
      // the engine has already taken suspect channels out of the sample (sensor trust)
      const depthCm = depthOf(metric) ?? DEFAULT_DEPTH_CM;
      const key = probeKey(sample.deviceId, depthCm);
      const prev = probes[key];
      if (!prev || sample.ts > prev.ts) probes[key] = { deviceId: sample.deviceId, depthCm, theta: value, ts: sample.ts };
      if (!prev || sample.ts !== prev.ts) series[key] = addReading(series[key], sample.ts, value);
    } else if (metric === 'rain' && input.device.kind === 'weather_station' && !rain.some(([ts]) => ts === sample.ts)) {
      rain.push([sample.ts, value]); // a report carries the rain since the previous one; a redelivery is not added twice
    }
  }
  rain = rain.filter(([ts]) => ts >= sample.ts - keepMs).sort((a, b) => a[0] - b[0]);
  return { ...s, depths: undefined, probes, series, rain };
}

/** The field's probes combined by depth (median), without suspect channels; θ floored at θWP (Dr ≤ TAW). */
function combined(rule: SoilRule, field: FieldInfo, s: SoilWaterState, suspects: readonly SuspectChannel[], at: number): SoilCombination {
  const soil = soilWaterOf(field, rule);
  // each probe's θ without its daily swing (rules/soil-smoothing.ts, docs/agronomy.md §7)
  const probes = Object.values(probesOf(s)).map((p) => ({ ...p, theta: smoothedTheta(s.series?.[probeKey(p.deviceId, p.depthCm)], p.ts) ?? p.theta }));
  return combineSoilProbes(probes, suspects, at, rule.maxSensorAgeHours * 3_600_000, (soil?.thetaWp ?? 0) * 100);
}

/** Where a field without trusted probes carries on from: the model, or the probes' last trusted depletion if newer. */
function carriedFrom(s: SoilWaterState): { drMm: number; probeTs?: number } | undefined {
  const last = s.drHistory?.at(-1);
  if (last && (!s.model || localDay(last[0]) > s.model.date)) return { drMm: last[1], probeTs: last[0] };
  return s.model && { drMm: s.model.drMm };
}

/** Recorded irrigations not yet in the model: started by `until`, after what the probes last saw. */
function unapplied(s: SoilWaterState, list: readonly IrrigationRecord[] | undefined, until: number, afterTs?: number): IrrigationRecord[] {
  const done = new Set(s.model?.irrigated ?? []);
  return (list ?? []).filter((e) => !done.has(e.id) && e.startAt <= until && (afterTs === undefined || e.startAt > afterTs));
}

/** Net depth into the root zone: the depth applied × the application efficiency (mm). */
const netMm = (rule: SoilRule, events: readonly IrrigationRecord[]) => events.reduce((sum, e) => sum + e.depthMm, 0) * rule.applicationEfficiency;

/**
 * The depletion the model carries now — from the model, or on a fallback from the probes' last trusted depletion
 * if newer — less the net irrigation recorded since (floored at field capacity: the excess drains, Eq. 88).
 */
function currentModelDepletion(
  rule: SoilRule, s: SoilWaterState, list: readonly IrrigationRecord[] | undefined, at: number, fallback: boolean,
): { drMm: number; irrigationMm: number; appliedMm: number } | undefined {
  const from = fallback ? carriedFrom(s) : s.model && { drMm: s.model.drMm };
  if (!from) return undefined;
  const events = unapplied(s, list, at, from.probeTs);
  const irrigationMm = netMm(rule, events);
  return { drMm: Math.max(0, from.drMm - irrigationMm), irrigationMm, appliedMm: events.reduce((sum, e) => sum + e.depthMm, 0) };
}

/** One day of the FAO-56 balance (Eqs. 84–88) for a field without probes; idempotent per date. */
function modelStep(rule: SoilRule, field: FieldInfo, s: SoilWaterState, input: Extract<RuleInput, { type: 'daily' }>, now: number, probesSpeak: boolean): SoilWaterState {
  const w = input.weather;
  const spec = cropSpec(field.crop);
  const soil = soilWaterOf(field, rule);
  const zone = rootZone(rule, field, w.et0Mm, now);
  if (probesSpeak || w.et0Mm === null || !spec?.kc || !field.plantingDate || !soil || zone?.zr === undefined) return s;
  if (s.model && s.model.date >= w.date) return s;
  const tawMm = totalAvailableWaterMm(soil.thetaFc, soil.thetaWp, zone.zr);
  const from = carriedFrom(s);
  // the day's recorded irrigations, and earlier ones reported late (the probes saw those before their last reading)
  const events = unapplied(s, input.irrigations, localMidnight(w.date) + 86_400_000 - 1, from?.probeTs);
  const [day] = runWaterBalance(
    // carries on from the model, else from the probes' last depletion, else from field capacity [judg]
    { crop: spec.id, plantingDate: field.plantingDate, tawMm, depletionFraction: rule.depletionFraction, initialDepletionMm: from?.drMm ?? 0 },
    [{ date: w.date, et0Mm: w.et0Mm, rainMm: w.rainMm ?? 0, irrigationMm: netMm(rule, events) }],
  );
  // keep the ids of the irrigations still in the input's window (older ones can no longer come back)
  const known = new Set((input.irrigations ?? []).map((e) => e.id));
  const irrigated = [...(s.model?.irrigated ?? []).filter((id) => known.has(id)), ...events.map((e) => e.id)];
  return day ? { ...s, model: { date: w.date, drMm: day.drMm, ...(irrigated.length ? { irrigated } : {}) } } : s;
}

/** Forecast rain postpones irrigation only from a day this likely, a forecast this fresh, this far ahead [judg]. */
export const FORECAST_POSTPONE = { minProbabilityPct: 60, maxAgeMs: 24 * 3_600_000, days: 2 } as const;

export interface ForecastRain {
  /** Forecast rain of the counted days, mm, and its effective part (rain < 0.2·ET0 a day evaporates). */
  readonly rainMm: number;
  readonly effectiveMm: number;
  readonly probabilityPct: number;
  /** today | tomorrow | both */
  readonly when: 'today' | 'tomorrow' | 'both';
  readonly ageH: number;
  readonly stale: boolean;
}

/** The forecast rain that postpones today's "irrigate", or undefined when it does not (docs/agronomy.md §2). */
function forecastPostpone(rule: SoilRule, st: SoilStatus | undefined, forecast: Forecast | undefined, at: number): ForecastRain | undefined {
  if (!st || !forecast || st.advice.decision !== 'irrigate') return undefined;
  const age = at - forecast.fetchedAt;
  if (age > FORECAST_POSTPONE.maxAgeMs) return undefined; // a stale forecast never holds irrigation back
  const today = localDay(at);
  const last = localDay(at + (FORECAST_POSTPONE.days - 1) * 86_400_000);
  const counted = forecast.days.filter((d) => d.date >= today && d.date <= last
    && (d.probabilityPct ?? 0) >= FORECAST_POSTPONE.minProbabilityPct && (d.precipitationMm ?? 0) > 0);
  if (counted.length === 0) return undefined;
  const rainMm = counted.reduce((sum, d) => sum + (d.precipitationMm ?? 0), 0);
  // the repo's small-rain rule for measured rain, day by day (core/agronomy/water-balance.ts)
  const effectiveMm = counted.reduce((sum, d) => sum + effectiveRainMm(d.precipitationMm ?? 0, st.et0Mm ?? 0), 0);
  if (st.advice.depletionMm - effectiveMm > st.rawMm - rule.hysteresisMm) return undefined;
  const when = counted.every((d) => d.date === today) ? 'today' : counted.every((d) => d.date !== today) ? 'tomorrow' : 'both';
  return { rainMm, effectiveMm, probabilityPct: Math.max(...counted.map((d) => d.probabilityPct ?? 0)), when, ageH: age / 3_600_000, stale: forecast.stale };
}

function postponedAdvice(field: FieldInfo, st: SoilStatus, f: ForecastRain): AdviceDraft {
  const day = { vi: { today: 'hôm nay', tomorrow: 'ngày mai', both: 'hôm nay và ngày mai' }, en: { today: 'today', tomorrow: 'tomorrow', both: 'today and tomorrow' } };
  const age = (lang: Lang) => (!f.stale ? '' : lang === 'vi' ? ` (dự báo lấy ${num(f.ageH, 0, lang)} giờ trước)` : ` (forecast from ${num(f.ageH, 0, lang)} h ago)`);
  const t = (lang: Lang) => (lang === 'vi'
    ? `${fieldLabel(field, lang)}: dự báo mưa khoảng ${num(f.rainMm, 0, lang)} mm ${day.vi[f.when]} (${num(f.probabilityPct, 0, lang)} %)${age(lang)} — hoãn tưới; mưa sẽ bù độ thiếu hụt ${num(st.advice.depletionMm, 0, lang)} mm (ngưỡng tưới ${num(st.rawMm, 0, lang)} mm). Nếu không mưa, hệ thống sẽ khuyến cáo tưới lại`
    : `${fieldLabel(field, lang)}: rain ~${num(f.rainMm, 0, lang)} mm forecast ${day.en[f.when]} (${num(f.probabilityPct, 0, lang)} %)${age(lang)} — irrigation postponed; the rain covers the ${num(st.advice.depletionMm, 0, lang)} mm depletion (irrigation threshold ${num(st.rawMm, 0, lang)} mm). If it does not rain, the advice asks to irrigate again`);
  return {
    status: 'postpone', method: st.method, text: { vi: t('vi'), en: t('en') },
    numbers: {
      ...numbersOf(st), forecastRainMm: f.rainMm, forecastEffectiveRainMm: f.effectiveMm, forecastProbabilityPct: f.probabilityPct, forecastAgeH: f.ageH,
    },
  };
}

function explainIrrigate(rule: SoilRule, field: FieldInfo, st: SoilStatus): Explained {
  const a = st.advice;
  const text = (lang: Lang) => (lang === 'vi'
    ? `${fieldLabel(field, lang)}: độ thiếu hụt nước vùng rễ ${num(a.depletionMm, 0, lang)} mm đã tới ngưỡng tưới (RAW) ${num(st.rawMm, 0, lang)} mm — tưới hôm nay, ${waterAmount(a.grossMm, a.volumeM3, a.pumpMinutes, lang)}`
    : `${fieldLabel(field, lang)}: root-zone depletion ${num(a.depletionMm, 0, lang)} mm has reached the readily available water (RAW) ${num(st.rawMm, 0, lang)} mm — irrigate today, ${waterAmount(a.grossMm, a.volumeM3, a.pumpMinutes, lang)}`);
  return { kind: 'irrigate', severity: severityOf(rule, 'warning'), text: { vi: text('vi'), en: text('en') }, values: numbersOf(st) };
}

function numbersOf(st: SoilStatus): Record<string, number | null> {
  const a = st.advice;
  return {
    depletionMm: a.depletionMm, sensorDepletionMm: st.drMm, rawMm: st.rawMm, tawMm: st.tawMm, p: st.p, rootDepthM: st.rootDepthM,
    thetaFcPct: st.thetaFc * 100, thetaWpPct: st.thetaWp * 100, netMm: a.netMm, grossMm: a.grossMm,
    volumeM3: a.volumeM3 ?? null, pumpMinutes: a.pumpMinutes ?? null, applicationEfficiency: a.applicationEfficiency,
    rainMm: st.rainMm, rainCreditMm: st.rainCreditMm, et0Mm: st.et0Mm, ...st.depths,
  };
}

/** The status with the irrigation recorded since the model's last day, for the advice's and the alert's numbers. */
function withIrrigation(st: SoilStatus | undefined, model: { irrigationMm: number; appliedMm: number } | undefined): SoilStatus | undefined {
  if (!st || !model || st.method !== 'water-balance') return st;
  return { ...st, depths: { ...st.depths, recordedIrrigationMm: model.appliedMm, recordedIrrigationNetMm: model.irrigationMm } };
}

/** The advice of a model field says the irrigation it counted since its last day, right after the field's name. */
function withRecordedIrrigation(field: FieldInfo, advice: AdviceDraft, st: SoilStatus | undefined): AdviceDraft {
  const applied = st?.depths.recordedIrrigationMm;
  if (!applied) return advice;
  const note = (lang: Lang) => (lang === 'vi' ? `đã ghi tưới ${num(applied, 0, lang)} mm — ` : `${num(applied, 0, lang)} mm of irrigation recorded — `);
  const label = (lang: Lang) => `${fieldLabel(field, lang)}: `;
  const put = (text: string, lang: Lang) => (text.startsWith(label(lang)) ? `${label(lang)}${note(lang)}${text.slice(label(lang).length)}` : text);
  return { ...advice, text: { vi: put(advice.text.vi, 'vi'), en: put(advice.text.en, 'en') } };
}

function adviceOf(rule: SoilRule, field: FieldInfo, st: SoilStatus | undefined): AdviceDraft {
  if (!st) {
    return { status: 'no_data', method: 'none', numbers: {}, text: { vi: `${fieldLabel(field, 'vi')}: chưa đủ dữ liệu độ ẩm đất để khuyến cáo tưới`, en: `${fieldLabel(field, 'en')}: not enough soil-moisture data for irrigation advice` } };
  }
  const a = st.advice;
  const base = { method: st.method, numbers: numbersOf(st) };
  if (a.decision === 'irrigate') return { ...base, status: 'irrigate', text: explainIrrigate(rule, field, st).text };
  if (a.decision === 'postpone_rain') {
    const t = (lang: Lang) => (lang === 'vi'
      ? `${fieldLabel(field, lang)}: mưa ${num(st.rainMm, 0, lang)} mm bù đủ độ thiếu hụt ${num(st.drMm, 0, lang)} mm — hoãn tưới, theo dõi độ ẩm đất`
      : `${fieldLabel(field, lang)}: ${num(st.rainMm, 0, lang)} mm of rain covers the ${num(st.drMm, 0, lang)} mm deficit — postpone irrigation and watch the soil moisture`);
    return { ...base, status: 'postpone', text: { vi: t('vi'), en: t('en') } };
  }
  const t = (lang: Lang) => (lang === 'vi'
    ? `${fieldLabel(field, lang)}: độ thiếu hụt ${num(a.depletionMm, 0, lang)} mm dưới ngưỡng tưới ${num(st.rawMm, 0, lang)} mm — chưa cần tưới`
    : `${fieldLabel(field, lang)}: depletion ${num(a.depletionMm, 0, lang)} mm is below the ${num(st.rawMm, 0, lang)} mm irrigation threshold — no irrigation needed`);
  return { ...base, status: 'ok', text: { vi: t('vi'), en: t('en') } };
}

const depthList = (ds: readonly number[], lang: Lang) => ds.map((d) => `${num(d, 0, lang)} cm`).join(lang === 'vi' ? ', ' : ', ');

/** The advice with the probes' numbers behind it, and — when it fell back — why, in the farmer's words. */
function withProbes(field: FieldInfo, advice: AdviceDraft, probes: SoilCombination): AdviceDraft {
  const numbers = { ...advice.numbers, ...probes.numbers };
  const fb = probes.fallback;
  if (!fb) return { ...advice, numbers };
  const depths = (lang: Lang) => depthList(fb.missingDepthsCm, lang);
  const label = (lang: Lang) => `${fieldLabel(field, lang)}: `;
  const note = {
    vi: `đầu dò ${depths('vi')} có thể hỏng, đã báo kỹ thuật viên — khuyến cáo theo mô hình cân bằng nước (FAO-56), không theo đầu dò`,
    en: `the ${depths('en')} probe reading may be faulty and the technicians are told — advice from the FAO-56 water-balance model, not the probe`,
  };
  const strip = (text: string, lang: Lang) => (text.startsWith(label(lang)) ? text.slice(label(lang).length) : text);
  const text = advice.status === 'no_data'
    ? { vi: `${label('vi')}${note.vi}; chưa đủ dữ liệu để tính`, en: `${label('en')}${note.en}; not enough data for it yet` }
    : { vi: `${label('vi')}${note.vi}: ${strip(advice.text.vi, 'vi')}`, en: `${label('en')}${note.en}: ${strip(advice.text.en, 'en')}` };
  return { ...advice, text, numbers: { ...numbers, sensorFallback: 1, suspectChannels: fb.suspects.length } };
}

function levelOf(rule: SoilRule, st: SoilStatus | undefined, postponed: boolean): Level {
  if (!st) return 'band'; // no data: neither open nor resolve
  if (postponed) return 'off';
  const a = st.advice;
  if (a.decision === 'irrigate') return 'on';
  if (a.decision === 'postpone_rain') return 'off';
  return a.depletionMm <= st.rawMm - rule.hysteresisMm ? 'off' : 'band';
}

export const soilWater: KindHandler<SoilRule, SoilWaterState> = {
  target: 'field',
  daily: true,
  irrigation: true,
  forecast: true,
  reach(_rule, sample, device) {
    if (Object.keys(sample.values).some(isSoilMoisture)) return 'own';
    return sample.values.rain !== undefined && device.kind === 'weather_station' ? 'farm' : undefined;
  },
  evaluate(rule, state, input, now): RuleResult<SoilWaterState> {
    const field = input.field;
    if (!field || input.type === 'tick') return { state: state ?? {} };
    const keepMs = (rule.rainCreditHours + 24) * 3_600_000;
    let s: SoilWaterState = state ?? {};
    if (input.type === 'sample') s = absorbSample(s, input, keepMs);
    const at = input.type === 'sample' ? Math.max(input.sample.ts, s.cond?.lastTs ?? 0) : now;
    const suspects = (input.suspects ?? []).filter((c) => isSoilMoisture(c.metric));
    const probes = combined(rule, field, s, suspects, at);
    if (input.type === 'daily') s = modelStep(rule, field, s, input, now, Object.keys(probes.depths).length > 0);
    const model = currentModelDepletion(rule, s, input.irrigations, at, probes.fallback !== undefined);
    const modelDrMm = model?.drMm;
    const st = withIrrigation(
      soilWaterStatus(rule, field, { depths: probes.depths, rain: s.rain ?? [], drHistory: s.drHistory ?? [], modelDrMm }, input.weather, at), model,
    );
    if (st?.method === 'soil-sensors') {
      s = { ...s, drHistory: [...(s.drHistory ?? []), [at, st.drMm] as const].filter(([ts]) => ts >= at - keepMs) };
    }
    const forecastRain = forecastPostpone(rule, st, input.forecast, at);
    const reason = input.type === 'irrigation' ? 'irrigation recorded: depletion back under RAW'
      : forecastRain ? 'rain forecast covers the deficit: irrigation postponed'
      : probes.fallback ? 'probe not trusted: the model balance is below RAW'
        : st?.advice.decision === 'postpone_rain' ? 'rain covered the deficit' : 'soil refilled below RAW';
    // a recorded irrigation is a fact, not a noisy reading: the alert resolves at once (no clearFor)
    const timing = input.type === 'irrigation' ? { ...rule, clearFor: 0 } : rule;
    const d = decide(timing, s.cond, levelOf(rule, st, forecastRain !== undefined), at, () => (st ? explainIrrigate(rule, field, st) : { kind: 'irrigate', severity: 'warning', text: { vi: '', en: '' }, values: {} }), reason);
    const alert = !st && d.alert?.op === 'update' ? undefined : d.alert; // without data, keep the alert's last numbers
    const advice = st && forecastRain ? postponedAdvice(field, st, forecastRain) : adviceOf(rule, field, st);
    return { state: { ...s, cond: d.cond }, alert, advice: withProbes(field, withRecordedIrrigation(field, advice, st), probes) };
  },
};
