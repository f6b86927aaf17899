// Alert wording per kind, in Vietnamese (with diacritics) and English, filled with the alert's numbers
// (the `values` the rules engine attaches, rules/kinds/*). The engine already gives every alert its full
// text {vi, en}; these templates make the short title and detail of a Zalo template field or an e-mail
// (the SMS form, action first and within its segment budget, is core/alerts/notification-sms.ts). A kind without a detail template, or an alert missing a number the template
// needs, uses the alert's own text (without its leading field label) as the detail.
import { metricSpec } from '../telemetry/metrics.js';
import type { AlertEventName, Language, NotifiableAlert, Severity } from './notification-types.js';

export interface Wording {
  /** A few words: "Độ mặn kênh cao". */
  readonly title: string;
  /** One sentence with the numbers, or undefined to use the alert's text. */
  readonly detail: string;
}

type Values = Readonly<Record<string, unknown>>;
type Fmt = (key: string, digits?: number) => string | undefined;
type Detail = (f: Fmt, v: Values, lang: Language) => string | undefined;

const TITLES: Readonly<Record<string, { vi: string; en: string }>> = {
  irrigate: { vi: 'Cần tưới', en: 'Irrigation needed' },
  awd_irrigate: { vi: 'Ruộng cạn, cần bơm nước', en: 'Field dry, pump water in' },
  awd_keep_flooded: { vi: 'Giữ nước ruộng', en: 'Keep the field flooded' },
  canal_salinity: { vi: 'Độ mặn kênh cao', en: 'Canal salinity high' },
  salinity: { vi: 'Độ mặn kênh cao', en: 'Canal salinity high' },
  rice_heat: { vi: 'Nắng nóng lúc lúa trổ', en: 'Heat at rice flowering' },
  cold_spell: { vi: 'Rét đậm', en: 'Cold spell' },
  coffee_frost: { vi: 'Nguy cơ sương muối', en: 'Frost risk' },
  threshold: { vi: 'Vượt ngưỡng', en: 'Threshold crossed' },
  rate_of_change: { vi: 'Thay đổi bất thường', en: 'Abnormal change' },
  sensor_stuck: { vi: 'Cảm biến đứng số', en: 'Sensor stuck' },
  battery_low: { vi: 'Pin thiết bị yếu', en: 'Device battery low' },
  device_offline: { vi: 'Thiết bị mất liên lạc', en: 'Device offline' },
};

/** Rét hại (daily mean ≤ 13 °C, agronomy.md §5) is not rét đậm (≤ 15 °C). */
const SEVERE_COLD = { vi: 'Rét hại', en: 'Severe cold' } as const;

const metricLabel = (v: Values, lang: Language) => (typeof v.metric === 'string' ? metricSpec(v.metric)?.label[lang] : undefined);
const metricUnit = (v: Values) => (typeof v.metric === 'string' ? metricSpec(v.metric)?.unit : undefined);
const withUnit = (x: string | undefined, unit: string | undefined) => (x === undefined ? undefined : unit && unit !== 'pH' ? `${x} ${unit}` : x);

const DETAILS: Readonly<Record<string, Detail>> = {
  irrigate: (f, v, l) => {
    const mm = f('grossMm', 0);
    if (!mm) return undefined;
    const m3 = f('volumeM3', 0);
    const min = f('pumpMinutes', 0);
    const pump = min && typeof v.pumpMinutes === 'number' ? hoursMinutes(v.pumpMinutes, l) : undefined;
    const extra = [m3 && `~${m3} m³`, pump && (l === 'vi' ? `bơm ${pump}` : `${pump} of pumping`)].filter(Boolean).join(', ');
    return `${l === 'vi' ? 'tưới khoảng' : 'irrigate about'} ${mm} mm${extra ? ` (${extra})` : ''}`;
  },
  awd_irrigate: (f, v, l) => {
    const level = f('levelCm', 0);
    const limit = f('thresholdCm', 0);
    if (!level || !limit) return undefined;
    const base = l === 'vi' ? `mực nước ống ${level} cm, ngưỡng ${limit} cm` : `tube level ${level} cm, threshold ${limit} cm`;
    const salt = f('canalPermil', 1);
    if (v.salinityBlocked === true && salt) return `${base} — ${l === 'vi' ? `KHÔNG lấy nước kênh, độ mặn ${salt} ‰` : `do NOT take canal water, salinity ${salt} ‰`}`;
    const mm = f('depthMm', 0);
    return mm ? `${base} — ${l === 'vi' ? `bơm vào ~${mm} mm` : `pump in ~${mm} mm`}` : base;
  },
  threshold: (f, v, l) => {
    const reading = withUnit(f('reading'), metricUnit(v));
    const limit = withUnit(f('threshold'), metricUnit(v));
    const name = metricLabel(v, l);
    return reading && limit && name ? `${name} ${reading} (${l === 'vi' ? 'ngưỡng' : 'threshold'} ${limit})` : undefined;
  },
  battery_low: (f, _v, l) => {
    const pct = f('reading', 0);
    return pct ? (l === 'vi' ? `pin còn ${pct} % — thay hoặc sạc pin` : `battery at ${pct} % — replace or charge it`) : undefined;
  },
  device_offline: (_f, v, l) => {
    const silent = typeof v.silentMs === 'number' ? hoursMinutes(v.silentMs / 60_000, l) : undefined;
    return silent ? (l === 'vi' ? `không có số liệu ${silent} — kiểm tra nguồn và sóng` : `no data for ${silent} — check power and signal`) : undefined;
  },
};

/** Minutes as a farmer reads them: "45 phút", "2 giờ 10 phút" / "45 min", "2 h 10 min" — never "2.789 phút". */
export function hoursMinutes(minutes: number, language: Language): string {
  const total = Math.max(0, Math.round(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  const [hu, mu] = language === 'vi' ? ['giờ', 'phút'] : ['h', 'min'];
  if (h === 0) return `${m} ${mu}`;
  return m === 0 ? `${formatNumber(h, language, 0)} ${hu}` : `${formatNumber(h, language, 0)} ${hu} ${m} ${mu}`;
}

export function formatNumber(value: number, language: Language, digits = 1): string {
  return new Intl.NumberFormat(language === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: digits }).format(value).replace('-', '−');
}

/** The alert's own text without a leading "Ruộng 1 (lúa): " — the message already names the place. */
function ownText(alert: NotifiableAlert, language: Language): string {
  const text = alert.text[language] || alert.text.vi;
  const colon = text.indexOf(': ');
  return colon > 0 && colon < 40 ? text.slice(colon + 2) : text;
}

/** Title and detail for one alert in one language. */
export function wordAlert(alert: NotifiableAlert, language: Language): Wording {
  const severeCold = alert.kind === 'cold_spell' && (alert.values.severe === true || alert.severity === 'critical');
  const title = severeCold ? SEVERE_COLD[language] : TITLES[alert.kind]?.[language] ?? fallbackTitle[language][alert.severity];
  const fmt: Fmt = (key, digits = 1) => {
    const v = alert.values[key];
    return typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, language, digits) : undefined;
  };
  const detail = DETAILS[alert.kind]?.(fmt, alert.values, language) ?? ownText(alert, language);
  return { title, detail };
}

const fallbackTitle: Record<Language, Record<Severity, string>> = {
  vi: { info: 'Thông báo', warning: 'Cảnh báo', critical: 'Cảnh báo khẩn' },
  en: { info: 'Notice', warning: 'Warning', critical: 'Critical alert' },
};

export const severityWord: Record<Language, Record<Severity, string>> = {
  vi: { info: 'Thông tin', warning: 'Cảnh báo', critical: 'KHẨN' },
  en: { info: 'Info', warning: 'Warning', critical: 'CRITICAL' },
};

/** The event as a prefix: the severity for a new alert, "Đã hết" for a resolved one, … */
export const eventWord: Record<Language, Record<AlertEventName, string>> = {
  vi: { opened: '', acknowledged: 'Đã tiếp nhận', resolved: 'Đã hết', escalated: 'Chưa ai xử lý' },
  en: { opened: '', acknowledged: 'Acknowledged', resolved: 'Resolved', escalated: 'Not acknowledged' },
};

/** "3 cảnh báo khác hôm nay" / "3 more alerts today". */
export function digestHeadline(count: number, language: Language): string {
  return language === 'vi' ? `${count} cảnh báo khác hôm nay` : `${count} more alert${count === 1 ? '' : 's'} today`;
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit',
});
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local time (Asia/Ho_Chi_Minh) as a farmer writes it: "08:30 10/3" / "08:30, 10 Mar". */
export function localTime(ms: number, language: Language): string {
  const p = Object.fromEntries(partsFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const hm = `${p.hour}:${p.minute}`;
  return language === 'vi' ? `${hm} ${Number(p.day)}/${Number(p.month)}` : `${hm}, ${Number(p.day)} ${MONTHS[Number(p.month) - 1]}`;
}
