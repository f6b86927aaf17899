// The first dashboard page in a real headless Chromium: log in, see the cooperative's fields with
// their latest readings, watch it refresh on its own, switch language; stored markup stays text.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { connectDevice, DEMO_PASSWORD, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

describe.skipIf(!browserAvailable())('dashboard in Chromium', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let secret: string;

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createField({ id: 'field-markup', farmId: 'farm-mekong', name: '<img src=x onerror="window.pwned=1">Ruộng 3', crop: 'rice' });
    secret = (await p.registry.provisionDevice({ id: 'awd-e2e', fieldId: 'field-rice-2', kind: 'awd_tube', name: 'Ống AWD thử' })).secret;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  async function publish(value: number, ts: number) {
    const device = await connectDevice(p.mqttUrl, 'awd-e2e', secret);
    await device.publishAsync('devices/awd-e2e/up', JSON.stringify({ ts, readings: { awd_level: value } }), { qos: 1 });
    await device.endAsync();
  }

  it('logs in and shows every field with its latest reading', async () => {
    await publish(-7.5, Date.now() - 120_000);
    await page.goto(p.baseUrl);
    await page.fill('input[name=username]', 'demo');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    const card = page.locator('[data-field-id="field-rice-2"]');
    await card.locator('[data-metric="awd_level"]').waitFor();
    expect(await card.locator('[data-metric="awd_level"] td.v').textContent()).toBe('-7,5 cm'); // Vietnamese decimal comma
    expect(await page.locator('.card').count()).toBe(5);
    await page.screenshot({ path: `${artefacts}/dashboard-phone.png`, fullPage: true });
  });

  it('refreshes on its own when a new reading arrives', async () => {
    await publish(-12, Date.now() - 60_000);
    const cell = page.locator('[data-field-id="field-rice-2"] [data-metric="awd_level"] td.v');
    await expect.poll(() => cell.textContent(), { timeout: 15_000 }).toBe('-12 cm');
  });

  it('shows markup stored in a field name as text, never running it', async () => {
    const title = page.locator('[data-field-id="field-markup"] h3');
    expect(await title.textContent()).toBe('<img src=x onerror="window.pwned=1">Ruộng 3');
    expect(await page.evaluate('globalThis.pwned')).toBeUndefined();
  });

  it('switches between Vietnamese and English', async () => {
    expect(await page.locator('#logout').textContent()).toBe('Đăng xuất');
    await page.click('#lang');
    expect(await page.locator('#logout').textContent()).toBe('Log out');
    await expect.poll(() => page.locator('[data-field-id="field-rice-2"] [data-metric="awd_level"] td').first().textContent()).toBe('Field water level (AWD tube)');
    await page.screenshot({ path: `${artefacts}/dashboard-en.png`, fullPage: true });
  });
});
