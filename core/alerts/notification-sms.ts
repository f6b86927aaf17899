// The SMS form of an alert (issue 15, "SMS"; agronomy.md §7): read on a feature phone, so the action comes
// first, then the amount and the field — "Tưới Ruộng 3 hôm nay 25 mm (~2 giờ 10 phút bơm)" — and it fits the
// budget whole instead of being cut: ONE segment for a critical alert (70 UCS-2 characters with accents,
// 160 GSM-7 septets unaccented), at most two otherwise (134 / 306). Each kind gives a head (action, place,
// the deciding number) and optional extras in order of worth; extras are added while they fit, then the
// place name is shortened; only a text that still does not fit is cut (fitSms). Numbers with a decimal
// comma in Vietnamese, durations in hours and minutes, dates as the farmer writes them (6/12).
import { metricSpec } from '../telemetry/metrics.js';
import { countSms, fitSms, unaccent } from './notification-gsm.js';
import { formatNumber, hoursMinutes } from './notification-templates.js';
import type { Language, NotifiableAlert, Severity } from './notification-types.js';

export interface SmsForm {
  /** The action, the place and the number that decides it: always sent. */
  readonly head: string;
  /** Further detail in order of worth, each starting with its separator (", …", " (…)"). */
  readonly extras: readonly string[];
}

type Values = Readonly<Record<string, unknown>>;
type Form = (p: string, v: Values, l: Language, n: (key: string, digits?: number) => string | undefined) => SmsForm | undefined;

/** Segments an SMS may take: one for a critical alert, two otherwise. */
export const smsBudget = (severity: Severity): number => (severity === 'critical' ? 1 : 2);

const isVi = (l: Language) => l === 'vi';
const dayMonth = (iso: unknown) => {
  if (typeof iso !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(iso)) return undefined;
  const [, m, d] = iso.split('-').map(Number);
  return `${d}/${m}`;
};
const clock = (ms: unknown) => {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
};
const opt = (cond: unknown, text: string): string[] => (cond === undefined || cond === false || cond === '' ? [] : [text]);

const FORMS: Readonly<Record<string, Form>> = {
  irrigate: (p, v, l, n) => {
    const mm = n('grossMm', 0);
    if (!mm) return undefined;
    const pump = typeof v.pumpMinutes === 'number' ? hoursMinutes(v.pumpMinutes, l) : undefined;
    const m3 = n('volumeM3', 0);
    return {
      head: isVi(l) ? `Tưới ${p} hôm nay ${mm} mm` : `Irrigate ${p} today ${mm} mm`,
      extras: [...opt(pump, isVi(l) ? ` (~${pump} bơm)` : ` (~${pump} pumping)`), ...opt(m3, ` ~${m3} m³`)],
    };
  },
  awd_irrigate: (p, v, l, n) => {
    const level = n('levelCm', 0);
    if (!level) return undefined;
    const salt = n('canalPermil', 2);
    if (v.salinityBlocked === true && salt) {
      return {
        head: isVi(l) ? `KHÔNG lấy nước kênh vào ${p}: mặn ${salt}‰` : `Do NOT take canal water for ${p}: salinity ${salt}‰`,
        extras: [isVi(l) ? `, ruộng ${level} cm` : `, field at ${level} cm`, isVi(l) ? ', dùng nước ngọt dự trữ' : ', use stored fresh water'],
      };
    }
    const mm = n('depthMm', 0);
    const pump = typeof v.pumpMinutes === 'number' ? hoursMinutes(v.pumpMinutes, l) : undefined;
    return {
      head: isVi(l) ? `Bơm nước vào ${p}${mm ? ` ~${mm} mm` : ''}` : `Pump water into ${p}${mm ? ` ~${mm} mm` : ''}`,
      extras: [...opt(pump, isVi(l) ? ` (~${pump} bơm)` : ` (~${pump} pumping)`), isVi(l) ? `, nước ống ${level} cm` : `, tube at ${level} cm`],
    };
  },
  awd_keep_flooded: (p, v, l, n) => {
    const level = n('levelCm', 0);
    const target = n('targetCm', 0) ?? '5';
    if (!level) return undefined;
    const mm = n('depthMm', 0);
    const why = v.phase === 'flowering_hold' ? (isVi(l) ? ', lúa đang trổ' : ', rice flowering') : (isVi(l) ? ', lúa mới cấy' : ', young rice');
    return {
      head: isVi(l) ? `Bơm thêm nước ${p}${mm ? ` ~${mm} mm` : ''}, giữ ${target} cm` : `Top up ${p}${mm ? ` ~${mm} mm` : ''}, keep ${target} cm`,
      extras: [isVi(l) ? ` (đang ${level} cm)` : ` (now ${level} cm)`, why],
    };
  },
  canal_salinity: (p, v, l, n) => {
    const x = n('permil', 2);
    const limit = n('limitPermil', 1);
    if (!x || !limit) return undefined;
    const fresh = clock(v.expectedFreshAt);
    const max = n('dayMaxPermil', 1);
    return {
      head: isVi(l) ? `KHÔNG lấy nước kênh vào ${p}: mặn ${x}‰>${limit}‰` : `Do NOT take canal water for ${p}: ${x}‰>${limit}‰`,
      extras: [...opt(fresh, isVi(l) ? `, chờ ~${fresh}` : `, wait ~${fresh}`), ...opt(max && max !== x, isVi(l) ? `, đỉnh ${max}‰` : `, peak ${max}‰`)],
    };
  },
  rice_heat: (p, _v, l, n) => {
    const max = n('dayMaxC', 1) ?? n('airTemperatureC', 1);
    if (!max) return undefined;
    return { head: isVi(l) ? `Giữ nước ${p}: nóng ${max}°C lúc lúa trổ` : `Keep water in ${p}: ${max}°C at flowering`, extras: [isVi(l) ? ', dễ lép hạt' : ', sterility risk'] };
  },
  coffee_frost: (p, v, l, n) => {
    const min = n('nightMinC', 1) ?? n('airTemperatureC', 1);
    if (!min) return undefined;
    const wind = n('windMs', 1);
    return {
      head: isVi(l) ? `Tưới phun, hun khói ${p} trước sáng: ${min}°C` : `Sprinkle or smoke ${p} before dawn: ${min}°C`,
      extras: [...opt(wind && v.windMs !== null, isVi(l) ? `, gió ${wind} m/s` : `, wind ${wind} m/s`), isVi(l) ? ', sương muối' : ', frost'],
    };
  },
  cold_spell: (p, v, l, n) => {
    const t = n('tmeanC', 1);
    const date = dayMonth(v.date);
    if (!t || !date) return undefined;
    const hai = v.severe === true || (typeof v.tmeanC === 'number' && typeof v.retHaiC === 'number' && v.tmeanC <= v.retHaiC);
    const name = isVi(l) ? (hai ? 'Rét hại' : 'Rét đậm') : (hai ? 'Severe cold' : 'Cold spell');
    return {
      head: isVi(l) ? `${name} ${date} (TB ${t}°C): giữ nước ruộng, che mạ` : `${name} ${date} (mean ${t}°C): keep fields flooded, cover seedlings`,
      extras: [...opt(p, ` (${p})`), isVi(l) ? ', chưa cấy, không bón đạm' : ', delay transplanting and nitrogen'],
    };
  },
  threshold: (p, v, l, n) => {
    const spec = typeof v.metric === 'string' ? metricSpec(v.metric) : undefined;
    const x = n('reading', 2);
    const limit = n('threshold', 2);
    if (!spec || !x || !limit) return undefined;
    const unit = spec.unit && spec.unit !== 'pH' ? ` ${spec.unit}` : '';
    const reading = `${spec.label[l]} ${x}${unit}`;
    if (v.metric === 'water_ph') {
      return { head: isVi(l) ? `Không lấy nước kênh vào ${p}: phèn, pH ${x}` : `Keep canal water out of ${p}: acid, pH ${x}`, extras: [isVi(l) ? ` (ngưỡng ${limit})` : ` (limit ${limit})`] };
    }
    return { head: isVi(l) ? `Kiểm tra ${p}: ${reading}` : `Check ${p}: ${reading}`, extras: [isVi(l) ? ` (ngưỡng ${limit}${unit})` : ` (limit ${limit}${unit})`] };
  },
  rate_of_change: (p, v, l, n) => {
    const change = typeof v.change === 'number' ? formatNumber(Math.abs(v.change), l, 1) : undefined;
    const per = typeof v.windowMs === 'number' ? hoursMinutes(v.windowMs / 60_000, l) : undefined;
    if (!change || !per) return undefined;
    const awd = v.metric === 'awd_level';
    return {
      head: awd ? (isVi(l) ? `Kiểm tra bờ, cống ${p}: nước rút ${change} cm/${per}` : `Check bunds and outlet of ${p}: −${change} cm in ${per}`)
        : (isVi(l) ? `Kiểm tra ${p}: đổi ${change} trong ${per}` : `Check ${p}: changed ${change} in ${per}`),
      extras: [...opt(n('threshold', 1), isVi(l) ? ` (ngưỡng ${n('threshold', 1)})` : ` (limit ${n('threshold', 1)})`)],
    };
  },
  sensor_stuck: (p, v, l) => {
    const spec = typeof v.metric === 'string' ? metricSpec(v.metric) : undefined;
    const long = typeof v.stuckForMs === 'number' ? hoursMinutes(v.stuckForMs / 60_000, l) : undefined;
    if (!spec || !long) return undefined;
    return { head: isVi(l) ? `Kiểm tra cảm biến ${p}: ${spec.label[l]} đứng số ${long}` : `Check the sensor at ${p}: ${spec.label[l]} stuck for ${long}`, extras: [] };
  },
  battery_low: (p, _v, l, n) => {
    const pct = n('reading', 0);
    return pct ? { head: isVi(l) ? `Thay hoặc sạc pin thiết bị ${p}: còn ${pct} %` : `Replace or charge the battery at ${p}: ${pct} %`, extras: [] } : undefined;
  },
  device_offline: (p, v, l) => {
    const silent = typeof v.silentMs === 'number' ? hoursMinutes(v.silentMs / 60_000, l) : undefined;
    return silent ? { head: isVi(l) ? `Kiểm tra nguồn, sóng thiết bị ${p}: mất tín hiệu ${silent}` : `Check power and signal at ${p}: silent for ${silent}`, extras: [] } : undefined;
  },
  sensor_suspect: (p, v, l, n) => {
    const depth = n('depthCm', 0);
    const why = SUSPECT[String(v.reason)]?.[l];
    return {
      head: isVi(l) ? `Kiểm tra đầu dò${depth ? ` ${depth} cm` : ''} ở ${p}: có thể hỏng` : `Check the${depth ? ` ${depth} cm` : ''} probe at ${p}: may be broken`,
      extras: [...opt(why, ` (${why})`), isVi(l) ? ', đã loại khỏi khuyến cáo tưới' : ', left out of the advice'],
    };
  },
  station_day_incomplete: (p, v, l) => {
    const date = dayMonth(v.date);
    const pct = typeof v.coverage === 'number' ? formatNumber(v.coverage * 100, l, 0) : undefined;
    if (!date) return undefined;
    return {
      head: isVi(l) ? `Kiểm tra trạm thời tiết ${p}: ngày ${date} thiếu số liệu` : `Check the weather station at ${p}: ${date} incomplete`,
      extras: [...opt(pct, isVi(l) ? ` (${pct} %)` : ` (${pct} %)`), isVi(l) ? ', không tính ET0 ngày này' : ', no ET0 from that day'],
    };
  },
};

/** Why a probe channel is suspect (rules/sensor-trust.ts reasons), in a few words. */
const SUSPECT: Readonly<Record<string, { vi: string; en: string }>> = {
  dead: { vi: 'đọc 0 %', en: 'reads 0 %' }, below_dry: { vi: 'khô hơn đất có thể', en: 'drier than the soil can be' },
  above_saturation: { vi: 'quá bão hòa', en: 'above saturation' }, stuck: { vi: 'đứng số', en: 'stuck' },
  silent: { vi: 'không gửi số liệu', en: 'silent' },
};

// A threshold rule names its alert kind (`alertKind`): acid-sulfate water is the default one.
const ALIASES: Readonly<Record<string, string>> = { acid_water: 'threshold', canal_low: 'threshold', salinity: 'canal_salinity' };

/** The kinds with a written SMS form (every other kind: its place and its own text, fitted). */
export const SMS_KINDS = [...Object.keys(FORMS), ...Object.keys(ALIASES)];

/** The alert's short SMS form in one language, or undefined when a number it needs is missing. */
export function smsForm(alert: NotifiableAlert, place: string, language: Language): SmsForm | undefined {
  const n = (key: string, digits = 1) => {
    const v = alert.values[key];
    return typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, language, digits) : undefined;
  };
  return FORMS[ALIASES[alert.kind] ?? alert.kind]?.(place, alert.values, language, n);
}

/** The text as sent: accents kept or removed, in the encoding a handset will use. */
const asSent = (text: string, plain: boolean) => (plain ? unaccent(text) : text.normalize('NFC'));

/**
 * The longest text made of the form that fits `segments`: the head, then each extra that still fits; if
 * the head alone is too long, the place name is shortened; as a last resort the text is cut (fitSms).
 */
export function fitForm(prefix: string, form: SmsForm, place: string, segments: number, plain: boolean): string {
  const fits = (t: string) => countSms(asSent(t, plain)).segments <= segments;
  let head = `${prefix}${form.head}`;
  if (!fits(head) && place.length > 8) {
    const chars = [...place];
    while (chars.length > 8 && !fits(head)) {
      chars.pop();
      head = `${prefix}${form.head.replace(place, `${chars.join('').trimEnd()}…`)}`;
    }
  }
  if (!fits(head)) return fitSms(asSent(head, plain), segments);
  let text = head;
  for (const extra of form.extras) if (fits(text + extra)) text += extra;
  return asSent(text, plain);
}
