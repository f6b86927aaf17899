// Zalo Notification Service (ZNS): template messages only (docs/interop.md). POST {phone, template_id,
// template_data, tracking_id} with the OA access token in the `access_token` header; the answer is
// {"error": 0, "message": "Success", "data": {"msg_id": …}} on success, a non-zero `error` otherwise.
// The phone goes as digits with the country code (84912345678). The recipient's consent and the
// template rules (no links, no bare phone numbers) are enforced when the message is rendered.
import { createHash } from 'node:crypto';
import { NotifierError, type Notifier } from '../../core/alerts/notification-types.js';
import { checkOpen, postOrThrow } from './http-post.js';

export const ZNS_URL = 'https://business.openapi.zalo.me/message/template';

export interface ZaloOptions {
  readonly url?: string | undefined;
  readonly accessToken: string;
  readonly templateId: string;
}

/** ZNS tracking ids are short: the idempotency key, hashed when it is longer than 48 characters. */
export function trackingId(key: string): string {
  return key.length <= 48 ? key : createHash('sha256').update(key).digest('hex').slice(0, 48);
}

export function createZaloNotifier(opts: ZaloOptions): Notifier {
  let closed = false;
  return {
    channel: 'zalo',
    async send(message, signal) {
      if (message.channel !== 'zalo') throw new NotifierError(`zalo notifier got a ${message.channel} message`, false);
      checkOpen(closed, signal, 'zalo');
      const body = JSON.stringify({
        phone: message.phone.replace(/^\+/, ''), template_id: opts.templateId, template_data: message.templateData, tracking_id: trackingId(message.key),
      });
      const res = await postOrThrow(opts.url ?? ZNS_URL, { headers: { 'content-type': 'application/json', access_token: opts.accessToken }, body }, signal, 'zalo api');
      let answer: { error?: unknown; message?: string };
      try {
        answer = JSON.parse(res.body) as typeof answer;
      } catch {
        throw new NotifierError('zalo api answered with something other than JSON', true);
      }
      if (answer.error !== 0) throw new NotifierError(`zalo api refused the message: error ${JSON.stringify(answer.error)} ${typeof answer.message === 'string' ? answer.message : ''}`, false);
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
