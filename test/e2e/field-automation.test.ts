// The field page's automatic mode, maximum run time and schedules (issue 17) in a real headless Chromium on a phone
// viewport against the real platform. A technician turns automatic mode on with a 45-minute maximum and, after a
// reload, the page and the API (GET /fields/:id/commands, and the registry's field_control row) both still say so;
// adds the schedule "0 5 * * *" 30 min, sees it listed as "05:00 mỗi ngày" and in GET /fields/:id/schedules,
// removes it and it is gone from both; a bad cron and minutes above the field's maximum show the API's reason in
// Vietnamese, and nothing is added. A viewer sees the settings and the schedules without any control; a farmer on
// their own field reads the settings and adds and removes schedules (the roles the API allows). Last, the technician
// empties the maximum: the field goes back to the platform's (maxRunMin null, 240 in force).
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommands } from '../../core/registry/commands.js';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, getJson, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Schedule { id: string; cron: string; minutes: number; deviceId: string }

describe.skipIf(!browserAvailable())('the field page sets automatic mode and schedules', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let fieldId: string;
  let token: string;
  const errors: string[] = [];

  beforeAll(async () => {
    p = await startTestPlatform();
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại tự động' });
    fieldId = await p.registry.createField({ farmId: farm, name: 'Ruộng tự động', crop: 'coffee', areaHa: 1, pumpFlowM3h: 18 });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'auto-tech', password: DEMO_PASSWORD, role: 'technician' });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'auto-viewer', password: DEMO_PASSWORD, role: 'viewer' });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'auto-farmer', password: DEMO_PASSWORD, role: 'farmer', farmIds: [farm] });
    await p.registry.provisionDevice({ id: 'pump-auto', fieldId, kind: 'pump_controller', name: 'Bơm giếng' });
    token = await login(p.baseUrl, 'auto-tech');
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  const control = async () => (await getJson<{ automatic: boolean; maxMinutes: number }>(p.baseUrl, `/api/v1/fields/${fieldId}/commands`, token)).body;
  const schedules = async () => (await getJson<{ schedules: Schedule[] }>(p.baseUrl, `/api/v1/fields/${fieldId}/schedules`, token)).body.schedules;
  const form = () => page.locator('.control-panel form.automation-form');
  const scheduleStatus = () => page.locator('.control-panel .schedule-status');

  it('a technician turns automatic mode on with a 45-minute maximum, and it is kept after a reload', async () => {
    await logInAs(page, p.baseUrl, 'auto-tech', DEMO_PASSWORD);
    await page.goto(`${p.baseUrl}/#/field/${fieldId}`);
    await form().waitFor();
    expect(await form().locator('input[name=automatic]').isChecked()).toBe(false);
    expect(await form().locator('input[name=maxRunMin]').inputValue()).toBe('240'); // the platform's, in force

    await form().locator('input[name=automatic]').check();
    await form().locator('input[name=maxRunMin]').fill('45');
    await form().locator('button.automation-save').click();
    await expect.poll(() => form().locator('.automation-status').textContent(), { timeout: 10_000 })
      .toBe('Đã lưu: Chế độ tự động Bật, Thời gian chạy tối đa 45 phút');

    await page.reload();
    await form().waitFor();
    expect(await form().locator('input[name=automatic]').isChecked()).toBe(true);
    expect(await form().locator('input[name=maxRunMin]').inputValue()).toBe('45');
    expect(await page.locator('.control-panel input.control-minutes').getAttribute('max')).toBe('45'); // the on/off row follows
    expect(await control()).toMatchObject({ automatic: true, maxMinutes: 45 });
    expect(await createCommands(p.registry.sql).fieldControl('coop-demo', fieldId)).toEqual({ fieldId, maxRunMin: 45, automatic: true });

    await form().locator('input[name=maxRunMin]').fill('500');
    await form().locator('button.automation-save').click();
    await expect.poll(() => form().locator('.automation-status').textContent()).toBe('Thời gian chạy tối đa: nhập số phút từ 1 đến 240, hoặc để trống');
    expect((await createCommands(p.registry.sql).fieldControl('coop-demo', fieldId)).maxRunMin).toBe(45);
  });

  it('adds a schedule 0 5 * * * for 30 minutes, sees it listed, removes it; a bad cron and too many minutes show the reason', async () => {
    const add = page.locator('.control-panel form.schedule-form');
    await add.waitFor();
    expect(await page.locator('.control-panel .schedule-none').textContent()).toBe('Chưa có lịch nào');
    await add.locator('input[name=cron]').fill('0 5 * * *');
    await add.locator('input[name=minutes]').fill('30');
    expect(await add.locator('select[name=deviceId]').inputValue()).toBe('pump-auto');
    await add.locator('button.schedule-add').click();
    const item = page.locator('.control-panel .schedule-list li[data-cron="0 5 * * *"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toMatch(/^0 5 \* \* \* \(05:00 mỗi ngày\) — Bơm giếng, 30 phút Xoá$/);
    expect(await scheduleStatus().textContent()).toBe('Đã thêm lịch');
    const [listed] = await schedules();
    expect(listed).toMatchObject({ cron: '0 5 * * *', minutes: 30, deviceId: 'pump-auto' });
    expect(await item.getAttribute('data-schedule')).toBe(listed!.id);
    mkdirSync('test-results', { recursive: true });
    await page.locator('.control-panel').screenshot({ path: 'test-results/field-automation.png' });

    await item.locator('button.schedule-remove').click();
    await page.locator('.control-panel .schedule-none').waitFor({ timeout: 10_000 });
    expect(await page.locator('.control-panel .schedule-list li').count()).toBe(0);
    expect(await scheduleStatus().textContent()).toBe('Đã xoá lịch');
    expect(await schedules()).toEqual([]);

    await add.locator('input[name=cron]').fill('0 25 * * *');
    await add.locator('button.schedule-add').click();
    await expect.poll(() => scheduleStatus().textContent(), { timeout: 10_000 })
      .toBe('Không lưu được: lịch (cron) không hợp lệ: cần 5 trường phút giờ ngày tháng thứ');
    await add.locator('input[name=cron]').fill('30 17 * * 1-5');
    await add.locator('input[name=minutes]').fill('60');
    await add.locator('button.schedule-add').click();
    await expect.poll(() => scheduleStatus().textContent(), { timeout: 10_000 })
      .toBe('Không lưu được: 60 phút vượt thời gian chạy tối đa 45 phút của ruộng');
    // runs closer together than a run lasts would keep the pump on for ever: refused, the reason in Vietnamese
    await add.locator('input[name=cron]').fill('*/10 * * * *');
    await add.locator('input[name=minutes]').fill('30');
    await add.locator('button.schedule-add').click();
    await expect.poll(() => scheduleStatus().textContent(), { timeout: 10_000 })
      .toBe('Không lưu được: hai lần chạy chỉ cách nhau 10 phút; phải cách ít nhất 30 phút (thời gian chạy 30 phút, tối thiểu 15 phút)');
    expect(await schedules()).toEqual([]);
    expect(await page.locator('.control-panel .schedule-list li').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a viewer sees automatic mode, the maximum and the schedules, with no control to change them', async () => {
    const res = await fetch(`${p.baseUrl}/api/v1/fields/${fieldId}/schedules`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId: 'pump-auto', cron: '30 17 * * 1-5', minutes: 20 }),
    });
    expect(res.status).toBe(201);
    const viewerPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await logInAs(viewerPage, p.baseUrl, 'auto-viewer', DEMO_PASSWORD);
    await viewerPage.goto(`${p.baseUrl}/#/field/${fieldId}`);
    const item = viewerPage.locator('.control-panel .schedule-list li[data-cron="30 17 * * 1-5"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toBe('30 17 * * 1-5 (17:30 thứ Hai–thứ Sáu) — Bơm giếng, 20 phút ');
    expect(await viewerPage.locator('.control-panel .automation-mode').textContent()).toBe('Chế độ tự động: Bật');
    expect(await viewerPage.locator('.control-panel .automation-max').textContent()).toBe('Thời gian chạy tối đa: 45 phút');
    expect(await viewerPage.locator('.control-panel button, .control-panel input, .control-panel select, .control-panel form').count()).toBe(0);
  });

  it('a farmer on their own field reads automatic mode and the maximum, and adds and removes schedules (as the API allows)', async () => {
    const farmerPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await logInAs(farmerPage, p.baseUrl, 'auto-farmer', DEMO_PASSWORD);
    await farmerPage.goto(`${p.baseUrl}/#/field/${fieldId}`);
    const add = farmerPage.locator('.control-panel form.schedule-form');
    await add.waitFor({ timeout: 10_000 });
    expect(await farmerPage.locator('.control-panel .automation-mode').textContent()).toBe('Chế độ tự động: Bật');
    expect(await farmerPage.locator('.control-panel form.automation-form').count()).toBe(0);
    await add.locator('input[name=cron]').fill('0 6,18 * * *');
    await add.locator('input[name=minutes]').fill('15');
    await add.locator('button.schedule-add').click();
    const item = farmerPage.locator('.control-panel .schedule-list li[data-cron="0 6,18 * * *"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toBe('0 6,18 * * * (06:00 và 18:00 mỗi ngày) — Bơm giếng, 15 phút Xoá');
    expect((await schedules()).map((s) => s.cron).sort()).toEqual(['0 6,18 * * *', '30 17 * * 1-5']);
    await item.locator('button.schedule-remove').click();
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await schedules()).map((s) => s.cron)).toEqual(['30 17 * * 1-5']);
  });

  it('an emptied maximum saves the platform default', async () => {
    await page.reload();
    await form().waitFor();
    await form().locator('input[name=maxRunMin]').fill('');
    await form().locator('button.automation-save').click();
    await expect.poll(() => form().locator('.automation-status').textContent(), { timeout: 10_000 })
      .toBe('Đã lưu: Chế độ tự động Bật, Thời gian chạy tối đa 240 phút');
    expect(await form().locator('input[name=maxRunMin]').inputValue()).toBe('240');
    expect(await createCommands(p.registry.sql).fieldControl('coop-demo', fieldId)).toEqual({ fieldId, maxRunMin: null, automatic: true });
    expect(await control()).toMatchObject({ automatic: true, maxMinutes: 240 });
    expect(errors).toEqual([]);
  });
});
