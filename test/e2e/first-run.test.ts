// Issue 16, first run: soon after `ruong start` on a new DATA_DIR (60 s on the bench) the demo farm looks alive — the simulated
// devices have back-filled their history (30 days, through MQTT → broker → ingest) and report in real time, so
// the dashboard's device list says every demo device is online, every chart of every field page has at least
// 7 days (the readings series it draws — soil moisture, AWD level, canal salinity — and the daily ET0 and rain
// bars), and today's advice already uses yesterday's measured ET0.
// A restart on the same DATA_DIR resumes after the stored history instead of back-filling it again.
// Asserted through the HTTP API the dashboard calls (api/web/public/field-page.js, lists.js).
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { getJson, login } from '../helpers/platform.js';

const PASSWORD = 'first-run-test';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN_OFFSET_MS = 7 * HOUR; // local dates are Asia/Ho_Chi_Minh (UTC+7)
const INTERVAL_MS = 600_000; // SIM_INTERVAL_S default: one report of a device every 10 min
// Issue 16 promises 60 s; that figure is measured by `node --import tsx bench/first-run/run.ts` (docs/benchmarks.md),
// not asserted here (speed is a bench's job, and CI machines are shared). The test waits longer and checks what
// the user sees: alive without waiting for the 05:30 run or a 12-hour catch-up.
const FIRST_RUN_MS = 150_000;
/** The charts the field page draws from readings (field-page.js drawCharts). */
const CHART_METRICS = /^(soil_moisture(@\d+cm)?|awd_level|water_ec)$/;

interface Health { devices: { id: string; online: boolean; lastSeen: string | null }[] }
interface Series { series: { deviceId: string; ts: number[] }[] }
interface Daily { days: { date: string; rainMm: number | null; et0Mm: number | null }[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What is not yet as the first run promises, per field and device (empty: all is). */
async function notYetAlive(baseUrl: string, token: string): Promise<string[]> {
  const missing: string[] = [];
  const health = await getJson<Health>(baseUrl, '/api/v1/device-health', token);
  for (const d of health.body.devices) if (!d.online) missing.push(`${d.id} offline (last seen ${d.lastSeen ?? 'never'})`);
  const fields = await getJson<{ fields: { id: string }[] }>(baseUrl, '/api/v1/fields', token);
  const to = Date.now();
  const from = to - 7 * DAY; // the page's "7 ngày" range
  for (const { id } of fields.body.fields) {
    const latest = await getJson<{ readings: { metric: string }[] }>(baseUrl, `/api/v1/fields/${id}/latest`, token);
    const metrics = [...new Set(latest.body.readings.map((r) => r.metric))].filter((m) => CHART_METRICS.test(m));
    if (metrics.length === 0) missing.push(`${id}: no chart metric yet`);
    for (const metric of metrics) {
      const s = await getJson<Series>(baseUrl, `/api/v1/fields/${id}/readings?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`, token);
      const ts = s.body.series.flatMap((x) => x.ts);
      // windows of ≤ 1,000 points a series: the first starts within a few hours of `from`, the last is recent
      if (ts.length === 0 || Math.min(...ts) > from + 3 * HOUR || Math.max(...ts) < to - HOUR) {
        missing.push(`${id} ${metric}: ${ts.length} points, ${ts.length ? `${new Date(Math.min(...ts)).toISOString()} … ${new Date(Math.max(...ts)).toISOString()}` : ''}`);
      }
    }
    // 8 local days: 7 complete ones before today, each with its ET0 and rain
    const daily = await getJson<Daily>(baseUrl, `/api/v1/fields/${id}/daily?days=8`, token);
    const full = daily.body.days.filter((d) => d.et0Mm !== null && d.rainMm !== null);
    if (full.length < 7) missing.push(`${id} daily: ${full.length} days with ET0 and rain`);
    // today's advice already rests on yesterday's measured weather (not the 05:30 run of tomorrow)
    const advice = await getJson<{ et0: { date: string; method: string } | null }>(baseUrl, `/api/v1/fields/${id}/advice`, token);
    const yesterday = new Date(Date.now() + VN_OFFSET_MS - DAY).toISOString().slice(0, 10);
    if (advice.body.et0?.date !== yesterday || advice.body.et0.method !== 'penman-monteith') missing.push(`${id} advice ET0: ${JSON.stringify(advice.body.et0)}`);
  }
  return missing;
}

/** What a person sees in Chromium: no card, field page or device says "Mất kết nối", every field's ET0/rain chart has ≥ 7 days. */
async function dashboardProblems(baseUrl: string, fieldIds: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(baseUrl);
    await page.fill('input[name=username]', 'demo');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-field-id]').first().waitFor();
    for (const card of await page.locator('[data-field-id]').all()) {
      if ((await card.getAttribute('data-status')) === 'offline') problems.push(`card ${await card.getAttribute('data-field-id')} offline`);
    }
    if ((await page.locator('main').textContent())?.includes('Mất kết nối')) problems.push('overview says Mất kết nối');
    for (const id of fieldIds) {
      await page.goto(`${baseUrl}/#/field/${id}`);
      const et0 = page.locator('[data-chart="et0"][data-points]');
      await et0.waitFor();
      const days = Number(await et0.getAttribute('data-points'));
      if (days < 7) problems.push(`${id}: ET0/rain chart with ${days} days`);
      for (const chart of await page.locator('figure[data-chart]').all()) {
        if (Number(await chart.getAttribute('data-points')) === 0) problems.push(`${id}: ${await chart.getAttribute('data-chart')} chart empty`);
      }
      if ((await page.locator('main').textContent())?.includes('Mất kết nối')) problems.push(`${id} page says Mất kết nối`);
    }
    await page.goto(`${baseUrl}/#/devices`);
    await page.locator('tr[data-device-id]').first().waitFor();
    for (const row of await page.locator('tr[data-device-id]').all()) {
      if ((await row.getAttribute('data-state')) !== 'online') problems.push(`device ${await row.getAttribute('data-device-id')} ${await row.getAttribute('data-state')}`);
    }
    if ((await page.locator('main').textContent())?.includes('Mất kết nối')) problems.push('device list says Mất kết nối');
  } finally {
    await browser.close();
  }
  return problems;
}

/** Every raw report time of one metric of a field over `days`, from the CSV export (all raw rows). */
async function reportTimes(baseUrl: string, token: string, fieldId: string, metric: string, days: number): Promise<number[]> {
  const to = Date.now();
  const res = await fetch(`${baseUrl}/api/v1/fields/${fieldId}/readings.csv?metric=${metric}&from=${to - days * DAY}&to=${to}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const [header, ...rows] = (await res.text()).trim().split('\n');
  const col = (header ?? '').split(',').findIndex((c) => c.startsWith('ts') || c.startsWith('time'));
  expect(col).toBeGreaterThanOrEqual(0);
  return rows.map((r) => Date.parse(r.split(',')[col] ?? ''));
}

describe('ruong start, first run (issue 16)', () => {
  let p: ChildPlatform | undefined;
  afterAll(() => {
    if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (p) rmSync(p.dataDir, { recursive: true, force: true });
  });

  it('is alive right after the back-fill on a new DATA_DIR (every device online, every chart ≥ 7 days), and a restart does not back-fill again', async () => {
    const started = Date.now();
    p = await startChildPlatform({ DEMO_PASSWORD: PASSWORD });
    const token = await login(p.baseUrl, 'demo', PASSWORD);
    let missing = await notYetAlive(p.baseUrl, token);
    while (missing.length > 0 && Date.now() - started < FIRST_RUN_MS) {
      await sleep(1_000);
      missing = await notYetAlive(p.baseUrl, token);
    }
    expect(missing, `not alive ${Math.round((Date.now() - started) / 1000)} s after start`).toEqual([]);
    const health = await getJson<Health>(p.baseUrl, '/api/v1/device-health', token);
    expect(health.body.devices.map((d) => d.id).sort()).toEqual(['awd-rice-1', 'awd-rice-2', 'canal-mekong', 'pump-coffee-a', 'soil-coffee-a', 'soil-coffee-b', 'valve-rice-1', 'wx-highlands', 'wx-mekong']);

    if (browserAvailable()) expect(await dashboardProblems(p.baseUrl, ['field-rice-1', 'field-rice-2', 'field-coffee-a', 'field-coffee-b'])).toEqual([]);

    // 30 days of history: the month view of the ET0 and rain bars is full but for the first, partial day
    const month = await getJson<Daily>(p.baseUrl, '/api/v1/fields/field-coffee-a/daily?days=31', token);
    expect(month.body.days.filter((d) => d.et0Mm !== null).length).toBeGreaterThanOrEqual(28);

    const before = await reportTimes(p.baseUrl, token, 'field-rice-1', 'air_temperature', 31);
    expect(before.length).toBeGreaterThan(28 * DAY / INTERVAL_MS);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });

    // Restart on the same DATA_DIR: the devices resume after their last stored report
    p = await startChildPlatform({ DEMO_PASSWORD: PASSWORD }, p.dataDir);
    const again = await login(p.baseUrl, 'demo', PASSWORD);
    missing = await notYetAlive(p.baseUrl, again);
    for (const until = Date.now() + FIRST_RUN_MS; missing.length > 0 && Date.now() < until;) {
      await sleep(1_000);
      missing = await notYetAlive(p.baseUrl, again);
    }
    expect(missing).toEqual([]);
    await sleep(3_000); // what a second back-fill would have published by now
    const after = await reportTimes(p.baseUrl, again, 'field-rice-1', 'air_temperature', 31);
    // one station, one report per interval: a second history (or an overlapping replay) would interleave reports
    // minutes apart and double the count
    const closest = Math.min(...after.slice(1).map((t, i) => t - (after[i] ?? 0)));
    expect(closest).toBeGreaterThan(INTERVAL_MS / 2);
    expect(after.length).toBeLessThanOrEqual(before.length + 2);
    expect(after.slice(0, before.length - 2)).toEqual(before.slice(0, before.length - 2));
  }, 300_000);
});
