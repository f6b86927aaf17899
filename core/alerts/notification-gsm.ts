// SMS text: GSM-7 vs UCS-2 segment counting and the unaccented ("không dấu") form of Vietnamese text.
// 3GPP TS 23.038 §6.2.1 (GSM 7-bit default alphabet and its extension table: an extension character
// costs an escape + itself = 2 septets) and TS 23.040 §9.2.3.24.1 (a concatenated SMS carries a 6-octet
// UDH: 153 septets or 67 UCS-2 characters per part instead of 160 / 70 for a single message).

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsCount {
  readonly encoding: SmsEncoding;
  /** GSM-7 septets, or UTF-16 code units for UCS-2. */
  readonly units: number;
  readonly segments: number;
}

/** Septets of one character in GSM-7, or undefined if the alphabet lacks it. */
function septets(ch: string): 1 | 2 | undefined {
  if (basic.has(ch)) return 1;
  return extension.has(ch) ? 2 : undefined;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (septets(ch) === undefined) return false;
  return true;
}

/** Packs costs into parts of `per` units; a character (escape pair, surrogate pair) is never split. */
function pack(costs: readonly number[], single: number, per: number): { units: number; segments: number } {
  const units = costs.reduce((a, b) => a + b, 0);
  if (units <= single) return { units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > per) { segments++; used = 0; }
    used += cost;
  }
  return { units, segments };
}

/** Counts the text (NFC, as it is sent) in the encoding a handset would use for it. */
export function countSms(input: string): SmsCount {
  const text = input.normalize('NFC');
  if (isGsm7(text)) return { encoding: 'gsm7', ...pack([...text].map((ch) => septets(ch)!), 160, 153) };
  return { encoding: 'ucs2', ...pack([...text].map((ch) => ch.length), 70, 67) };
}

// Characters outside GSM-7 that Vietnamese alert text uses, with their closest plain form.
const PLAIN: Readonly<Record<string, string>> = {
  'đ': 'd', 'Đ': 'D', '‰': '%o', '–': '-', '—': '-', '−': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '…': '...', '°': '', '³': '3', '²': '2', '·': '.', '•': '-',
  '≥': '>=', '≤': '<=', '±': '+/-', '×': 'x', '→': '->', '≈': '~', '\u00a0': ' ', '\u202f': ' ',
};

/** Vietnamese without diacritics ("không dấu"): marks removed, đ → d, other non-GSM-7 characters replaced. */
export function unaccent(input: string): string {
  const stripped = input.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  let out = '';
  for (const ch of stripped) {
    const plain = PLAIN[ch] ?? ch;
    for (const c of plain) out += septets(c) === undefined ? '?' : c;
  }
  return out;
}

/** Cuts the text at a word boundary, adding an ellipsis, until it fits in `maxSegments`. */
export function fitSms(input: string, maxSegments: number): string {
  const text = input.normalize('NFC');
  if (countSms(text).segments <= maxSegments) return text;
  const ellipsis = isGsm7(text) ? '...' : '…';
  const words = text.split(' ');
  while (words.length > 1) {
    words.pop();
    const candidate = `${words.join(' ').replace(/[\s,.;:–-]+$/u, '')}${ellipsis}`;
    if (countSms(candidate).segments <= maxSegments) return candidate;
  }
  const chars = [...text];
  while (chars.length > 0 && countSms(`${chars.join('')}${ellipsis}`).segments > maxSegments) chars.pop();
  return `${chars.join('')}${ellipsis}`;
}
