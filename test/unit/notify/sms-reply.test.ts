// How a farmer's irrigation reply is read (core/alerts/sms-reply.ts): accents or none, NFC or NFD, any case, the
// depth with a decimal comma or point, "mm" glued or apart, the field by name or number; and the answers fit
// two SMS segments.
import { describe, expect, it } from 'vitest';
import { countSms } from '../../../core/alerts/notification-gsm.js';
import { matchFields, parseReply, replyMessage, replyTexts } from '../../../core/alerts/sms-reply.js';

describe('parseReply', () => {
  it.each([
    ['ĐÃ TƯỚI 25', 25, undefined],
    ['ĐÃ TƯỚI 25'.normalize('NFD'), 25, undefined],
    ['đã tưới 25'.normalize('NFC'), 25, undefined],
    ['DA TUOI 25', 25, undefined],
    ['da tuoi 25mm', 25, undefined],
    ['Da Tuoi 25 MM', 25, undefined],
    ['  da   tuoi:25  ', 25, undefined],
    ['DATUOI 30', 30, undefined],
    ['đã tưới 12,5 mm', 12.5, undefined],
    ['da tuoi 12.5', 12.5, undefined],
    ['DA TUOI 25 2', 25, '2'],
    ['Đã tưới 25mm Ruộng 2', 25, 'RUONG 2'],
    ['da tuoi 40 cho lô cà phê A', 40, 'LO CA PHE A'],
  ])('%j → %d mm, field %j', (text, depthMm, fieldRef) => {
    expect(parseReply(text)).toEqual({ kind: 'irrigated', depthMm, fieldRef });
  });

  it.each(['', 'OK', 'tuoi 25', 'da tuoi', 'DA TUOI muoi', 'mai mưa không?', 'DA TUOI -5'])('%j is not an irrigation report', (text) => {
    expect(parseReply(text)).toEqual({ kind: 'unrecognised' });
  });
});

describe('matchFields', () => {
  const fields = [{ name: 'Lô cà phê A' }, { name: 'Lô cà phê B' }, { name: 'Ruộng 1' }, { name: 'Ruộng 12' }];
  it.each([
    ['RUONG 1', ['Ruộng 1']],
    ['ruộng 12', ['Ruộng 12']],
    ['12', ['Ruộng 12']],
    ['1', ['Ruộng 1']],
    ['LO CA PHE B', ['Lô cà phê B']],
    ['CA PHE', ['Lô cà phê A', 'Lô cà phê B']],
    ['3', ['Ruộng 1']], // no name ends in 3: the third field of the list the question gave
    ['9', []],
    ['MIA', []],
  ])('%j names %j', (ref, names) => {
    expect(matchFields(fields, ref).map((f) => f.name)).toEqual(names);
  });
});

describe('answers', () => {
  it('fit two segments, accented or not, even with many long field names', () => {
    const names = Array.from({ length: 12 }, (_, i) => `Lô cà phê đồi phía đông số ${i + 1}`);
    for (const plain of [false, true]) {
      const m = replyMessage('+84912345678', replyTexts.which('vi', 25, names), 'k', plain);
      expect(m.segments).toBeLessThanOrEqual(2);
      expect(countSms(m.text)).toMatchObject({ segments: m.segments, encoding: plain ? 'gsm7' : 'ucs2' });
    }
    expect(replyMessage('+84912345678', replyTexts.recorded('vi', 25, 'Ruộng 1', Date.UTC(2026, 11, 6, 0, 40)), 'k', true).text)
      .toBe('Da ghi: tuoi 25 mm cho Ruong 1 luc 07:40 6/12. Cam on!');
  });
});
