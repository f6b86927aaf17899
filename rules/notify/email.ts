// E-mail over SMTP with nodemailer (SMTP_URL: smtp://user:pass@host:587, smtps://… for implicit TLS).
// The Message-ID is derived from the idempotency key, so a retry after a lost reply is recognisable as
// the same message. Outcomes follow RFC 5321 §4.2.1: a 5yz reply is permanent (except 503, a session
// state error), a 4yz reply or a broken connection is transient. An authentication failure is kept
// retryable: it is our configuration, and the message should survive until an operator fixes it.
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { NotifierError, type Notifier } from '../../core/alerts/notification-types.js';
import { checkOpen } from './http-post.js';

export interface EmailOptions {
  readonly url: string;
  /** SMTP_FROM, e.g. "Ruộng <canh-bao@htx.example>". */
  readonly from: string;
  readonly timeoutMs?: number;
}

export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@ruong.notify>`;
}

function classify(err: unknown): NotifierError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const permanent = e.code !== 'EAUTH' && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
  const invalid = e.code === 'EENVELOPE' && e.responseCode === undefined; // a malformed address: never deliverable
  return new NotifierError(`smtp: ${e.message ?? String(err)}`, !(permanent || invalid), { cause: err });
}

export function createEmailNotifier(opts: EmailOptions): Notifier {
  const timeout = opts.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({ url: opts.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
  let closed = false;
  return {
    channel: 'email',
    async send(message, signal) {
      if (message.channel !== 'email') throw new NotifierError(`email notifier got a ${message.channel} message`, false);
      checkOpen(closed, signal, 'email');
      // nodemailer ≥ 10.5 cancels one send with `signal` (not in @types/nodemailer 8 yet)
      const mail = {
        from: opts.from, to: message.to, subject: message.subject, text: message.text, messageId: messageIdFor(message.key),
        headers: { 'X-Ruong-Delivery': message.key }, textEncoding: 'quoted-printable', signal,
      } as Mail.Options;
      try {
        await transport.sendMail(mail);
      } catch (err) {
        throw classify(err);
      }
    },
    close() {
      if (!closed) {
        closed = true;
        transport.close();
      }
      return Promise.resolve();
    },
  };
}
