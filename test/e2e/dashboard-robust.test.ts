// The dashboard never strands the user, in a real headless Chromium against the real platform behind a local
// proxy (test/helpers/failing-proxy.ts) that can make one call fail for real: a bookmarked link to a missing
// field, to another cooperative's field, or to a farm a farmer may not see is a "not found" page inside the
// app, still logged in; a 503 or a dropped connection is a banner with Retry that loads the page; the old
// field never stays under a new address, and a late answer of an earlier navigation is dropped; an ended
// session goes to the login page and back to the asked page. Also: the live label follows the language, soil
// texture, dates and rejected-message reasons are translated, a lone reading is a visible dot, an empty chart
// says why, resolving lowers the alert badge, and a long unbroken name does not widen a 390 px phone page.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { writeDemoHistory } from '../helpers/demo-history.js';
import { startFailingProxy, type FailingProxy } from '../helpers/failing-proxy.js';
import { connectDevice, DEMO_PASSWORD, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';
const LONG_NAME = `Ruộng${'Dàiquákhôngcókhoảngtrắng'.repeat(6)}`;

describe.skipIf(!browserAvailable())('dashboard robustness in Chromium', () => {
  let p: TestPlatform;
  let proxy: FailingProxy;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  let otherCoopField: string;
  let longField: string;
  const errors: string[] = [];

  async function logIn(on: Page, username = 'demo', password = DEMO_PASSWORD, path = '/'): Promise<void> {
    await on.goto(`${proxy.url}${path}`);
    await on.fill('input[name=username]', username);
    await on.fill('input[name=password]', password);
    await on.click('button[type=submit]');
    await on.locator('#nav').waitFor();
  }
  /** A fresh load of the address, as from a bookmark or a shared link (the tab keeps its session). */
  async function openLink(on: Page, hash: string): Promise<void> {
    await on.goto('about:blank');
    await on.goto(`${proxy.url}/${hash}`);
  }
  const stillLoggedIn = async (on: Page) => {
    expect(await on.locator('#login-view').isVisible()).toBe(false);
    expect(await on.locator('#nav').isVisible()).toBe(true);
    expect(await on.locator('#logout').isVisible()).toBe(true);
  };

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.rules.idle();
    await writeDemoHistory(p.store, { now: Date.now(), days: 2 });
    const coop = await p.registry.createCooperative({ name: 'HTX khác' });
    const farm = await p.registry.createFarm({ cooperativeId: coop, name: 'Trại khác' });
    otherCoopField = await p.registry.createField({ farmId: farm, name: 'Ruộng của HTX khác', crop: 'rice' });
    longField = await p.registry.createField({ farmId: 'farm-mekong', name: LONG_NAME, crop: 'rice', soilTexture: 'loam', plantingDate: '2026-11-01' });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'anh-tu', password: 'anh-tu-password', role: 'farmer', farmIds: ['farm-mekong'] });
    proxy = await startFailingProxy(p.baseUrl);
    browser = await launchBrowser();
    desktop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await desktop.newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await p?.close();
  });

  it('a link to a missing field or another cooperative\'s field is a "not found" page inside the app, in vi and en', async () => {
    await logIn(page);
    await page.locator('[data-field-id="field-rice-1"]').waitFor();
    await openLink(page, '#/field/no-such-field');
    await page.locator('#problem-view').waitFor();
    expect(await page.locator('#problem-title').textContent()).toBe('Không tìm thấy');
    await stillLoggedIn(page);
    expect(page.url()).toContain('#/field/no-such-field');

    await openLink(page, `#/field/${otherCoopField}`);
    await page.locator('#problem-view').waitFor();
    expect(await page.locator('#problem-title').textContent()).toBe('Không tìm thấy');
    expect(await page.locator('main').textContent()).not.toContain('Ruộng của HTX khác');
    await page.click('#lang');
    await expect.poll(() => page.locator('#problem-title').textContent()).toBe('Not found');
    expect(await page.locator('#problem-back').textContent()).toBe('← Back to the overview');
    await page.screenshot({ path: `${artefacts}/dashboard-not-found.png` });
    await page.click('#lang');
    await expect.poll(() => page.locator('#problem-title').textContent()).toBe('Không tìm thấy');
    await page.click('#problem-back');
    await page.locator('[data-field-id="field-rice-1"]').waitFor();
    await stillLoggedIn(page);
  });

  it('a farmer opening a field of a farm that is not theirs, or the technicians\' page, stays logged in', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const farmer = await context.newPage();
    await logIn(farmer, 'anh-tu', 'anh-tu-password', '/#/field/field-coffee-a');
    await farmer.locator('#problem-view').waitFor();
    expect(await farmer.locator('#problem-title').textContent()).toBe('Không tìm thấy');
    await stillLoggedIn(farmer);
    expect(await farmer.locator('#nav-dead-letters').isVisible()).toBe(false);
    await farmer.goto(`${proxy.url}/#/dead-letters`);
    await expect.poll(() => farmer.locator('#problem-title').textContent()).toBe('Không được phép');
    await stillLoggedIn(farmer);
    await farmer.goto(`${proxy.url}/#/field/field-rice-1`); // their own farm's field opens
    await expect.poll(() => farmer.locator('#field-title').textContent()).toBe('Ruộng 1');
    await context.close();
  });

  it('a 503 shows a banner with the error, never the previous field, and Retry loads the page', async () => {
    await page.goto(`${proxy.url}/#/field/field-rice-1`);
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Ruộng 1');
    const failed = proxy.fail503(/^\/api\/v1\/fields\/field-rice-2\/latest/);
    await page.goto(`${proxy.url}/#/field/field-rice-2`);
    await failed;
    await page.locator('#banner').waitFor();
    expect(await page.locator('#banner-text').textContent()).toContain('HTTP 503');
    expect(await page.locator('#banner-retry').textContent()).toBe('Thử lại');
    expect(await page.locator('#field-view').textContent()).not.toContain('Ruộng 1');
    expect(await page.locator('#field-title').count()).toBe(0);
    await stillLoggedIn(page);
    await page.screenshot({ path: `${artefacts}/dashboard-banner.png` });
    await page.click('#banner-retry');
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Ruộng 2');
    // The title is drawn before the page's other calls (charts, alerts) return; the banner goes once they all have.
    await expect.poll(() => page.locator('#banner').isVisible()).toBe(false);
  });

  it('a dropped connection says the server cannot be reached, in the chosen language, and Retry recovers', async () => {
    await page.click('#lang'); // English
    const network = proxy.dropUntilRestored(/^\/api\/v1\/device-health/);
    await page.click('#nav a[href="#/devices"]');
    await network.dropped;
    await page.locator('#banner').waitFor();
    expect(await page.locator('#banner-text').textContent()).toBe('Cannot reach the server — check the network and retry');
    expect(await page.locator('#banner-retry').textContent()).toBe('Retry');
    network.restore();
    await page.click('#banner-retry');
    await page.locator('[data-device-id="awd-rice-1"]').waitFor();
    expect(await page.locator('#banner').isVisible()).toBe(false);
    await page.click('#lang'); // back to Vietnamese
  });

  it('clears the old field at once and drops a late answer of an earlier navigation', async () => {
    await page.goto(`${proxy.url}/#/field/field-rice-1`);
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Ruộng 1');
    const slow = proxy.hold(/^\/api\/v1\/fields\/field-rice-2$/);
    await page.goto(`${proxy.url}/#/field/field-rice-2`);
    await page.locator('#field-loading').waitFor(); // the old field is gone while the new one loads
    expect(await page.locator('#field-view').textContent()).not.toContain('Ruộng 1');
    await page.goto(`${proxy.url}/#/field/field-coffee-a`);
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Lô cà phê A');
    slow.release();
    await slow.delivered;
    await page.waitForTimeout(500); // give the page the late answer
    expect(await page.locator('#field-title').textContent()).toBe('Lô cà phê A');
    expect(await page.locator('#field-view').textContent()).not.toContain('Ruộng 2');
  });

  it('an ended session goes to the login page, and after the login back to the page asked for', async () => {
    await page.goto(`${proxy.url}/#/`);
    await page.locator('[data-field-id="field-rice-1"]').waitFor();
    const token = String(await page.evaluate("sessionStorage.getItem('ruong.token')"));
    await p.registry.endSession(token); // as when the session expires
    await page.goto(`${proxy.url}/#/field/field-coffee-a`);
    await page.locator('#login-view').waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('Phiên đăng nhập đã hết — đăng nhập lại để mở trang bạn vừa chọn.');
    expect(page.url()).toContain('#/field/field-coffee-a');
    await page.fill('input[name=username]', 'demo');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Lô cà phê A');
    expect(page.url()).toContain('#/field/field-coffee-a');
  });

  it('re-translates the live label, soil texture and planting date on a language switch', async () => {
    await page.goto(`${proxy.url}/#/field/field-rice-1`);
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 15_000 }).toBe('Trực tiếp');
    await expect.poll(() => page.locator('#field-facts').textContent()).toContain('đất sét pha limon');
    expect(await page.locator('#field-facts').textContent()).toMatch(/gieo\/trồng \d{1,2} tháng \d{1,2}, \d{4}/);
    await page.click('#lang');
    expect(await page.locator('#live').textContent()).toBe('Live');
    await expect.poll(() => page.locator('#field-facts').textContent()).toContain('soil silty clay');
    expect(await page.locator('#field-facts').textContent()).toMatch(/planted \d{1,2} [A-Z][a-z]+ \d{4}/);
    await page.click('#lang');
    expect(await page.locator('#live').textContent()).toBe('Trực tiếp');
  });

  it('draws a lone reading as a visible dot, and says why an empty chart is empty', async () => {
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại mới, chưa có trạm thời tiết' });
    const field = await p.registry.createField({ farmId: farm, name: 'Ruộng một số đo', crop: 'rice' });
    const { secret } = await p.registry.provisionDevice({ id: 'awd-lone', fieldId: field, kind: 'awd_tube', name: 'Ống AWD mới' });
    const device = await connectDevice(p.mqttUrl, 'awd-lone', secret);
    await device.publishAsync('devices/awd-lone/up', JSON.stringify({ ts: Date.now() - 30 * 60_000, readings: { awd_level: -4 } }), { qos: 1 });
    await device.publishAsync('devices/awd-lone/up', 'this is not JSON', { qos: 0 });
    await device.endAsync();
    await page.goto(`${proxy.url}/#/field/${field}`);
    await expect.poll(() => page.locator('[data-chart="awd"]').getAttribute('data-points'), { timeout: 15_000 }).toBe('1');
    // pixels of the series colour (#1b5e20) on the chart's canvas: the lone reading is drawn
    const dotPixels = Number(await page.evaluate(`(() => {
      const canvas = document.querySelector('[data-chart="awd"] canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 27) < 12 && Math.abs(data[i + 1] - 94) < 12 && Math.abs(data[i + 2] - 32) < 12 && data[i + 3] > 200) n++;
      return n;
    })()`));
    expect(dotPixels).toBeGreaterThan(20);
    expect(await page.locator('[data-chart="et0"] .no-data').textContent()).toContain('05:30');
    await page.click('[data-range="7"]');
    await expect.poll(() => page.locator('[data-range="7"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-chart="et0"] figcaption').textContent()).toBe('ET0 và mưa (mm/ngày)'); // same span as the others
    await page.click('[data-range="1"]');
    await expect.poll(() => page.locator('[data-chart="et0"] figcaption').textContent()).toContain('7 ngày gần nhất');

    await page.click('#nav a[href="#/dead-letters"]');
    await expect.poll(() => page.locator('#nav a[href="#/dead-letters"]').textContent()).toBe('Bản tin bị từ chối');
    await expect.poll(() => page.locator('[data-dead-letter] .dl-meaning').first().textContent(), { timeout: 15_000 }).toBe('Bản tin không phải JSON hợp lệ');
    await page.click('#lang');
    await expect.poll(() => page.locator('[data-dead-letter] .dl-meaning').first().textContent()).toBe('The message is not valid JSON');
    expect(await page.locator('#nav a[href="#/dead-letters"]').textContent()).toBe('Rejected messages');
    await page.click('#lang');
  });

  it('lowers the alert badge when an alert is resolved', async () => {
    const raised = (await p.alerts.raise({
      cooperativeId: 'coop-demo', farmId: 'farm-mekong', fieldId: 'field-rice-2', deviceId: 'awd-rice-2', ruleId: 'robust-e2e', subject: 'field:field-rice-2',
      kind: 'awd_irrigate', severity: 'warning', escalateAfterMs: null, values: { levelCm: -16 }, text: { vi: 'Ruộng 2: cần tưới', en: 'Field 2: irrigate' },
    })).alert.id;
    await page.goto(`${proxy.url}/#/alerts`);
    const item = page.locator(`[data-alert-id="${raised}"]`);
    await item.waitFor();
    const badge = async () => ((await page.locator('#alert-count').isVisible()) ? Number(await page.locator('#alert-count').textContent()) : 0);
    const before = await badge();
    expect(before).toBeGreaterThanOrEqual(1);
    await item.locator('[data-action="resolve"]').click();
    await expect.poll(badge).toBe(before - 1);
  });

  it('on a 390×844 phone a long unbroken field name wraps and every nav entry is reachable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const mobile = await phone.newPage();
    mobile.on('pageerror', (err) => errors.push(String(err)));
    await logIn(mobile);
    await mobile.locator(`[data-field-id="${longField}"]`).waitFor();
    const scrollWidth = async () => Number(await mobile.evaluate('document.documentElement.scrollWidth'));
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    for (const link of await mobile.locator('#nav a:visible').all()) {
      const box = (await link.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await mobile.locator('#nav a:visible').allTextContents()).toEqual(expect.arrayContaining(['Bản tin bị từ chối', 'API']));
    await mobile.screenshot({ path: `${artefacts}/dashboard-phone-long-name.png`, fullPage: true });
    await mobile.goto(`${proxy.url}/#/field/${longField}`);
    await expect.poll(() => mobile.locator('#field-title').textContent()).toBe(LONG_NAME);
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await mobile.goto(`${proxy.url}/#/devices`);
    await mobile.locator('[data-device-id="awd-rice-1"]').waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await phone.close();
    expect(errors).toEqual([]);
  });

  it('says on the login page that logins are refused for a while, and for how long', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const guesser = await context.newPage();
    await guesser.goto(proxy.url);
    let message = '';
    for (let i = 0; i < 12 && !message.startsWith('Đăng nhập sai quá nhiều lần'); i++) {
      await guesser.fill('input[name=username]', 'nobody-here');
      await guesser.fill('input[name=password]', `guess-${i}`);
      await guesser.click('button[type=submit]');
      await expect.poll(() => guesser.locator('#login-error').textContent()).not.toBe('');
      message = (await guesser.locator('#login-error').textContent()) ?? '';
      if (!message.startsWith('Đăng nhập sai quá nhiều lần')) expect(message).toBe('Sai tên đăng nhập hoặc mật khẩu');
    }
    expect(message).toMatch(/^Đăng nhập sai quá nhiều lần từ máy này\. Thử lại sau \d+ phút$/);
    await context.close();
  });
});
