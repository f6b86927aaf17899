// The field page's pump control (issue 17) in a real headless Chromium against the real platform: a technician
// switches a pump on for 15 minutes and off again — an mqtt.js controller on the field receives each command on its
// down topic and reports the state, and the page shows "Đang chạy", then "Đã tắt", each command "đã xác nhận". Then
// the farm's canal turns salty (5 dS/m on rice): "Bật" is refused and the page says why, with the numbers; the
// refusal is in the list. A viewer sees the state and the list but no buttons.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, logInAs } from '../helpers/browser.js';
import { DEMO_PASSWORD, connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { MqttClient } from 'mqtt';

describe.skipIf(!browserAvailable())('the field page controls a pump', () => {
  let p: TestPlatform;
  let browser: Browser;
  let page: Page;
  let pump: MqttClient;
  let fieldId: string;
  const received: { action: string; minutes?: number }[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    p = await startTestPlatform({ COMMAND_RETRY_S: '2' });
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại bơm' });
    fieldId = await p.registry.createField({ farmId: farm, name: 'Ruộng bơm', crop: 'rice', areaHa: 1, pumpFlowM3h: 60 });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'pump-tech', password: DEMO_PASSWORD, role: 'technician' });
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'pump-viewer', password: DEMO_PASSWORD, role: 'viewer' });
    const { secret } = await p.registry.provisionDevice({ id: 'pump-page', fieldId, kind: 'pump_controller', name: 'Bơm điện' });
    pump = await connectDevice(p.mqttUrl, 'pump-page', secret);
    pump.on('message', (_topic, payload) => {
      const cmd = JSON.parse(payload.toString()) as { action: string; minutes?: number };
      received.push(cmd);
      void pump.publishAsync('devices/pump-page/up', JSON.stringify({ ts: Date.now(), readings: { pump_on: cmd.action === 'on' ? 1 : 0, flow_l: 0 } }), { qos: 1 });
    });
    await pump.subscribeAsync('devices/pump-page/down', { qos: 1 });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    page.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await pump?.endAsync();
    await browser?.close();
    await p?.close();
  });

  const controller = () => page.locator('.control-panel .controller[data-device="pump-page"]');
  const states = async () => {
    const items = page.locator('.control-panel .command-list li');
    return Promise.all(Array.from({ length: await items.count() }, (_, i) => items.nth(i).getAttribute('data-state')));
  };

  it('a technician runs the pump 15 minutes and stops it; a salty canal refuses the next start with the reason', async () => {
    await logInAs(page, p.baseUrl, 'pump-tech', DEMO_PASSWORD);
    await page.goto(`${p.baseUrl}/#/field/${fieldId}`);
    await controller().waitFor();
    expect(await controller().locator('.controller-state').textContent()).toBe('Chưa có trạng thái');
    await page.fill('.control-panel input.control-minutes', '15');
    await page.click('.control-panel button.control-on');
    await expect.poll(() => controller().locator('.controller-state').textContent(), { timeout: 15_000 }).toBe('Đang chạy');
    await expect.poll(states, { timeout: 15_000 }).toEqual(['confirmed']);
    expect(received[0]).toMatchObject({ action: 'on', minutes: 15 });
    expect(await page.locator('.control-panel .command-list li').first().textContent()).toMatch(/Bơm điện: Bật 15 phút — đã xác nhận/);

    await page.click('.control-panel button.control-off');
    await expect.poll(() => controller().locator('.controller-state').textContent(), { timeout: 15_000 }).toBe('Đã tắt');
    await expect.poll(states, { timeout: 15_000 }).toEqual(['confirmed', 'confirmed']);

    const { secret } = await p.registry.provisionDevice({ id: 'canal-page', fieldId, kind: 'canal_sensor', name: 'Kênh' });
    const canal = await connectDevice(p.mqttUrl, 'canal-page', secret);
    await canal.publishAsync('devices/canal-page/up', JSON.stringify({ ts: Date.now(), readings: { water_ec: 5 } }), { qos: 1 });
    await canal.endAsync();
    await eventually(async () => ((await p.store.latest({ cooperativeId: 'coop-demo', deviceIds: ['canal-page'] })).length > 0 ? true : undefined), 10_000, 'the canal reading stored');
    const sent = received.length;
    await page.click('.control-panel button.control-on');
    await expect.poll(() => page.locator('.control-panel .control-status').textContent(), { timeout: 10_000 })
      .toBe('Bị từ chối: không lấy nước kênh: độ mặn 3,20 ‰ vượt ngưỡng 2,0 ‰ cho lúa');
    await expect.poll(states).toEqual(['refused', 'confirmed', 'confirmed']);
    expect(await page.locator('.control-panel .command-list li').first().textContent()).toMatch(/— bị từ chối — không lấy nước kênh/);
    expect(received.length).toBe(sent); // the refused command never went out
    mkdirSync('test-results', { recursive: true });
    await page.locator('.control-panel').screenshot({ path: 'test-results/field-control.png' });
    expect(errors).toEqual([]);
  });

  it('a viewer sees the state and the commands, no buttons', async () => {
    const viewerPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await logInAs(viewerPage, p.baseUrl, 'pump-viewer', DEMO_PASSWORD);
    await viewerPage.goto(`${p.baseUrl}/#/field/${fieldId}`);
    await viewerPage.locator('.control-panel .controller[data-device="pump-page"]').waitFor();
    expect(await viewerPage.locator('.control-panel .controller-state').textContent()).toBe('Đã tắt');
    expect(await viewerPage.locator('.control-panel .command-list li').count()).toBe(3);
    expect(await viewerPage.locator('.control-panel button').count()).toBe(0);
  });
});
