// Webhook channel: POST the alert as JSON to the contact's URL, signed with the contact's secret
// (HMAC-SHA256 over "<timestamp>.<body>", core/alerts/notification-webhook.ts); the idempotency key
// travels as X-Ruong-Delivery so the receiver drops a retry it already processed.
import { NotifierError, type Notifier } from '../../core/alerts/notification-types.js';
import { WEBHOOK_HEADERS, signWebhook, webhookSecretFor } from '../../core/alerts/notification-webhook.js';
import { checkOpen, postOrThrow } from './http-post.js';

export interface WebhookOptions {
  /** WEBHOOK_SECRET: each contact's signing secret is derived from it. */
  readonly masterSecret: string;
  readonly now?: () => number;
}

export function createWebhookNotifier(opts: WebhookOptions): Notifier {
  const now = opts.now ?? Date.now;
  let closed = false;
  return {
    channel: 'webhook',
    async send(message, signal) {
      if (message.channel !== 'webhook') throw new NotifierError(`webhook notifier got a ${message.channel} message`, false);
      checkOpen(closed, signal, 'webhook');
      if (!URL.canParse(message.url) || !/^https?:$/.test(new URL(message.url).protocol)) throw new NotifierError('webhook URL is not http(s)', false);
      const body = JSON.stringify(message.body);
      const timestamp = Math.floor(now() / 1000);
      const signature = signWebhook(webhookSecretFor(opts.masterSecret, message.contactId), timestamp, body);
      await postOrThrow(message.url, {
        headers: {
          'content-type': 'application/json; charset=utf-8', 'user-agent': 'ruong-webhook/1',
          [WEBHOOK_HEADERS.timestamp]: String(timestamp), [WEBHOOK_HEADERS.signature]: signature, [WEBHOOK_HEADERS.delivery]: message.key,
        },
        body,
      }, signal, 'webhook receiver');
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
