// SMS through an HTTP gateway. Vietnamese gateways differ in everything but the idea, so the request is
// configuration: URL, an auth header and a body template with placeholders, each value escaped for the
// body's content type (JSON string or form field):
//   {{to}} +84912345678 · {{to_digits}} 84912345678 · {{to_national}} 0912345678 · {{text}} · {{id}} (idempotency
//   key, for gateways that deduplicate by request id) · {{encoding}} gsm7|ucs2 · {{unicode}} 1|0 · {{segments}}
// A 2xx answer is success (see http-post.ts for the rest).
import { NotifierError, type Notifier, type SmsMessage } from '../../core/alerts/notification-types.js';
import { checkOpen, postOrThrow } from './http-post.js';

export interface SmsGatewayOptions {
  readonly url: string;
  /** Header value, e.g. "Bearer abc" or "Basic dXNlcjpwYXNz". */
  readonly auth?: string | undefined;
  readonly authHeader?: string | undefined;
  readonly bodyTemplate?: string | undefined;
  readonly contentType?: string | undefined;
}

export const DEFAULT_SMS_BODY = '{"to":"{{to}}","text":"{{text}}","unicode":{{unicode}},"ref":"{{id}}"}';

function placeholders(m: SmsMessage): Record<string, string> {
  const digits = m.to.replace(/^\+/, '');
  return {
    to: m.to, to_digits: digits, to_national: digits.startsWith('84') ? `0${digits.slice(2)}` : digits, text: m.text, id: m.key,
    encoding: m.encoding, unicode: m.encoding === 'ucs2' ? '1' : '0', segments: String(m.segments),
  };
}

/** Fills the template; values are escaped for the content type so a quote or & in the text cannot break the body. */
export function fillTemplate(template: string, values: Record<string, string>, contentType: string): string {
  const escape = contentType.includes('json') ? (v: string) => JSON.stringify(v).slice(1, -1)
    : contentType.includes('x-www-form-urlencoded') ? encodeURIComponent : (v: string) => v;
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? escape(values[name]!) : whole));
}

export function createSmsNotifier(opts: SmsGatewayOptions): Notifier {
  const contentType = opts.contentType ?? 'application/json';
  const template = opts.bodyTemplate ?? DEFAULT_SMS_BODY;
  let closed = false;
  return {
    channel: 'sms',
    async send(message, signal) {
      if (message.channel !== 'sms') throw new NotifierError(`sms notifier got a ${message.channel} message`, false);
      checkOpen(closed, signal, 'sms');
      const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': 'ruong-sms/1' };
      if (opts.auth) headers[(opts.authHeader ?? 'authorization').toLowerCase()] = opts.auth;
      await postOrThrow(opts.url, { headers, body: fillTemplate(template, placeholders(message), contentType) }, signal, 'sms gateway');
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
