// A farmer's SMS reply that reports an irrigation (issue 17): "ĐÃ TƯỚI 25", "DA TUOI 25", "da tuoi 25mm",
// "Đã tưới 25,5 mm Ruộng 2" — read with accents or without (NFC or NFD, đ/Đ, any case, extra spaces), the depth in
// mm and optionally the field by name or number. The answer is a short SMS in the contact's language, fitted to
// two segments (notification-gsm.ts), without accents when the contact or the platform asks for it.
import { countSms, fitSms, unaccent } from './notification-gsm.js';
import { formatNumber } from './notification-templates.js';
import type { Language, SmsMessage } from './notification-types.js';

export type ReplyParse =
  | { readonly kind: 'irrigated'; readonly depthMm: number; readonly fieldRef: string | undefined }
  | { readonly kind: 'unrecognised' };

/** Upper-case ASCII: marks removed after NFD, đ → d, spaces collapsed. */
export function plainUpper(text: string): string {
  return unaccent(text.normalize('NFC')).toUpperCase().replace(/\s+/g, ' ').trim();
}

// "DA TUOI" / "DATUOI" / "DA TUOI:" then a number (decimal point or comma), optional "MM", then the field.
const REPLY = /^DA ?TUOI\s*[:.]?\s*(\d{1,4}(?:[.,]\d{1,2})?)\s*(?:MM\b)?\s*[,.;:-]?\s*(.*)$/;

export function parseReply(text: string): ReplyParse {
  const m = REPLY.exec(plainUpper(text));
  if (!m) return { kind: 'unrecognised' };
  const depthMm = Number(m[1]!.replace(',', '.'));
  const ref = m[2]!.replace(/^(?:CHO|O|TAI)\s+/, '').trim(); // 'cho Ruộng 2', 'ở lô A'
  return { kind: 'irrigated', depthMm, fieldRef: ref === '' ? undefined : ref };
}

const key = (name: string) => plainUpper(name).replace(/[^A-Z0-9 ]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * The fields a reference names: the whole name ("Ruộng 2", "RUONG 2"), a number the name ends with ("2"), or a
 * part of the name ("CA PHE A"); a number that names no field is its place in the list the question gave (1-based).
 */
export function matchFields<F extends { readonly name: string }>(fields: readonly F[], ref: string): F[] {
  const r = key(ref);
  if (r === '') return [];
  const exact = fields.filter((f) => key(f.name) === r);
  if (exact.length) return exact;
  if (/^\d+$/.test(r)) {
    const byNumber = fields.filter((f) => new RegExp(`(?:^|\\D)0*${Number(r)}$`).test(key(f.name)));
    if (byNumber.length) return byNumber;
    const n = Number(r);
    return n >= 1 && n <= fields.length ? [fields[n - 1]!] : [];
  }
  const words = r.split(' ');
  return fields.filter((f) => {
    const name = ` ${key(f.name)} `;
    return words.every((w) => name.includes(` ${w} `)) || name.includes(` ${r} `);
  });
}

const mm = (x: number, l: Language) => formatNumber(x, l, 1);

function clock(ms: number): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'numeric',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} ${Number(p.day)}/${Number(p.month)}`;
}

export const replyTexts = {
  recorded: (l: Language, depthMm: number, field: string, at: number) => (l === 'vi'
    ? `Đã ghi: tưới ${mm(depthMm, l)} mm cho ${field} lúc ${clock(at)}. Cảm ơn!`
    : `Recorded: ${mm(depthMm, l)} mm irrigated on ${field} at ${clock(at)}. Thank you!`),
  which: (l: Language, depthMm: number, names: readonly string[]) => (l === 'vi'
    ? `Tưới ${mm(depthMm, l)} mm cho lô nào? Nhắn lại: ĐÃ TƯỚI ${mm(depthMm, l)} <tên lô>: ${names.join('; ')}`
    : `Which field got ${mm(depthMm, l)} mm? Reply: DA TUOI ${mm(depthMm, l)} <field>: ${names.join('; ')}`),
  help: (l: Language) => (l === 'vi'
    ? 'Chưa hiểu tin nhắn. Báo đã tưới, nhắn: ĐÃ TƯỚI 25 (số mm), có thể thêm tên lô'
    : 'Message not understood. To report irrigation, send: DA TUOI 25 (mm), optionally the field'),
  outOfRange: (l: Language, maxMm: number) => (l === 'vi'
    ? `Số mm không hợp lệ (0–${maxMm} mm). Nhắn: ĐÃ TƯỚI 25`
    : `Depth out of range (0–${maxMm} mm). Send: DA TUOI 25`),
  noField: (l: Language) => (l === 'vi'
    ? 'Số điện thoại này chưa gắn với lô ruộng nào, xin liên hệ hợp tác xã'
    : 'This number is not linked to any field yet, please contact the cooperative'),
};

/** The answer as the SMS channel sends it: at most two segments, accents kept or removed. */
export function replyMessage(to: string, text: string, key: string, plain: boolean): SmsMessage {
  const body = fitSms(plain ? unaccent(text) : text.normalize('NFC'), 2);
  const count = countSms(body);
  return { channel: 'sms', key, to, text: body, encoding: count.encoding, segments: count.segments };
}
