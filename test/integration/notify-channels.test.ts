// One alert through every channel to real local peers: an SMTP server, an HTTP webhook receiver that
// verifies signatures, an HTTP SMS gateway, a Zalo ZNS stand-in and the real MQTT broker with a farmer
// app subscribed. Exactly one message per subscribed recipient and channel, in the recipient's language.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFIER_SERVICE } from '../../broker/acl.js';
import { createBrokerService, type BrokerService } from '../../broker/broker-service.js';
import { createNotificationService, type NotificationService } from '../../core/alerts/notification-service.js';
import { WEBHOOK_HEADERS, createWebhookVerifier, webhookSecretFor } from '../../core/alerts/notification-webhook.js';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createNotifiers } from '../../rules/notify/channels.js';
import { parseMail, startHttpPeer, startSmtpPeer, type HttpPeer, type SmtpPeer } from '../helpers/notify-peers.js';
import { alertOn, createWorld, type World } from '../helpers/notify-world.js';

const MASTER = 'integration-webhook-master-secret';
const NOTIFIER_SECRET = 'notifier-secret-integration';

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('an alert reaches every subscribed recipient on every channel, once', () => {
  let world: World;
  let smtp: SmtpPeer;
  let webhook: HttpPeer;
  let sms: HttpPeer;
  let zalo: HttpPeer;
  let broker: BrokerService;
  let app: MqttClient;
  let service: NotificationService;
  const appMessages: { topic: string; body: Record<string, unknown> }[] = [];
  const verdicts: string[] = [];

  beforeAll(async () => {
    world = await createWorld();
    [smtp, webhook, sms, zalo] = await Promise.all([startSmtpPeer(), startHttpPeer('/hooks/ruong'), startHttpPeer('/sms'), startHttpPeer('/message/template')]);
    await world.registry.updateContact('coop-a', world.ids.erp, { webhookUrl: webhook.url });
    const verifier = createWebhookVerifier({ secret: webhookSecretFor(MASTER, world.ids.erp) });
    webhook.answer = (req) => {
      const v = verifier.verify(req.headers, req.body);
      verdicts.push(v.ok ? 'ok' : v.reason);
      return v.ok ? { status: 200, body: '{}' } : { status: 401, body: JSON.stringify(v) };
    };
    zalo.answer = () => ({ status: 200, body: '{"error":0,"message":"Success","data":{"msg_id":"m1"}}' });
    await world.registry.setServiceSecret(NOTIFIER_SERVICE, NOTIFIER_SECRET);
    broker = createBrokerService({ auth: world.registry, log: silentLogger(), metrics: createMetrics(), host: '127.0.0.1', port: 0, allowAnonymous: true });
    await broker.start();
    app = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.addresses().tcp}`, { clientId: 'farmer-app-tu', reconnectPeriod: 0 });
    app.on('message', (topic, payload) => appMessages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await app.subscribeAsync('alerts/farm-mekong', { qos: 1 });

    const config = loadConfig({
      SMTP_URL: smtp.url, SMTP_FROM: 'Ruộng <canh-bao@htx.example.org>', SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_AUTH: 'Bearer gw',
      ZALO_ACCESS_TOKEN: 'oa-token', ZALO_TEMPLATE_ID: '301234', ZALO_API_URL: zalo.url, WEBHOOK_SECRET: MASTER,
    });
    const notifiers = createNotifiers(config, {
      log: silentLogger(),
      mqtt: { url: `mqtt://127.0.0.1:${broker.addresses().tcp}`, username: NOTIFIER_SERVICE, password: NOTIFIER_SECRET, clientId: NOTIFIER_SERVICE },
    });
    service = createNotificationService({ sql: world.registry.sql, directory: world.registry, notifiers, log: silentLogger() });
    await service.start();
    await service.handle({ event: 'opened', alert: alertOn({ id: 'al-int-1', severity: 'critical' }) });
    await waitFor(() => smtp.mails.length >= 2 && sms.requests.length >= 2 && zalo.requests.length >= 1 && webhook.requests.length >= 1 && appMessages.length >= 1, 'every channel');
    await new Promise((r) => setTimeout(r, 300)); // anything extra would have arrived by now
  });

  afterAll(async () => {
    await service.stop();
    await app.endAsync(true);
    await broker.stop();
    await Promise.all([smtp.close(), webhook.close(), sms.close(), zalo.close()]);
    await world.registry.close();
  });

  it('sends exactly one message per subscribed recipient and channel, in the recipient\'s language', async () => {
    const smsByTo = Object.fromEntries(sms.requests.map((r) => {
      const b = JSON.parse(r.body) as { to: string; text: string; unicode: number };
      return [b.to, b];
    }));
    expect(sms.requests).toHaveLength(2);
    expect(smsByTo['+84900000101']).toMatchObject({ unicode: 1, text: 'Ruộng 1: độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰ — không lấy nước kênh' }); // one UCS-2 segment: critical
    expect(smsByTo['+84900000102']!.text).toMatch(/^Ruộng 1: canal salinity 2\.6 ‰/);
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['kt@example.org'], ['mary@example.org']]);
    expect(zalo.requests).toHaveLength(1);
    expect(JSON.parse(zalo.requests[0]!.body)).toMatchObject({ phone: '84900000101', template_id: '301234', template_data: { field_name: 'Ruộng 1', alert_title: 'Độ mặn kênh cao' } });
    expect(webhook.requests).toHaveLength(1);
    expect(appMessages).toHaveLength(1);
    expect(appMessages[0]).toMatchObject({ topic: 'alerts/farm-mekong', body: { event: 'opened', alert: { id: 'al-int-1', severity: 'critical' }, title: { vi: 'Độ mặn kênh cao', en: 'Canal salinity high' } } });
    const statuses = (await service.deliveries('al-int-1', { cooperativeId: 'coop-a' })).map((d) => `${d.channel}:${d.status}`).sort();
    expect(statuses).toEqual(['email:sent', 'email:sent', 'mqtt:sent', 'sms:sent', 'sms:sent', 'webhook:sent', 'zalo:sent']);
  });

  it('the SMTP server receives a well-formed message with a UTF-8 subject', () => {
    const mail = smtp.mails.find((m) => m.to[0] === 'kt@example.org')!;
    const head = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^[\x20-\x7e\r\n\t]*$/); // RFC 5322 §2.2: header fields are US-ASCII; RFC 2047 carries the rest
    const { headers, body } = parseMail(mail.raw);
    expect(headers.get('subject')).toBe('[Ruộng] KHẨN: Độ mặn kênh cao, Ruộng 1');
    expect(headers.get('from')).toBe('Ruộng <canh-bao@htx.example.org>');
    expect(headers.get('to')).toBe('kt@example.org');
    expect(headers.get('mime-version')).toBe('1.0');
    expect(headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8$/i);
    expect(headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@ruong\.notify>$/);
    expect(Number.isNaN(Date.parse(headers.get('date') ?? ''))).toBe(false);
    expect(headers.get('x-ruong-delivery')).toBe(`al-int-1:opened:${world.ids.tech}:email`);
    expect(body).toContain('Nơi: Trang trại Mỹ Xuyên – Ruộng 1');
    expect(body).toContain('độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰');
    expect(mail.from).toBe('canh-bao@htx.example.org');
    const mary = parseMail(smtp.mails.find((m) => m.to[0] === 'mary@example.org')!.raw);
    expect(mary.headers.get('subject')).toBe('[Ruộng] CRITICAL: Canal salinity high, Ruộng 1');
  });

  it('the webhook receiver verifies the signature and rejects a replay and a tampered body', async () => {
    expect(verdicts).toEqual(['ok']);
    const original = webhook.requests[0]!;
    expect(JSON.parse(original.body)).toMatchObject({ id: `al-int-1:opened:${world.ids.erp}:webhook`, event: 'opened', alert: { id: 'al-int-1', kind: 'canal_salinity' }, language: 'en' });
    const headers = Object.fromEntries(Object.values(WEBHOOK_HEADERS).map((h) => [h, String(original.headers[h])]));
    const replay = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: original.body });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ ok: false, reason: 'replay' });
    const tampered = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: original.body.replace('critical', 'info') });
    expect(await tampered.json()).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(webhook.requests).toHaveLength(1);
  });
});
