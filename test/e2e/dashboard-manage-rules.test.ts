// The Alert rules screen (issue 16) in a real headless Chromium against the real platform: an admin opens a rice
// field's rules (the defaults per crop and device kind), sets the AWD threshold of this field to a bad value and
// sees the API's own zod message next to the input, then a valid value that is saved as an override of this field
// (marked, in force, returned by GET /rules), then deletes the override and the default is in force again.
// Then, choosing the level in the page, a farm-level and a device-level override of the same rule: GET
// /rules?deviceId= answers the device one in force, the farm one overridden, and both delete in the page.
// A farmer reads the rules without any form; the screen fits a 390 px phone, in vi and en.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';
const FIELD = 'field-rice-1';

interface RuleOut { id: string; key: string; origin: string; effective: boolean | null; definition: Record<string, unknown> }

describe.skipIf(!browserAvailable())('Alert rules screen in Chromium', { timeout: 60_000 }, () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let token: string;
  const errors: string[] = [];

  const logIn = (on: Page, username: string, password: string) => logInAs(on, p.baseUrl, username, password);
  async function awdInForce(): Promise<RuleOut> {
    const res = await fetch(`${p.baseUrl}/api/v1/rules?fieldId=${FIELD}`, { headers: { authorization: `Bearer ${token}` } });
    const { rules } = (await res.json()) as { rules: RuleOut[] };
    return rules.find((r) => r.key === 'awd' && r.effective)!;
  }

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'nd-rules', password: 'nd-rules-password', role: 'farmer', farmIds: ['farm-mekong'] });
    token = await login(p.baseUrl);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('an admin sees the API\'s validation message for a bad threshold, then saves a valid override and deletes it', async () => {
    await logIn(page, 'demo', DEMO_PASSWORD);
    await page.click('#nav-manage-rules');
    await page.locator('#rules-field').selectOption(FIELD);
    const card = page.locator('[data-rule-key="awd"]');
    await expect.poll(() => card.getAttribute('data-origin')).toBe('default');
    expect(await card.locator('[data-value-of="thresholdCm"]').textContent()).toBe('-15');

    // What the API itself answers for this value (rules/rule-schema.ts through PUT /rules/:id).
    const res = await fetch(`${p.baseUrl}/api/v1/rules/coop-demo:probe`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, kind: 'awd', key: 'awd', scope: { crop: 'rice', fieldId: FIELD }, thresholdCm: 5 }),
    });
    expect(res.status).toBe(400);
    const apiMessage = ((await res.json()) as { error: { details: { issues: { field: string; message: string }[] } } }).error.details.issues.find((i) => i.field === 'thresholdCm')!.message;

    await card.locator('input[name="thresholdCm"]').fill('5');
    await card.locator('[data-action="save-rule"]').click();
    await expect.poll(() => card.locator('[data-issue-for="thresholdCm"]').textContent()).toBe(apiMessage);
    expect((await awdInForce()).origin).toBe('default'); // nothing was saved

    await card.locator('input[name="thresholdCm"]').fill('-20');
    await card.locator('[data-action="save-rule"]').click();
    await expect.poll(() => page.locator('[data-rule-key="awd"]').getAttribute('data-origin')).toBe('override');
    expect(await page.locator('#rules-status').textContent()).toBe('Đã lưu');
    expect(await page.locator('[data-rule-key="awd"] [data-value-of="thresholdCm"]').textContent()).toBe('-20');
    expect(await page.locator('[data-rule-key="awd"] .overridden').count()).toBe(1); // the default, marked as overridden
    const saved = await awdInForce();
    expect(saved.origin).toBe('override');
    expect(saved.definition.thresholdCm).toBe(-20);
    expect(saved.definition.scope).toEqual({ crop: 'rice', fieldId: FIELD });
    await page.screenshot({ path: `${artefacts}/manage-rules.png`, fullPage: true });

    await page.locator('[data-rule-key="awd"] [data-action="delete-rule"]').click();
    await expect.poll(() => page.locator('[data-rule-key="awd"]').getAttribute('data-origin')).toBe('default');
    expect((await awdInForce()).origin).toBe('default');
  });

  it('an admin sets a FARM-level and a DEVICE-level override in the page; the device one is in force for the device; both delete', async () => {
    const DEVICE = 'awd-rice-1';
    const awdForDevice = async () => {
      const res = await fetch(`${p.baseUrl}/api/v1/rules?deviceId=${DEVICE}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { rules: (RuleOut & { scope: Record<string, string> })[] }).rules.filter((r) => r.key === 'awd');
    };
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(String(err)));
    await logIn(page, 'demo', DEMO_PASSWORD);
    await page.goto(`${p.baseUrl}/#/manage/rules?field=${FIELD}`);
    const card = page.locator('[data-rule-key="awd"]');
    const save = card.locator('[data-action="save-rule"]');
    await expect.poll(() => card.getAttribute('data-origin')).toBe('default');

    await page.locator('#rules-target').selectOption('farm');
    await expect.poll(() => save.textContent()).toBe('Lưu ghi đè cho cả trại');
    await card.locator('input[name="thresholdCm"]').fill('-18');
    await save.click();
    await expect.poll(() => card.getAttribute('data-level')).toBe('farm');
    expect(await card.locator('h3 .badge.level').textContent()).toBe('Mức trại');

    await page.locator('#rules-target').selectOption(`device:${DEVICE}`);
    await expect.poll(() => save.textContent()).toBe('Lưu ghi đè cho thiết bị này');
    expect(await card.getAttribute('data-level')).toBe('farm'); // the farm's override is in force for the device so far
    await card.locator('input[name="thresholdCm"]').fill('-22');
    await save.click();
    await expect.poll(() => card.getAttribute('data-level')).toBe('device');
    expect(await card.locator('h3 .badge.level').textContent()).toBe('Mức thiết bị');
    expect(await card.locator('.overridden[data-level="farm"]').count()).toBe(1);

    const both = await awdForDevice();
    const inForce = both.find((r) => r.effective)!;
    expect(inForce.origin).toBe('override');
    expect(inForce.scope.deviceId).toBe(DEVICE);
    expect(inForce.definition.thresholdCm).toBe(-22);
    const farm = both.find((r) => r.scope.farmId === 'farm-mekong')!;
    expect(farm.effective).toBe(false);
    expect(farm.definition.thresholdCm).toBe(-18);
    await page.screenshot({ path: `${artefacts}/manage-rules-levels.png`, fullPage: true });

    // Delete at the device level: the farm's override applies again; then at the farm level: the default.
    await card.locator(':scope > [data-action="delete-rule"]').click();
    await expect.poll(() => card.getAttribute('data-level')).toBe('farm');
    const afterDevice = (await awdForDevice()).find((r) => r.effective)!;
    expect(afterDevice.id).toBe(farm.id);
    await card.locator(':scope > [data-action="delete-rule"]').click();
    await expect.poll(() => card.getAttribute('data-origin')).toBe('default');
    const left = await awdForDevice();
    expect(left.filter((r) => r.origin === 'override')).toEqual([]);
    expect(left.find((r) => r.effective)!.origin).toBe('default');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a farmer reads the rules of their field without forms; fits a 390 px phone in English', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(phone, 'nd-rules', 'nd-rules-password');
    await phone.click('#lang');
    await phone.click('#nav-manage-rules');
    await phone.locator('[data-rule-key="awd"]').first().waitFor();
    expect(await phone.locator('#manage-view h2').textContent()).toBe('Alert rules');
    expect(await phone.locator('[data-action="save-rule"]').count()).toBe(0);
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await phone.close();
    const admin = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(admin, 'demo', DEMO_PASSWORD);
    await admin.goto(`${p.baseUrl}/#/manage/rules?field=${FIELD}`);
    await admin.locator('[data-rule-key="awd"] form').waitFor();
    expect(Number(await admin.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await admin.screenshot({ path: `${artefacts}/manage-rules-phone.png`, fullPage: true });
    await admin.close();
    expect(errors).toEqual([]);
  });
});
