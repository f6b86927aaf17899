// The cooperative dashboard in a real headless Chromium against the real platform: log in, see the demo
// fields with their status colours, open a field's charts with data (soil moisture between θFC and the RAW
// line, AWD with the −15 cm line, canal salinity against the crop limit, ET0 and rain bars), acknowledge an
// alert with a comment and see it change, switch language, and use it on a phone (390×844). Screenshots go to test-results/.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { writeDemoHistory } from '../helpers/demo-history.js';
import { DEMO_PASSWORD, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const artefacts = 'test-results';

async function logIn(page: Page, base: string): Promise<void> {
  await page.goto(base);
  await page.fill('input[name=username]', 'demo');
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-field-id="field-rice-1"]').waitFor();
}

describe.skipIf(!browserAvailable())('cooperative dashboard in Chromium', () => {
  let p: TestPlatform;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let alertId: string;

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    p = await startTestPlatform();
    await p.rules.idle(); // the start-up advice run is done: the history below is not half-seen by it
    await writeDemoHistory(p.store, { now: Date.now(), days: 3 });
    alertId = (await p.alerts.raise({
      cooperativeId: 'coop-demo', farmId: 'farm-mekong', fieldId: 'field-rice-2', deviceId: 'awd-rice-2', ruleId: 'e2e-awd', subject: 'field:field-rice-2',
      kind: 'awd_irrigate', severity: 'warning', escalateAfterMs: null, values: { levelCm: -16.2, thresholdCm: -15 },
      text: { vi: 'Ruộng 2: mực nước −16,2 cm dưới ngưỡng −15 cm — cho nước vào ruộng', en: 'Field 2: water level −16.2 cm is below −15 cm — flood the field' },
    })).alert.id;
    browser = await launchBrowser();
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await desktop.newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('logs in and shows the demo farms and fields as cards with a status colour', async () => {
    await logIn(page, p.baseUrl);
    expect(await page.locator('section.farm h2').allTextContents()).toEqual(['Trang trại lúa Mỹ Xuyên', 'Vườn cà phê Cư M’gar']);
    expect(await page.locator('.card h3').allTextContents()).toEqual(['Ruộng 1', 'Ruộng 2', 'Lô cà phê A', 'Lô cà phê B']);
    await expect.poll(() => page.locator('[data-field-id="field-rice-2"]').getAttribute('data-status')).toBe('alert');
    expect(await page.locator('[data-field-id="field-rice-2"] .badge').textContent()).toBe('Cảnh báo');
    expect(await page.locator('[data-field-id="field-coffee-b"]').getAttribute('data-status')).toBe('offline'); // its probe never reported
    expect(await page.locator('[data-field-id="field-rice-1"] .advice').textContent()).not.toBe('');
    expect(await page.locator('#alert-count').textContent()).toBe('1');
    await page.screenshot({ path: `${artefacts}/dashboard-overview.png`, fullPage: true });
  });

  it('opens a field page whose charts have data and their reference lines', async () => {
    await page.click('[data-field-id="field-rice-1"] h3 a');
    await expect.poll(() => page.locator('#field-title').textContent()).toBe('Ruộng 1');
    const points = (chart: string) => page.locator(`[data-chart="${chart}"]`).getAttribute('data-points');
    await expect.poll(() => points('awd')).toMatch(/^[1-9]\d*$/);
    expect(Number(await points('salinity'))).toBeGreaterThan(50);
    expect(Number(await points('et0'))).toBeGreaterThan(1);
    const legend = await page.locator('[data-chart="awd"] .u-legend').textContent();
    expect(legend).toContain('Ngưỡng AWD −15 cm');
    expect(await page.locator('[data-chart="salinity"] .u-legend').textContent()).toContain('2 ‰ (g/L TDS) = 3,13 dS/m');
    await page.click('[data-range="7"]');
    await expect.poll(() => page.locator('[data-range="7"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-chart="awd"] canvas').waitFor();
    await page.screenshot({ path: `${artefacts}/dashboard-field-rice.png`, fullPage: true });

    await page.goto(`${p.baseUrl}/#/field/field-coffee-a`);
    await expect.poll(() => points('soil')).toMatch(/^[1-9]\d*$/);
    const soilLegend = await page.locator('[data-chart="soil"] .u-legend').textContent();
    expect(soilLegend).toContain('Sức chứa ẩm đồng ruộng (θFC)');
    expect(soilLegend).toContain('Ngưỡng tưới (RAW)');
    await page.screenshot({ path: `${artefacts}/dashboard-field-coffee.png`, fullPage: true });
  });

  it('acknowledges an alert and shows it acknowledged, here and in the API', async () => {
    await page.click('#nav a[href="#/alerts"]');
    const item = page.locator(`[data-alert-id="${alertId}"]`);
    await item.waitFor();
    expect(await item.locator('.alert-text').textContent()).toBe('Ruộng 2: mực nước −16,2 cm dưới ngưỡng −15 cm — cho nước vào ruộng');
    expect(await item.locator('.alert-status').textContent()).toBe('Đang mở');
    await item.locator('[data-action="ack"]').click();
    await item.locator('textarea[name=comment]').fill('Đã mở cống lúc 7 giờ');
    await item.locator('[data-action="ack-confirm"]').click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('acknowledged');
    expect(await item.locator('.alert-status').textContent()).toBe('Đã xác nhận');
    expect(await item.locator('.ack-comment').textContent()).toBe('Ghi chú: Đã mở cống lúc 7 giờ');
    expect(await item.locator('[data-action="ack"]').count()).toBe(0);
    const stored = await p.alerts.getFor({ cooperativeId: 'coop-demo', role: 'admin', farmIds: [], id: 'x' }, alertId);
    expect(stored.status).toBe('acknowledged');
    expect(stored.ackComment).toBe('Đã mở cống lúc 7 giờ');
    await page.screenshot({ path: `${artefacts}/dashboard-alerts.png`, fullPage: true });
  });

  it('switches between Vietnamese and English', async () => {
    await page.click('#lang');
    expect(await page.locator('#nav [data-i18n="navAlerts"]').textContent()).toBe('Alerts');
    await expect.poll(() => page.locator(`[data-alert-id="${alertId}"] .alert-text`).textContent()).toBe('Field 2: water level −16.2 cm is below −15 cm — flood the field');
    await page.click('#nav a[href="#/"]');
    await expect.poll(() => page.locator('[data-field-id="field-rice-2"] .badge').textContent()).toBe('Alert');
    await page.click('#lang');
    expect(await page.locator('#nav [data-i18n="navAlerts"]').textContent()).toBe('Cảnh báo');
  });

  it('works on a phone: one column, charts fit the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const mobile = await phone.newPage();
    await logIn(mobile, p.baseUrl);
    const scrollWidth = async () => Number(await mobile.evaluate('document.documentElement.scrollWidth'));
    // Live updates re-render the cards: a card can be replaced between listing and measuring it, so measure again.
    const narrowestCard = async () => {
      const boxes = await Promise.all((await mobile.locator('.card').all()).map((card) => card.boundingBox()));
      return boxes.length === 0 || boxes.some((b) => b === null) ? 0 : Math.min(...boxes.map((b) => b!.width));
    };
    await expect.poll(narrowestCard).toBeGreaterThan(330); // one column
    expect(await scrollWidth()).toBeLessThanOrEqual(390); // nothing wider than the screen
    await mobile.screenshot({ path: `${artefacts}/dashboard-phone-overview.png`, fullPage: true });
    await mobile.goto(`${p.baseUrl}/#/field/field-rice-1`);
    await mobile.locator('[data-chart="awd"] canvas').waitFor();
    const chart = await mobile.locator('[data-chart="awd"]').boundingBox();
    expect(chart!.x + chart!.width).toBeLessThanOrEqual(390);
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await mobile.screenshot({ path: `${artefacts}/dashboard-phone-field.png`, fullPage: true });
    await phone.close();
    expect(errors).toEqual([]);
  });
});
