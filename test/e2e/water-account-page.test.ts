// The season's water account page in a real headless Chromium against the real platform (issue 17): the farmer
// records 30 mm with the field page's button, follows "Sổ nước mùa vụ" and sees the totals — 1 irrigation, 30 mm,
// 360 m³ on the 1.2-ha demo field — and today's row; "Tải CSV" downloads the same numbers with Vietnamese column
// names; the farm's page (from the overview) adds the field into the farm's totals.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const localDay = (t: number) => new Date(t + 7 * 3_600_000).toISOString().slice(0, 10);

describe.skipIf(!browserAvailable())('the season water account page', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    p = await startTestPlatform();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true })).newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  const total = (key: string) => page.locator(`#water-view [data-total="${key}"]`);
  /** The label, the figure and the line under it of one total. */
  const text = (key: string) => total(key).locator('> *').allTextContents();

  it('shows the totals of the irrigation the user recorded, per day, and downloads them as CSV', async () => {
    await logInAs(page, p.baseUrl, 'demo', DEMO_PASSWORD);
    await page.goto(`${p.baseUrl}/#/field/field-coffee-a`);
    await page.locator('.irrigation-panel button.irrigation-record').waitFor();
    await page.fill('.irrigation-panel input.irrigation-mm', '30');
    await page.click('.irrigation-panel button.irrigation-record');
    await expect.poll(() => page.locator('.irrigation-panel .irrigation-status').textContent()).toBe('Đã ghi: 30 mm');

    await page.click('#field-facts a.water-link');
    await expect.poll(() => page.locator('#water-title').textContent()).toBe('Sổ nước mùa vụ — Lô cà phê A');
    expect(await text('irrigations')).toEqual(['Số lần tưới', '1', '30 mm · 360 m³']); // 30 mm × 1.2 ha × 10
    expect((await text('advised'))[1]).toMatch(/^\d+ \/ 1$/);
    expect(await text('pumpHours')).toEqual(['Giờ bơm', '0 giờ', 'chưa có số liệu máy bơm']); // the demo's pump is silent here (no simulator)
    // the planting date (2019) is years ago: the last 120 days, today's row first
    expect(await page.locator('#water-view tbody tr').count()).toBe(120);
    const today = page.locator(`#water-view tr[data-date="${localDay(Date.now())}"] td`);
    expect((await today.allTextContents()).slice(1, 4)).toEqual(['1', '30', '360']);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/water-account.png' }); // the phone's first screen
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#water-view button.water-csv')]);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('\uFEFFNgày,Số lần tưới,Lượng tưới (mm),Lượng tưới (m³),Giờ bơm,Mưa (mm),ET0 (mm),ET cây trồng (mm),Số lần khuyến nghị tưới');
    expect(lines).toHaveLength(1 + 120 + 1 + 1);
    expect(lines.at(-2)).toMatch(/^Tổng,1,30,360,0,/);

    // the user picks the days: today only
    await page.fill('#water-view input[name=from]', localDay(Date.now()));
    await page.fill('#water-view input[name=to]', localDay(Date.now()));
    await page.click('#water-view .water-range button[type=submit]');
    await expect.poll(() => page.locator('#water-view tbody tr').count()).toBe(1);
    expect((await text('irrigations'))[1]).toBe('1');
  });

  it('the farm\'s page, from the overview, adds the field into the farm\'s totals', async () => {
    await page.goto(`${p.baseUrl}/#/`);
    await page.locator('section.farm[data-farm-id="farm-highlands"] a.water-link').click();
    await expect.poll(() => page.locator('#water-title').textContent()).toBe('Sổ nước mùa vụ — Vườn cà phê Cư M’gar');
    expect(await text('irrigations')).toEqual(['Số lần tưới', '1', '18 mm · 360 m³']); // 30 mm on 1.2 of the farm's 2 ha
    expect(await page.locator('#water-view tr[data-field-id="field-coffee-a"] td').allTextContents()).toEqual(['Lô cà phê A cà phê · 1,2 ha', '1', '30', '360', '0']);
    expect(errors).toEqual([]);
  });
});
