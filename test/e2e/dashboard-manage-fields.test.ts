// Farms and fields (issue 16) in a real headless Chromium against the real platform: an admin creates a field with
// crop, planting date, soil texture, area, pump flow and location typed as numbers, and the API keeps exactly that;
// a bad area shows the API's own message next to the input and changes nothing; an edit is saved; a new farm is
// added. A farmer has no entry for the screen and its address is "not allowed"; 390 px phone.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

interface FieldOut { id: string; farmId: string; name: string; crop: string; plantingDate: string | null; soilTexture: string | null; areaHa: number | null; pumpFlowM3h: number | null; lat: number | null; lon: number | null }

describe.skipIf(!browserAvailable())('Farms and fields screen in Chromium', { timeout: 60_000 }, () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let token: string;
  const errors: string[] = [];

  const fields = async (): Promise<FieldOut[]> => {
    const res = await fetch(`${p.baseUrl}/api/v1/fields`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { fields: FieldOut[] }).fields;
  };
  const logIn = (on: Page, username: string, password: string) => logInAs(on, p.baseUrl, username, password);

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'nd-fields', password: 'nd-fields-password', role: 'farmer', farmIds: ['farm-mekong'] });
    token = await login(p.baseUrl);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('an admin creates a field with all its numbers, sees the API\'s message for a bad area, and edits it', async () => {
    await logIn(page, 'demo', DEMO_PASSWORD);
    await page.click('#nav-manage-fields');
    const form = page.locator('#field-form');
    await form.waitFor();
    await form.locator('select[name=farmId]').selectOption('farm-mekong');
    await form.locator('input[name=name]').fill('Ruộng mới');
    await form.locator('select[name=crop]').selectOption('rice');
    await form.locator('input[name=plantingDate]').fill('2026-11-20');
    await form.locator('select[name=soilTexture]').selectOption('silty_clay');
    await form.locator('input[name=areaHa]').fill('-1');
    await form.locator('input[name=pumpFlowM3h]').fill('120');
    await form.locator('input[name=lat]').fill('9.6012');
    await form.locator('input[name=lon]').fill('105.9731');
    const before = (await fields()).length;

    const res = await fetch(`${p.baseUrl}/api/v1/fields`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ farmId: 'farm-mekong', name: 'x', crop: 'rice', areaHa: -1 }),
    });
    const apiMessage = ((await res.json()) as { error: { details: { issues: { field: string; message: string }[] } } }).error.details.issues.find((i) => i.field === 'areaHa')!.message;
    await form.locator('[data-action="save-field"]').click();
    await expect.poll(() => form.locator('[data-issue-for="areaHa"]').textContent()).toBe(apiMessage);
    expect((await fields()).length).toBe(before);

    await form.locator('input[name=areaHa]').fill('1.25');
    await form.locator('[data-action="save-field"]').click();
    await expect.poll(() => page.locator('#fields-status').textContent()).toBe('Đã tạo');
    const created = (await fields()).find((f) => f.name === 'Ruộng mới');
    expect(created).toMatchObject({ farmId: 'farm-mekong', crop: 'rice', plantingDate: '2026-11-20', soilTexture: 'silty_clay', areaHa: 1.25, pumpFlowM3h: 120, lat: 9.6012, lon: 105.9731 });
    const row = page.locator(`tr[data-field-id="${created!.id}"]`);
    expect(await row.locator('[data-col="areaHa"]').textContent()).toBe('1,25 ha');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${artefacts}/manage-fields-phone.png`, fullPage: true });

    await row.locator('[data-action="edit-field"]').click();
    await expect.poll(() => page.locator('#field-form').getAttribute('data-editing')).toBe(created!.id);
    await page.locator('#field-form input[name=areaHa]').fill('2');
    await page.locator('#field-form [data-action="save-field"]').click();
    await expect.poll(() => page.locator('#fields-status').textContent()).toBe('Đã lưu');
    expect((await fields()).find((f) => f.id === created!.id)).toMatchObject({ areaHa: 2, plantingDate: '2026-11-20', lat: 9.6012 });

    await page.locator('#farm-form input[name=name]').fill('Trại Sóc Trăng 2');
    await page.locator('#farm-form button[type=submit]').click();
    await expect.poll(() => page.locator('.farm-list li', { hasText: 'Trại Sóc Trăng 2' }).count()).toBe(1);
    await page.click('#lang');
    await expect.poll(() => page.locator('#manage-view h2').textContent()).toBe('Farms and fields');
  });

  it('a farmer has no Farms and fields entry and its address says "not allowed"', async () => {
    const farmer = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(farmer, 'nd-fields', 'nd-fields-password');
    expect(await farmer.locator('#nav-manage-fields').isVisible()).toBe(false);
    expect(await farmer.locator('#nav-my-contact').isVisible()).toBe(true);
    await farmer.goto(`${p.baseUrl}/#/manage/fields`);
    await farmer.locator('#problem-view').waitFor();
    expect(await farmer.locator('#field-form').count()).toBe(0);
    await farmer.close();
    expect(errors).toEqual([]);
  });
});
