// Wires the SMS gateway's inbound webhook (issue 17, api/routes/sms-inbound.ts): on when SMS_INBOUND_SECRET is set;
// its answers go out through the same HTTP gateway as the SMS alerts (rules/notify/sms.ts, SMS_GATEWAY_*). Without
// SMS_GATEWAY_URL the replies are still recorded, and the answer is logged as not sent.
import type { SmsInboundOptions } from '../api/routes/sms-inbound.js';
import type { Config } from '../core/config.js';
import { createSmsNotifier } from '../rules/notify/sms.js';

const SEND_TIMEOUT_MS = 10_000;

export function smsInboundOptions(config: Config): SmsInboundOptions | undefined {
  if (!config.SMS_INBOUND_SECRET) return undefined;
  const gateway = config.SMS_GATEWAY_URL ? createSmsNotifier({
    url: config.SMS_GATEWAY_URL, auth: config.SMS_GATEWAY_AUTH, authHeader: config.SMS_GATEWAY_AUTH_HEADER,
    bodyTemplate: config.SMS_GATEWAY_BODY, contentType: config.SMS_GATEWAY_CONTENT_TYPE,
  }) : undefined;
  return {
    secret: config.SMS_INBOUND_SECRET,
    unaccented: config.SMS_UNACCENTED,
    send: async (message) => {
      if (!gateway) throw new Error('SMS_GATEWAY_URL is not set: the answer cannot be sent');
      await gateway.send(message, AbortSignal.timeout(SEND_TIMEOUT_MS));
    },
  };
}
