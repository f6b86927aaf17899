// Contacts and subscriptions through the API, and an alert raised in the real platform reaching a webhook
// receiver and a farmer app over MQTT (the notifier's own broker credential), with its delivery status at
// GET /api/v1/alerts/:id/deliveries.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookVerifier } from '../../core/alerts/notification-webhook.js';
import { startHttpPeer, type HttpPeer } from '../helpers/notify-peers.js';
import { eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('notifications through the API and the running platform', () => {
  let p: TestPlatform;
  let admin: string;
  let farmer: string;
  let hook: HttpPeer;
  let app: MqttClient;
  const appMessages: Record<string, unknown>[] = [];

  async function call<T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as T };
  }

  beforeAll(async () => {
    hook = await startHttpPeer('/ruong-hook');
    p = await startTestPlatform({ WEBHOOK_SECRET: 'api-test-webhook-master-secret', MQTT_ALLOW_ANONYMOUS: 'true' });
    admin = await login(p.baseUrl);
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'nong-dan', password: 'farmer-password-1', role: 'farmer', farmIds: ['farm-highlands'] });
    farmer = await login(p.baseUrl, 'nong-dan', 'farmer-password-1');
    app = await mqtt.connectAsync(p.mqttUrl, { clientId: 'farmer-app-1', reconnectPeriod: 0 });
    app.on('message', (_t, payload) => appMessages.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await app.subscribeAsync('alerts/farm-mekong', { qos: 1 });
  });

  afterAll(async () => {
    await app?.endAsync(true);
    await p?.close();
    await hook?.close();
  });

  it('lists the seeded demo contacts to an admin, and to nobody without the role', async () => {
    const list = await call<{ contacts: { name: string; language: string; zaloConsent: boolean }[] }>('GET', '/contacts', admin);
    expect(list.status).toBe(200);
    expect(list.body.contacts.map((c) => c.name).sort()).toEqual(['Anh Tư (Mỹ Xuyên)', 'Chị Hoa (Cư M’gar)', 'Cán bộ kỹ thuật HTX', 'Visiting agronomist']);
    expect((await call('GET', '/contacts', farmer)).status).toBe(403);
  });

  it('creates, changes and deletes a contact, validating what comes in', async () => {
    const bad = await call<{ error: { message: string } }>('POST', '/contacts', admin, { name: 'X', phone: 'not a phone', language: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/phone/);
    expect(bad.body.error.message).toMatch(/language/);
    const created = await call<{ id: string; phone: string; language: string; zaloConsent: boolean; zaloConsentAt: string | null }>('POST', '/contacts', admin, { name: 'Chú Ba', phone: '0912 345 678', zaloConsent: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phone: '+84912345678', language: 'vi', zaloConsent: true });
    const changed = await call<{ quietHours: unknown; phone: string | null }>('PATCH', `/contacts/${created.body.id}`, admin, { quietHours: { start: '21:00', end: '05:00' }, phone: null });
    expect(changed.body).toMatchObject({ quietHours: { start: '21:00', end: '05:00' }, phone: null });
    expect((await call('DELETE', `/contacts/${created.body.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/contacts/${created.body.id}`, admin)).status).toBe(404);
  });

  it('refuses a subscription to another cooperative\'s farm as not found', async () => {
    await p.registry.createCooperative({ id: 'coop-other', name: 'Other' });
    await p.registry.createFarm({ id: 'farm-other', cooperativeId: 'coop-other', name: 'Other farm' });
    const c = await call<{ id: string }>('POST', '/contacts', admin, { name: 'Probe', email: 'probe@example.org' });
    expect((await call('POST', `/contacts/${c.body.id}/subscriptions`, admin, { farmId: 'farm-other' })).status).toBe(404);
    expect((await call('POST', `/contacts/${c.body.id}/subscriptions`, admin, { severities: ['urgent'] })).status).toBe(400);
    await call('DELETE', `/contacts/${c.body.id}`, admin);
  });

  it('delivers an alert to a subscribed webhook (verified with the contact\'s secret) and to the farm\'s app topic, and shows the deliveries', async () => {
    const erp = await call<{ id: string }>('POST', '/contacts', admin, { name: 'HTX ERP', role: 'integration', language: 'en', webhookUrl: hook.url });
    const sub = await call<{ severities: string[]; events: string[] }>('POST', `/contacts/${erp.body.id}/subscriptions`, admin, { farmId: 'farm-mekong', events: ['opened', 'resolved'] });
    expect(sub).toMatchObject({ status: 201, body: { severities: ['warning', 'critical'], events: ['opened', 'resolved'] } });
    expect((await call('GET', `/contacts/${erp.body.id}/webhook-secret`, farmer)).status).toBe(403);
    const { body: { secret } } = await call<{ secret: string }>('GET', `/contacts/${erp.body.id}/webhook-secret`, admin);
    const verifier = createWebhookVerifier({ secret });
    hook.answer = (req) => (verifier.verify(req.headers, req.body).ok ? { status: 200, body: '{}' } : { status: 401, body: '{}' });

    const alertId = (await p.alerts.raise({
      cooperativeId: 'coop-demo', farmId: 'farm-mekong', fieldId: 'field-rice-1', deviceId: 'canal-mekong', ruleId: 'notify-api-test', subject: 'field:field-rice-1',
      kind: 'canal_salinity', severity: 'critical', escalateAfterMs: null, values: { reading: 2.6, threshold: 2 },
      text: { vi: 'Ruộng 1 (lúa): độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰', en: 'Ruộng 1 (rice): canal salinity 2.6 ‰ above the 2 ‰ limit' },
    })).alert.id;
    await eventually(() => Promise.resolve(hook.requests.length >= 1 && appMessages.length >= 1 ? true : undefined), 10_000, 'webhook and app message');
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ event: 'opened', alert: { id: alertId, severity: 'critical' }, language: 'en', message: { title: 'Canal salinity high' } });
    expect(appMessages[0]).toMatchObject({ event: 'opened', alert: { id: alertId, farmId: 'farm-mekong' }, place: { fieldName: 'Ruộng 1' } });

    const deliveries = await eventually(async () => {
      const r = await call<{ deliveries: { channel: string; status: string; address: string; recipient: { name: string } }[] }>('GET', `/alerts/${alertId}/deliveries`, admin);
      return r.body.deliveries.every((d) => d.status === 'sent') ? r.body.deliveries : undefined;
    }, 10_000, 'sent deliveries');
    expect(deliveries.map((d) => [d.channel, d.recipient.name, d.address]).sort()).toEqual([
      ['mqtt', 'Trang trại lúa Mỹ Xuyên', 'alerts/farm-mekong'], ['webhook', 'HTX ERP', new URL(hook.url).origin],
    ]);
    expect((await call('GET', `/alerts/${alertId}/deliveries`, farmer)).status).toBe(404); // not on the farmer's farms
  });
});
