// The season's water account as CSV (issue 17; docs/water-account.md): RFC 4180 like api/csv-export.ts (comma,
// CRLF, text cells through csvText), one header row, one row per local day, then one total row. Numbers are
// written with a decimal point and at most 2 decimals; an unknown value is an empty cell (never 0). `lang=en`
// (default) names the columns in snake_case as readings.csv does; `lang=vi` in Vietnamese, and then the file
// starts with a UTF-8 byte-order mark so a spreadsheet opens the accents right.
import type { WaterAccountDay, WaterAccountTotals } from '../core/agronomy/water-account.js';
import { csvText } from './csv-export.js';

export type CsvLang = 'en' | 'vi';

const COLUMNS = {
  en: ['date', 'irrigations', 'irrigation_mm', 'irrigation_m3', 'pump_hours', 'rain_mm', 'et0_mm', 'crop_et_mm', 'irrigations_advised'],
  vi: ['Ngày', 'Số lần tưới', 'Lượng tưới (mm)', 'Lượng tưới (m³)', 'Giờ bơm', 'Mưa (mm)', 'ET0 (mm)', 'ET cây trồng (mm)', 'Số lần khuyến nghị tưới'],
} as const;
const TOTAL = { en: 'total', vi: 'Tổng' } as const;
const BOM = '\uFEFF';

const num = (x: number | null): string => (x === null ? '' : String(Math.round(x * 100) / 100));

function row(first: string, d: Omit<WaterAccountDay, 'date' | 'kc'>): string {
  return [csvText(first), String(d.irrigations), num(d.irrigationMm), num(d.irrigationM3), num(d.pumpHours), num(d.rainMm),
    num(d.et0Mm), num(d.etcMm), num(d.advised)].join(',');
}

/** The whole file (a season is at most 366 rows): header, days, total. */
export function waterAccountCsv(days: readonly WaterAccountDay[], totals: WaterAccountTotals, lang: CsvLang): string {
  const lines = [COLUMNS[lang].map(csvText).join(',')];
  for (const d of days) lines.push(row(d.date, d));
  lines.push(row(TOTAL[lang], {
    irrigations: totals.irrigations, irrigationMm: totals.irrigationMm, irrigationM3: totals.irrigationM3, pumpHours: totals.pumpHours,
    // a total over days with data; no data on any day stays unknown
    rainMm: totals.rainDays > 0 ? totals.rainMm : null, et0Mm: totals.et0Days > 0 ? totals.et0Mm : null,
    etcMm: totals.etDays > 0 ? totals.etcMm : null, advised: totals.advised,
  }));
  return `${lang === 'vi' ? BOM : ''}${lines.join('\r\n')}\r\n`;
}
