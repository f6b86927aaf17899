// Number, duration and name formatting for alert and advice texts: Vietnamese with diacritics, decimal
// comma and dot thousands ("1.027 m³", "2,6 ‰"); English with the usual point and comma; a true minus sign.
import { metricSpec, parseMetricKey } from '../core/telemetry/metrics.js';
import { DS_PER_M_PER_PERMIL, type SalinityBasis } from '../core/agronomy/salinity.js';

export type Lang = 'vi' | 'en';

const formatters = new Map<string, Intl.NumberFormat>();

/** `x` rounded to `digits` decimals, localised; negatives with U+2212. */
export function num(x: number, digits: number, lang: Lang): string {
  const key = `${lang}:${digits}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    formatters.set(key, f);
  }
  return f.format(x).replace('-', '−');
}

const CROP_NAMES: Readonly<Record<string, { vi: string; en: string }>> = {
  rice: { vi: 'lúa', en: 'rice' }, coffee: { vi: 'cà phê', en: 'coffee' }, maize: { vi: 'ngô', en: 'maize' },
  tomato: { vi: 'cà chua', en: 'tomato' }, cabbage: { vi: 'bắp cải', en: 'cabbage' }, sweet_pepper: { vi: 'ớt ngọt', en: 'sweet pepper' },
  sugarcane: { vi: 'mía', en: 'sugarcane' }, banana: { vi: 'chuối', en: 'banana' }, black_pepper: { vi: 'hồ tiêu', en: 'black pepper' },
  dragon_fruit: { vi: 'thanh long', en: 'dragon fruit' }, leafy_vegetables: { vi: 'rau ăn lá', en: 'leafy vegetables' },
  durian: { vi: 'sầu riêng', en: 'durian' }, citrus: { vi: 'cây có múi', en: 'citrus' }, mango: { vi: 'xoài', en: 'mango' },
  coconut: { vi: 'dừa', en: 'coconut' }, pomelo: { vi: 'bưởi', en: 'pomelo' }, chili: { vi: 'ớt', en: 'chili' },
};

export function cropName(crop: string, lang: Lang): string {
  return CROP_NAMES[crop]?.[lang] ?? crop.replaceAll('_', ' ');
}

/** "Ruộng 1 (lúa)" / "Ruộng 1 (rice)". */
export function fieldLabel(field: { name: string; crop: string }, lang: Lang): string {
  return `${field.name} (${cropName(field.crop, lang)})`;
}

/** Minutes as a farmer reads them: "45 phút", "2 giờ 10 phút" / "45 min", "2 h 10 min" (never "2.789 phút"). */
export function hoursMinutes(minutes: number, lang: Lang): string {
  const total = Math.max(0, Math.round(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  const [hu, mu] = lang === 'vi' ? ['giờ', 'phút'] : ['h', 'min'];
  if (h === 0) return `${m} ${mu}`;
  return m === 0 ? `${num(h, 0, lang)} ${hu}` : `${num(h, 0, lang)} ${hu} ${m} ${mu}`;
}

/** "45 phút", "3 giờ 30 phút", "2 ngày" / "45 min", "3 h 30 min", "2 days". */
export function duration(ms: number, lang: Lang): string {
  const min = ms / 60_000;
  if (min < 48 * 60) return hoursMinutes(min, lang);
  return lang === 'vi' ? `${num(min / 1440, 1, lang)} ngày` : `${num(min / 1440, 1, lang)} days`;
}

const clockFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'numeric',
});

function localParts(ms: number): Record<string, string> {
  return Object.fromEntries(clockFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
}

/** Local (Asia/Ho_Chi_Minh) time of day: "14:00". */
export function clockTime(ms: number): string {
  const p = localParts(ms);
  return `${p.hour}:${p.minute}`;
}

/** A date as the farmer writes it: "6/12" (day/month), from epoch ms or an ISO date "2026-12-06". */
export function dayMonth(at: number | string): string {
  if (typeof at === 'string') {
    const [, m, d] = at.split('-').map(Number);
    return `${d}/${m}`;
  }
  const p = localParts(at);
  return `${Number(p.day)}/${Number(p.month)}`;
}

/** A metric's label and unit from the catalogue, e.g. {label: "pH nước", unit: "pH"}; depth appended. */
export function metricLabel(metric: string, lang: Lang): { label: string; unit: string } {
  const parsed = parseMetricKey(metric);
  const spec = metricSpec(metric);
  if (!spec || !parsed) return { label: metric, unit: '' };
  const depth = parsed.depthCm === undefined ? '' : lang === 'vi' ? ` ở ${parsed.depthCm} cm` : ` at ${parsed.depthCm} cm`;
  return { label: `${spec.label[lang]}${depth}`, unit: spec.unit };
}

/** "12,5 °C", "87 %", "3,8 pH" → units that read as a prefix-free suffix; pH shown bare. */
export function withUnit(x: number, unit: string, digits: number, lang: Lang): string {
  if (unit === 'pH' || unit === '') return num(x, digits, lang);
  return `${num(x, digits, lang)} ${unit}`;
}

/** "2,6 ‰ (theo TDS g/L)" / "2.6 ‰ (TDS g/L basis)": every ‰ states its basis (docs/agronomy.md §4). */
export function permil(x: number, basis: SalinityBasis, lang: Lang): string {
  const b = basis === 'tds_g_per_l' ? (lang === 'vi' ? 'theo TDS g/L' : 'TDS g/L basis') : (lang === 'vi' ? 'theo PSS-78' : 'PSS-78 basis');
  return `${num(x, 2, lang)} ‰ (${b})`; // two decimals: 2.05 ‰ must not read as the 2 ‰ limit itself
}

/** dS/m per ‰ on a basis, for the values an alert carries. */
export const dsPerMPerPermil = (basis: SalinityBasis): number => DS_PER_M_PER_PERMIL[basis];

/** "khoảng 86 mm (1.027 m³, 57 giờ 10 phút máy bơm)" — the parts that are known. */
export function waterAmount(grossMm: number, volumeM3: number | undefined, pumpMinutes: number | undefined, lang: Lang): string {
  const parts: string[] = [];
  if (volumeM3 !== undefined) parts.push(`${num(volumeM3, 0, lang)} m³`);
  if (pumpMinutes !== undefined) {
    parts.push(lang === 'vi' ? `${hoursMinutes(pumpMinutes, lang)} máy bơm` : `${hoursMinutes(pumpMinutes, lang)} of pumping`);
  }
  const about = lang === 'vi' ? 'khoảng' : 'about';
  return `${about} ${num(grossMm, 0, lang)} mm${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
