// The Devices screen (issue 16) in a real headless Chromium against the real platform: a technician provisions a
// device in the page, reads the one-time credential from the page (copyable block + QR code of the same text) and
// a real MQTT client connects with it and publishes a reading that is acknowledged (PUBACK) and stored; "Issue a
// new secret" shows a new one, after which the old secret is refused and the new one works; "Revoke" (after the
// in-page confirmation) refuses the device; "Move to field" moves a device (GET /devices answers the new field). A farmer has no Devices entry and the address is "not allowed";
// the screen fits a 390 px phone.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { connectDevice, eventually, getJson, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

interface Shown { username: string; password: string; broker: string; topic: string }

describe.skipIf(!browserAvailable())('Devices screen in Chromium', { timeout: 60_000 }, () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const logIn = (on: Page, username: string, password: string) => logInAs(on, p.baseUrl, username, password);

  /** The credential as the page shows it. */
  async function shownCredential(): Promise<Shown> {
    const block = page.locator('#credential');
    await block.waitFor();
    const read = (k: string) => block.locator(`[data-credential-field="${k}"]`).textContent().then((s) => s ?? '');
    return { username: await read('username'), password: await read('password'), broker: await read('broker'), topic: await read('topic') };
  }

  /** Connects with what the page showed; resolves to the refusal's message, or undefined when connected. */
  async function refusal(c: Shown): Promise<string | undefined> {
    try {
      const client = await connectDevice(c.broker, c.username, c.password);
      await client.endAsync();
      return undefined;
    } catch (err) {
      return String((err as Error).message);
    }
  }

  async function publishAndStore(c: Shown, value: number): Promise<void> {
    const client = await connectDevice(c.broker, c.username, c.password);
    const ts = Date.now() - 1000;
    const packet = await client.publishAsync(c.topic, JSON.stringify({ ts, readings: { awd_level: value } }), { qos: 1 });
    expect(packet?.cmd).toBe('publish'); // publishAsync resolves on the PUBACK of a QoS 1 message
    await client.endAsync();
    await eventually(async () => {
      const points = await p.store.query({ cooperativeId: 'coop-demo', deviceId: c.username, metric: 'awd_level', from: ts - 1, to: ts + 1, limit: 10 });
      return points.some((pt) => pt.value === value) ? true : undefined;
    }, 10_000, 'the reading to be stored');
  }

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'kt-manage', password: 'kt-manage-password', role: 'technician' });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'nd-manage', password: 'nd-manage-password', role: 'farmer', farmIds: ['farm-mekong'] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (err) => errors.push(String(err)));
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  let first: Shown;
  let deviceId: string;

  it('a technician provisions a device in the page and a real device publishes with the credential shown once', async () => {
    await logIn(page, 'kt-manage', 'kt-manage-password');
    expect(await page.locator('#nav-manage-devices').isVisible()).toBe(true);
    await page.click('#nav-manage-devices');
    const form = page.locator('#provision-form');
    await form.waitFor();
    await form.locator('select[name=fieldId]').selectOption('field-rice-2');
    await form.locator('select[name=kind]').selectOption('awd_tube');
    await form.locator('input[name=name]').fill('Ống AWD mới');
    await form.locator('button[type=submit]').click();

    first = await shownCredential();
    deviceId = first.username;
    expect(first.password.length).toBeGreaterThanOrEqual(16);
    expect(new URL(first.broker).port).toBe(new URL(p.mqttUrl).port); // the broker's public host (PUBLIC_HOST), its real port
    expect(first.topic).toBe(`devices/${deviceId}/up`);
    expect(await page.locator('#credential .warning').textContent()).toContain('Chỉ hiện MỘT lần');
    // The QR code holds exactly the copyable text, drawn as an SVG (no inline script, no CDN).
    const pre = await page.locator('#credential pre').textContent();
    expect(await page.locator('#credential svg.qr').getAttribute('data-qr-text')).toBe(pre);
    expect((await page.locator('#credential svg.qr path').getAttribute('d'))?.length).toBeGreaterThan(500);
    expect(pre).toContain(`password: ${first.password}`);
    await expect.poll(() => page.locator(`tr[data-device-id="${deviceId}"]`).count()).toBe(1);
    await page.screenshot({ path: `${artefacts}/manage-devices-credential.png`, fullPage: true });

    await publishAndStore(first, -6.5);

    // Shown once: after "I have saved it" or a reload, the secret is nowhere in the page.
    await page.click('[data-action="hide-credential"]');
    await page.reload();
    await page.locator(`tr[data-device-id="${deviceId}"]`).waitFor();
    expect(await page.locator('#credential').count()).toBe(0);
    expect(await page.content()).not.toContain(first.password);
  });

  it('a new secret is shown once; the old one is refused and the new one publishes', async () => {
    await page.locator(`tr[data-device-id="${deviceId}"] [data-action="rotate"]`).click();
    await expect.poll(async () => (await shownCredential()).password).not.toBe(first.password);
    const second = await shownCredential();
    expect(second.username).toBe(deviceId);
    expect(await refusal(first)).toMatch(/not authorized|bad user ?name or password/i);
    await publishAndStore(second, -8);
    first = second;
  });

  it('revoking (after confirming in the page) refuses the device', async () => {
    const row = page.locator(`tr[data-device-id="${deviceId}"]`);
    await row.locator('[data-action="revoke"]').click();
    await row.locator('[data-action="revoke-cancel"]').click(); // Cancel changes nothing
    expect(await refusal(first)).toBeUndefined();
    await row.locator('[data-action="revoke"]').click();
    await row.locator('[data-action="revoke-confirm"]').click();
    await expect.poll(() => page.locator(`tr[data-device-id="${deviceId}"]`).getAttribute('data-revoked')).toBe('true');
    expect(await page.locator(`tr[data-device-id="${deviceId}"] [data-action="rotate"]`).count()).toBe(0);
    expect(await refusal(first)).toMatch(/not authorized|bad user ?name or password/i);
  });

  it('assigns a device profile from the page', async () => {
    const profiles = (await p.registry.deviceProfiles()).map((x) => x.id);
    expect(profiles.length).toBeGreaterThan(0);
    const row = page.locator('tr[data-device-id][data-revoked="false"]').first();
    const id = await row.getAttribute('data-device-id');
    await row.locator('select[data-action="profile"]').selectOption(profiles[0]!);
    await expect.poll(() => row.locator('[role=status]').textContent()).toBe('Đã lưu');
    expect((await p.registry.profileOfDevice(id!))?.id).toBe(profiles[0]);
  });

  it('moves a device to another field from the page; GET /devices answers the new field', async () => {
    const row = page.locator('tr[data-device-id][data-revoked="false"]').first();
    const id = (await row.getAttribute('data-device-id'))!;
    const token = await login(p.baseUrl, 'kt-manage', 'kt-manage-password');
    const fieldOf = async () => (await getJson<{ devices: { id: string; fieldId: string; fieldName: string }[] }>(p.baseUrl, '/api/v1/devices', token)).body.devices.find((d) => d.id === id);
    const before = (await fieldOf())!.fieldId;
    const target = before === 'field-coffee-b' ? 'field-rice-1' : 'field-coffee-b';
    await row.locator('select[data-action="move-field"]').selectOption(target);
    await row.locator('[data-action="move"]').click();
    await expect.poll(async () => (await fieldOf())?.fieldId).toBe(target);
    // the redrawn row shows the new field's name
    const name = (await fieldOf())!.fieldName;
    await expect.poll(() => page.locator(`tr[data-device-id="${id}"] td`).nth(2).textContent()).toBe(name);
  });

  it('is in English too and fits a 390 px phone', async () => {
    await page.click('#lang');
    await expect.poll(() => page.locator('#manage-view h2').textContent()).toBe('Manage devices');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(phone, 'kt-manage', 'kt-manage-password');
    await phone.click('#nav-manage-devices');
    await phone.locator('#provision-form').waitFor();
    await phone.locator('#provision-form input[name=name]').fill('Trạm điện thoại');
    await phone.locator('#provision-form button[type=submit]').click();
    await phone.locator('#credential svg.qr').waitFor();
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: `${artefacts}/manage-devices-phone.png`, fullPage: true });
    await phone.close();
  });

  it('a farmer has no Devices screen in the nav, and its address says "not allowed" (the API refuses too)', async () => {
    const farmer = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(farmer, 'nd-manage', 'nd-manage-password');
    expect(await farmer.locator('#nav-manage-devices').isVisible()).toBe(false);
    await farmer.goto(`${p.baseUrl}/#/manage/devices`);
    await farmer.locator('#problem-view').waitFor();
    expect(await farmer.locator('#provision-form').count()).toBe(0);
    await farmer.close();
    expect(errors).toEqual([]);
  });
});
