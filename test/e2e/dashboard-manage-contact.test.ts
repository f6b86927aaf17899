// "My contact" (issue 16) in a real headless Chromium against the real platform: a farmer sets their own phone,
// language and quiet hours in the page; a bad phone number shows the API's own message next to the input and
// saves nothing; the saved values are what the API keeps and are still in the page after a reload; 390 px phone.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

interface Contact { phone: string | null; language: string; quietHours: { start: string; end: string } | null }

describe.skipIf(!browserAvailable())('My contact in Chromium', { timeout: 60_000 }, () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let token: string;
  const errors: string[] = [];

  const own = async (): Promise<Contact | null> => {
    const res = await fetch(`${p.baseUrl}/api/v1/me/contact`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { contact: Contact | null }).contact;
  };

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'nd-contact', password: 'nd-contact-password', role: 'farmer', farmIds: ['farm-mekong'] });
    token = await login(p.baseUrl, 'nd-contact', 'nd-contact-password');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a farmer's phone
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('a farmer sets phone, language and quiet hours; a bad phone shows the API\'s message; kept after a reload', async () => {
    await logInAs(page, p.baseUrl, 'nd-contact', 'nd-contact-password');
    expect(await page.locator('#nav-manage-devices').isVisible()).toBe(false);
    await page.click('#nav-my-contact');
    const form = page.locator('#contact-form');
    await form.waitFor();
    expect(await own()).toBeNull();

    const res = await fetch(`${p.baseUrl}/api/v1/me/contact`, {
      method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '12ab' }),
    });
    const apiMessage = ((await res.json()) as { error: { details: { issues: { field: string; message: string }[] } } }).error.details.issues[0]!.message;
    await form.locator('input[name=phone]').fill('12ab');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-issue-for="phone"]').textContent()).toBe(apiMessage);
    expect(await own()).toBeNull();

    await form.locator('input[name=phone]').fill('0912 345 678');
    await form.locator('select[name=language]').selectOption('en');
    await form.locator('input[name=quietStart]').fill('21:00');
    await form.locator('input[name=quietEnd]').fill('05:30');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#contact-status').textContent()).toBe('Đã lưu');
    expect(await own()).toMatchObject({ phone: '+84912345678', language: 'en', quietHours: { start: '21:00', end: '05:30' } });

    await page.reload();
    await page.locator('#contact-form').waitFor();
    expect(await page.locator('#contact-form input[name=phone]').inputValue()).toBe('+84912345678');
    expect(await page.locator('#contact-form select[name=language]').inputValue()).toBe('en');
    expect(await page.locator('#contact-form input[name=quietStart]').inputValue()).toBe('21:00');
    expect(await page.locator('#contact-form input[name=quietEnd]').inputValue()).toBe('05:30');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${artefacts}/manage-my-contact-phone.png`, fullPage: true });

    // Clearing the quiet hours is kept too.
    await page.locator('#contact-form input[name=quietStart]').fill('');
    await page.locator('#contact-form input[name=quietEnd]').fill('');
    await page.locator('#contact-form button[type=submit]').click();
    await expect.poll(async () => (await own())?.quietHours).toBeNull();
    await page.click('#lang');
    await expect.poll(() => page.locator('#manage-view h2').textContent()).toBe('My contact');
    expect(errors).toEqual([]);
  });
});
