// Templates per alert kind, in Vietnamese (with diacritics) and English, filled with the alert's numbers,
// rendered in the short form of each channel.
import { describe, expect, it } from 'vitest';
import { renderEmail, renderSms } from '../../../core/alerts/notification-render.js';
import { wordAlert } from '../../../core/alerts/notification-templates.js';
import type { AlertChange, NotifiableAlert } from '../../../core/alerts/notification-types.js';
import { alertOn } from './fixtures.js';

const place = { cooperativeId: 'coop-a', farmId: 'farm-mekong', farmName: 'Trang trại Mỹ Xuyên', fieldId: 'field-rice-1', fieldName: 'Ruộng 1' };
const opened = (alert: NotifiableAlert): AlertChange => ({ event: 'opened', alert });

describe('wording per kind, with the alert\'s numbers', () => {
  it('irrigate: depth, volume and pump minutes, decimal comma in Vietnamese', () => {
    const alert = alertOn({ kind: 'irrigate', values: { grossMm: 24.6, volumeM3: 492.4, pumpMinutes: 246, depletionMm: 31.2 } });
    expect(wordAlert(alert, 'vi')).toEqual({ title: 'Cần tưới', detail: 'tưới khoảng 25 mm (~492 m³, bơm 4 giờ 6 phút)' });
    expect(wordAlert(alert, 'en')).toEqual({ title: 'Irrigation needed', detail: 'irrigate about 25 mm (~492 m³, 4 h 6 min of pumping)' });
  });

  it('awd_irrigate: tube level and threshold; blocked by salinity it says not to take canal water', () => {
    const alert = alertOn({ kind: 'awd_irrigate', values: { levelCm: -17, thresholdCm: -15, depthMm: 50, canalPermil: 2.64, salinityBlocked: false } });
    expect(wordAlert(alert, 'vi').detail).toBe('mực nước ống −17 cm, ngưỡng −15 cm — bơm vào ~50 mm');
    const blocked = { ...alert, values: { ...alert.values, salinityBlocked: true } };
    expect(wordAlert(blocked, 'vi').detail).toBe('mực nước ống −17 cm, ngưỡng −15 cm — KHÔNG lấy nước kênh, độ mặn 2,6 ‰');
    expect(wordAlert(blocked, 'en').detail).toBe('tube level −17 cm, threshold −15 cm — do NOT take canal water, salinity 2.6 ‰');
  });

  it('threshold: the metric\'s name and unit from the catalogue', () => {
    const alert = alertOn({ kind: 'threshold', values: { metric: 'water_level', reading: 12.5, threshold: 20 } });
    expect(wordAlert(alert, 'vi').detail).toBe('Mực nước kênh 12,5 cm (ngưỡng 20 cm)');
    expect(wordAlert(alert, 'en').detail).toBe('Canal water level 12.5 cm (threshold 20 cm)');
  });

  it('device_offline and battery_low', () => {
    expect(wordAlert(alertOn({ kind: 'device_offline', values: { silentMs: 5_400_000 } }), 'vi').detail).toBe('không có số liệu 1 giờ 30 phút — kiểm tra nguồn và sóng');
    expect(wordAlert(alertOn({ kind: 'battery_low', values: { reading: 14, threshold: 20 } }), 'en')).toEqual({ title: 'Device battery low', detail: 'battery at 14 % — replace or charge it' });
  });

  it('falls back to the alert\'s own text (without its field label) when a number is missing', () => {
    const alert = alertOn({ kind: 'irrigate', values: {}, text: { vi: 'Ruộng 1 (lúa): tưới hôm nay', en: 'Ruộng 1 (rice): irrigate today' } });
    expect(wordAlert(alert, 'vi')).toEqual({ title: 'Cần tưới', detail: 'tưới hôm nay' });
  });
});

describe('SMS form', () => {
  const alert = alertOn({
    kind: 'awd_irrigate', severity: 'critical',
    values: { levelCm: -17, thresholdCm: -15, canalPermil: 2.6, salinityBlocked: true },
  });

  it('a critical SMS is its short form, action first, in ONE UCS-2 segment; unaccented it is GSM-7 and keeps more detail', () => {
    const vi = renderSms({ change: opened(alert), place, language: 'vi', key: 'k' }, '+84900000101', false);
    expect(vi.text).toBe('KHÔNG lấy nước kênh vào Ruộng 1: mặn 2,6‰, ruộng −17 cm');
    expect(vi).toMatchObject({ encoding: 'ucs2', segments: 1 });
    const plain = renderSms({ change: opened(alert), place, language: 'vi', key: 'k' }, '+84900000101', true);
    expect(plain.text).toBe('KHONG lay nuoc kenh vao Ruong 1: man 2,6%o, ruong -17 cm, dung nuoc ngot du tru');
    expect(plain).toMatchObject({ encoding: 'gsm7', segments: 1 });
  });

  it('never exceeds two segments, however long the alert text', () => {
    const long = alertOn({ kind: 'unknown', text: { vi: `Ruộng 1: ${'rất dài '.repeat(60)}`, en: 'x' } });
    const sms = renderSms({ change: opened(long), place, language: 'vi', key: 'k' }, '+84900000101', false);
    expect(sms.segments).toBe(2);
    expect(sms.text.endsWith('…')).toBe(true);
  });

  it('a resolved alert is one short line', () => {
    const sms = renderSms({ change: { event: 'resolved', alert }, place, language: 'en', key: 'k' }, '+84900000101', false);
    expect(sms.text).toBe('Resolved: Field dry, pump water in, Ruộng 1.');
  });
});

describe('e-mail form', () => {
  it('has a subject in the recipient\'s language and a body with place, local time and numbers', () => {
    const alert = alertOn({ kind: 'irrigate', openedAt: Date.parse('2026-03-10T01:30:00Z'), values: { grossMm: 24.6 } });
    const mail = renderEmail({ change: opened(alert), place, language: 'vi', key: 'k' }, 'a@example.org');
    expect(mail.subject).toBe('[Ruộng] Cảnh báo: Cần tưới, Ruộng 1');
    expect(mail.text).toContain('Nơi: Trang trại Mỹ Xuyên – Ruộng 1');
    expect(mail.text).toContain('Mở lúc: 08:30 10/3'); // 01:30 UTC = 08:30 in Vietnam; the date as a farmer writes it
    expect(mail.text).toContain('grossMm: 24.6');
  });
});
