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

/** "45 phút", "3 giờ", "2 ngày" / "45 min", "3 h", "2 days". */
export function duration(ms: number, lang: Lang): string {
  const min = ms / 60_000;
  if (min < 120) return lang === 'vi' ? `${num(min, 0, lang)} phút` : `${num(min, 0, lang)} min`;
  const h = min / 60;
  if (h < 48) return lang === 'vi' ? `${num(h, 1, lang)} giờ` : `${num(h, 1, lang)} h`;
  return lang === 'vi' ? `${num(h / 24, 1, lang)} ngày` : `${num(h / 24, 1, lang)} days`;
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

/** "2,6 ‰ (theo TDS g/L)" / "2.6 ‰ (TDS g/L basis)": every ‰ states its basis (agronomy.md §4). */
export function permil(x: number, basis: SalinityBasis, lang: Lang): string {
  const b = basis === 'tds_g_per_l' ? (lang === 'vi' ? 'theo TDS g/L' : 'TDS g/L basis') : (lang === 'vi' ? 'theo PSS-78' : 'PSS-78 basis');
  return `${num(x, 2, lang)} ‰ (${b})`; // two decimals: 2.05 ‰ must not read as the 2 ‰ limit itself
}

/** dS/m per ‰ on a basis, for the values an alert carries. */
export const dsPerMPerPermil = (basis: SalinityBasis): number => DS_PER_M_PER_PERMIL[basis];

/** "khoảng 86 mm (1.027 m³, 57 giờ máy bơm)" — the parts that are known. */
export function waterAmount(grossMm: number, volumeM3: number | undefined, pumpMinutes: number | undefined, lang: Lang): string {
  const parts: string[] = [];
  if (volumeM3 !== undefined) parts.push(`${num(volumeM3, 0, lang)} m³`);
  if (pumpMinutes !== undefined) {
    parts.push(lang === 'vi' ? `${num(pumpMinutes, 0, lang)} phút máy bơm` : `${num(pumpMinutes, 0, lang)} pump minutes`);
  }
  const about = lang === 'vi' ? 'khoảng' : 'about';
  return `${about} ${num(grossMm, 0, lang)} mm${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
