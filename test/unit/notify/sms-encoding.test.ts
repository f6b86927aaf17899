import { describe, expect, it } from 'vitest';
import { countSms, fitSms, isGsm7, unaccent } from '../../../core/alerts/notification-gsm.js';

// A real alert as a farmer would get it (the rules engine's wording, 3GPP TS 23.038 counting).
const VI = 'Ruộng – KHẨN: Độ mặn kênh cao, Ruộng 1: độ mặn 2,6 ‰ vượt ngưỡng 2 ‰ — không lấy nước kênh, dùng nước ngọt dự trữ';

describe('SMS segment counting (GSM-7 160/153, UCS-2 70/67)', () => {
  it('counts a Vietnamese text with diacritics as UCS-2, 67 characters per concatenated segment', () => {
    const c = countSms(VI);
    expect(c.encoding).toBe('ucs2');
    expect(c.units).toBe([...VI.normalize('NFC')].length);
    expect(c.units).toBe(113); // counted independently (Python len of the NFC string)
    expect(c.segments).toBe(2); // 113 > 70 → ⌈113 / 67⌉
  });

  it('counts a decomposed (NFD) text as the composed text a handset sends', () => {
    expect(countSms(VI.normalize('NFD'))).toEqual(countSms(VI));
  });

  it('puts the UCS-2 boundaries at 70 and 134 characters', () => {
    expect(countSms('ă'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(countSms('ă'.repeat(71)).segments).toBe(2);
    expect(countSms('ă'.repeat(134)).segments).toBe(2);
    expect(countSms('ă'.repeat(135)).segments).toBe(3);
  });

  it('puts the GSM-7 boundaries at 160 and 306 septets', () => {
    expect(countSms('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(countSms('a'.repeat(161)).segments).toBe(2);
    expect(countSms('a'.repeat(306)).segments).toBe(2);
    expect(countSms('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension-table characters (€ [ ] { } ^ ~ | \\) as two septets and never splits them', () => {
    expect(countSms('€')).toEqual({ encoding: 'gsm7', units: 2, segments: 1 });
    expect(countSms(`${'a'.repeat(158)}€`)).toMatchObject({ units: 160, segments: 1 });
    expect(countSms(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
    // 152 septets then an escape pair: the pair does not fit the first part's 153 and moves whole
    expect(countSms(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
  });

  it('treats GSM-7 Latin letters with accents (é, è, à, ü) as GSM-7 but Vietnamese ones (ế, ơ, đ) as UCS-2', () => {
    expect(isGsm7('café à Düsseldorf')).toBe(true);
    expect(isGsm7('cà phê')).toBe(false);
    expect(isGsm7('đ')).toBe(false);
  });
});

describe('unaccented Vietnamese ("không dấu")', () => {
  it('removes every diacritic, maps đ/Đ to d/D, and fits the alert in one GSM-7 segment', () => {
    const plain = unaccent(VI);
    expect(plain).toBe('Ruong - KHAN: Do man kenh cao, Ruong 1: do man 2,6 %o vuot nguong 2 %o - khong lay nuoc kenh, dung nuoc ngot du tru');
    expect(unaccent('Đắk Lắk, đồng')).toBe('Dak Lak, dong');
    expect(countSms(plain)).toEqual({ encoding: 'gsm7', units: plain.length, segments: 1 });
  });

  it('replaces characters GSM-7 lacks with their closest plain form, or ?', () => {
    expect(unaccent('35 °C, 44 m³, “mưa”…')).toBe('35 C, 44 m3, "mua"...');
    expect(isGsm7(unaccent('雨 ☔'))).toBe(true);
  });
});

describe('fitSms', () => {
  it('leaves a text that fits alone and cuts a longer one at a word, with an ellipsis', () => {
    expect(fitSms(VI, 2)).toBe(VI);
    const one = fitSms(VI, 1);
    expect(countSms(one).segments).toBe(1);
    expect(one.endsWith('…')).toBe(true);
    expect(VI.startsWith(one.slice(0, -1))).toBe(true);
    expect(one.length).toBeGreaterThan(60);
  });
});
