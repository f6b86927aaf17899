// Issue 16 "done when", end to end as a person in a real headless Chromium against the real platform: an admin
// adds a webhook contact on the Alert contacts screen and subscribes it to a rice field, overrides the field's AWD
// threshold on the Alert rules screen (−15 cm → −5 cm), then a provisioned AWD tube publishes a level of −10 cm
// with a real MQTT client (mqtt.js, the device's own credential). Under the default −15 cm that level alerts
// nobody (checked first, same device, same level); under the override the alert opens in the page naming the
// −5 cm threshold and the notification reaches the local webhook peer.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { startHttpPeer, type HttpPeer } from '../helpers/notify-peers.js';
import { connectDevice, DEMO_PASSWORD, eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';
const FIELD = 'field-rice-e2e'; // a field of its own, with only this test's tube
const DEVICE = 'awd-e2e-tube';
const MIN = 60_000;
const DAY = 86_400_000;
const LEVEL = -10; // above the default −15 cm AWD threshold, below the −5 cm override

interface AlertOut { id: string; kind: string; fieldId: string | null; status: string; values: Record<string, unknown>; text: { vi: string; en: string } }

describe.skipIf(!browserAvailable())('contacts + rules screens end to end: a reading, an alert at the new threshold, a notification', { timeout: 90_000 }, () => {
  let p: TestPlatform;
  let hook: HttpPeer;
  let browser: Browser;
  let page: Page;
  let token: string;
  let secret: string;
  const errors: string[] = [];

  const awdAlerts = async (): Promise<AlertOut[]> => {
    const res = await fetch(`${p.baseUrl}/api/v1/alerts?fieldId=${FIELD}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { alerts: AlertOut[] }).alerts.filter((a) => a.kind.startsWith('awd'));
  };

  /** One backlog message from the tube: the level every 5 min over 40 min ending at `end` (the rule wants 30 min). */
  async function publishLevel(end: number): Promise<void> {
    const entries = Array.from({ length: 9 }, (_, i) => ({ ts: end - (8 - i) * 5 * MIN, readings: { awd_level: LEVEL } }));
    const stored = new Promise<void>((resolve) => {
      let left = entries.length;
      const onStored = (batch: readonly { deviceId: string }[]) => {
        left -= batch.filter((r) => r.deviceId === DEVICE).length;
        if (left <= 0) { p.ingest.events.off('stored', onStored); resolve(); }
      };
      p.ingest.events.on('stored', onStored);
    });
    const client = await connectDevice(p.mqttUrl, DEVICE, secret);
    const ack = await client.publishAsync(`devices/${DEVICE}/up`, JSON.stringify(entries), { qos: 1 });
    expect(ack?.cmd).toBe('publish'); // the PUBACK of the QoS 1 message
    await client.endAsync();
    await stored;
    await p.rules.idle();
  }

  const logIn = (on: Page) => logInAs(on, p.baseUrl, 'demo', DEMO_PASSWORD);

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    hook = await startHttpPeer('/ruong-hook');
    p = await startTestPlatform({ WEBHOOK_SECRET: 'e2e-manage-webhook-master-secret' });
    token = await login(p.baseUrl);
    // A rice field transplanted 35 days ago: in the AWD phase (docs/agronomy.md §3), as the demo's Ruộng 1.
    const planted = new Date(Date.now() - 35 * DAY + 7 * 3_600_000).toISOString().slice(0, 10);
    await p.registry.createField({ id: FIELD, farmId: 'farm-mekong', name: 'Ruộng 9', crop: 'rice', plantingDate: planted, soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 100 });
    ({ secret } = await p.registry.provisionDevice({ id: DEVICE, fieldId: FIELD, kind: 'awd_tube', name: 'Ống AWD thử' }));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
    await hook?.close();
  });

  it('under the default −15 cm threshold a −10 cm level opens no alert', async () => {
    await publishLevel(Date.now() - 60 * MIN);
    expect(await awdAlerts()).toEqual([]);
  });

  it('an admin adds a webhook contact subscribed to the field and overrides its AWD threshold; the same level then alerts in the page and at the peer', async () => {
    await logIn(page);

    // Alert contacts: a webhook contact, subscribed to the field (warnings and critical alerts, opened/escalated).
    await page.click('#nav-manage-contacts');
    const form = page.locator('#contact-edit-form');
    await form.locator('input[name=name]').fill('HTX ERP thử');
    await form.locator('select[name=role]').selectOption('integration');
    await form.locator('input[name=webhookUrl]').fill(hook.url);
    await form.locator('[data-action="save-contact"]').click();
    await expect.poll(() => page.locator('#contacts-status').textContent()).toBe('Đã thêm');
    const card = page.locator('[data-contact-id]', { hasText: 'HTX ERP thử' });
    await card.locator('details summary').click();
    await card.locator('select[name=fieldId]').selectOption(FIELD);
    await card.locator('[data-action="subscribe"]').click();
    await expect.poll(() => card.locator(`li[data-field="${FIELD}"]`).count()).toBe(1);

    // Alert rules: the AWD threshold of the field from −15 cm to −5 cm.
    await page.click('#nav-manage-rules');
    const firstFieldCard = await page.locator('[data-rule-key="awd"]').elementHandle();
    await page.locator('#rules-field').selectOption(FIELD);
    await firstFieldCard.waitForElementState('hidden'); // the screen is drawn again for the chosen field
    const rule = page.locator('[data-rule-key="awd"]');
    await expect.poll(() => rule.getAttribute('data-origin')).toBe('default');
    await rule.locator('input[name="thresholdCm"]').fill('-5');
    await rule.locator('[data-action="save-rule"]').click();
    await expect.poll(() => page.locator('[data-rule-key="awd"]').getAttribute('data-origin')).toBe('override');
    expect(await page.locator('[data-rule-key="awd"] [data-value-of="thresholdCm"]').textContent()).toBe('-5');

    // The tube reports the same −10 cm again, now over the last 40 minutes.
    await page.click('#nav a[href="#/alerts"]');
    await publishLevel(Date.now() - MIN);

    const alert = await eventually(async () => (await awdAlerts()).find((a) => a.kind === 'awd_irrigate' && a.status === 'open'), 10_000, 'the AWD alert');
    expect(alert.values).toMatchObject({ levelCm: LEVEL, thresholdCm: -5 });
    const item = page.locator(`[data-alert-id="${alert.id}"]`);
    await expect.poll(async () => {
      if ((await item.count()) === 0) await page.reload(); // the list is drawn when the screen opens
      return item.locator('.alert-text').textContent();
    }).toMatch(/^Ruộng 9 \(lúa\): mực nước −10 cm dưới ngưỡng −5 cm — bơm nước vào ruộng/);
    expect(Number(await page.locator('#alert-count').textContent())).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: `${artefacts}/manage-end-to-end-alert.png`, fullPage: true });

    const delivered = await eventually(() => Promise.resolve(hook.requests.find((r) => r.body.includes(alert.id))), 10_000, 'the webhook request');
    expect(delivered.method).toBe('POST');
    const body = JSON.parse(delivered.body) as { event: string; alert: Record<string, unknown> };
    expect(body.event).toBe('opened');
    expect(body.alert).toMatchObject({ id: alert.id, kind: 'awd_irrigate', fieldId: FIELD });
    expect(delivered.body).toContain('−5 cm');
    expect(errors).toEqual([]);
  });
});
