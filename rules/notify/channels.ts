// Builds the configured channels. A channel without its configuration is disabled, said once at info
// level; nothing is enqueued for a disabled channel.
import type { Notifier } from '../../core/alerts/notification-types.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import { createEmailNotifier } from './email.js';
import { createMqttNotifier, type MqttNotifierOptions } from './mqtt.js';
import { createSmsNotifier } from './sms.js';
import { createWebhookNotifier } from './webhook.js';
import { createZaloNotifier } from './zalo.js';

export type ChannelConfig = Pick<Config,
  | 'SMTP_URL' | 'SMTP_FROM' | 'SMS_GATEWAY_URL' | 'SMS_GATEWAY_AUTH' | 'SMS_GATEWAY_AUTH_HEADER' | 'SMS_GATEWAY_BODY'
  | 'SMS_GATEWAY_CONTENT_TYPE' | 'ZALO_ACCESS_TOKEN' | 'ZALO_TEMPLATE_ID' | 'ZALO_API_URL' | 'WEBHOOK_SECRET' | 'ALERTS_MQTT'>;

/** `mqtt`: how to reach the broker for alerts/{farmId}; undefined = no broker in this process. */
export function createNotifiers(config: ChannelConfig, deps: { log: Logger; mqtt?: MqttNotifierOptions | undefined }): Notifier[] {
  const notifiers: Notifier[] = [];
  const off = (channel: string, needs: string) => deps.log.info({ channel, needs }, 'notification channel disabled');
  if (config.SMTP_URL) notifiers.push(createEmailNotifier({ url: config.SMTP_URL, from: config.SMTP_FROM }));
  else off('email', 'SMTP_URL');
  if (config.SMS_GATEWAY_URL) {
    notifiers.push(createSmsNotifier({
      url: config.SMS_GATEWAY_URL, auth: config.SMS_GATEWAY_AUTH, authHeader: config.SMS_GATEWAY_AUTH_HEADER,
      bodyTemplate: config.SMS_GATEWAY_BODY, contentType: config.SMS_GATEWAY_CONTENT_TYPE,
    }));
  } else off('sms', 'SMS_GATEWAY_URL');
  if (config.ZALO_ACCESS_TOKEN && config.ZALO_TEMPLATE_ID) {
    notifiers.push(createZaloNotifier({ url: config.ZALO_API_URL, accessToken: config.ZALO_ACCESS_TOKEN, templateId: config.ZALO_TEMPLATE_ID }));
  } else off('zalo', 'ZALO_ACCESS_TOKEN and ZALO_TEMPLATE_ID');
  if (config.WEBHOOK_SECRET) notifiers.push(createWebhookNotifier({ masterSecret: config.WEBHOOK_SECRET }));
  else off('webhook', 'WEBHOOK_SECRET');
  if (config.ALERTS_MQTT && deps.mqtt) notifiers.push(createMqttNotifier(deps.mqtt));
  else off('mqtt', 'ALERTS_MQTT=true and the built-in broker');
  return notifiers;
}
