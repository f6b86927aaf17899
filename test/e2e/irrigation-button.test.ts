// The field page's "Đã tưới … mm" button in a real headless Chromium against the real platform (issue 17): the
// farmer types 30, the button says "Đã tưới 30 mm", a click records it (POST /fields/:id/irrigations, source
// farmer_report), the page confirms and lists it, and the API returns it.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { DEMO_PASSWORD, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe.skipIf(!browserAvailable())('the field page records an irrigation', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    p = await startTestPlatform();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('"Đã tưới 30 mm" records 30 mm on the field and lists it', async () => {
    await page.goto(p.baseUrl);
    await page.fill('input[name=username]', 'demo');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-field-id="field-coffee-a"]').waitFor();
    await page.goto(`${p.baseUrl}/#/field/field-coffee-a`);
    const button = page.locator('.irrigation-panel button.irrigation-record');
    await button.waitFor();
    await page.fill('.irrigation-panel input.irrigation-mm', '30');
    expect((await button.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Đã tưới 30 mm');
    await button.click();
    await expect.poll(() => page.locator('.irrigation-panel .irrigation-status').textContent()).toBe('Đã ghi: 30 mm');
    await expect.poll(() => page.locator('.irrigation-panel .irrigation-list li').count()).toBe(1);
    expect(await page.locator('.irrigation-panel .irrigation-list li').textContent()).toMatch(/— 30 mm$/);
    // today's bar of the 14-day irrigation chart carries the 30 mm
    await expect.poll(() => page.locator('.irrigation-panel svg.irrigation-bars rect[data-mm="30"]').count()).toBe(1);
    expect(await page.locator('.irrigation-panel svg.irrigation-bars rect').count()).toBe(14);
    mkdirSync('test-results', { recursive: true });
    await page.locator('.irrigation-panel').screenshot({ path: 'test-results/irrigation-button.png' });

    const token = await login(p.baseUrl);
    const res = await fetch(`${p.baseUrl}/api/v1/fields/field-coffee-a/irrigations`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { irrigations: { depthMm: number; source: string; volumeM3: number }[] };
    expect(body.irrigations).toEqual([expect.objectContaining({ depthMm: 30, source: 'farmer_report', volumeM3: 360 })]);
    expect(errors).toEqual([]);
  });
});
