// People and API keys (issue 16) in a real headless Chromium against the real platform: an admin adds a farmer with
// one farm (a short password shows the API's message first); the new farmer logs in with the login name the page
// shows and sees only that farm's fields; an API key issued in the page is shown once and works, and is refused
// after "Revoke". A technician has no entry for the screen; 390 px phone.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

describe.skipIf(!browserAvailable())('People and API keys screen in Chromium', { timeout: 60_000 }, () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const logIn = (on: Page, username: string, password: string) => logInAs(on, p.baseUrl, username, password);
  const fieldsWithKey = (key: string) => fetch(`${p.baseUrl}/api/v1/fields`, { headers: { 'x-api-key': key } });

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'kt-people', password: 'kt-people-password', role: 'technician' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('an admin adds a farmer who then sees only their farm', async () => {
    await logIn(page, 'demo', DEMO_PASSWORD);
    await page.click('#nav-manage-people');
    const form = page.locator('#user-form');
    await form.waitFor();
    await form.locator('input[name=username]').fill('chi-lan');
    await form.locator('input[name=password]').fill('short');
    await form.locator('input[name=displayName]').fill('Chị Lan');
    await form.locator('select[name=role]').selectOption('farmer');
    await form.locator('input[name=farmIds][value="farm-mekong"]').check();
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-issue-for="password"]').textContent()).toBe('must be at least 10 characters');

    await page.locator('#user-form input[name=password]').fill('chi-lan-password');
    await page.locator('#user-form button[type=submit]').click();
    await expect.poll(() => page.locator('#people-status').textContent()).toMatch(/^Đã thêm — tên đăng nhập: /);
    const loginName = (await page.locator('#people-status').textContent())!.replace(/^.*: /, '');
    expect(await page.locator(`tr[data-username="${loginName}"]`).count()).toBe(1);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${artefacts}/manage-people-phone.png`, fullPage: true });

    const token = await login(p.baseUrl, loginName, 'chi-lan-password');
    const res = await fetch(`${p.baseUrl}/api/v1/fields`, { headers: { authorization: `Bearer ${token}` } });
    const { fields } = (await res.json()) as { fields: { farmId: string }[] };
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.every((f) => f.farmId === 'farm-mekong')).toBe(true);
  });

  it('an API key is shown once and works until it is revoked in the page', async () => {
    await page.locator('#key-form input[name=name]').fill('Hệ thống tưới');
    await page.locator('#key-form select[name=role]').selectOption('viewer');
    await page.locator('#key-form button[type=submit]').click();
    const key = (await page.locator('#new-key [data-api-key]').textContent())!;
    expect(key).toMatch(/^rk_/);
    expect((await fieldsWithKey(key)).status).toBe(200);
    await page.click('[data-action="hide-key"]');
    await expect.poll(() => page.locator('#new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    const row = page.locator('tr[data-key-id][data-revoked="false"]', { hasText: 'Hệ thống tưới' });
    await row.locator('[data-action="revoke-key"]').click();
    await row.locator('[data-action="confirm"]').click();
    await expect.poll(() => page.locator('tr[data-key-id]', { hasText: 'Hệ thống tưới' }).getAttribute('data-revoked')).toBe('true');
    expect((await fieldsWithKey(key)).status).toBe(401);
  });

  it('a technician has no People entry', async () => {
    const tech = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await logIn(tech, 'kt-people', 'kt-people-password');
    expect(await tech.locator('#nav-manage-people').isVisible()).toBe(false);
    expect(await tech.locator('#nav-manage-devices').isVisible()).toBe(true);
    await tech.goto(`${p.baseUrl}/#/manage/people`);
    await tech.locator('#problem-view').waitFor();
    await tech.close();
    expect(errors).toEqual([]);
  });
});
