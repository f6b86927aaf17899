// Renders one alert change into the message of one channel, in the recipient's language, at enqueue time
// (the outbox persists the rendered message, so a retry sends exactly what was first decided).
import type { AlertPlace } from '../registry/contacts.js';
import { countSms, fitSms, unaccent } from './notification-gsm.js';
import { fitForm, smsBudget, smsForm } from './notification-sms.js';
import { digestHeadline, eventWord, localTime, severityWord, wordAlert } from './notification-templates.js';
import type {
  AlertChange, EmailMessage, Language, MqttMessage, NotifiableAlert, Severity, SmsMessage, WebhookMessage, ZaloMessage,
} from './notification-types.js';

/** An SMS is at most two segments (issue 7): one alert must not cost a farmer five messages. */
export const SMS_MAX_SEGMENTS = 2;
const BRAND = 'Ruộng';

export interface RenderInput {
  readonly change: AlertChange;
  readonly place: AlertPlace | undefined;
  readonly language: Language;
  readonly key: string;
}

export function openedAtMs(alert: NotifiableAlert): number {
  return typeof alert.openedAt === 'number' ? alert.openedAt : Date.parse(alert.openedAt);
}

function placeName(place: AlertPlace | undefined): string {
  return place?.fieldName ?? place?.farmName ?? '';
}

/** "Độ mặn kênh cao (Ruộng 1)" — how the alert is listed in a digest and in the deliveries view. */
export function summaryLine(input: RenderInput): string {
  const { title } = wordAlert(input.change.alert, input.language);
  const where = placeName(input.place);
  return where ? `${title} (${where})` : title;
}

/** "KHẨN: Độ mặn kênh cao, Ruộng 1" or "Đã hết: Độ mặn kênh cao, Ruộng 1". */
function headline(input: RenderInput): string {
  const { alert, event } = input.change;
  const { title } = wordAlert(alert, input.language);
  const where = placeName(input.place);
  const prefix = event === 'opened' ? severityWord[input.language][alert.severity] : eventWord[input.language][event];
  return `${prefix}: ${title}${where ? `, ${where}` : ''}`;
}

/** The message body worth reading: the numbers for a new or escalated alert, none for acknowledged/resolved. */
function withDetail(input: RenderInput): boolean {
  return input.change.event === 'opened' || input.change.event === 'escalated';
}

function sms(key: string, to: string, body: string, plain: boolean, maxSegments = SMS_MAX_SEGMENTS): SmsMessage {
  const text = fitSms(plain ? unaccent(body) : body, maxSegments);
  const { encoding, segments } = countSms(text);
  return { channel: 'sms', key, to, text, encoding, segments };
}

/**
 * The SMS (issue 15): a new alert is its short form, action first, within its budget — one segment when
 * critical, two otherwise; an escalation is the same form after "Chưa ai xử lý: "; acknowledged and
 * resolved are one line ("Đã hết: Độ mặn kênh cao, Ruộng 1."). A kind without a form sends its place
 * and its own text, fitted.
 */
export function renderSms(input: RenderInput, to: string, plain: boolean): SmsMessage {
  const { alert, event } = input.change;
  const lang = input.language;
  const place = placeName(input.place);
  const budget = smsBudget(alert.severity);
  if (!withDetail(input)) return sms(input.key, to, `${headline(input)}.`, plain, budget);
  const prefix = event === 'escalated' ? `${eventWord[lang].escalated}: ` : '';
  const form = smsForm(alert, place, lang);
  if (form) {
    const text = fitForm(prefix, form, place, budget, plain);
    const { encoding, segments } = countSms(text);
    return { channel: 'sms', key: input.key, to, text, encoding, segments };
  }
  const { detail } = wordAlert(alert, lang);
  return sms(input.key, to, `${prefix}${place ? `${place}: ` : ''}${detail}`, plain, budget);
}

export function renderEmail(input: RenderInput, to: string): EmailMessage {
  const { alert } = input.change;
  const lang = input.language;
  const { detail } = wordAlert(alert, lang);
  const labels = lang === 'vi'
    ? { where: 'Nơi', opened: 'Mở lúc', values: 'Số liệu', id: 'Mã cảnh báo' }
    : { where: 'Where', opened: 'Opened', values: 'Numbers', id: 'Alert id' };
  const values = Object.entries(alert.values).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const text = [
    headline(input), '', withDetail(input) ? detail : '', alert.text[lang] || alert.text.vi, '',
    `${labels.where}: ${[input.place?.farmName, input.place?.fieldName].filter(Boolean).join(' – ') || '—'}`,
    `${labels.opened}: ${localTime(openedAtMs(alert), lang)}`,
    ...(values.length ? [`${labels.values}:`, ...values] : []),
    `${labels.id}: ${alert.id}`,
  ].filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n');
  return { channel: 'email', key: input.key, to, subject: `[${BRAND}] ${headline(input)}`, text };
}

/** ZNS rules: template data only, no links and no bare phone numbers (interop.md); each field ≤ 100 characters. */
export function znsSafe(value: string, max = 100): string {
  const cleaned = value
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, '')
    .replace(/\+?\d[\d .-]{6,}\d/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return [...cleaned].length <= max ? cleaned : `${[...cleaned].slice(0, max - 1).join('')}…`;
}

export function renderZalo(input: RenderInput, phone: string): ZaloMessage {
  const { alert, event } = input.change;
  const { title, detail } = wordAlert(alert, input.language);
  const status = event === 'opened' ? severityWord[input.language][alert.severity] : eventWord[input.language][event];
  return {
    channel: 'zalo', key: input.key, phone,
    templateData: {
      field_name: znsSafe(placeName(input.place) || '—', 30),
      alert_title: znsSafe(title, 50),
      status: znsSafe(status, 30),
      detail: znsSafe(withDetail(input) ? detail : title),
      time: localTime(openedAtMs(alert), input.language),
    },
  };
}

function alertBody(change: AlertChange, place: AlertPlace | undefined) {
  const { alert } = change;
  return {
    id: alert.id, ruleId: alert.ruleId, kind: alert.kind, severity: alert.severity, status: alert.status,
    farmId: alert.farmId ?? place?.farmId ?? null, fieldId: alert.fieldId ?? place?.fieldId ?? null, deviceId: alert.deviceId,
    openedAt: new Date(openedAtMs(alert)).toISOString(), text: alert.text, values: alert.values,
  };
}

export function renderWebhook(input: RenderInput, url: string, contactId: string): WebhookMessage {
  const { title, detail } = wordAlert(input.change.alert, input.language);
  return {
    channel: 'webhook', key: input.key, url, contactId,
    body: {
      id: input.key, event: input.change.event, alert: alertBody(input.change, input.place),
      place: input.place ? { farmName: input.place.farmName, fieldName: input.place.fieldName } : null,
      language: input.language, message: { title, detail },
    },
  };
}

/** Farmer apps on alerts/{farmId}: both languages (the topic is shared by everyone on the farm). */
export function renderMqtt(change: AlertChange, place: AlertPlace, key: string): MqttMessage {
  const vi = wordAlert(change.alert, 'vi');
  const en = wordAlert(change.alert, 'en');
  return {
    channel: 'mqtt', key, topic: `alerts/${place.farmId}`,
    payload: {
      id: key, event: change.event, alert: alertBody(change, place),
      place: { farmName: place.farmName, fieldName: place.fieldName }, title: { vi: vi.title, en: en.title }, detail: { vi: vi.detail, en: en.detail },
    },
  };
}

/** The digest that replaces a flood: "3 cảnh báo khác hôm nay: …" in the channel's form. */
export function renderDigest(
  target: { channel: 'sms'; to: string; plain: boolean } | { channel: 'email'; to: string } | { channel: 'zalo'; phone: string },
  key: string, summaries: readonly string[], language: Language, severity: Severity, at: number,
) {
  const head = digestHeadline(summaries.length, language);
  const list = summaries.join('; ');
  switch (target.channel) {
    case 'sms':
      return sms(key, target.to, `${BRAND} – ${head}: ${list}`, target.plain);
    case 'email':
      return { channel: 'email' as const, key, to: target.to, subject: `[${BRAND}] ${head}`, text: `${head}:\n${summaries.map((s) => `- ${s}`).join('\n')}\n` };
    case 'zalo':
      return {
        channel: 'zalo' as const, key, phone: target.phone,
        templateData: { field_name: '—', alert_title: znsSafe(head, 50), status: znsSafe(severityWord[language][severity], 30), detail: znsSafe(list), time: localTime(at, language) },
      };
  }
}
