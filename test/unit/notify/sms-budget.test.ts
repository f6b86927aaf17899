// Every SMS within its segment budget (issue 15, "SMS"): each alert kind the rules engine raises, with the
// numbers it really attaches at their longest and the longest real place names, rendered in Vietnamese,
// unaccented Vietnamese (GSM-7) and English — one segment for a critical alert, at most two otherwise; the
// action comes first and is never cut; ≥ ± ≤ ‰ become ASCII, not "?"; durations in hours and minutes; dates
// as d/m. The project's counter is checked against an independent count of the standard (3GPP TS 23.038 /
// 23.040: GSM-7 160 septets or 153 per concatenated part, extension characters 2; UCS-2 70 or 67).
import { describe, expect, it } from 'vitest';
import { countSms } from '../../../core/alerts/notification-gsm.js';
import { renderSms } from '../../../core/alerts/notification-render.js';
import { SMS_KINDS, smsBudget } from '../../../core/alerts/notification-sms.js';
import type { AlertChange, NotifiableAlert, Severity } from '../../../core/alerts/notification-types.js';
import { alertOn } from './fixtures.js';

const T = Date.parse('2026-12-06T07:00:00Z'); // 14:00 in Vietnam
/** The demo's longest field name, and a long one as farmers name their fields. */
const NAMES = ['Lô cà phê A', 'Ruộng Bờ Kênh Xáng Ông Tư'];

/** Each kind as the engine raises it: severity and values at their longest realistic. */
const CASES: { name: string; kind: string; severity: Severity; values: Record<string, unknown>; action: { vi: RegExp; en: RegExp } }[] = [
  { name: 'irrigate', kind: 'irrigate', severity: 'warning', values: { grossMm: 1234.4, netMm: 925.8, volumeM3: 12_345.6, pumpMinutes: 5999.4, depletionMm: 925.8, rawMm: 50.4 }, action: { vi: /^Tưới /, en: /^Irrigate / } },
  { name: 'awd_irrigate', kind: 'awd_irrigate', severity: 'warning', values: { levelCm: -29.8, thresholdCm: -15, depthMm: 124.5, volumeM3: 2490, pumpMinutes: 1245.3, phase: 'awd', salinityBlocked: false }, action: { vi: /^Bơm nước vào /, en: /^Pump water into / } },
  { name: 'awd_irrigate, salinity', kind: 'awd_irrigate', severity: 'critical', values: { levelCm: -29.8, thresholdCm: -15, depthMm: 124.5, canalPermil: 12.345, salinityBlocked: true, phase: 'awd' }, action: { vi: /^KHÔNG lấy nước kênh/, en: /^Do NOT take canal water/ } },
  { name: 'awd_keep_flooded', kind: 'awd_keep_flooded', severity: 'warning', values: { levelCm: 1.5, targetCm: 5, depthMm: 35, phase: 'flowering_hold' }, action: { vi: /^Bơm thêm nước /, en: /^Top up / } },
  { name: 'awd_keep_flooded, dry', kind: 'awd_keep_flooded', severity: 'critical', values: { levelCm: -29.8, targetCm: 5, depthMm: 124.5, phase: 'flowering_hold' }, action: { vi: /^Bơm thêm nước /, en: /^Top up / } },
  { name: 'canal_salinity', kind: 'canal_salinity', severity: 'critical', values: { permil: 12.345, limitPermil: 0.5, dayMaxPermil: 15.678, expectedFreshAt: T + 8 * 3_600_000, basis: 'tds_g_per_l' }, action: { vi: /^KHÔNG lấy nước kênh/, en: /^Do NOT take canal water/ } },
  { name: 'rice_heat', kind: 'rice_heat', severity: 'critical', values: { airTemperatureC: 38.9, dayMaxC: 41.25, thresholdC: 35 }, action: { vi: /^Giữ nước /, en: /^Keep water in / } },
  { name: 'coffee_frost', kind: 'coffee_frost', severity: 'critical', values: { airTemperatureC: -1.5, nightMinC: -2.25, windMs: 1.85 }, action: { vi: /^Tưới phun, hun khói /, en: /^Sprinkle or smoke / } },
  { name: 'cold_spell, rét hại', kind: 'cold_spell', severity: 'critical', values: { date: '2026-12-06', tmeanC: 10.25, retDamC: 15, retHaiC: 13, severe: true }, action: { vi: /^Rét hại 6\/12 /, en: /^Severe cold 6\/12 / } },
  { name: 'cold_spell, rét đậm', kind: 'cold_spell', severity: 'warning', values: { date: '2026-12-16', tmeanC: 14.75, retDamC: 15, retHaiC: 13, severe: false }, action: { vi: /^Rét đậm 16\/12 /, en: /^Cold spell 16\/12 / } },
  { name: 'acid water', kind: 'acid_water', severity: 'warning', values: { metric: 'water_ph', reading: 3.45, threshold: 4 }, action: { vi: /^Không lấy nước kênh vào /, en: /^Keep canal water out of / } },
  { name: 'threshold', kind: 'threshold', severity: 'warning', values: { metric: 'water_level', reading: 123.45, threshold: 80 }, action: { vi: /^Kiểm tra /, en: /^Check / } },
  { name: 'awd fast drop', kind: 'rate_of_change', severity: 'warning', values: { metric: 'awd_level', change: -12.3, windowMs: 7_200_000, threshold: 5 }, action: { vi: /^Kiểm tra bờ, cống /, en: /^Check bunds and outlet / } },
  { name: 'sensor_stuck', kind: 'sensor_stuck', severity: 'info', values: { metric: 'soil_moisture@50cm', reading: 31.2, stuckForMs: 99 * 3_600_000 + 59 * 60_000 }, action: { vi: /^Kiểm tra cảm biến /, en: /^Check the sensor / } },
  { name: 'battery_low', kind: 'battery_low', severity: 'info', values: { reading: 9.6, threshold: 20 }, action: { vi: /^Thay hoặc sạc pin /, en: /^Replace or charge / } },
  { name: 'sensor_suspect', kind: 'sensor_suspect', severity: 'warning', values: { audience: 'technician', metric: 'soil_moisture@50cm', depthCm: 50, reason: 'above_saturation', reading: 58.5 }, action: { vi: /^Kiểm tra đầu dò 50 cm /, en: /^Check the 50 cm probe / } },
  { name: 'station_day_incomplete', kind: 'station_day_incomplete', severity: 'warning', values: { audience: 'technician', date: '2026-12-05', coverage: 0.04 }, action: { vi: /^Kiểm tra trạm thời tiết /, en: /^Check the weather station / } },
  { name: 'device_offline', kind: 'device_offline', severity: 'warning', values: { silentMs: 47 * 3_600_000 + 59 * 60_000 }, action: { vi: /^Kiểm tra nguồn, sóng /, en: /^Check power and signal / } },
];

/** The standard's count, written independently of the project's counter. */
const GSM7 = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXT = '^{}\\[~]|€\f';
function standardSegments(text: string): number {
  const chars = [...text.normalize('NFC')];
  if (chars.every((c) => GSM7.includes(c) || EXT.includes(c))) {
    const septets = chars.reduce((n, c) => n + (EXT.includes(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.normalize('NFC').length; // UTF-16 code units = UCS-2 characters for the BMP
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function render(c: (typeof CASES)[number], fieldName: string, language: 'vi' | 'en', plain: boolean, event: 'opened' | 'escalated' = 'opened') {
  const alert: NotifiableAlert = alertOn({ kind: c.kind, severity: c.severity, values: c.values, openedAt: T, text: { vi: 'Ruộng: văn bản dài của cảnh báo', en: 'Field: the alert text' } });
  const change: AlertChange = { event, alert };
  const place = { cooperativeId: 'coop-demo', farmId: 'farm-highlands', farmName: 'Vườn cà phê Cư M’gar', fieldId: 'f', fieldName };
  return renderSms({ change, place, language, key: 'k' }, '+84900000101', plain);
}

describe('every SMS template within its segment budget', () => {
  it('has a written SMS form for every kind in the table', () => {
    for (const c of CASES) expect(SMS_KINDS).toContain(c.kind);
  });

  const widest: string[] = [];
  for (const c of CASES) {
    it(`${c.name} (${c.severity}): vi, vi unaccented, en — action first, whole, within ${smsBudget(c.severity)} segment(s)`, () => {
      for (const name of NAMES) {
        for (const [language, plain] of [['vi', false], ['vi', true], ['en', false]] as const) {
          const sms = render(c, name, language, plain);
          const budget = smsBudget(c.severity);
          expect(sms.segments, sms.text).toBeLessThanOrEqual(budget);
          expect(countSms(sms.text).segments).toBe(standardSegments(sms.text));
          expect(sms.encoding).toBe(plain ? 'gsm7' : countSms(sms.text).encoding);
          const action = language === 'en' ? c.action.en : c.action.vi;
          expect(sms.text, sms.text).toMatch(plain ? new RegExp(action.source.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replaceAll('đ', 'd')) : action);
          expect(sms.text, 'cut').not.toMatch(/(…|\.\.\.)$/);
          if (plain) expect(sms.text).not.toContain('?');
          expect(sms.text).not.toMatch(/\d{4}-\d\d-\d\d/); // no ISO dates
          expect(sms.text).not.toMatch(/\d[.,]\d+ (phút|min|giờ|h)\b/); // hours and minutes, never "2.789 phút"
          const escalated = render(c, name, language, plain, 'escalated');
          expect(escalated.segments, escalated.text).toBeLessThanOrEqual(budget);
          widest.push(`${c.name}|${language}${plain ? '-plain' : ''}|${countSms(sms.text).units}|${sms.text}`);
        }
      }
    });
  }

  it('reports the widest forms', () => {
    const byLang = new Map<string, number>();
    for (const w of widest) {
      const [, lang = '', units = '0'] = w.split('|');
      byLang.set(lang, Math.max(byLang.get(lang) ?? 0, Number(units)));
    }
    console.info(`SMS widest (units): ${[...byLang].map(([l, u]) => `${l} ${u}`).join(', ')}`);
    expect(byLang.size).toBe(3);
  });

  it('maps ≥ ± ≤ ‰ × to ASCII in the unaccented form', async () => {
    const { unaccent } = await import('../../../core/alerts/notification-gsm.js');
    expect(unaccent('≥ 35 °C, ± 1,5 %, ≤ 13 °C, 2,6 ‰, 2 × 3')).toBe('>= 35 C, +/- 1,5 %, <= 13 C, 2,6 %o, 2 x 3');
  });
});
