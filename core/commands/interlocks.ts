// Server-side interlocks of pump and valve commands (issue 17; docs/irrigation-control.md): pure functions of
// what is known about the field when the command is asked for and again when it is sent. Switching OFF is never
// refused (it is always the safe direction). Switching ON is refused, with the numbers, when:
// - salinity: the farm's latest canal reading is above the crop's limit — a pump draws from the farm's canal and a
//   valve is a canal intake (docs/architecture.md "Pumps and valves"); the limits and the ‰ basis are the canal
//   salinity rule's (core/agronomy/salinity.ts, TDS g/L basis by default: the safer side, docs/agronomy.md §4);
// - max_duration: more minutes than the field's maximum (default 240, the device's own limit);
// - heavy_rain: the forecast (≤ 24 h old) has heavy rain today or tomorrow ("mưa to", ≥ 16 mm in 24 h, the
//   Vietnamese hydro-meteorological service's class) with a probability ≥ 60 %;
// - awd_above_target: a rice field whose AWD tube shows water above the flood target (IRRI safe AWD, +5 cm);
// - pending: the device still has an `on` command waiting for its confirmation;
// - running: the device's last confirmed `on` has minutes left (sentAt + minutes): an off first, or wait.
// Readings older than READING_MAX_AGE_MS are not judged (a dead sensor must not block a farm for ever): the
// check is then skipped and the age is in the numbers of the command.
import { DEFAULT_AWD_CONFIG } from '../agronomy/awd.js';
import { assessWaterForCrop, CROP_SALINITY_LIMITS, DEFAULT_SALINITY_BASIS } from '../agronomy/salinity.js';
import type { Forecast } from '../weather/forecast.js';
import type { CommandAction, CommandValues } from '../registry/commands.js';

/** The device's own limit (wire contract): an `on` above 240 minutes is ignored by the controller. */
export const DEVICE_MAX_MINUTES = 240;
/**
 * The longest run a command may ask for on a field: its own maximum, but never above the platform's
 * (COMMAND_MAX_MINUTES) nor the device's own limit — a field's setting may only lower the maximum.
 */
export function fieldMaxMinutes(fieldMaxRunMin: number | null | undefined, platformMax: number): number {
  return Math.min(fieldMaxRunMin ?? platformMax, platformMax, DEVICE_MAX_MINUTES);
}
/** A canal or AWD reading older than this is not used by an interlock [judg: one tide-day]. */
export const READING_MAX_AGE_MS = 24 * 3_600_000;
/** Heavy rain [judg]: "mưa to" is 16–50 mm in 24 h; counted from this probability, a forecast this fresh, these days. */
export const HEAVY_RAIN = { minMm: 16, minProbabilityPct: 60, maxAgeMs: 24 * 3_600_000, days: 2 } as const;

export type InterlockName = 'salinity' | 'max_duration' | 'heavy_rain' | 'awd_above_target' | 'pending' | 'running';

export interface LatestValue {
  readonly value: number;
  readonly ts: number;
  readonly deviceId: string;
}

export interface InterlockInput {
  readonly action: CommandAction;
  readonly minutes: number | null;
  readonly crop: string;
  /** The field's maximum run time, minutes (≤ DEVICE_MAX_MINUTES). */
  readonly maxMinutes: number;
  /** The newest water_ec (dS/m) of the farm's canal sensors. */
  readonly canalEc?: LatestValue | undefined;
  /** The newest awd_level (cm) of the field's AWD tubes. */
  readonly awdLevel?: LatestValue | undefined;
  readonly forecast?: Forecast | undefined;
  /** Another `on` of the device still waiting for its confirmation. */
  readonly pendingCommandId?: string | undefined;
  /** The device's newest confirmed command when it is an `on` whose minutes are not over yet (runs until `until`). */
  readonly running?: { readonly commandId: string; readonly until: number } | undefined;
  readonly now: number;
}

export interface Refusal {
  readonly interlock: InterlockName;
  readonly text: { readonly vi: string; readonly en: string };
  readonly values: CommandValues;
}

const LOCAL_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh, no daylight saving
const localDay = (t: number): string => new Date(t + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
const fmt = (x: number, digits: number, lang: 'vi' | 'en') => {
  const s = x.toFixed(digits);
  return lang === 'vi' ? s.replace('.', ',') : s;
};
// the crops of the salinity table by their Vietnamese names (as rules/text-format.ts names them in alerts)
const CROP_VI: Readonly<Record<string, string>> = {
  rice: 'lúa', maize: 'ngô', beans: 'đậu', citrus: 'cây có múi', dragon_fruit: 'thanh long', leafy_vegetables: 'rau ăn lá', cabbage: 'bắp cải',
  durian: 'sầu riêng', mangosteen: 'măng cụt', rambutan: 'chôm chôm', tomato: 'cà chua', chili: 'ớt', sweet_pepper: 'ớt ngọt', banana: 'chuối',
  sugarcane: 'mía', pomelo: 'bưởi', mango: 'xoài', coconut: 'dừa',
};
const cropText = (crop: string, lang: 'vi' | 'en') => (lang === 'vi' ? CROP_VI[crop] : undefined) ?? crop.replaceAll('_', ' ');
const fresh = (v: LatestValue | undefined, now: number) => v !== undefined && now - v.ts <= READING_MAX_AGE_MS;

function salinity(i: InterlockInput): Refusal | undefined {
  const crop = i.crop.trim().toLowerCase();
  if (!CROP_SALINITY_LIMITS[crop] || !i.canalEc || !fresh(i.canalEc, i.now)) return undefined;
  const a = assessWaterForCrop(crop, i.canalEc.value, DEFAULT_SALINITY_BASIS);
  if (a.status !== 'do_not_use') return undefined;
  return {
    interlock: 'salinity',
    text: {
      vi: `không lấy nước kênh: độ mặn ${fmt(a.permil, 2, 'vi')} ‰ vượt ngưỡng ${fmt(a.limit.maxPermil, 1, 'vi')} ‰ cho ${cropText(crop, 'vi')}`,
      en: `canal water not taken: salinity ${fmt(a.permil, 2, 'en')} ‰ is above the ${fmt(a.limit.maxPermil, 1, 'en')} ‰ limit for ${cropText(crop, 'en')}`,
    },
    values: {
      canalEcDsPerM: i.canalEc.value, permil: Math.round(a.permil * 1000) / 1000, limitPermil: a.limit.maxPermil, basis: a.basis, crop,
      canalDeviceId: i.canalEc.deviceId, canalReadingTs: i.canalEc.ts,
    },
  };
}

function maxDuration(i: InterlockInput): Refusal | undefined {
  if (i.minutes === null || i.minutes <= i.maxMinutes) return undefined;
  return {
    interlock: 'max_duration',
    text: {
      vi: `thời gian chạy ${i.minutes} phút vượt tối đa ${i.maxMinutes} phút`,
      en: `run time ${i.minutes} min is above the ${i.maxMinutes} min maximum`,
    },
    values: { minutes: i.minutes, maxMinutes: i.maxMinutes },
  };
}

function heavyRain(i: InterlockInput): Refusal | undefined {
  const f = i.forecast;
  if (!f || i.now - f.fetchedAt > HEAVY_RAIN.maxAgeMs) return undefined;
  const first = localDay(i.now);
  const last = localDay(i.now + (HEAVY_RAIN.days - 1) * 86_400_000);
  const day = f.days.find((d) => d.date >= first && d.date <= last
    && (d.precipitationMm ?? 0) >= HEAVY_RAIN.minMm && (d.probabilityPct ?? 0) >= HEAVY_RAIN.minProbabilityPct);
  if (!day) return undefined;
  const when = day.date === first ? { vi: 'hôm nay', en: 'today' } : { vi: 'ngày mai', en: 'tomorrow' };
  return {
    interlock: 'heavy_rain',
    text: {
      vi: `dự báo mưa to ${when.vi}: ~${fmt(day.precipitationMm ?? 0, 0, 'vi')} mm (${day.probabilityPct ?? 0} %)`,
      en: `heavy rain forecast ${when.en}: ~${fmt(day.precipitationMm ?? 0, 0, 'en')} mm (${day.probabilityPct ?? 0} %)`,
    },
    values: {
      forecastDate: day.date, forecastRainMm: day.precipitationMm, forecastProbabilityPct: day.probabilityPct,
      heavyRainMm: HEAVY_RAIN.minMm, forecastAgeH: Math.round(((i.now - f.fetchedAt) / 3_600_000) * 10) / 10,
    },
  };
}

function awdAboveTarget(i: InterlockInput): Refusal | undefined {
  if (i.crop.trim().toLowerCase() !== 'rice' || !i.awdLevel || !fresh(i.awdLevel, i.now)) return undefined;
  const target = DEFAULT_AWD_CONFIG.floodTargetCm;
  if (i.awdLevel.value <= target) return undefined;
  return {
    interlock: 'awd_above_target',
    text: {
      vi: `mực nước ruộng ${fmt(i.awdLevel.value, 1, 'vi')} cm đã trên mức ngập mục tiêu ${target} cm`,
      en: `field water level ${fmt(i.awdLevel.value, 1, 'en')} cm is already above the ${target} cm flood target`,
    },
    values: { awdLevelCm: i.awdLevel.value, targetCm: target, awdDeviceId: i.awdLevel.deviceId, awdReadingTs: i.awdLevel.ts },
  };
}

function pending(i: InterlockInput): Refusal | undefined {
  if (i.pendingCommandId === undefined) return undefined;
  return {
    interlock: 'pending',
    text: {
      vi: `lệnh trước (${i.pendingCommandId}) đang chờ thiết bị xác nhận`,
      en: `the previous command (${i.pendingCommandId}) is still waiting for the device's confirmation`,
    },
    values: { pendingCommandId: i.pendingCommandId },
  };
}

/** An on while the last confirmed on still runs: repeated ons must not extend a run past the maximum. */
function running(i: InterlockInput): Refusal | undefined {
  if (i.running === undefined || i.running.until <= i.now) return undefined;
  const left = Math.ceil((i.running.until - i.now) / 60_000);
  return {
    interlock: 'running',
    text: {
      vi: `thiết bị đang chạy theo lệnh ${i.running.commandId} (còn ${left} phút)`,
      en: `the device is still running command ${i.running.commandId} (${left} min left)`,
    },
    values: { runningCommandId: i.running.commandId, runningUntil: i.running.until, minutesLeft: left },
  };
}

/** Every interlock that refuses the command (empty: it may be sent). An `off` is never refused. */
export function checkInterlocks(i: InterlockInput): Refusal[] {
  if (i.action === 'off') return [];
  return [pending, running, maxDuration, salinity, heavyRain, awdAboveTarget].map((check) => check(i)).filter((r): r is Refusal => r !== undefined);
}

/** One refusal from several: the interlocks' names, both texts joined, all the numbers. */
export function combineRefusals(refusals: readonly Refusal[]): { interlock: string; text: { vi: string; en: string }; values: CommandValues } | undefined {
  if (refusals.length === 0) return undefined;
  return {
    interlock: refusals.map((r) => r.interlock).join(','),
    text: { vi: refusals.map((r) => r.text.vi).join('; '), en: refusals.map((r) => r.text.en).join('; ') },
    values: Object.assign({}, ...refusals.map((r) => r.values)) as CommandValues,
  };
}
